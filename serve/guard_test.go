package serve

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
	"github.com/reel-dev/reel/ui"
)

// through runs reqs through guard and returns what it hands on to the
// SSH library, and the newest window size it kept.
func through(reqs ...*gossh.Request) ([]*gossh.Request, []ssh.Window) {
	in, out := make(chan *gossh.Request, len(reqs)), make(chan *gossh.Request, len(reqs))
	sizes := make(chan ssh.Window, 1)
	for _, r := range reqs {
		in <- r
	}
	close(in)
	guard(in, out, sizes, nil)
	var got []*gossh.Request
	for r := range out {
		got = append(got, r)
	}
	var ws []ssh.Window
	for w := range sizes {
		ws = append(ws, w)
	}
	return got, ws
}

func winReq(w, h uint32) *gossh.Request {
	return &gossh.Request{Type: "window-change", Payload: gossh.Marshal(struct{ Columns, Rows, Width, Height uint32 }{w, h, 0, 0})}
}

func TestGuardClampsTheTerminalSize(t *testing.T) {
	type ptyReq struct {
		Term          string
		Columns, Rows uint32
		Width, Height uint32
		Modes         string
	}
	pty := gossh.Marshal(ptyReq{"xterm", 100000, 100000, 1 << 30, 1 << 30, ""})
	for _, c := range []struct {
		last *gossh.Request
		want ssh.Window
	}{
		{winReq(1<<31, 80), ssh.Window{Width: MaxWidth, Height: 80}},
		{winReq(120, 1<<20), ssh.Window{Width: 120, Height: MaxHeight}},
		{winReq(120, 40), ssh.Window{Width: 120, Height: 40}},
	} {
		got, ws := through(&gossh.Request{Type: "pty-req", Payload: pty}, &gossh.Request{Type: "shell"}, winReq(1e6, 1e6), c.last)
		if len(got) != 2 || got[1].Type != "shell" {
			t.Fatalf("handed on %d requests, want the pty-req and the shell only", len(got))
		}
		var p ptyReq
		if err := gossh.Unmarshal(got[0].Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Term != "xterm" || p.Columns != MaxWidth || p.Rows != MaxHeight {
			t.Errorf("pty-req handed on as %+v, want xterm %dx%d", p, MaxWidth, MaxHeight)
		}
		if len(ws) != 1 || ws[0] != c.want {
			t.Errorf("sizes %+v, want only the newest %+v", ws, c.want)
		}
	}
}

// TestGuardNeverHandsWindowChangesToTheLibrary: the library waits on a
// one-place channel for each; a client sending many before its session
// starts (or after it was refused) must not stop the requests.
func TestGuardNeverHandsWindowChangesToTheLibrary(t *testing.T) {
	reqs := []*gossh.Request{{Type: "pty-req"}}
	for i := range 1000 {
		reqs = append(reqs, winReq(uint32(81+i), 24))
	}
	reqs = append(reqs, &gossh.Request{Type: "shell"})
	got, ws := through(reqs...)
	if len(got) != 2 || got[0].Type != "pty-req" || got[1].Type != "shell" {
		t.Errorf("handed on %d requests, want the pty-req and the shell", len(got))
	}
	if len(ws) != 1 || ws[0].Width != 1000 {
		t.Errorf("sizes %+v, want only the newest, 1000 wide", ws)
	}
}

func TestGuardTakesOnlyAFewEnvironmentVariablesThatDescribeTheTerminal(t *testing.T) {
	env := func(k, v string) *gossh.Request {
		return &gossh.Request{Type: "env", Payload: gossh.Marshal(struct{ Key, Value string }{k, v})}
	}
	reqs := []*gossh.Request{env("COLUMNS", "100000"), env("LINES", "100000"), env("LD_PRELOAD", "x"),
		env("NO_COLOR", strings.Repeat("x", maxEnvValue+1))}
	for range 10000 {
		reqs = append(reqs, env("COLORTERM", "truecolor"))
	}
	reqs = append(reqs, env("NO_COLOR", "1"), &gossh.Request{Type: "shell"})
	got, _ := through(reqs...)
	if len(got) != maxEnv+1 || got[maxEnv].Type != "shell" {
		t.Fatalf("handed on %d requests, want %d env and the shell", len(got), maxEnv)
	}
	for _, r := range got[:maxEnv] {
		var kv struct{ Key, Value string }
		_ = gossh.Unmarshal(r.Payload, &kv)
		if kv.Key != "COLORTERM" {
			t.Errorf("handed on %s=%.20s", kv.Key, kv.Value)
		}
	}
}

// TestAnOversizedTerminalIsClamped asks, as a client, for a window far
// larger than any screen: the session starts at the clamped size.
func TestAnOversizedTerminalIsClamped(t *testing.T) {
	h := startServer(t, time.Second)
	sess := h.session(t)
	if err := sess.Setenv("COLUMNS", "100000"); err == nil {
		t.Error("COLUMNS accepted, want it refused")
	}
	if err := sess.Setenv("NO_COLOR", "1"); err != nil {
		t.Errorf("NO_COLOR refused: %v", err)
	}
	if err := sess.RequestPty("xterm-256color", 3000, 4000, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	sess.Stdout = io.Discard
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the login logged", func() bool { return h.log.has("msg=login") })
	if !h.log.has("size=1000x500") {
		t.Errorf("login log %q, want size=1000x500", h.log.String())
	}
	_ = sess.WindowChange(4000, 100000)
	_ = sess.Close()
}

func (h *harness) dial(t *testing.T) *gossh.Client {
	t.Helper()
	cfg := &gossh.ClientConfig{User: "t", Auth: []gossh.AuthMethod{gossh.PublicKeys(h.signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
	client, err := gossh.Dial("tcp", h.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// session opens a session on a connection of its own, closed when the
// test ends.
func (h *harness) session(t *testing.T) *gossh.Session {
	t.Helper()
	client := h.dial(t)
	t.Cleanup(func() { _ = client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// settled waits for the goroutines to come back to at most g0, and
// reports the count.
func settled(g0 int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= g0 || time.Now().After(deadline) {
			return g
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRefusedSessionsLeaveNoGoroutine refuses sessions every way the
// server refuses them (no terminal, too many, too many for the key), each
// with window changes sent after the shell request, which nobody but the
// session may read: afterwards the goroutines are back where they were.
func TestRefusedSessionsLeaveNoGoroutine(t *testing.T) {
	for _, c := range []struct {
		name  string
		limit func(*Options)
		said  string
	}{
		{"too many", func(o *Options) { o.MaxSessions = 1 }, "--max-sessions"},
		{"too many for the key", func(o *Options) { o.MaxSessionsPerKey = 1 }, "--max-sessions-per-key"},
	} {
		t.Run(c.name, func(t *testing.T) { refusedLeaveNothing(t, c.limit, c.said) })
	}
}

func refusedLeaveNothing(t *testing.T, limit func(*Options), said string) {
	h := startServer(t, time.Second, limit)
	first := h.open(t, mustDial(t, h.addr)) // takes the key's one place
	defer first.client.Close()
	refuse := func(pty bool) {
		client := h.dial(t)
		defer client.Close()
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stderr lockedOut
		sess.Stderr = &stderr
		if pty {
			if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
				t.Fatal(err)
			}
			// Before the shell, nobody reads them yet.
			_ = sess.WindowChange(30, 90)
			_ = sess.WindowChange(31, 91)
		}
		shell := make(chan error, 1)
		go func() { shell <- sess.Shell() }()
		select {
		case err := <-shell:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the shell request was never answered: the window changes before it stopped the session's requests")
		}
		for i := range 5 {
			_ = sess.WindowChange(24, 80+i)
		}
		_ = sess.Wait()
		if pty && !stderr.has(said) {
			t.Errorf("refusal said %q, want the limit named", stderr.String())
		}
	}
	refuse(true) // warms what starts once
	refuse(false)
	time.Sleep(50 * time.Millisecond)
	g0 := runtime.NumGoroutine()
	for i := range 20 {
		refuse(i%2 == 0)
	}
	if g := settled(g0); g > g0 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d after 20 refused sessions, %d before:\n%s", g, g0, buf[:runtime.Stack(buf, true)])
	}
	if !h.log.has("session refused: too many") || !h.log.has("limit="+said) {
		t.Errorf("log %q: want the refusal, naming %s", h.log.String(), said)
	}
}

func mustDial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedConn reports when the server closes c.
func closedConn(c net.Conn) chan struct{} {
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, c); close(done) }()
	return done
}

func within(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal(what)
	}
}

func (h *harness) idle() (conns, idle, byIP int) {
	h.srv.limits.Lock()
	defer h.srv.limits.Unlock()
	for _, n := range h.srv.idleByIP {
		byIP += n
	}
	return h.srv.conns, h.srv.idleConns, byIP
}

// TestConnectionsThatNeverLogInAreCappedPerAddressAndClosed: no more than
// MaxIdlePerIP connections from one address may wait to log in, and each
// is closed after HandshakeTimeout. The timeout is 2 s, not less: the
// first two must still be waiting when the third dials (a loaded machine
// under -race can take longer than 300 ms to count two and dial a third;
// then the third is closed by its own timeout, not refused).
func TestConnectionsThatNeverLogInAreCappedPerAddressAndClosed(t *testing.T) {
	h := startServer(t, time.Second, func(o *Options) { o.MaxIdlePerIP = 2; o.HandshakeTimeout = 2 * time.Second })
	a, b := mustDial(t, h.addr), mustDial(t, h.addr)
	defer a.Close()
	defer b.Close()
	aDone, bDone := closedConn(a), closedConn(b)
	waitFor(t, "two connections counted", func() bool { _, idle, byIP := h.idle(); return idle == 2 && byIP == 2 })
	c := mustDial(t, h.addr)
	defer c.Close()
	within(t, closedConn(c), "a third waiting connection from the address was not refused")
	within(t, aDone, "a connection that never logged in was not closed")
	within(t, bDone, "a connection that never logged in was not closed")
	// Closed by the library's handshake deadline or by the idle timer,
	// whichever fires first: both are HandshakeTimeout.
	if w := "too many connections without a session from this address"; !h.log.has(w) {
		t.Errorf("log: want %q in\n%s", w, h.log.String())
	}
	waitFor(t, "no connection counted", func() bool { c, i, b := h.idle(); return c == 0 && i == 0 && b == 0 })
}

// TestSilentConnectionsDoNotLockOutALogin: more silent connections than
// the old global cap of 20 (all from loopback, so the per-address cap is
// raised here) leave a valid key able to log in and start a session.
func TestSilentConnectionsDoNotLockOutALogin(t *testing.T) {
	h := startServer(t, time.Second, func(o *Options) { o.MaxIdlePerIP = 30 })
	for range 25 {
		c := mustDial(t, h.addr)
		defer c.Close()
	}
	waitFor(t, "25 silent connections counted", func() bool { _, idle, _ := h.idle(); return idle == 25 })
	s := h.open(t, mustDial(t, h.addr))
	defer s.client.Close()
	waitFor(t, "the session running", func() bool { return h.srv.Sessions() == 1 })
	if h.log.has("connection refused") {
		t.Errorf("log: a connection was refused:\n%s", h.log.String())
	}
}

// TestConnectionsWithoutAShellAreClosed: a connection logged in that never
// asks for a shell, or whose shell ended, is closed after IdleTimeout,
// and one whose session runs is not, however long it runs. The idle timer
// runs on a virtual clock; the handshake has the library's own deadline,
// so a slow login (-race, a loaded machine) does not eat the idle timeout.
func TestConnectionsWithoutAShellAreClosed(t *testing.T) {
	clock := tracktest.NewClock(time.Unix(1000, 0))
	h := startServer(t, time.Second, func(o *Options) { o.IdleTimeout = time.Second; o.Clock = clock })
	client := h.dial(t) // logged in: its idle timer runs
	defer client.Close()
	ended := make(chan struct{})
	go func() { _ = client.Wait(); close(ended) }()
	clock.Advance(time.Second)
	within(t, ended, "a connection without a session was not closed")
	waitFor(t, "no connection counted", func() bool { c, _, _ := h.idle(); return c == 0 })
	// A session that ends leaves its connection idle again, and closed.
	s := h.open(t, mustDial(t, h.addr))
	// Far past the idle timeout: a session keeps its connection open. A
	// close would be logged before Advance returns (the timer runs in it).
	clock.Advance(time.Hour)
	if n := strings.Count(h.log.String(), idleClose); n != 1 || h.srv.Sessions() != 1 {
		t.Fatalf("the connection of a running session was closed as idle:\n%s", h.log.String())
	}
	_, _ = s.in.Write([]byte("q"))
	<-s.done
	cEnded := make(chan struct{})
	go func() { _ = s.client.Wait(); close(cEnded) }()
	waitFor(t, "the connection idle again", func() bool { _, idle, _ := h.idle(); return idle == 1 })
	clock.Advance(time.Second)
	within(t, cEnded, "a connection whose session ended was not closed")
	if n := strings.Count(h.log.String(), idleClose); n != 2 {
		t.Errorf("log: want the idle close twice, got %d in\n%s", n, h.log.String())
	}
	waitFor(t, "no connection counted", func() bool { c, i, b := h.idle(); return c == 0 && i == 0 && b == 0 })
}

// idleClose is what the log says of a connection closed as idle.
const idleClose = "no session within the idle timeout"

// TestChannelsWithoutAShellAreCappedAndIdle: a logged-in key opening
// session channels and never a shell gets maxChannels of them, then
// refusals, and its connection still counts as idle and is closed; the
// goroutines come back.
func TestChannelsWithoutAShellAreCappedAndIdle(t *testing.T) {
	h := startServer(t, time.Second, func(o *Options) { o.IdleTimeout = time.Second })
	warm := h.dial(t)
	if s, err := warm.NewSession(); err == nil {
		_ = s.Close()
	}
	_ = warm.Close()
	waitFor(t, "no connection counted", func() bool { c, _, _ := h.idle(); return c == 0 })
	g0 := runtime.NumGoroutine()
	client := h.dial(t)
	defer client.Close()
	var sessions []*gossh.Session
	for range maxChannels {
		s, err := client.NewSession()
		if err != nil {
			t.Fatalf("session channel %d refused: %v", len(sessions)+1, err)
		}
		sessions = append(sessions, s)
	}
	for range 20 {
		if _, err := client.NewSession(); err == nil {
			t.Fatalf("a session channel beyond %d was accepted", maxChannels)
		} else if !strings.Contains(err.Error(), "too many sessions on this connection") {
			t.Fatalf("refusal %v, want the reason", err)
		}
	}
	if _, idle, _ := h.idle(); idle != 1 {
		t.Errorf("idle connections %d with channels and no shell, want 1", idle)
	}
	ended := make(chan struct{})
	go func() { _ = client.Wait(); close(ended) }()
	within(t, ended, "a connection with channels and no shell was not closed")
	if g := settled(g0); g > g0 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d after, %d before:\n%s", g, g0, buf[:runtime.Stack(buf, true)])
	}
	waitFor(t, "no connection counted", func() bool { c, i, b := h.idle(); return c == 0 && i == 0 && b == 0 })
}

func TestRefreshIsLimitedAcrossViewers(t *testing.T) {
	now := time.Unix(1000, 0)
	l := refreshLimit{every: 2 * time.Second, now: func() time.Time { return now }, one: map[string]time.Time{}}
	steps := []struct {
		advance time.Duration
		ids     []string
		says    string // "": let through
	}{
		{0, nil, ""},
		{0, nil, "refresh limited: all jobs were refreshed just now; try again in 2s"},
		{time.Second, []string{"a"}, "refresh limited: all jobs were refreshed 1s ago; try again in 1s"}, // the refresh of all covers a
		{time.Second, []string{"a"}, ""},
		{0, []string{"a"}, "refresh limited: this job was refreshed just now; try again in 2s"},
		{0, []string{"b"}, ""},
		{0, nil, ""},
		{100 * time.Millisecond, []string{"c"}, "refresh limited: all jobs were refreshed just now; try again in 2s"},
		{1500 * time.Millisecond, []string{"c"}, "refresh limited: all jobs were refreshed 1s ago; try again in 1s"},
		{2 * time.Second, []string{"a"}, ""},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		got := ""
		if err := l.allow(s.ids); err != nil {
			got = err.Error()
		}
		if got != s.says {
			t.Errorf("step %d (%v): %q, want %q", i, s.ids, got, s.says)
		}
	}
}

// TestARefusedRefreshIsHandedBack: the session's engine lets the first R
// through to the engine and hands the second's refusal back to the
// dashboard, which shows it (ui.RefreshLimiter).
func TestARefusedRefreshIsHandedBack(t *testing.T) {
	now := time.Unix(1000, 0)
	eng := track.New(track.Options{})
	e := sessionEngine{Engine: eng, limit: &refreshLimit{every: 2 * time.Second, now: func() time.Time { return now }, one: map[string]time.Time{}}}
	var l ui.RefreshLimiter = e
	if err := l.TryRefresh(); err != nil {
		t.Fatalf("the first refresh refused: %v", err)
	}
	now = now.Add(500 * time.Millisecond)
	err := l.TryRefresh()
	var r *refreshRefused
	if !errors.As(err, &r) || r.ago != 500*time.Millisecond || r.wait != 1500*time.Millisecond {
		t.Errorf("the second refresh: %v, want it refused, 0.5s after the first, 1.5s to wait", err)
	}
}

// TestShutdownClosesConnectionsStillLoggingIn: at shutdown every
// connection goes, not only those logged in: a raw socket that sent
// nothing, one that sent only its version line, and one logged in without
// a shell are all closed at once, long before the handshake deadline, and
// the goroutines come back (twenty sockets: a goroutine left by each would
// outnumber the server's own, which end too).
func TestShutdownClosesConnectionsStillLoggingIn(t *testing.T) {
	h := startServer(t, time.Second, func(o *Options) { o.HandshakeTimeout, o.IdleTimeout, o.MaxIdlePerIP = time.Hour, time.Hour, 30 })
	warm := h.dial(t) // what starts once
	_ = warm.Close()
	waitFor(t, "no connection counted", func() bool { c, _, _ := h.idle(); return c == 0 })
	g0 := runtime.NumGoroutine()

	var closed []chan struct{}
	for i := range 20 {
		c := mustDial(t, h.addr)
		defer c.Close()
		if i%2 == 1 {
			if _, err := c.Write([]byte("SSH-2.0-reel-test\r\n")); err != nil {
				t.Fatal(err)
			}
		}
		closed = append(closed, closedConn(c))
	}
	client := h.dial(t)
	defer client.Close()
	ended := make(chan struct{})
	go func() { _ = client.Wait(); close(ended) }()
	closed = append(closed, ended)
	waitFor(t, "21 connections counted", func() bool { c, _, _ := h.idle(); return c == 21 })

	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	// Well within the hour of the handshake deadline: only the shutdown
	// can have closed them.
	for i, done := range closed {
		within(t, done, "connection "+strconv.Itoa(i)+" still open after shutdown")
	}
	within(t, stopped, "Serve did not return")
	if c, i, b := h.idle(); c != 0 || i != 0 || b != 0 {
		t.Errorf("after shutdown %d connections counted, %d idle, %d by address", c, i, b)
	}
	if g := settled(g0); g > g0 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d after shutdown, %d before the connections:\n%s", g, g0, buf[:runtime.Stack(buf, true)])
	}
	// A connection that arrives after the shutdown is not served.
	if c, err := net.Dial("tcp", h.addr); err == nil {
		within(t, closedConn(c), "a connection after shutdown was left open")
		_ = c.Close()
	}
}

// TestARefusedRefreshReachesTheViewer: over SSH, a second R within
// RefreshEvery is refused, and the viewer's own status line says so.
func TestARefusedRefreshReachesTheViewer(t *testing.T) {
	h := startServer(t, time.Second, func(o *Options) { o.RefreshEvery = time.Hour })
	s := h.open(t, mustDial(t, h.addr))
	defer s.client.Close()
	_, _ = s.in.Write([]byte("R"))
	waitFor(t, "the first R taken", func() bool { return s.out.has("refreshing") || s.out.has("refreshed") })
	if s.out.has("limited:") {
		t.Fatalf("the first R was refused:\n%q", s.out.String())
	}
	_, _ = s.in.Write([]byte("R"))
	waitFor(t, "the second R refused on the screen", func() bool { return s.out.has("refresh limited: all jobs were refreshed") })
}
