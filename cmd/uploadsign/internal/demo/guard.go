package demo

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// A web page on another site can rebind its own name to 127.0.0.1 (DNS
// rebinding) and then read the demo's answers as its own: the fake's
// secret, or payloads signed with a real account. Such a request carries
// the other site's name as its Host. So a demo listening on loopback
// answers only requests for a loopback Host; one listening beyond it
// (Config.Exposed) answers any Host, as behind a forwarded port, but
// keeps the secret and a real account's signatures for a browser on its
// own machine at a loopback name.

// guard answers 403 Forbidden to a request from a page of another site
// that changes something (crossSite), and 421 Misdirected Request to a
// request whose Host is not a loopback name or address, unless the demo
// is exposed; either before reading the body, and nothing else.
func (d *Demo) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if crossSite(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Connection", "close") // the body is not read
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "The uploadsign demo takes uploads and API calls from its own page only, not from a page of another site.\n")
			return
		}
		if !d.exposed && !loopbackHost(r.Host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusMisdirectedRequest)
			fmt.Fprintf(w, "The uploadsign demo listens on this machine only, and answers requests for localhost, 127.0.0.1 or [::1], not for %.60q.\n"+
				"To reach it from elsewhere, run it with --addr 0.0.0.0:8080.\n", r.Host)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// crossSite reports whether r would change something (its method is not
// GET, HEAD or OPTIONS) and comes from a page of another site or origin:
// its browser says so in Sec-Fetch-Site ("cross-site", or "same-site",
// another port of localhost), or, from a browser that sends no
// Sec-Fetch-Site, its Origin is not the demo's. A url-encoded or
// multipart post needs no preflight, so any page a user visits can send
// one to the demo at localhost; its own page sends "same-origin", and a
// client that is not a browser (curl, an SDK) sends neither header.
func crossSite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // none: the user's own action, such as a bookmark
		return false
	case "":
	default:
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != r.Host // "null" (a sandboxed or file: page) has no host
}

// Bounds of what the demo passes on to its fake endpoint. The page posts
// multipart forms of one file or chunk and a few fields; the fake streams
// them. A url-encoded body (a data URI, a remote URL) is read whole, so
// the demo takes one of a small file only.
const (
	maxFieldsBytes = 1 << 20 // beside the file, in a multipart request
	maxFormBytes   = 1 << 20 // a request that is not multipart
)

// bounded answers 413, in Cloudinary's JSON, to an upload request larger
// than the demo passes on to the fake (before reading it when its
// Content-Length says so), and limits what the fake can read of any
// other.
func (d *Demo) bounded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		limit, what := int64(maxFormBytes), "a request that is not a multipart form"
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			limit, what = d.limits.MaxRequestBytes+maxFieldsBytes, "a multipart request"
		}
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close") // the body is not read
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": map[string]string{
				"message": fmt.Sprintf("The demo passes on at most %d bytes in %s to its fake endpoint; this one has %d.", limit, what, r.ContentLength)}})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a request's Host, with or without a port,
// is localhost or a loopback address.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1] // [::1] without a port
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fromThisMachine reports whether r comes from a browser on the demo's
// own machine at a loopback name: its client address and its Host are
// both loopback. Only such a request sees the fake's secret or gets a
// real account's signature.
func fromThisMachine(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback() && loopbackHost(r.Host)
}

// timeouts are those of the demo's http.Server.
type timeouts struct {
	readHeader time.Duration // to send a request's headers
	read       time.Duration // to send a whole request to the page or its API
	upload     time.Duration // to send a whole upload request to the fake endpoint
	idle       time.Duration // for a kept-alive connection between requests
}

// defaultTimeouts: pages and API requests are small; an upload carries a
// file or a chunk of up to DefaultChunkBytes, which takes 9 minutes at
// 300 kbit/s.
var defaultTimeouts = timeouts{readHeader: 10 * time.Second, read: 30 * time.Second, upload: 10 * time.Minute, idle: 2 * time.Minute}

// Server returns an http.Server for the demo's Handler, with timeouts: 10
// seconds to send a request's headers, 30 seconds for a whole request to
// the page or its API, 10 minutes for an upload to the fake endpoint (a
// whole file or a chunk), and 2 minutes for an idle connection.
func (d *Demo) Server() *http.Server {
	return &http.Server{
		Handler:           d.Handler(),
		ReadHeaderTimeout: d.timeouts.readHeader,
		ReadTimeout:       d.timeouts.read,
		IdleTimeout:       d.timeouts.idle,
	}
}

// uploadTime gives an upload to the fake endpoint the upload timeout
// instead of the server's read timeout.
func (d *Demo) uploadTime(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// Fails only where there is no connection to extend (a test's
			// recorder).
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d.timeouts.upload))
		}
		h.ServeHTTP(w, r)
	})
}
