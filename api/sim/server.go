package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a Sim listening on real sockets: the API host, and optionally
// a second host for files standing for Colossyan's CDN.
type Server struct {
	*Sim
	origin     string
	fileOrigin string
	srvs       []*http.Server
	stop       context.CancelFunc
	done       chan struct{}
}

// Start builds a Sim and serves it on opts.Addr (127.0.0.1:0 when empty),
// with files on opts.FileAddr when set. Close stops it.
func Start(opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: listen on %s: %w (pick another address with --addr)", addr, err)
	}
	s := &Server{Sim: New(opts), origin: "http://" + printable(ln.Addr()), done: make(chan struct{})}
	s.fileOrigin = s.origin
	lns := []net.Listener{ln}
	handlers := []http.Handler{s.Handler()}
	if opts.FileAddr != "" {
		fln, err := net.Listen("tcp", opts.FileAddr)
		if err != nil {
			_ = ln.Close()
			return nil, fmt.Errorf("simulator: listen for files on %s: %w", opts.FileAddr, err)
		}
		s.fileOrigin = "http://" + printable(fln.Addr())
		lns = append(lns, fln)
		handlers = append(handlers, s.FileHandler())
		_, port, _ := net.SplitHostPort(fln.Addr().String())
		s.setOrigins(s.origin, port)
	} else {
		s.setOrigins(s.origin, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	for i, l := range lns {
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second,
			BaseContext: func(net.Listener) context.Context { return ctx }}
		s.srvs = append(s.srvs, srv)
		go func() { _ = srv.Serve(l) }()
	}
	go func() {
		defer close(s.done)
		if opts.CallbackEvery >= 0 {
			every := opts.CallbackEvery
			if every == 0 {
				every = 250 * time.Millisecond
			}
			s.RunCallbacks(ctx, every)
		}
	}()
	return s, nil
}

// printable is an address clients can dial: a wildcard bind reads as
// loopback.
func printable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// URL is the API base URL, for api.New or COLOSSYAN_BASE_URL: the origin
// followed by /api/v1.
func (s *Server) URL() string { return s.origin + APIPrefix }

// Origin is the API host's scheme, host and port.
func (s *Server) Origin() string { return s.origin }

// FileOrigin is where publicUrl and thumbnailUrl point: Origin, unless
// files have their own listener.
func (s *Server) FileOrigin() string { return s.fileOrigin }

// Close stops the listeners, cuts open connections (stalled requests see
// their context end) and stops the callback loop.
func (s *Server) Close() error {
	s.stop()
	var errs []error
	for _, srv := range s.srvs {
		if err := srv.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	<-s.done
	return errors.Join(errs...)
}
