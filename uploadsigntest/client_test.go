package uploadsigntest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// TestPostAnswer: Post returns what the endpoint answered, as it came and
// decoded: an upload response into Result and the URLs, an error's
// message into Error, and an answer that is not JSON with an error.
func TestPostAnswer(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    uploadsigntest.Answer
		wantErr bool
	}{
		{"upload", 200, `{"public_id":"a/b","version":1700000000,"signature":"abc","resource_type":"image","type":"upload",` +
			`"format":"png","width":3,"height":2,"bytes":99,"tags":["x"],"existing":true,"url":"http://u","secure_url":"https://u"}`,
			uploadsigntest.Answer{Result: uploadsign.UploadResult{PublicID: "a/b", Version: 1700000000, Signature: "abc",
				ResourceType: "image", Type: "upload", Format: "png", Width: 3, Height: 2, Bytes: 99, Tags: []string{"x"}, Existing: true},
				URL: "http://u", SecureURL: "https://u"}, false},
		{"refusal", 401, `{"error":{"message":"Invalid Signature 00. String to sign - 'timestamp=1'."}}`,
			uploadsigntest.Answer{Error: "Invalid Signature 00. String to sign - 'timestamp=1'."}, false},
		{"error with a 200", 200, `{"error":{"message":"odd"}}`, uploadsigntest.Answer{Error: "odd"}, false},
		{"not JSON", 502, `<html>Bad Gateway</html>`, uploadsigntest.Answer{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			got, err := uploadsigntest.Post(srv.URL, map[string]string{"timestamp": "1"}, "a.png", []byte("x"))
			if (err != nil) != tt.wantErr || got == nil {
				t.Fatalf("Post: %v, %v; want an error: %v", got, err, tt.wantErr)
			}
			tt.want.Status, tt.want.Body = tt.status, []byte(tt.body)
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}
