package uploadsigntest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
)

// Post does what a browser does with a payload: it posts every field, then
// the file, as multipart/form-data to url (a payload's URL), and decodes
// the JSON answer. A status other than 200 is not an error; the decoded
// answer then holds Cloudinary's {"error": {"message": ...}}.
func Post(url string, fields map[string]string, filename string, file []byte) (status int, answer map[string]any, err error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := mw.WriteField(k, fields[k]); err != nil {
			return 0, nil, err
		}
	}
	if file != nil {
		part, err := mw.CreateFormFile("file", filename)
		if err != nil {
			return 0, nil, err
		}
		if _, err := part.Write(file); err != nil {
			return 0, nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return 0, nil, err
	}
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("uploadsigntest: the answer is not JSON: %w", err)
	}
	return resp.StatusCode, answer, nil
}
