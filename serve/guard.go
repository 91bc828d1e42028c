package serve

import (
	"encoding/binary"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// What a client may ask of a session before reel serve stops listening.
const (
	// MaxWidth and MaxHeight cap the terminal a client says it has: the
	// dashboard draws a buffer of width×height cells, and a client could
	// otherwise ask for 100000×100000 and exhaust the host's memory.
	MaxWidth, MaxHeight = 1000, 500
	// maxEnv caps the environment variables a session accepts, and
	// maxEnvValue each value's length; only the names in envAccepted are
	// taken at all, as sshd takes only its AcceptEnv.
	maxEnv      = 16
	maxEnvValue = 256
)

// envAccepted are the variables a viewer's ssh may send (SendEnv): those
// that say what their terminal can show. COLUMNS and LINES are not among
// them: the size is the pty's, clamped.
var envAccepted = map[string]bool{
	"NO_COLOR": true, "COLORTERM": true, "CLICOLOR": true, "CLICOLOR_FORCE": true,
	"TERM_PROGRAM": true, "LC_TERMINAL": true, "KITTY_WINDOW_ID": true,
	"WEZTERM_EXECUTABLE": true, "KONSOLE_VERSION": true,
}

// clampWindow keeps a terminal size within MaxWidth×MaxHeight.
func clampWindow(w, h int) (int, int) {
	return max(0, min(w, MaxWidth)), max(0, min(h, MaxHeight))
}

// sessionChannel is the SSH library's session handler behind guard: it
// reads the client's requests before the library does. A connection may
// have at most maxChannels session channels open, and it counts as idle
// until one of them starts a shell: a channel alone is no session.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	st, _ := ctx.Value(connKey).(*connState)
	var started atomic.Bool
	var shell func()
	if st != nil {
		if !st.addChannel() {
			s.o.Log.Info("channel refused: too many sessions on one connection", "remote", st.conn.RemoteAddr().String(), "max", maxChannels)
			_ = nc.Reject(gossh.ResourceShortage, "too many sessions on this connection")
			return
		}
		defer st.dropChannel()
		shell = func() {
			if started.CompareAndSwap(false, true) {
				st.opened()
			}
		}
		// Runs after the guard has ended (the library returns once the
		// guard closes its requests), so after any call to shell.
		defer func() {
			if started.Load() {
				st.closed()
			}
		}()
	}
	ssh.DefaultSessionHandler(srv, conn, guardedChannel{NewChannel: nc, s: s, shell: shell}, ctx)
}

type guardedChannel struct {
	gossh.NewChannel
	s     *Server
	shell func() // called when the client asks for a shell; may be nil
}

func (g guardedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := g.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	id := g.s.guardSeq.Add(1)
	sizes := make(chan ssh.Window, 1)
	g.s.guards.Store(id, sizes)
	go func() {
		defer g.s.guards.Delete(id)
		// The session learns its guard from an environment variable the
		// guard sets first, one no client can set (not in envAccepted).
		out <- &gossh.Request{Type: "env", Payload: gossh.Marshal(struct{ Key, Value string }{guardEnv, strconv.FormatUint(id, 10)})}
		guard(reqs, out, sizes, g.shell)
	}()
	return ch, out, nil
}

// guardEnv names the session's guard in its environment.
const guardEnv = "REEL_SERVE_GUARD"

// sizesOf is the window sizes the session's guard keeps, nil if it has
// no guard.
func (s *Server) sizesOf(sess ssh.Session) <-chan ssh.Window {
	id, err := strconv.ParseUint(lookup(sess.Environ())(guardEnv), 10, 64)
	if err != nil {
		return nil
	}
	if v, ok := s.guards.Load(id); ok {
		return v.(chan ssh.Window)
	}
	return nil
}

