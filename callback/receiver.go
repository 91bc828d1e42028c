// Package callback receives Colossyan's job callbacks: a small HTTP server
// that answers only POST /callback/<secret>, finds the tracked jobs the body
// names and has the engine poll them at once. A callback is unsigned, so it
// is only ever a hint: the poll, not the body, sets a job's status.
package callback

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/track"
)

// Engine is what the receiver needs of the track engine; *track.Engine
// satisfies it.
type Engine interface {
	Jobs() []track.Job
	Callback(id, shareURL string, at time.Time)
	Nudge(id string)
}

// Event is one accepted callback, for the dashboard's status line.
type Event struct {
	At       time.Time
	IDs      []string // the tracked jobs it named; none: every running job is polled
	ShareURL string   // the share link kept for IDs[0], if any
	Status   string   // the status the body claims, cleaned: a hint, not a fact
}

// Defaults for Options' limits.
const (
	DefaultMaxBody           = 1 << 20
	DefaultMaxConcurrent     = 64
	DefaultNudgeEvery        = 100 * time.Millisecond
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultWriteTimeout      = 10 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 16 << 10
)

// Options configure a Receiver. Secret and Engine are required; zero limits
// take the defaults above.
type Options struct {
	// Addr is HOST:PORT to listen on. ":PORT" means 127.0.0.1:PORT and ""
	// 127.0.0.1 on a free port; any other host must be given on purpose
	// (see ResolveAddr).
	Addr   string
	Secret string
	Engine Engine
	// APIBase is the API's base URL. A callback's share link is kept only
	// on its registrable domain (see shareAllowed); with none, never.
	APIBase string
	// Now stamps callbacks (track.Job.CallbackAt); time.Now when nil.
	Now func() time.Time
	// Log receives one line per callback and per refusal, never the secret
	// or the body; nothing is logged when nil.
	Log *slog.Logger
	// OnCallback, when set, hears of each accepted callback. It runs in
	// the request's goroutine and must return quickly.
	OnCallback func(Event)
	// RowJob, when set, finds the job made from a submitted row by the
	// row's key (RowKeyField in the body); ok false when none is known.
	RowJob func(key string) (jobID string, ok bool)

	MaxBody       int64         // bytes; larger bodies get 413
	MaxConcurrent int           // requests handled at once; more get 503
	NudgeEvery    time.Duration // window that merges a burst of callbacks
	// MaxConns caps open connections (more wait in the kernel's queue);
	// MaxConnsPerAddr caps them per sender's IP (more get 503).
	MaxConns, MaxConnsPerAddr int
	// Clock times the merge window; the real clock when nil.
	Clock track.Clock

	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                                            int
}

// Receiver is the callback server. Handler serves it in tests; Start puts
// it on a socket.
type Receiver struct {
	opts   Options
	secret [sha256.Size]byte
	api    *url.URL // nil: no share link is kept
	sem    chan struct{}
	co     *coalescer
	log    *slog.Logger

	mu      sync.Mutex
	ln      *limitListener
	srv     *http.Server
	served  chan struct{} // closed when Serve has returned
	closing sync.Once
}

