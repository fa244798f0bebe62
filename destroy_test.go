package uploadsign

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type destroyCase struct {
	Name         string            `json:"name"`
	PublicID     string            `json:"public_id"`
	ResourceType string            `json:"resource_type"`
	Type         string            `json:"type"`
	Algorithm    Algorithm         `json:"algorithm"`
	Timestamp    int64             `json:"timestamp"`
	Path         string            `json:"path"`
	Fields       map[string]string `json:"fields"`
}

// cloudinaryAt serves a destroy endpoint that records what it is posted
// and answers status and body.
func cloudinaryAt(t *testing.T, status int, body string) (*httptest.Server, *[]*http.Request) {
	t.Helper()
	var posted []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("not a multipart form: %v", err)
		}
		posted = append(posted, r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &posted
}

// TestDestroyGolden: Destroy posts the fields the official Node SDK's
// uploader.destroy posts, with its signature, to its path.
func TestDestroyGolden(t *testing.T) {
	g := readGolden[[]destroyCase](t, "destroy.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			srv, posted := cloudinaryAt(t, 200, `{"result":"ok"}`)
			s := newSigner(t, g.APISecret, WithAlgorithm(c.Algorithm), WithUploadURL(srv.URL), fixedClock(time.Unix(c.Timestamp, 0)))
			if err := s.Destroy(context.Background(), Asset{PublicID: c.PublicID, ResourceType: c.ResourceType, Type: c.Type}); err != nil {
				t.Fatal(err)
			}
			if len(*posted) != 1 {
				t.Fatalf("%d requests, want 1", len(*posted))
			}
			r := (*posted)[0]
			got := map[string]string{}
			for k, vs := range r.MultipartForm.Value {
				got[k] = strings.Join(vs, ",")
			}
			if r.Method != "POST" || r.URL.Path != c.Path {
				t.Errorf("%s %s, the SDK posts to %s", r.Method, r.URL.Path, c.Path)
			}
			if diff := cmp.Diff(c.Fields, got); diff != "" {
				t.Errorf("fields (-Node SDK +Destroy):\n%s", diff)
			}
		})
	}
}

func TestDestroyAnswers(t *testing.T) {
	asset := Asset{PublicID: "avatars/user_42", ResourceType: "image", Type: "upload"}
	for _, tt := range []struct {
		name, body string
		status     int
		wantErr    string // "" for none
	}{
		{"ok", `{"result":"ok"}`, 200, ""},
		{"not found is gone", `{"result":"not found"}`, 200, ""},
		{"invalid signature", `{"error":{"message":"Invalid Signature 0a1b. String to sign - 'invalidate=true&public_id=avatars/user_42&timestamp=1700000000&type=upload'."}}`, 401,
			`image/upload "avatars/user_42": Cloudinary answered 401: Invalid Signature`},
		{"rate limited", `{"error":{"message":"Rate Limit Exceeded"}}`, 420, "420: Rate Limit Exceeded"},
		{"not JSON", `<html>bad gateway</html>`, 502, "502, not in JSON"},
		{"another result", `{"result":"pending"}`, 200, `result "pending"`},
	} {
		srv, _ := cloudinaryAt(t, tt.status, tt.body)
		s := newSigner(t, testSecret, WithUploadURL(srv.URL))
		err := s.Destroy(context.Background(), asset)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: %v, want it to say %q", tt.name, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), testSecret):
			t.Errorf("%s: the error shows the secret", tt.name)
		}
	}
	// The network, the context and the asset.
	srv, posted := cloudinaryAt(t, 200, `{"result":"ok"}`)
	s := newSigner(t, testSecret, WithUploadURL(srv.URL))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Destroy(ctx, asset); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "avatars/user_42") {
		t.Errorf("a canceled context: %v", err)
	}
	for _, bad := range []Asset{{ResourceType: "image", Type: "upload"}, {PublicID: "a/../b", ResourceType: "image", Type: "upload"},
		{PublicID: "x", ResourceType: "auto", Type: "upload"}, {PublicID: "x", ResourceType: "image", Type: "fetch"}} {
		if err := s.Destroy(context.Background(), bad); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("Destroy(%+v): %v, want ErrInvalidParam", bad, err)
		}
	}
	if len(*posted) != 0 {
		t.Errorf("%d requests for refused assets", len(*posted))
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	s = newSigner(t, testSecret, WithUploadURL(down.URL))
	if err := s.Destroy(context.Background(), asset); err == nil || !strings.Contains(err.Error(), "destroying image/upload") {
		t.Errorf("nobody listening: %v", err)
	}
}

func TestWithHTTPClient(t *testing.T) {
	if _, err := New(testCloud, testKey, testSecret, WithHTTPClient(nil)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("WithHTTPClient(nil): %v, want ErrInvalidConfig", err)
	}
	if defaultHTTPClient.Timeout <= 0 {
		t.Error("the default client has no timeout")
	}
	used := false
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		used = true
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
	})}
	s := newSigner(t, testSecret, WithHTTPClient(client), WithUploadURL("http://127.0.0.1:1"))
	_ = s.Destroy(context.Background(), Asset{PublicID: "x", ResourceType: "image", Type: "upload"})
	if !used {
		t.Error("Destroy did not use the client given")
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
