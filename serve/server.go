// Package serve shows the dashboard over SSH: one engine, one store and one
// set of polls on the host, and for every SSH session its own dashboard
// (tea.Program) with its own size, colour profile, keys, selection, filter
// and help. Sessions read the engine's changes through their own bounded
// subscriptions (fanout), so a slow viewer slows nobody. Who may log in,
// and who may only look, comes from an authorized_keys file (keys.go).
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	rm "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/thumb"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/ui"
)

// Defaults for Options.
const (
	DefaultMaxSessions       = 100
	DefaultMaxSessionsPerKey = 10
	DefaultMaxConnections    = 200
	DefaultMaxIdlePerIP      = 10
	DefaultIdleTimeout       = 30 * time.Second
	DefaultHandshakeTimeout  = 10 * time.Second
	DefaultKeepAlive         = 15 * time.Second
	DefaultRefreshEvery      = 2 * time.Second
)

// maxChannels caps the session channels one connection may have open.
const maxChannels = 4

// Options is what a Server is given. Engine, Keys and HostKey are required.
type Options struct {
	// Engine is the one engine every session watches. The Server is its
	// only reader of events: nothing else may call its Next.
	Engine *track.Engine
	// Downloads saves videos on the host for full keys; nil: d gives the
	// link to everyone. The Server is its only reader of progress.
	Downloads *download.Manager
	// DownloadDir is where Downloads saves, named to the viewer.
	DownloadDir string
	// History serves the statistics view and the timelines; may be nil.
	History ui.History
	// Keys are who may log in; HostKey is the server's own key.
	Keys    *Keys
	HostKey gossh.Signer
	// Log receives every login and refusal, with the key's fingerprint.
	Log *slog.Logger
	// MaxSessions caps the sessions at once; 0 means DefaultMaxSessions.
	MaxSessions int
	// MaxSessionsPerKey caps one key's sessions at once, so one viewer
	// (or one stolen key) cannot take every place; 0 means
	// DefaultMaxSessionsPerKey.
	MaxSessionsPerKey int
	// MaxConnections caps the TCP connections at once, logged in or not;
	// 0 means DefaultMaxConnections.
	MaxConnections int
	// MaxIdle caps the connections without a running session (still
	// logging in, or logged in without a shell), 0 means MaxConnections;
	// MaxIdlePerIP caps them from one address, like sshd's MaxStartups, so
	// one host's silent connections cannot lock everyone else out; 0 means
	// DefaultMaxIdlePerIP. HandshakeTimeout closes a connection not logged
	// in after that long (0: DefaultHandshakeTimeout), IdleTimeout one
	// logged in without a shell (0: DefaultIdleTimeout).
	MaxIdle          int
	MaxIdlePerIP     int
	IdleTimeout      time.Duration
	HandshakeTimeout time.Duration
	// Clock times HandshakeTimeout and IdleTimeout (not the SSH library's
	// own handshake deadline); nil is the wall clock.
	Clock track.Clock
	// RefreshEvery is how often the viewers together may make the engine
	// ask again (r, R): one refresh of all jobs, and one of each job, per
	// RefreshEvery; more are dropped. 0 means DefaultRefreshEvery.
	RefreshEvery time.Duration
	// KeepAlive is how often a quiet connection is asked whether it is
	// still there; one without an answer within as long again is closed
	// (a cut network). 0 means DefaultKeepAlive.
	KeepAlive time.Duration
	// Dashboard is the rest of every session's dashboard settings
	// (clock, notice, version, thumbnails setting...); the Server fills in
	// the engine, terminal, size, environment and session limits.
	Dashboard ui.Options
	// Thumbs is the shared thumbnail fetcher (its cache serves everyone);
	// nil shows none.
	Thumbs *thumb.Fetcher
}

// Server is reel serve's SSH server.
type Server struct {
	o      Options
	ssh    *ssh.Server
	events *fanout[track.Event]
	dls    *fanout[download.Progress]

	live     atomic.Int64 // sessions running now
	sessions sync.WaitGroup
	refresh  refreshLimit
	guards   sync.Map // guard's id → its session's window sizes
	guardSeq atomic.Uint64

	limits    sync.Mutex
	closing   bool                    // shutting down: no connection accepted
	open      map[*connState]struct{} // every connection accepted and not closed
	connsOpen sync.WaitGroup          // the same, for Serve to wait on
	conns     int                     // TCP connections open
	idleConns int                     // of which without a session
	idleByIP  map[string]int          // idle connections by remote address
	perKey    map[string]int          // sessions by key fingerprint
}