// guard hands the client's session requests on, with the terminal's size
// clamped and the environment cut to envAccepted, at most maxEnv variables
// of maxEnvValue bytes; a refused env request is answered no, as sshd
// answers one its AcceptEnv does not list. It ends when the requests do.
//
// Window changes are answered here and never reach the SSH library: it
// hands each to a one-place channel that only a running session reads,
// and waits while that is full, so a window change before the session
// starts or after it was refused would stop the session's requests for
// good (and leak their goroutine); it also writes the session's size
// while the session reads it (a data race). Here the newest size, clamped,
// goes to sizes without waiting.
func guard(in <-chan *gossh.Request, out chan<- *gossh.Request, sizes chan ssh.Window, shell func()) {
	defer close(sizes)
	defer close(out)
	envs := 0
	for req := range in {
		switch req.Type {
		case "env":
			var kv struct{ Key, Value string }
			if gossh.Unmarshal(req.Payload, &kv) != nil || !envAccepted[kv.Key] || len(kv.Value) > maxEnvValue || envs >= maxEnv {
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
				continue
			}
			envs++
		case "pty-req":
			req.Payload = clampPtyReq(req.Payload)
		case "window-change":
			var w struct{ Columns, Rows, Width, Height uint32 }
			ok := gossh.Unmarshal(req.Payload, &w) == nil
			if ok {
				cw, ch := clampWindow(int(min(w.Columns, MaxWidth)), int(min(w.Rows, MaxHeight)))
				latest(sizes, ssh.Window{Width: cw, Height: ch})
			}
			if req.WantReply {
				_ = req.Reply(ok, nil)
			}
			continue
		case "shell":
			if shell != nil {
				shell()
			}
		}
		out <- req
	}
}

// clampPtyReq clamps a pty-req's size (RFC 4254 6.2: string TERM, uint32
// columns, rows, width and height in pixels, string modes).
func clampPtyReq(p []byte) []byte {
	if len(p) < 4 {
		return p
	}
	n := int(binary.BigEndian.Uint32(p))
	if n < 0 || 4+n+16 > len(p) {
		return p // the library refuses what does not parse
	}
	q := append([]byte(nil), p...)
	clampDims(q[4+n:])
	return q
}

// clampDims clamps columns, rows and the pixel sizes at the start of b
// (16 bytes at least). Pixels are capped at 32 a cell.
func clampDims(b []byte) {
	for i, limit := range []uint32{MaxWidth, MaxHeight, MaxWidth * 32, MaxHeight * 32} {
		if v := binary.BigEndian.Uint32(b[4*i:]); v > limit {
			binary.BigEndian.PutUint32(b[4*i:], limit)
		}
	}
}

// connKey finds a connection's connState in its context.
var connKey = &struct{ name string }{"reel-serve-conn"}

// connState is one TCP connection's place in the limits: it counts as
// idle (no session open: still authenticating, or logged in without asking
// for a session) until its first session opens and again after its last
// closes, and an idle connection is closed after IdleTimeout.
type connState struct {
	s    *Server
	conn net.Conn
	ip   string // the remote address without its port

	mu        sync.Mutex
	sessions  int // shells running
	channels  int // session channels open
	idle      bool
	authed    bool
	gone      bool
	stopTimer func() bool // the running timer's stop (see arm)
	once      sync.Once   // shut's
}

// accept is the server's ConnCallback: it refuses a connection over
// MaxConnections, over MaxIdle or over MaxIdlePerIP from its address, and
// otherwise starts its timer: HandshakeTimeout until it logs in.
func (s *Server) accept(ctx ssh.Context, c net.Conn) net.Conn {
	remote := c.RemoteAddr().String()
	ip := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		ip = h
	}
	st := &connState{s: s, conn: c, ip: ip, idle: true}
	s.limits.Lock()
	switch {
	case s.closing:
		s.limits.Unlock()
		s.o.Log.Info("connection refused: the server is shutting down", "remote", remote)
		return nil
	case s.conns >= s.o.MaxConnections:
		s.limits.Unlock()
		s.o.Log.Info("connection refused: too many connections", "remote", remote, "max", s.o.MaxConnections, "limit", "--max-connections")
		return nil
	case s.idleByIP[ip] >= s.o.MaxIdlePerIP:
		s.limits.Unlock()
		s.o.Log.Info("connection refused: too many connections without a session from this address", "remote", remote,
			"max", s.o.MaxIdlePerIP, "limit", "connections logging in or without a session, per address")
		return nil
	case s.idleConns >= s.o.MaxIdle:
		s.limits.Unlock()
		s.o.Log.Info("connection refused: too many connections without a session", "remote", remote, "max", s.o.MaxIdle,
			"limit", "connections logging in or without a session")
		return nil
	}
	s.conns++
	s.idleConns++
	s.idleByIP[ip]++
	s.open[st] = struct{}{}
	s.connsOpen.Add(1)
	// Set before the connection is known to anyone else, so that no timer
	// fires and no shutdown closes it before it exists.
	st.arm(s.o.HandshakeTimeout)
	s.limits.Unlock()
	ctx.SetValue(connKey, st)
	return &trackedConn{Conn: c, st: st}
}

