package uploadsigntest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// The Node test runs the official Node SDK's chunked client
// (testdata/chunked_upload.js) against the fake. It needs node and the SDK
// installed in testdata/node_modules (cd testdata && npm ci). Without them
// it skips, unless UPLOADSIGN_NODE_TEST=required (as .ci/run sets it), in
// which case it fails.

func requireNode(t *testing.T) (node, script string) {
	t.Helper()
	fail := func(msg string) {
		msg += " (set UPLOADSIGN_NODE_TEST=required to fail instead of skipping)"
		if os.Getenv("UPLOADSIGN_NODE_TEST") == "required" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fail("node not found: install Node.js to run the official Node SDK against the fake")
	}
	testdata, err := filepath.Abs(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(testdata, "node_modules", "cloudinary", "package.json")); err != nil {
		fail("the Node SDK is not installed: run npm ci in testdata/")
	}
	return node, filepath.Join(testdata, "chunked_upload.js")
}

// TestNodeSDKChunkedUpload uploads files of several chunks with the Node
// SDK's upload_large, which sends -1 as the total of every chunk but the
// last and signs each chunk anew, and checks that the fake assembled each
// into one upload of the right bytes.
func TestNodeSDKChunkedUpload(t *testing.T) {
	node, script := requireNode(t)
	const chunkSize = 10_000
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithMinChunkBytes(chunkSize))
	defer srv.Close()

	// A proxy in front of the fake records what the SDK sends.
	var (
		mu      sync.Mutex
		ranges  []string
		ids     = map[string]bool{}
		backend = &url.URL{Scheme: "http", Host: strings.TrimPrefix(srv.URL, "http://")}
	)
	proxy := httputil.NewSingleHostReverseProxy(backend)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Content-Range"))
		ids[r.Header.Get("X-Unique-Upload-Id")] = true
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	img := noisyPNG(t, 100, 60)
	raw := randomBytes(3*chunkSize, 4) // an exact multiple of the chunk size
	tests := []struct {
		name, file string
		data       []byte
		options    map[string]any
		want       map[string]any
		wantRanges []string
	}{
		{"image", "pic.png", img, map[string]any{"chunk_size": chunkSize, "resource_type": "image", "public_id": "node/pic"},
			map[string]any{"public_id": "node/pic", "resource_type": "image", "format": "png", "width": 100.0, "height": 60.0, "bytes": float64(len(img))},
			nil},
		{"raw, upload_large's default", "archive.bin", raw, map[string]any{"chunk_size": chunkSize, "tags": []string{"node", "large"}},
			map[string]any{"resource_type": "raw", "bytes": float64(len(raw)), "tags": []any{"node", "large"}, "original_filename": "archive"},
			[]string{"bytes 0-9999/-1", "bytes 10000-19999/-1", "bytes 20000-29999/30000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			ranges, ids = nil, map[string]bool{}
			mu.Unlock()
			before := len(srv.Uploads())
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			options, err := json.Marshal(tt.options)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, script, front.URL, path, string(options))
			cmd.Env = append(os.Environ(), "CLOUDINARY_URL=cloudinary://"+key+":"+secret+"@"+cloud)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, redact(stdout.String()), redact(stderr.String()))
			}
			var result map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &result); err != nil {
				t.Fatalf("the SDK's result is not JSON: %v: %s", err, redact(stdout.String()))
			}
			got := map[string]any{}
			for k := range tt.want {
				got[k] = result[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("the SDK's result (-want +got):\n%s", diff)
			}

			mu.Lock()
			sent, idCount := append([]string(nil), ranges...), len(ids)
			mu.Unlock()
			wantChunks := (len(tt.data) + chunkSize - 1) / chunkSize
			if len(sent) != wantChunks || idCount != 1 || ids[""] {
				t.Errorf("the SDK sent %d requests (Content-Range %q) with %d upload ids; want %d chunks under one id", len(sent), sent, idCount, wantChunks)
			}
			for i, r := range sent {
				if last := i == len(sent)-1; strings.HasSuffix(r, "/-1") == last {
					t.Errorf("chunk %d of %d has Content-Range %q: want -1 as the total of every chunk but the last", i+1, len(sent), r)
				}
			}
			if tt.wantRanges != nil {
				if diff := cmp.Diff(tt.wantRanges, sent); diff != "" {
					t.Errorf("Content-Range headers (-want +got):\n%s", diff)
				}
			}

			ups := srv.Uploads()[before:]
			if len(ups) != 1 || ups[0].Status != http.StatusOK || ups[0].Size != int64(len(tt.data)) || ups[0].Chunks != wantChunks {
				t.Fatalf("the fake recorded %s; want 1 upload of %d bytes in %d chunks", describe(ups), len(tt.data), wantChunks)
			}
			if !bytes.Equal(readAll(t, ups[0]), tt.data) {
				t.Error("the fake assembled other bytes than the file")
			}
			if body := getBody(t, result["secure_url"].(string)); !bytes.Equal(body, tt.data) {
				t.Error("the secure_url serves other bytes than the file")
			}
		})
	}
}

// redact keeps the test secret out of failure messages, as every output
// of the library does.
func redact(s string) string { return strings.ReplaceAll(s, secret, "[secret]") }

