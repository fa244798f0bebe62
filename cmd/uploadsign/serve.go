package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/cmd/uploadsign/internal/demo"
)

func cmdServe(args []string, e env) int {
	flags := newFlags("serve", "serve [--addr HOST:PORT] [--cloudinary-url URL]", e)
	addr := flags.String("addr", "localhost:8080", "address to serve the demo on (the fake upload endpoint too, under "+demo.FakePrefix+"); localhost is both 127.0.0.1 and [::1], port 0 picks a free one")
	var cred credentials
	cred.register(flags)
	if status, done := parse(flags, args); done {
		return status
	}
	if flags.NArg() > 0 {
		return usageError(e, flags, "unexpected arguments %q", flags.Args())
	}
	if err := checkAddr(*addr); err != nil {
		return usageError(e, flags, "--addr %q: %v", *addr, err)
	}
	lns, open, err := listen(e, *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "uploadsign serve: cannot serve on %s: %v\n", *addr, err)
		fmt.Fprintf(e.stderr, "Choose another address with --addr HOST:PORT (--addr localhost:0 picks a free port).\n")
		if notHere(err) {
			return exitUsage
		}
		return exitRuntime
	}
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	tcp, ok := lns[0].Addr().(*net.TCPAddr)
	cfg := demo.Config{Now: e.now, Exposed: !ok || !tcp.IP.IsLoopback()}
	if cred.url != "" || e.getenv("CLOUDINARY_URL") != "" {
		cfg.NewSigner = func(opts ...uploadsign.Option) (*uploadsign.Signer, error) { return cred.signer(e, opts...) }
	}
	d, err := demo.New(cfg)
	if err != nil {
		return usageError(e, flags, "%v", err)
	}
	defer d.Close()
	if cfg.Exposed {
		who := "anyone who reaches it can upload to its fake endpoint"
		if cfg.NewSigner != nil {
			who = "it signs uploads to your account only for a browser on this machine, at localhost"
		}
		fmt.Fprintf(e.stderr, "uploadsign serve: warning: %s is reachable from other machines; the demo is for trying things out: %s\n", lns[0].Addr(), who)
	}
	base := "http://" + open
	fmt.Fprintln(e.stderr, d.Describe(base))
	fmt.Fprintf(e.stdout, "uploadsign demo: open %s/ (Ctrl-C stops)\n", base)
	srv := d.Server()
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		fmt.Fprintf(e.stderr, "uploadsign serve: %v\n", err)
		return exitRuntime
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "uploadsign serve: shutting down: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintln(e.stderr, "uploadsign demo stopped")
	return exitOK
}

// listen listens on addr, and returns the listeners and the address to
// open in a browser. For localhost it listens on both 127.0.0.1 and
// [::1], the addresses a browser may try for the name, at one port; when
// [::1] is unavailable (no IPv6, or its port taken by another program,
// which a browser would reach first) it says so and serves on 127.0.0.1
// alone, to be opened as such.
func listen(e env, addr string) (lns []net.Listener, open string, err error) {
	host, port, _ := net.SplitHostPort(addr) // checkAddr checked it
	if !strings.EqualFold(host, "localhost") {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, "", err
		}
		return []net.Listener{ln}, displayAddr(ln.Addr()), nil
	}
	v4, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, "", err
	}
	port = strconv.Itoa(v4.Addr().(*net.TCPAddr).Port)
	v6, err := net.Listen("tcp6", net.JoinHostPort("::1", port))
	if err != nil {
		warn(e, "serve", "serving on 127.0.0.1 only, not on [::1] (%v): open 127.0.0.1, not localhost, which a browser may try at [::1] first", err)
		return []net.Listener{v4}, v4.Addr().String(), nil
	}
	return []net.Listener{v4, v6}, net.JoinHostPort("localhost", port), nil
}

// displayAddr is the address to open in a browser: localhost for a
// listener on every interface ("[::]:8080" is no address to type).
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
}

// checkAddr refuses an --addr that no listener could use: not HOST:PORT,
// or a port that is not a number from 0 to 65535 (or a service's name).
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want HOST:PORT, such as localhost:8080 or 0.0.0.0:8080")
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("the port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// notHere reports whether a listener failed because of the address itself
// (a host that does not resolve, an address of another machine): a usage
// error, where a busy or forbidden port is a runtime failure.
func notHere(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) || errors.Is(err, syscall.EADDRNOTAVAIL)
}
