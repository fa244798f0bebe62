package uploadsignhttp

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// tokenKeys reads the keys of the JSON object body with encoding/json's
// Token, the reference objectKeys must agree with.
func tokenKeys(body []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
	}
	return keys, true
}

// FuzzObjectKeys: for any JSON object, objectKeys finds the keys
// encoding/json's Token finds, as written.
func FuzzObjectKeys(f *testing.F) {
	for _, seed := range []string{
		`{"param_set":"avatar","version":1}`,
		`{"a":{"b":[1,{"c":"}"}]},"d":"\"e\\","f\"g":null}`,
		` { "x" : [ "{" , "," , "]" ] , "y\u0041" : true } `,
		`{"result":{"public_id":"a,b","tags":["x","y"]},"param_set":"p"}`,
		`{}`, `[]`, `{"a":1`, `"{\"a\":1}"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, ok := tokenKeys(body)
		if !ok || !json.Valid(body) || bytes.TrimSpace(body)[0] != '{' {
			return
		}
		var got []string
		_ = objectKeys(body, func(key []byte) error {
			var s string
			if err := json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s); err != nil {
				t.Fatalf("key %q is not a JSON string's content: %v", key, err)
			}
			got = append(got, s)
			return nil
		})
		if !slices.Equal(got, want) {
			t.Fatalf("objectKeys(%s) = %q, encoding/json reads %q", body, got, want)
		}
	})
}
