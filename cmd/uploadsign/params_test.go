package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listsScript asks the official Node SDK's build_upload_params how it
// encodes a list of two items for each parameter named on its command
// line, and prints the encodings as JSON. Coordinates are lists of
// rectangles; other lists are of strings.
const listsScript = `
const utils = require("cloudinary").utils;
const out = {};
for (const name of process.argv.slice(1)) {
  const items = name.endsWith("_coordinates") ? [[1, 2, 3, 4], [5, 6, 7, 8]] : ["x1", "x2"];
  out[name] = { items: items.map(String), encoded: utils.build_upload_params({ [name]: items })[name] };
}
console.log(JSON.stringify(out));
`

// TestListsAsTheNodeSDK: the parameters the command lets a user repeat,
// and what joins their items, are those the official Node SDK joins when
// given a list. It needs node and the SDK in testdata/node_modules (cd
// testdata && npm ci); it skips without them unless
// UPLOADSIGN_NODE_TEST=required, as .ci/run sets it.
func TestListsAsTheNodeSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	modules, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "node_modules"))
	if _, statErr := os.Stat(filepath.Join(modules, "cloudinary", "package.json")); err != nil || statErr != nil {
		msg := "needs node and the Node SDK (cd testdata && npm ci)"
		if os.Getenv("UPLOADSIGN_NODE_TEST") == "required" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; UPLOADSIGN_NODE_TEST=required fails instead")
	}
	names := []string{"timestamp", "source"}
	for k := range paramFields {
		names = append(names, k)
	}
	sort.Strings(names)
	cmd := exec.Command(node, append([]string{"-e", listsScript}, names...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var encoded map[string]struct {
		Items   []string
		Encoded any
	}
	if err := json.Unmarshal(out, &encoded); err != nil {
		t.Fatalf("node's answer %s: %v", out, err)
	}
	// A list is a parameter whose two items the SDK joins with a
	// separator into one string.
	sdkLists := map[string]string{}
	for name, e := range encoded {
		s, ok := e.Encoded.(string)
		first, second, _ := strings.Cut(s, e.Items[1])
		if !ok || second != "" || !strings.HasPrefix(first, e.Items[0]) {
			continue // passed on as an array, or encoded otherwise (JSON, an object)
		}
		if sep := strings.TrimPrefix(first, e.Items[0]); sep == "," || sep == "|" {
			sdkLists[name] = sep
		}
	}
	if diff := cmp.Diff(sdkLists, listSeparators); diff != "" {
		t.Errorf("lists and separators differ from the Node SDK's (-sdk +command):\n%s", diff)
	}
	// The command joins repeated items as the SDK joins a list.
	for name := range sdkLists {
		items := encoded[name].Items
		v, err := keyValues([]string{name + "=" + items[0], name + "=" + items[1]})
		if err != nil || v.Get(name) != encoded[name].Encoded {
			t.Errorf("%s given twice: %q (%v), the SDK's list: %q", name, v.Get(name), err, encoded[name].Encoded)
		}
	}
}
