package demo

import (
	"fmt"
	"net"
	"net/http"
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

// guard answers 421 Misdirected Request, and nothing else, to a request
// whose Host is not a loopback name or address, unless the demo is
// exposed.
func (d *Demo) guard(h http.Handler) http.Handler {
	if d.exposed {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
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