// closeConns closes every connection accepted, logged in or still in its
// handshake, and refuses those accepted from now on. (The SSH library's
// Close closes only connections past their handshake: the others would
// live on until their handshake deadline.)
func (s *Server) closeConns() {
	s.limits.Lock()
	s.closing = true
	open := make([]*connState, 0, len(s.open))
	for st := range s.open {
		open = append(open, st)
	}
	s.limits.Unlock()
	for _, st := range open {
		_ = st.shut()
	}
}

// arm (re)starts the connection's timer on the server's clock: expire
// after d. Called with st.mu held, or before st is shared.
func (st *connState) arm(d time.Duration) {
	if st.stopTimer != nil {
		st.stopTimer()
	}
	st.stopTimer = st.s.o.Clock.AfterFunc(d, st.expire)
}

// loggedIn gives a connection that offered an authorized key IdleTimeout
// from now to start a shell. (The library's handshake deadline still ends
// one that does not complete the login.)
func (st *connState) loggedIn() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.authed && st.idle && !st.gone {
		st.authed = true
		st.arm(st.s.o.IdleTimeout)
	}
}

// addChannel counts a session channel, false if the connection has
// maxChannels already.
func (st *connState) addChannel() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.channels >= maxChannels {
		return false
	}
	st.channels++
	return true
}

func (st *connState) dropChannel() {
	st.mu.Lock()
	st.channels--
	st.mu.Unlock()
}

// expire closes a connection still idle.
func (st *connState) expire() {
	st.mu.Lock()
	idle := st.idle && !st.gone
	st.mu.Unlock()
	if idle {
		st.s.o.Log.Info("connection closed: no session within the idle timeout", "remote", st.conn.RemoteAddr().String())
		_ = st.conn.Close()
	}
}

func (st *connState) opened() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions++
	if st.idle && !st.gone {
		st.idle = false
		st.stopTimer()
		st.addIdle(-1)
	}
}

func (st *connState) closed() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions--
	if st.sessions == 0 && !st.idle && !st.gone {
		st.idle = true
		st.arm(st.s.o.IdleTimeout) // before it is counted idle: a test that sees the count may move the clock
		st.addIdle(1)
	}
}

// shut closes the connection, taking it out of the counts once.
func (st *connState) shut() error {
	st.once.Do(st.close)
	return st.conn.Close()
}

// close takes a closed connection out of the counts.
func (st *connState) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.gone {
		return
	}
	st.gone = true
	st.stopTimer()
	if st.idle {
		st.addIdle(-1)
	}
	st.s.limits.Lock()
	st.s.conns--
	delete(st.s.open, st)
	st.s.limits.Unlock()
	st.s.connsOpen.Done()
}

func (st *connState) addIdle(n int) {
	s := st.s
	s.limits.Lock()
	s.idleConns += n
	if s.idleByIP[st.ip] += n; s.idleByIP[st.ip] <= 0 {
		delete(s.idleByIP, st.ip)
	}
	s.limits.Unlock()
}

// trackedConn takes its connection out of the counts when closed.
type trackedConn struct {
	net.Conn
	st *connState
}

func (c *trackedConn) Close() error { return c.st.shut() }