// New returns a receiver; nothing listens until Start.
func New(opts Options) *Receiver {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Clock == nil {
		opts.Clock = track.RealClock{}
	}
	config.Default(&opts.MaxBody, DefaultMaxBody)
	config.Default(&opts.MaxConcurrent, DefaultMaxConcurrent)
	config.Default(&opts.MaxConns, DefaultMaxConns)
	config.Default(&opts.MaxConnsPerAddr, DefaultMaxConnsPerAddr)
	config.Default(&opts.NudgeEvery, DefaultNudgeEvery)
	config.Default(&opts.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	config.Default(&opts.ReadTimeout, DefaultReadTimeout)
	config.Default(&opts.WriteTimeout, DefaultWriteTimeout)
	config.Default(&opts.IdleTimeout, DefaultIdleTimeout)
	config.Default(&opts.MaxHeaderBytes, DefaultMaxHeaderBytes)
	lg := opts.Log
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	var base *url.URL
	if u, err := url.Parse(opts.APIBase); err == nil && u.Host != "" {
		base = u
	}
	return &Receiver{
		api:    base,
		opts:   opts,
		secret: sha256.Sum256([]byte(opts.Secret)),
		sem:    make(chan struct{}, opts.MaxConcurrent),
		co:     newCoalescer(opts.Engine, opts.Clock, opts.NudgeEvery),
		log:    lg,
	}
}

// ResolveAddr settles where to listen: ":PORT" binds 127.0.0.1, and ""
// binds 127.0.0.1 on a free port. exposed reports an address other than
// loopback, which other machines may reach: worth a warning, since anyone
// who learns the URL can make reel poll.
func ResolveAddr(addr string) (hostport string, exposed bool, err error) {
	if addr == "" {
		return "127.0.0.1:0", false, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("listen address %q is not HOST:PORT: use one like 127.0.0.1:8080 (%w)", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), !isLoopback(host), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Start listens and serves until ctx ends or Close is called. It returns
// the callback URL to give Colossyan (http://HOST:PORT/callback/SECRET,
// with the port actually bound). A receiver starts once.
func (r *Receiver) Start(ctx context.Context) (string, error) {
	if r.opts.Secret == "" {
		return "", errors.New("callback receiver needs a secret")
	}
	if r.opts.Engine == nil {
		return "", errors.New("callback receiver needs an engine")
	}
	addr, exposed, err := ResolveAddr(r.opts.Addr)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return "", errors.New("callback receiver already started")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen for callbacks on %s: %w (pick another --listen port)", addr, err)
	}
	if exposed {
		r.log.Warn("callback receiver listens beyond this machine", "addr", ln.Addr().String())
	}
	bound := ln.Addr().String()
	r.ln = newLimitListener(ln, r.opts.MaxConns, r.opts.MaxConnsPerAddr)
	errLog := log.New(io.Discard, "", 0) // net/http's own complaints must not reach the terminal
	if r.opts.Log != nil {
		errLog = slog.NewLogLogger(r.opts.Log.Handler(), slog.LevelDebug)
	}
	r.srv = &http.Server{
		Handler:           r.Handler(),
		ReadHeaderTimeout: r.opts.ReadHeaderTimeout,
		ReadTimeout:       r.opts.ReadTimeout,
		WriteTimeout:      r.opts.WriteTimeout,
		IdleTimeout:       r.opts.IdleTimeout,
		MaxHeaderBytes:    r.opts.MaxHeaderBytes,
		ErrorLog:          errLog,
	}
	r.served = make(chan struct{})
	go func() {
		defer close(r.served)
		_ = r.srv.Serve(r.ln) // ErrServerClosed after Close; nothing else to do with it
	}()
	go func() {
		select {
		case <-ctx.Done():
			r.Close()
		case <-r.served:
		}
	}()
	return "http://" + usableHostPort(addr, bound) + "/callback/" + r.opts.Secret, nil
}

// usableHostPort turns the bound address into one a sender can use: a
// wildcard (0.0.0.0, [::]) is no address to send to, so this machine's
// first address outside loopback stands in for it (loopback when it has
// none), of the family asked for (Go reports 0.0.0.0 bound as [::]).
func usableHostPort(asked, bound string) string {
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return bound
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsUnspecified() {
		return bound
	}
	askedHost, _, _ := net.SplitHostPort(asked)
	return net.JoinHostPort(outsideAddr(!strings.Contains(askedHost, ":")), port)
}

// outsideAddr is the first address of an interface that is up, not
// loopback and not link-local; IPv4 ones first when want4.
func outsideAddr(want4 bool) string {
	var v4, v6 string
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := p.Addr()
			if ip.IsLoopback() || ip.IsLinkLocalUnicast() {
				continue
			}
			if ip.Is4() && v4 == "" {
				v4 = ip.String()
			} else if !ip.Is4() && v6 == "" {
				v6 = ip.String()
			}
		}
	}
	switch {
	case v4 != "" && (want4 || v6 == ""):
		return v4
	case v6 != "":
		return v6
	case want4:
		return "127.0.0.1"
	}
	return "::1"
}

// listener is the capped listener, once started.
func (r *Receiver) listener() *limitListener {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ln
}

// Close stops listening, lets requests under way finish (for up to a
// second), and drops callbacks still waiting to be merged. Afterwards the
// engine hears nothing more from the receiver. It is safe to call more
// than once, and without Start.
func (r *Receiver) Close() {
	r.closing.Do(func() {
		r.mu.Lock()
		srv, served := r.srv, r.served
		r.mu.Unlock()
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if srv.Shutdown(ctx) != nil {
				_ = srv.Close() // handlers stuck past the grace: cut them
			}
			cancel()
			<-served
		}
		r.co.close()
	})
}