// New checks the options and builds the server; Serve runs it.
func New(o Options) (*Server, error) {
	switch {
	case o.Engine == nil:
		return nil, errors.New("serve: Options.Engine is required")
	case o.Keys == nil || o.Keys.Len() == 0:
		return nil, errors.New("serve: no authorized key, so nobody could log in")
	case o.HostKey == nil:
		return nil, errors.New("serve: Options.HostKey is required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	config.Default(&o.MaxSessions, DefaultMaxSessions)
	config.Default(&o.KeepAlive, DefaultKeepAlive)
	config.Default(&o.MaxSessionsPerKey, DefaultMaxSessionsPerKey)
	config.Default(&o.MaxConnections, DefaultMaxConnections)
	config.Default(&o.MaxIdle, o.MaxConnections)
	config.Default(&o.MaxIdlePerIP, DefaultMaxIdlePerIP)
	config.Default(&o.HandshakeTimeout, DefaultHandshakeTimeout)
	config.Default(&o.IdleTimeout, DefaultIdleTimeout)
	config.Default(&o.RefreshEvery, DefaultRefreshEvery)
	if o.Clock == nil {
		o.Clock = track.RealClock{}
	}
	now := o.Dashboard.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{o: o, perKey: map[string]int{}, idleByIP: map[string]int{}, open: map[*connState]struct{}{}, refresh: refreshLimit{every: o.RefreshEvery, now: now, one: map[string]time.Time{}}}
	s.events = newFanout(o.Engine.Next, eventKey, isRemoval)
	if o.Downloads != nil {
		s.dls = newFanout(o.Downloads.Next, func(p download.Progress) string { return p.VideoID }, nil)
	}
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(o.HostKey); return nil }, // before wish would make one
		wish.WithPublicKeyAuth(s.allow),                                       // keys only: no password, no keyboard-interactive
		wish.WithMiddleware(rm.MiddlewareWithLogger(slogPrintf{o.Log}, s.middleware)),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	srv.HandshakeTimeout = o.HandshakeTimeout
	srv.ConnCallback = s.accept
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
	srv.ConnectionFailedCallback = func(c net.Conn, err error) {
		s.o.Log.Info("connection failed", "remote", c.RemoteAddr().String(), "err", err)
	}
	s.ssh = srv
	return s, nil
}

// eventKey keys an engine event for the fanout: a job and its removal
// share a key (the newer wins), the connection's state has its own.
func eventKey(ev track.Event) string {
	switch {
	case ev.Job != nil:
		return "j" + ev.Job.ID
	case ev.Removed != "":
		return "j" + ev.Removed
	}
	return "c"
}

// isRemoval tells the end of a job's tracking: the same ID added back
// starts again from version 1.
func isRemoval(ev track.Event) bool { return ev.Removed != "" }

// Serve accepts sessions on ln until ctx ends, then closes every
// connection, logged in or not, and returns once they have all ended.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.events.run(ctx) })
	if s.dls != nil {
		wg.Go(func() { _ = s.dls.run(ctx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- s.ssh.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
		s.closeConns()
		_ = s.ssh.Close() // the listener; the connections are closed already
		<-errc
	case err = <-errc:
		s.closeConns()
		_ = s.ssh.Close()
	}
	cancel()
	s.sessions.Wait()
	s.connsOpen.Wait()
	wg.Wait()
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	return err
}

// Sessions is how many sessions run now.
func (s *Server) Sessions() int { return int(s.live.Load()) }

// Subscribers is how many readers the engine's changes have: one a
// running session.
func (s *Server) Subscribers() int { return s.events.count() }

// allow is the public key check; each refusal is logged with the key's
// fingerprint (never the key).
func (s *Server) allow(ctx ssh.Context, key ssh.PublicKey) bool {
	k := s.o.Keys.Lookup(key)
	if k == nil {
		s.o.Log.Info("login refused: key not authorized", "fingerprint", gossh.FingerprintSHA256(key),
			"user", ctx.User(), "remote", ctx.RemoteAddr().String())
		return false
	}
	if st, _ := ctx.Value(connKey).(*connState); st != nil {
		st.loggedIn()
	}
	return true
}

func (s *Server) middleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.session(sess)
		next(sess)
	}
}

// slogPrintf hands the recover middleware's panics to the log.
type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(format string, v ...any) {
	l.log.Error("session panic", "msg", fmt.Sprintf(format, v...))
}
