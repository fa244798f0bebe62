package uploadsign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// defaultHTTPClient is the client of [Signer.Destroy] without
// [WithHTTPClient]: Cloudinary answers a destroy in well under a second.
var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// Destroy deletes an asset as the SDKs' uploader.destroy does: a signed
// POST of public_id, type, invalidate=true and timestamp to
// /v1_1/CLOUD/RESOURCE_TYPE/destroy under the upload URL, with the client
// of [WithHTTPClient]; it is the one call the Signer makes. An asset not
// found is gone, not an error. Errors name the asset and Cloudinary's
// answer; a malformed asset wraps [ErrInvalidParam].
func (s *Signer) Destroy(ctx context.Context, a Asset) error {
	probe := a
	probe.Version = 1 // a destroy names no version
	if err := checkAsset(&probe); err != nil {
		return fmt.Errorf("%w: Destroy: %v", ErrInvalidParam, err)
	}
	what := a.ResourceType + "/" + a.Type + " " + strconv.Quote(a.PublicID)
	p, err := s.signRaw(a.ResourceType, url.Values{"invalidate": {"true"}, "public_id": {a.PublicID}, "type": {a.Type}})
	if err != nil {
		return err
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(p.Fields)) {
		if err := form.WriteField(k, p.Fields[k]); err != nil {
			return err
		}
	}
	if err := form.Close(); err != nil {
		return err
	}
	endpoint := strings.TrimSuffix(p.URL, "/upload") + "/destroy" // the upload URL's sibling
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, &body)
	if err != nil {
		return fmt.Errorf("uploadsign: destroying %s: %w", what, err)
	}
	req.Header.Set("Content-Type", form.FormDataContentType())
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("uploadsign: destroying %s: %w", what, err)
	}
	defer resp.Body.Close()
	return destroyAnswer(what, resp)
}

// destroyAnswer reads Cloudinary's answer to a destroy: {"result": "ok"}
// or {"result": "not found"} is done, anything else an error naming the
// asset (what) and the answer.
func destroyAnswer(what string, resp *http.Response) error {
	var answer struct {
		Result string `json:"result"`
		Error  struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("uploadsign: destroying %s: reading Cloudinary's answer: %w", what, err)
	}
	jsonErr := json.Unmarshal(data, &answer)
	switch {
	case resp.StatusCode == http.StatusOK && (answer.Result == "ok" || answer.Result == "not found"):
		return nil
	case answer.Error.Message != "":
		return fmt.Errorf("uploadsign: destroying %s: Cloudinary answered %d: %s", what, resp.StatusCode, clipText(answer.Error.Message, 300))
	case jsonErr != nil:
		return fmt.Errorf("uploadsign: destroying %s: Cloudinary answered %d, not in JSON", what, resp.StatusCode)
	}
	return fmt.Errorf("uploadsign: destroying %s: Cloudinary answered %d, result %q", what, resp.StatusCode, clipText(answer.Result, 100))
}

// clipText cuts s to at most n bytes, on a UTF-8 boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
