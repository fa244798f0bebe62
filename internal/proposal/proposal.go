// Package proposal reads the parameters a browser proposes to sign, such
// as the Upload Widget's params_to_sign, as the official Node SDK's
// api_sign_request reads them.
package proposal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/encode"
)

// Parse reads a JSON object into one value per key, each the string
// JavaScript's String makes of the JSON value (see uploadsign.ParseProposal,
// whose documentation lists the rules and refusals).
func Parse(paramsToSign []byte) (url.Values, error) {
	bad := func(format string, args ...any) (url.Values, error) {
		return nil, fmt.Errorf(format, args...)
	}
	if !utf8.Valid(paramsToSign) {
		return bad("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(paramsToSign))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("not a JSON object")
	}
	out := url.Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("malformed JSON: %v", err)
		}
		key := tok.(string) // object keys are strings
		if _, dup := out[key]; dup {
			return bad("%.60q is given twice", key)
		}
		value, present, err := proposalValue(dec, false)
		if err != nil {
			return bad("%.60q: %v", key, err)
		}
		if strings.IndexByte(key, 0) >= 0 || strings.IndexByte(value, 0) >= 0 {
			return bad("%.60q holds a NUL byte", key)
		}
		if present {
			out[key] = []string{value}
		} else {
			out[key] = nil // seen, for the duplicate check; dropped below
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("data after the JSON object")
	}
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out, nil
}

// proposalValue reads one JSON value and writes it as JavaScript's String
// would, arrays joined with ","; present is false for null at the top.
func proposalValue(dec *json.Decoder, inArray bool) (value string, present bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, fmt.Errorf("malformed JSON: %v", err)
	}
	switch v := tok.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return "", false, fmt.Errorf("the number %.40s is beyond what JavaScript can hold", v)
		}
		return encode.JSNumber(f), true, nil
	case json.Delim:
		if v == '{' {
			return "", false, errors.New("a nested object is not an upload parameter")
		}
		if inArray {
			return "", false, errors.New("an array inside an array is not an upload parameter")
		}
		var b strings.Builder
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			s, _, err := proposalValue(dec, true)
			if err != nil {
				return "", false, err
			}
			b.WriteString(s)
		}
		if _, err := dec.Token(); err != nil { // ]
			return "", false, fmt.Errorf("malformed JSON: %v", err)
		}
		return b.String(), true, nil
	}
	return "", false, fmt.Errorf("unexpected JSON %v", tok)
}

// Naming holds the fields that decide whether the browser's file name
// becomes the public_id.
type Naming struct{ PublicID, UseFilename, UniqueFilename, Overwrite string }

// See records key's value if it is one of Naming's.
func (n *Naming) See(key, value string) {
	switch key {
	case "public_id":
		n.PublicID = value
	case "use_filename":
		n.UseFilename = value
	case "unique_filename":
		n.UniqueFilename = value
	case "overwrite":
		n.Overwrite = value
	}
}

// FromFilename reports whether Cloudinary takes the public_id from the
// uploaded file's name as it is: use_filename true, unique_filename false
// and no public_id.
func (n Naming) FromFilename() bool {
	return n.PublicID == "" && cloudinary.True(n.UseFilename) && cloudinary.False(n.UniqueFilename)
}

// BrowserNames says how the browser decides the public_id of the upload a
// proposal describes, or places a public_id that is bound, or returns ""
// when it does neither. bound holds the parameters the set and the request
// fix; any other proposed one is the browser's choice. A public_id
// Cloudinary makes up (no public_id, unique file names) cannot collide,
// so a browser-chosen folder alone does not count.
func BrowserNames(proposed url.Values, bound map[string]string) string {
	chosen := func(k string) bool {
		_, isBound := bound[k]
		return !isBound && proposed.Get(k) != ""
	}
	naming := Naming{PublicID: proposed.Get("public_id"), UseFilename: proposed.Get("use_filename"), UniqueFilename: proposed.Get("unique_filename")}
	fromFilename := naming.FromFilename()
	var why string
	switch {
	case chosen("public_id"):
		return "the browser chooses the public_id"
	case fromFilename:
		why = "the public_id is the file name the browser sends (use_filename true, unique_filename false)"
	case naming.PublicID == "":
		return "" // Cloudinary makes up a unique public_id
	case chosen("folder"):
		return "the browser chooses the folder that prefixes the public_id"
	case chosen("public_id_prefix"):
		return "the browser chooses the public_id_prefix"
	case chosen("asset_folder") && cloudinary.True(proposed.Get("use_asset_folder_as_public_id_prefix")):
		return "the browser chooses the asset_folder that prefixes the public_id"
	default:
		return ""
	}
	if chosen("folder") || chosen("public_id_prefix") {
		why += ", in a folder it chooses"
	}
	return why
}

// Names reports whether the parameter key takes part in naming an upload:
// a browser that chooses it may choose the public_id.
func Names(key string) bool {
	switch key {
	case "public_id", "folder", "public_id_prefix", "asset_folder", "use_asset_folder_as_public_id_prefix",
		"use_filename", "unique_filename", "filename_override":
		return true
	}
	return false
}
