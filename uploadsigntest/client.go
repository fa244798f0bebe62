package uploadsigntest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"

	"github.com/uploadsign/uploadsign/internal/random"
)

// Post does what a browser does with a payload: it posts every field, then
// the file, as multipart/form-data to url (a payload's URL), and decodes
// the JSON answer. A status other than 200 is not an error; the decoded
// answer then holds Cloudinary's {"error": {"message": ...}}. A nil file
// posts no file part. The file is streamed from the slice, not copied.
func Post(url string, fields map[string]string, filename string, file []byte) (status int, answer map[string]any, err error) {
	var r io.Reader
	if file != nil {
		r = bytes.NewReader(file)
	}
	return post(url, fields, filename, r, int64(len(file)), nil)
}

// PostChunked does what Cloudinary's browser and Go clients do with a file
// too large for one request: it posts the file to url in chunks of
// chunkSize bytes (the last one shorter), each chunk a complete
// multipart/form-data request with every field, as [Post] sends them, and
// the headers X-Unique-Upload-Id (one random id for the file) and
// Content-Range: bytes START-END/SIZE. It sends one chunk at a time, in
// order, each after the previous one was answered, and reads each chunk
// from file as it sends it, so no more than a small buffer of the file is
// in memory.
//
// It stops at the first answer that is not 200, and returns it; otherwise
// it returns the answer to the last chunk, which for Cloudinary (and
// [Server]) is the upload response of the whole file. A 200 answer to a
// chunk but the last must be {"done": false, ...}, or PostChunked fails:
// an endpoint that answers a chunk as a whole upload does not speak
// chunked uploads. Cloudinary needs every chunk but the last to be at
// least 5 MiB ([DefaultMinChunkBytes]); its clients send 20,000,000 bytes.
// size and chunkSize must be positive. A file of at most chunkSize bytes
// is sent as one chunk, with the headers.
func PostChunked(url string, fields map[string]string, filename string, file io.ReaderAt, size, chunkSize int64) (status int, answer map[string]any, err error) {
	switch {
	case file == nil:
		return 0, nil, errors.New("uploadsigntest: PostChunked: no file")
	case size <= 0:
		return 0, nil, fmt.Errorf("uploadsigntest: PostChunked: size %d is not positive", size)
	case chunkSize <= 0:
		return 0, nil, fmt.Errorf("uploadsigntest: PostChunked: chunk size %d is not positive", chunkSize)
	}
	header := http.Header{"X-Unique-Upload-Id": {random.Hex(16)}}
	for start := int64(0); start < size; start += chunkSize {
		n := min(chunkSize, size-start)
		header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
		status, answer, err = post(url, fields, filename, io.NewSectionReader(file, start, n), n, header)
		if err != nil || status != http.StatusOK {
			return status, answer, err
		}
		if start+n < size && answer["done"] != false {
			return status, answer, fmt.Errorf("uploadsigntest: PostChunked: the chunk %s was answered without \"done\": false, as if it were the whole file", header.Get("Content-Range"))
		}
	}
	return status, answer, nil
}

// post sends fields and a file of size bytes (none if file is nil) as
// multipart/form-data, streamed: the fields and the part headers are
// written ahead, the file is read as the request is sent.
func post(url string, fields map[string]string, filename string, file io.Reader, size int64, header http.Header) (int, map[string]any, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
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
		if _, err := mw.CreateFormFile("file", filename); err != nil {
			return 0, nil, err
		}
	} else {
		file, size = strings.NewReader(""), 0
	}
	headLen := head.Len()
	if err := mw.Close(); err != nil { // writes the closing boundary after head
		return 0, nil, err
	}
	tail := bytes.Clone(head.Bytes()[headLen:])
	head.Truncate(headLen)

	req, err := http.NewRequest(http.MethodPost, url, io.MultiReader(&head, file, bytes.NewReader(tail)))
	if err != nil {
		return 0, nil, err
	}
	req.ContentLength = int64(headLen) + size + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var answer map[string]any
	if err := json.Unmarshal(data, &answer); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("uploadsigntest: the answer is not JSON: %w", err)
	}
	return resp.StatusCode, answer, nil
}
