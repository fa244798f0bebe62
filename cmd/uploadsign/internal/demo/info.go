package demo

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// setInfo is what the page learns of a parameter set: where its uploads
// go, which formats it takes, its limits and how long its payloads are
// accepted (seconds). The page checks a file against the limits its
// payload carries; these it shows before any file is chosen.
type setInfo struct {
	Name           string            `json:"name"`
	Version        int               `json:"version"`
	ResourceType   string            `json:"resource_type"`
	UploadURL      string            `json:"upload_url"`
	AllowedFormats []string          `json:"allowed_formats"`
	Limits         uploadsign.Limits `json:"limits"`
	ValidFor       float64           `json:"valid_for"`
}

// info tells the page where uploads go for each set, the formats each
// takes, the limits it works with, whether it may sign here, and the demo
// secret when it is a throwaway one for the fake endpoint and the request
// comes from the demo's machine.
func (d *Demo) info(w http.ResponseWriter, r *http.Request) {
	s, err := d.signerFor(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	sets := make([]setInfo, 0, len(demoSets))
	for _, set := range demoSets {
		resourceType := cmp.Or(set.ResourceType, "image")
		sets = append(sets, setInfo{Name: set.Name, Version: set.Version, ResourceType: resourceType,
			UploadURL: s.UploadURL(resourceType), AllowedFormats: set.Params.AllowedFormats,
			Limits: set.Limits, ValidFor: cmp.Or(set.ValidFor, cloudinary.UploadValidity).Seconds()})
	}
	webhook := d.notificationURL // the fake's, on a port of the demo's own
	if base, err := origin(r); err == nil && d.fake == nil {
		webhook = base + webhookPath // which Cloudinary cannot reach at localhost
	}
	out := map[string]any{"mode": "cloudinary", "sets": sets, "limits": d.limits, "signs": true,
		"api_key": s.APIKey(), "cloudinary_url": d.cloudinaryURL(r, s), "webhook_url": webhook}
	if d.fake != nil {
		out["mode"] = "fake"
		if fromThisMachine(r) { // anyone with the secret could sign what they like
			out["demo_secret"] = d.secret
		}
	} else if !fromThisMachine(r) {
		out["signs"], out["why_not"] = false, notThisMachine
	}
	writeJSON(w, http.StatusOK, out)
}

// cloudinaryURL is the CLOUDINARY_URL with which the command line works
// on the uploads of this demo: the fake's, with its upload URL, and its
// secret only for a browser on the demo's machine; a real account's with
// "API_SECRET" in place of the secret, which is never shown.
func (d *Demo) cloudinaryURL(r *http.Request, s *uploadsign.Signer) string {
	if d.fake == nil {
		return "cloudinary://" + s.APIKey() + ":API_SECRET@" + s.CloudName()
	}
	secret := "API_SECRET"
	if fromThisMachine(r) {
		secret = d.secret
	}
	upload := strings.TrimSuffix(s.UploadURL("image"), "/v1_1/"+FakeCloudName+"/image/upload")
	return "cloudinary://" + FakeAPIKey + ":" + secret + "@" + FakeCloudName + "?upload_prefix=" + url.QueryEscape(upload)
}
