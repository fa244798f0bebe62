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

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/random"
)

// Answer is the endpoint's answer to an upload request: Cloudinary's
// JSON as it came, and what a test reads from it.
type Answer struct {
	Status int    // the HTTP status
	Body   []byte // the JSON answered
	// Result is the upload response decoded from Body, which the library
	// verifies; zero but for a 200 answer.
	Result uploadsign.UploadResult
	// URL and SecureURL are the delivery URLs of a 200 answer (the fake's
	// serve the uploaded bytes).
	URL, SecureURL string
	// Error is Cloudinary's error message ({"error": {"message": ...}}),
	// "" for a 200 answer.
	Error string
}

// String returns the status and the JSON answered, for a test's failure
// message.
func (a *Answer) String() string {
	if a == nil {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", a.Status, a.Body)
}

// Post does what a browser does with a payload: it posts every field, then
// the file, as multipart/form-data to url (a payload's URL), and returns
// the answer. A status other than 200 is not an error: Answer.Error then
// holds Cloudinary's message. A nil file posts no file part. The file is
// streamed from the slice, not copied. The error is that of the request,
// or of an answer that is not JSON (returned too).
func Post(url string, fields map[string]string, filename string, file []byte) (*Answer, error) {
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
func PostChunked(url string, fields map[string]string, filename string, file io.ReaderAt, size, chunkSize int64) (*Answer, error) {
	switch {
	case file == nil:
		return nil, errors.New("uploadsigntest: PostChunked: no file")
	case size <= 0:
		return nil, fmt.Errorf("uploadsigntest: PostChunked: size %d is not positive", size)
	case chunkSize <= 0:
		return nil, fmt.Errorf("uploadsigntest: PostChunked: chunk size %d is not positive", chunkSize)
	}
	header := http.Header{"X-Unique-Upload-Id": {random.Hex(16)}}
	var answer *Answer
	for start := int64(0); start < size; start += chunkSize {
		n := min(chunkSize, size-start)
		header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
		var err error
		answer, err = post(url, fields, filename, io.NewSectionReader(file, start, n), n, header)
		if err != nil || answer.Status != http.StatusOK {
			return answer, err
		}
		var chunk struct{ Done *bool }
		if start+n < size && (json.Unmarshal(answer.Body, &chunk) != nil || chunk.Done == nil || *chunk.Done) {
			return answer, fmt.Errorf("uploadsigntest: PostChunked: the chunk %s was answered without \"done\": false, as if it were the whole file", header.Get("Content-Range"))
		}
	}
	return answer, nil
}

// post sends fields and a file of size bytes (none if file is nil) as
// multipart/form-data, streamed: the fields and the part headers are
// written ahead, the file is read as the request is sent.
func post(url string, fields map[string]string, filename string, file io.Reader, size int64, header http.Header) (*Answer, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := mw.WriteField(k, fields[k]); err != nil {
			return nil, err
		}
	}
	if file != nil {
		if _, err := mw.CreateFormFile("file", filename); err != nil {
			return nil, err
		}
	} else {
		file, size = strings.NewReader(""), 0
	}
	headLen := head.Len()
	if err := mw.Close(); err != nil { // writes the closing boundary after head
		return nil, err
	}
	tail := bytes.Clone(head.Bytes()[headLen:])
	head.Truncate(headLen)

	req, err := http.NewRequest(http.MethodPost, url, io.MultiReader(&head, file, bytes.NewReader(tail)))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(headLen) + size + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readAnswer(resp)
}

// readAnswer reads an upload endpoint's answer.
func readAnswer(resp *http.Response) (*Answer, error) {
	a := &Answer{Status: resp.StatusCode}
	var err error
	if a.Body, err = io.ReadAll(resp.Body); err != nil {
		return a, err
	}
	var body struct {
		URL       string `json:"url"`
		SecureURL string `json:"secure_url"`
		Error     *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(a.Body, &body); err != nil {
		return a, fmt.Errorf("uploadsigntest: the answer is not JSON: %w", err)
	}
	switch {
	case body.Error != nil:
		a.Error = body.Error.Message
	case a.Status == http.StatusOK:
		if err := json.Unmarshal(a.Body, &a.Result); err != nil {
			return a, fmt.Errorf("uploadsigntest: the answer is not an upload response: %w", err)
		}
		a.URL, a.SecureURL = body.URL, body.SecureURL
	}
	return a, nil
}
