package uploadsigntest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

const (
	oldKey, oldSecret = "111111111111111", "old-secret-of-the-rotation"
	newKey, newSecret = "222222222222222", "new-secret-of-the-rotation"
)

// TestKeyRotation: one fake takes uploads signed with the old key and the
// new one, answers each with the key that signed it (its api_key and a
// response signature by its secret), and signs its notifications with the
// notification key chosen, whichever key signed the upload. Signatures are
// computed here from the documented strings.
func TestKeyRotation(t *testing.T) {
	bodies := make(chan []byte, 2)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}))
	defer receiver.Close()
	srv := uploadsigntest.NewServer(cloud, oldKey, oldSecret, uploadsigntest.WithClock(func() time.Time { return testTime }),
		uploadsigntest.WithKey(newKey, newSecret), uploadsigntest.WithNotificationKey(newKey))
	defer srv.Close()

	tests := []struct {
		name, apiKey, secret string
		status               int
		msg                  string
	}{
		{"old key", oldKey, oldSecret, 200, ""},
		{"new key", newKey, newSecret, 200, ""},
		{"new key, signed with the old secret", newKey, oldSecret, 401, "Invalid Signature"},
		{"a key the account does not have", key, secret, 401, "Unknown API key " + key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := signWith(tt.apiKey, tt.secret, map[string]string{"public_id": tt.apiKey, "notification_url": receiver.URL})
			answer, err := uploadsigntest.Post(uploadURL(srv, "image"), fields, "a.png", pngImage(t, 2, 2))
			if err != nil || answer.Status != tt.status || !strings.HasPrefix(answer.Error, tt.msg) {
				t.Fatalf("%v (%v), want %d %q", answer, err, tt.status, tt.msg)
			}
			if answer.Status != 200 {
				return
			}
			want := sha1Hex(fmt.Sprintf("public_id=%s&version=%d", tt.apiKey, testTime.Unix()), tt.secret)
			if answer.Result.APIKey != tt.apiKey || answer.Result.Signature != want {
				t.Errorf("answered api_key %v, signature %v; want %s and %s", answer.Result.APIKey, answer.Result.Signature, tt.apiKey, want)
			}
		})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	deliveries, err := srv.AwaitDeliveries(ctx, 2)
	if err != nil || len(deliveries) != 2 {
		t.Fatalf("%d deliveries (%v), want one per accepted upload", len(deliveries), err)
	}
	ts := strconv.FormatInt(testTime.Unix(), 10)
	for _, d := range deliveries {
		if got, want := d.Header.Get("X-Cld-Signature"), sha1Hex(string(d.Body)+ts, newSecret); got != want || d.Header.Get("X-Cld-Timestamp") != ts {
			t.Errorf("notification signed %s at %s, want %s (the new secret) at %s", got, d.Header.Get("X-Cld-Timestamp"), want, ts)
		}
	}
	r := srv.NotificationRequest("/hook", []byte(`{}`))
	if got, want := r.Header.Get("X-Cld-Signature"), sha1Hex(`{}`+ts, newSecret); got != want {
		t.Errorf("NotificationRequest signed %s, want %s (the new secret)", got, want)
	}
	if out := fmt.Sprintf("%v %+v %s", srv, srv, srv.String()); strings.Contains(out, oldSecret) || strings.Contains(out, newSecret) {
		t.Errorf("printing the server shows a secret: %s", out)
	}
}

// TestNotificationKeyDefault: without WithNotificationKey, NewServer's key
// signs notifications, whatever other keys there are.
func TestNotificationKeyDefault(t *testing.T) {
	srv := uploadsigntest.NewServer(cloud, oldKey, oldSecret, uploadsigntest.WithClock(func() time.Time { return testTime }),
		uploadsigntest.WithKey(newKey, newSecret))
	defer srv.Close()
	r := srv.NotificationRequest("/hook", []byte(`{}`))
	if got, want := r.Header.Get("X-Cld-Signature"), sha1Hex(`{}`+strconv.FormatInt(testTime.Unix(), 10), oldSecret); got != want {
		t.Errorf("signed %s, want %s (NewServer's secret)", got, want)
	}
}

// TestKeyOptionsRefuseMistakes: NewServer panics, naming the option and
// never a secret, on a key it cannot use.
func TestKeyOptionsRefuseMistakes(t *testing.T) {
	tests := []struct {
		name string
		opts []uploadsigntest.ServerOption
		want string
	}{
		{"the same key twice", []uploadsigntest.ServerOption{uploadsigntest.WithKey(oldKey, newSecret)}, `WithKey("111111111111111", ...): the server has that API key already`},
		{"an empty secret", []uploadsigntest.ServerOption{uploadsigntest.WithKey(newKey, "")}, "WithKey: the API secret is empty"},
		{"a secret with a space", []uploadsigntest.ServerOption{uploadsigntest.WithKey(newKey, "new secret")}, "WithKey: the API secret has a space"},
		{"an unknown notification key", []uploadsigntest.ServerOption{uploadsigntest.WithNotificationKey(newKey)}, `WithNotificationKey("222222222222222"): the server has no such API key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := fmt.Sprint(recover())
				if !strings.Contains(r, tt.want) || strings.Contains(r, newSecret) || strings.Contains(r, oldSecret) {
					t.Errorf("recovered %q, want a panic with %q and no secret", r, tt.want)
				}
			}()
			srv := uploadsigntest.NewServer(cloud, oldKey, oldSecret, tt.opts...)
			srv.Close()
		})
	}
}
