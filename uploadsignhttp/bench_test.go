package uploadsignhttp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// discardWriter is a ResponseWriter that keeps only the status, so that
// the benchmarks measure the handlers rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// rewindBody is a request body the benchmark rewinds between requests.
type rewindBody struct{ *bytes.Reader }

func (rewindBody) Close() error { return nil }

// BenchmarkServeHTTP serves a payload request with the handler beside a
// bare handler that reads the body and writes a fixed answer of the same
// size, so that the difference is the handler's own cost. Run the
// sub-benchmarks interleaved in one run and compare them with benchstat:
//
//	go test -run XXX -bench ServeHTTP -benchmem -count 20 ./uploadsignhttp > bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /handler bench.txt
func BenchmarkServeHTTP(b *testing.B) {
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithParamSets(avatarV1, avatarV2))
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Sign("avatar", 2, uploadsign.Request{Owner: "42"})
	if err != nil {
		b.Fatal(err)
	}
	answer, err := json.Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	answer = append(answer, '\n')
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(answer)
	})
	var signed atomic.Int64
	withOptions := uploadsignhttp.NewHandler(s, userAuth,
		uploadsignhttp.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))),
		uploadsignhttp.OnSigned(func(*http.Request, *uploadsign.Payload) { signed.Add(1) }))
	body := []byte(`{"param_set": "avatar", "version": 2}`)
	for _, bm := range []struct {
		name string
		h    http.Handler
	}{
		{"handler=bare", bare},
		{"handler=NewHandler", uploadsignhttp.NewHandler(s, userAuth)},
		{"handler=NewHandler+options", withOptions},
	} {
		b.Run(bm.name, func(b *testing.B) {
			rd := bytes.NewReader(body)
			r := httptest.NewRequest("POST", "/uploads/signature", nil)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-User", "42")
			r.Body = rewindBody{rd}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rd.Reset(body)
				clear(w.h)
				bm.h.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
