package uploadsigntest

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/random"
)

// store saves a checked upload and returns Cloudinary's response, whose
// URLs start with base.
func (s *Server) store(up *Upload, b *blob, base string) (map[string]any, error) {
	f := up.Fields
	var c content
	if up.ResourceType != "raw" { // raw has no format from content
		r, err := b.open()
		if err != nil {
			return nil, failed(err)
		}
		c = sniff(r, b.size)
		r.Close()
	}
	signer, _ := s.key(f["api_key"]) // known: checkFields passed
	resourceType, format, err := judge(up.ResourceType, c, up.Filename, f)
	if err != nil {
		return nil, err
	}
	if err := b.settle(s); err != nil { // accepted: into memory, if small enough
		return nil, refusalOf(err)
	}
	deliveryType := f["type"]
	if deliveryType == "" {
		deliveryType = "upload"
	}
	name := strings.TrimSuffix(path.Base(up.Filename), path.Ext(up.Filename))
	publicID := f["public_id"]
	generated := publicID == ""
	if generated {
		switch {
		case truthy(f["use_filename"]) && name != "" && f["unique_filename"] != "" && !truthy(f["unique_filename"]):
			publicID = name
		case truthy(f["use_filename"]) && name != "":
			publicID = name + "_" + random.Alnum(6)
		default:
			publicID = random.Alnum(20)
		}
	}
	if prefix := publicIDPrefix(f); prefix != "" {
		publicID = prefix + "/" + publicID
	}
	if resourceType == "raw" && format != "" && generated {
		publicID += "." + format // a given public_id is kept as given
	}

	key := resourceType + "/" + deliveryType + "/" + publicID
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.assets[key]; ok && f["overwrite"] != "" && !truthy(f["overwrite"]) {
		resp := maps.Clone(old.response)
		resp["existing"] = true
		return resp, nil
	}
	version := s.now().Unix()
	if old, ok := s.assets[key]; ok {
		if v, _ := old.response["version"].(int64); v >= version {
			version = v + 1
		}
	}
	delivery := fmt.Sprintf("%s/%s/%s/%s/v%d/%s", base, s.cloud, resourceType, deliveryType, version, escapePath(publicID))
	if resourceType != "raw" && format != "" {
		delivery += "." + format
	}
	resp := map[string]any{
		"asset_id":          random.Hex(16),
		"public_id":         publicID,
		"version":           version,
		"version_id":        random.Hex(16),
		"signature":         s.responseSignature(signer, publicID, version),
		"resource_type":     resourceType,
		"type":              deliveryType,
		"created_at":        s.now().UTC().Format(time.RFC3339),
		"bytes":             b.size,
		"etag":              hex.EncodeToString(b.md5[:]),
		"placeholder":       false,
		"url":               delivery,
		"secure_url":        delivery,
		"original_filename": name,
		"api_key":           signer.apiKey,
		"tags":              splitTags(f["tags"]),
	}
	if resourceType != "raw" { // a raw file's extension is in its public_id
		resp["format"] = format
	}
	if resourceType == "image" || c.width > 0 {
		resp["width"], resp["height"] = c.width, c.height
	}
	if c.duration > 0 {
		resp["duration"] = c.duration
	}
	if folder := f["asset_folder"]; folder != "" {
		resp["asset_folder"] = folder
	} else if folder := f["folder"]; folder != "" {
		resp["asset_folder"] = strings.Trim(folder, "/")
	}
	if name := f["display_name"]; name != "" {
		resp["display_name"] = name
	}
	if ctx := f["context"]; ctx != "" {
		resp["context"] = map[string]any{"custom": cloudinary.ParseContext(ctx)}
	}
	s.assets[key] = &asset{response: resp, body: b, mimeType: cmp.Or(mimeTypes[c.format], "application/octet-stream")}
	return maps.Clone(resp), nil
}

// serveAsset answers GET of a url or secure_url the server returned, with
// the content type of the format read from the file and nosniff, so that
// a browser does not take an upload for what it is not. A raw file is
// served as application/octet-stream and as an attachment: never as a
// page of the server's origin.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// /CLOUD/RESOURCE_TYPE/TYPE/vVERSION/PUBLIC_ID[.FORMAT]
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) == 5 && parts[0] == s.cloud && strings.HasPrefix(parts[3], "v") {
		publicID := parts[4]
		s.mu.Lock()
		a, ok := s.assets[parts[1]+"/"+parts[2]+"/"+publicID]
		if !ok && parts[1] != "raw" {
			a, ok = s.assets[parts[1]+"/"+parts[2]+"/"+strings.TrimSuffix(publicID, path.Ext(publicID))]
		}
		s.mu.Unlock()
		if ok {
			body, err := a.body.open()
			if err != nil {
				http.Error(w, "uploadsigntest: "+err.Error(), http.StatusInternalServerError)
				return
			}
			defer body.Close()
			w.Header().Set("Content-Type", a.mimeType)
			if parts[1] == "raw" {
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Header().Set("Content-Disposition", "attachment")
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			http.ServeContent(w, r, "", time.Time{}, body)
			return
		}
	}
	http.NotFound(w, r)
}

// responseSignature is the signature Cloudinary returns with an upload:
// signature version 1 over public_id and version, by the secret of the
// key that signed the upload, with the account's algorithm (SHA-256 for
// an account that requires it, else SHA-1).
func (s *Server) responseSignature(key credential, publicID string, version int64) string {
	return key.sign("public_id="+publicID+"&version="+strconv.FormatInt(version, 10), s.sha256Only)
}

// escapePath escapes each "/"-separated segment of a public_id for a URL.
func escapePath(publicID string) string {
	segments := strings.Split(publicID, "/")
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	return strings.Join(segments, "/")
}

func truthy(v string) bool { return v == "1" || v == "true" }

func splitTags(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, ",")
}

// publicIDPrefix is the folder that prefixes the public_id: the folder
// (fixed folder mode), else the public_id_prefix, else the asset_folder
// when use_asset_folder_as_public_id_prefix is true (dynamic folder mode),
// as Cloudinary's upload reference describes them.
func publicIDPrefix(f map[string]string) string {
	switch {
	case f["folder"] != "":
		return strings.Trim(f["folder"], "/")
	case f["public_id_prefix"] != "":
		return strings.Trim(f["public_id_prefix"], "/")
	case truthy(f["use_asset_folder_as_public_id_prefix"]):
		return strings.Trim(f["asset_folder"], "/")
	}
	return ""
}