// TestDocsChunkedLoop runs the browser loop of docs/large-files.md
// (the js block that defines uploadInChunks), as written, in Node's
// fetch, FormData and File, which are the browser's: it uploads a file of
// three of its 20,000,000-byte chunks to the fake with Cloudinary's
// default limits.
func TestDocsChunkedLoop(t *testing.T) {
	node, _ := requireNode(t)
	doc, err := os.ReadFile(filepath.Join("..", "docs", "large-files.md"))
	if err != nil {
		t.Fatal(err)
	}
	var snippet string
	for _, block := range strings.Split(string(doc), "```js\n")[1:] {
		if code, _, _ := strings.Cut(block, "```"); strings.Contains(code, "async function uploadInChunks(file, payload)") {
			snippet = code
		}
	}
	if snippet == "" {
		t.Fatal("docs/large-files.md has no js block defining uploadInChunks(file, payload)")
	}
	harness := `
const [path, payload] = process.argv.slice(2);
const file = new File([require("fs").readFileSync(path)], "clip.mp4");
uploadInChunks(file, JSON.parse(payload)).then(
  (result) => console.log(JSON.stringify(result)),
  (err) => { console.error(String(err)); process.exit(1); });
`
	dir := t.TempDir()
	script := filepath.Join(dir, "readme.js")
	if err := os.WriteFile(script, []byte(snippet+harness), 0o600); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(45_000_000, 45)
	clip := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(clip, data, 0o600); err != nil {
		t.Fatal(err)
	}

	_, srv, s := startFake(t) // Cloudinary's limits
	p := sign(t, s, "doc", uploadsign.Params{PublicID: "clip.mp4"})
	payload, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, script, clip, string(payload))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, redact(stdout.String()), redact(stderr.String()))
	}
	var result map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &result); err != nil {
		t.Fatalf("the loop's result is not JSON: %v: %s", err, redact(stdout.String()))
	}
	if result["public_id"] != "clip.mp4" || result["bytes"] != float64(len(data)) {
		t.Errorf("the loop returned %v, want the upload of the whole file", result)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].Chunks != 3 || ups[0].Filename != "clip.mp4" || !bytes.Equal(readAll(t, ups[0]), data) {
		t.Errorf("the fake recorded %s, want the file in 3 chunks", describe(ups))
	}
}

// destroyScript uploads a file with the official Node SDK, destroys it
// twice with uploader.destroy and the options given, and prints the three
// results as a JSON array.
const destroyScript = `"use strict";
const [sdk, prefix, file, publicId, optionsJSON] = process.argv.slice(2);
require(sdk + "/lib/config")({ upload_prefix: prefix });
const cloudinary = require(sdk).v2;
(async () => {
  const options = JSON.parse(optionsJSON);
  const uploaded = await cloudinary.uploader.upload(file, { public_id: publicId, resource_type: options.resource_type });
  const first = await cloudinary.uploader.destroy(publicId, options);
  const second = await cloudinary.uploader.destroy(publicId, options);
  console.log(JSON.stringify([uploaded, first, second]));
})().catch((err) => { console.error(JSON.stringify(err)); process.exit(1); });
`

// TestNodeSDKDestroy runs the official Node SDK's uploader.destroy, with
// invalidate and a notification_url, against the fake: the fake checks
// what the SDK signs and posts, removes the asset, answers "ok" then "not
// found", and sends the delete notification.
func TestNodeSDKDestroy(t *testing.T) {
	node, chunked := requireNode(t)
	sdk := filepath.Join(filepath.Dir(chunked), "node_modules", "cloudinary")
	hooks := receiver(t)
	srv := uploadsigntest.NewServer(cloud, key, secret) // the SDK signs with the time of day
	defer srv.Close()
	dir := t.TempDir()
	script, file := filepath.Join(dir, "destroy.js"), filepath.Join(dir, "a.png")
	if err := os.WriteFile(script, []byte(destroyScript), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pngImage(t, 4, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	options := `{"resource_type": "image", "type": "upload", "invalidate": true, "notification_url": "` + hooks.URL + `/hook"}`
	cmd := exec.Command(node, script, sdk, srv.URL, file, "node/gone", options)
	cmd.Env = append(os.Environ(), "CLOUDINARY_URL=cloudinary://"+key+":"+secret+"@"+cloud)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, redact(stdout.String()), redact(stderr.String()))
	}
	var results []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != 3 {
		t.Fatalf("the SDK's results: %v: %s", err, redact(stdout.String()))
	}
	if results[0]["public_id"] != "node/gone" || results[1]["result"] != "ok" || results[2]["result"] != "not found" {
		t.Errorf("upload, destroy, destroy: %v", results)
	}
	if status := get(t, results[0]["secure_url"].(string)); status != http.StatusNotFound {
		t.Errorf("the destroyed asset is served: %d", status)
	}
	d := awaitDeliveries(t, srv, 1)
	if !strings.HasSuffix(d[0].URL, "/hook") || !strings.Contains(string(d[0].Body), `"notification_type":"delete"`) {
		t.Errorf("notification to %s: %s", d[0].URL, d[0].Body)
	}
}
