package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/cmd/uploadsign/internal/demo"
)

func cmdServe(args []string, e env) int {
	flags := newFlags("serve", "serve [--addr HOST:PORT] [--cloudinary-url URL]", e)
	addr := flags.String("addr", "localhost:8080", "address to serve the demo on (the fake upload endpoint too, under "+demo.FakePrefix+"); port 0 picks a free one")
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
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "uploadsign serve: cannot serve on %s: %v\n", *addr, err)
		fmt.Fprintf(e.stderr, "Choose another address with --addr HOST:PORT (--addr localhost:0 picks a free port).\n")
		if notHere(err) {
			return exitUsage
		}
		return exitRuntime
	}
	defer ln.Close()
	tcp, ok := ln.Addr().(*net.TCPAddr)
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
		fmt.Fprintf(e.stderr, "uploadsign serve: warning: %s is reachable from other machines; the demo is for trying things out: %s\n", ln.Addr(), who)
	}
	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintln(e.stderr, d.Describe(base))
	fmt.Fprintf(e.stdout, "uploadsign demo: open %s/ (Ctrl-C stops)\n", base)
	srv := d.Server()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
