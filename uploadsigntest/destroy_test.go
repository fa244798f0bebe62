package uploadsigntest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// receiver starts a webhook receiver that answers 200, for notifications.
func receiver(t *testing.T) *httptest.Server {
	t.Helper()
	r := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(r.Close)
	return r
}

// awaitDeliveries waits a little for n notifications.
func awaitDeliveries(t *testing.T, srv *uploadsigntest.Server, n int) []uploadsigntest.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := srv.AwaitDeliveries(ctx, n)
	if err != nil {
		t.Fatalf("%d notifications of %d: %v", len(d), n, err)
	}
	return d
}

// TestDestroy: Cloudinary's destroy, signed as an upload is, removes the
// asset (delivery, and the bytes of the uploads that made it), answers
// {"result": "ok"} or {"result": "not found"}, and is followed by a delete
// notification at the request's notification_url, else the account's. Its
// refusals are those of an upload.
func TestDestroy(t *testing.T) {
	hooks := receiver(t)
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now),
		uploadsigntest.WithNotificationURL(hooks.URL+"/account"))
	defer srv.Close()
	img := pngImage(t, 3, 2)
	upload := func(publicID string) *uploadsigntest.Answer {
		t.Helper()
		a, err := uploadsigntest.Post(uploadURL(srv, "image"), signFields(map[string]string{"public_id": publicID}), "a.png", img)
		if err != nil || a.Status != 200 {
			t.Fatalf("upload: %v %v", a, err)
		}
		return a
	}
	destroyURL := srv.URL + "/v1_1/" + cloud + "/image/destroy"
	destroy := func(url string, fields map[string]string) *uploadsigntest.Answer {
		t.Helper()
		a, err := uploadsigntest.Post(url, fields, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	signed := func(publicID string, more ...string) map[string]string {
		f := map[string]string{"public_id": publicID, "type": "upload", "invalidate": "true"}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i]] = more[i+1]
		}
		return signFields(f)
	}

	first := upload("a")
	awaitDeliveries(t, srv, 1) // the upload's, at the account's URL
	tampered := signed("a")
	tampered["invalidate"] = "false"
	srv.FailNext(503, "try later")
	for _, tt := range []struct {
		name, url string
		fields    map[string]string
		status    int
		msg       string
	}{
		{"failing", destroyURL, signed("a"), 503, "try later"},
		{"tampered", destroyURL, tampered, 401, "Invalid Signature "},
		{"no public_id", destroyURL, signFields(map[string]string{"type": "upload"}), 400, "Missing required parameter - public_id"},
		{"no api_key", destroyURL, map[string]string{"public_id": "a", "timestamp": "1700000000"}, 401, "Must supply api_key"},
		{"auto", strings.Replace(destroyURL, "/image/", "/auto/", 1), signed("a"), 404, "Invalid resource type auto"},
		{"other cloud", strings.Replace(destroyURL, "/"+cloud+"/", "/other/", 1), signed("a"), 401, "Invalid cloud_name other"},
	} {
		if a := destroy(tt.url, tt.fields); a.Status != tt.status || !strings.HasPrefix(a.Error, tt.msg) {
			t.Errorf("%s: %v, want %d %q", tt.name, a, tt.status, tt.msg)
		}
	}
	c.Set(testTime.Add(time.Hour + time.Second))
	if a := destroy(destroyURL, signed("a")); a.Status != 400 || !strings.HasPrefix(a.Error, "Stale request - reported time is 2023-11-14 22:13:20 +0000") {
		t.Errorf("stale: %v", a)
	}
	c.Set(testTime)
	for _, other := range []map[string]string{signed("a", "type", "authenticated"), signed("b")} {
		if a := destroy(destroyURL, other); a.Status != 200 || string(a.Body) != `{"result":"not found"}` {
			t.Errorf("%v: %v, want not found", other, a)
		}
	}
	if a := destroy(strings.Replace(destroyURL, "/image/", "/raw/", 1), signed("a")); string(a.Body) != `{"result":"not found"}` {
		t.Errorf("as raw: %v, want not found", a)
	}
	if get(t, first.SecureURL) != http.StatusOK {
		t.Fatal("a refused destroy removed the asset")
	}

	if a := destroy(destroyURL, signed("a")); a.Status != 200 || string(a.Body) != `{"result":"ok"}` {
		t.Fatalf("destroy: %v", a)
	}
	if status := get(t, first.SecureURL); status != http.StatusNotFound {
		t.Errorf("the destroyed asset is served: %d", status)
	}
	ups := srv.Uploads()
	if u := ups[0]; !u.Destroyed || u.File != nil || u.Path != "" || u.Status != 200 {
		t.Errorf("the upload of the destroyed asset is recorded as %s, destroyed %v", describe(ups[:1]), u.Destroyed)
	}
	d := awaitDeliveries(t, srv, 2)
	var note struct {
		NotificationType string `json:"notification_type"`
		Resources        []map[string]any
	}
	if err := json.Unmarshal(d[1].Body, &note); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"resource_type": "image", "type": "upload", "public_id": "a",
		"version": float64(first.Result.Version), "asset_id": first.Result.AssetID}}
	if note.NotificationType != "delete" || !strings.HasSuffix(d[1].URL, "/account") || !cmp.Equal(want, note.Resources) {
		t.Errorf("delete notification to %s: %s", d[1].URL, d[1].Body)
	}
	if sig := sha1Hex(string(d[1].Body)+d[1].Header.Get("X-Cld-Timestamp"), secret); d[1].Header.Get("X-Cld-Signature") != sig {
		t.Errorf("the delete notification is not signed: %v", d[1].Header)
	}
	if a := destroy(destroyURL, signed("a")); string(a.Body) != `{"result":"not found"}` {
		t.Errorf("destroyed twice: %v", a)
	}

	// A destroy's own notification_url wins over the account's.
	upload("c")
	awaitDeliveries(t, srv, 3) // the upload's, before the destroy's
	if a := destroy(destroyURL, signed("c", "notification_url", hooks.URL+"/own")); string(a.Body) != `{"result":"ok"}` {
		t.Fatalf("destroy: %v", a)
	}
	if d := awaitDeliveries(t, srv, 4); !strings.HasSuffix(d[3].URL, "/own") || !strings.Contains(string(d[3].Body), `"notification_type":"delete"`) {
		t.Errorf("the last notification went to %s: %s", d[3].URL, d[3].Body)
	}
	srv.Close() // waits for the notifications under way
	if n := len(srv.Deliveries()); n != 4 {
		t.Errorf("%d notifications, want 4: destroys that removed nothing notify nothing", n)
	}
}

// get returns the status of a GET of url.
func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
