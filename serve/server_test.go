package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/track"
)

// testPorts is the range these tests listen in; REEL_TEST_PORTS=LO-HI
// moves it (engineers sharing a machine each have their own).
const testPortLo, testPortHi = 45300, 45399

func testPorts() (int, int) {
	if lo, hi, ok := strings.Cut(os.Getenv("REEL_TEST_PORTS"), "-"); ok {
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		if err1 == nil && err2 == nil && l <= h {
			return l, h
		}
	}
	return testPortLo, testPortHi
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	testPortLo, testPortHi := testPorts()
	for p := testPortLo; p <= testPortHi; p++ {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			return ln
		}
	}
	t.Fatalf("no free port in %d-%d", testPortLo, testPortHi)
	return nil
}

// harness is a Server on a simulator's jobs, and a key to log in with.
type harness struct {
	srv    *Server
	addr   string
	signer gossh.Signer
	log    *lockedOut
	// stop ends the server as reel serve's shutdown does (its context
	// ends), and returns once Serve has returned.
	stop func()
}

func startServer(t *testing.T, keepAlive time.Duration, opts ...func(*Options)) *harness {
	t.Helper()
	// The simulator on a port the system gives (its default): a port
	// probed here, closed and bound again by Start could be taken between.
	sm, err := sim.Start(sim.Options{Jobs: 4, Seed: 3, Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sm.Close() })
	c, err := api.New(sm.URL(), sm.Token())
	if err != nil {
		t.Fatal(err)
	}
	eng := track.New(track.Options{Client: c})
	eng.Add(sm.JobIDs()...)

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseKeys(strings.NewReader(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))))
	if err != nil {
		t.Fatal(err)
	}
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	log := &lockedOut{}
	o := Options{Engine: eng, Keys: keys, HostKey: host, KeepAlive: keepAlive, Log: slog.New(slog.NewTextHandler(log, nil))}
	for _, f := range opts {
		f(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() { _ = srv.Serve(ctx, ln) })
	stop := func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	return &harness{srv: srv, addr: ln.Addr().String(), signer: signer, log: log, stop: stop}
}

// session is one client's dashboard, read until the first frame.
type session struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	out    *lockedOut
	done   chan struct{}
}

type lockedOut struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedOut) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedOut) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.b.Bytes(), []byte(s))
}

func (h *harness) open(t *testing.T, conn net.Conn) *session {
	t.Helper()
	cfg := &gossh.ClientConfig{User: "t", Auth: []gossh.AuthMethod{gossh.PublicKeys(h.signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
	c, chans, reqs, err := gossh.NewClientConn(conn, h.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	client := gossh.NewClient(c, chans, reqs)
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	s := &session{client: client, sess: sess, out: &lockedOut{}, done: make(chan struct{})}
	sess.Stdout = s.out
	if s.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = sess.Wait(); close(s.done) }()
	waitFor(t, "the first frame", func() bool { return s.out.has("jobs") })
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 20s still not %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// freezer forwards a connection until frozen; then it stops passing bytes
// either way but keeps both sockets open, as a cut network does.
type freezer struct {
	frozen chan struct{}
	once   sync.Once
}

func (f *freezer) pipe(a, b net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := a.Read(buf)
		select {
		case <-f.frozen:
			return
		default:
		}
		if n > 0 {
			if _, werr := b.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestSessionsLeaveNothingBehind connects and disconnects 200 times, ending
// sessions every way a viewer can: q, closing the client, dropping the TCP
// connection, and a network that stops answering. Afterwards the server's
// goroutines and open files are back where they started, and no session or
// subscription remains.
func TestSessionsLeaveNothingBehind(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts open files in /proc/self/fd")
	}
	h := startServer(t, 200*time.Millisecond)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A first session warms what starts once (the renderer's tables, the
	// HTTP client's connections).
	s := h.open(t, dial())
	_, _ = s.in.Write([]byte("q"))
	<-s.done
	_ = s.client.Close()
	settle := func() (int, int) {
		waitFor(t, "every session gone", func() bool { return h.srv.Sessions() == 0 && h.srv.Subscribers() == 0 })
		time.Sleep(50 * time.Millisecond)
		return runtime.NumGoroutine(), openFiles()
	}
	g0, f0 := settle()

	const cycles = 200
	for i := range cycles {
		switch i % 4 {
		case 0: // q
			s := h.open(t, dial())
			_, _ = s.in.Write([]byte("q"))
			select {
			case <-s.done:
			case <-time.After(20 * time.Second):
				t.Fatalf("cycle %d: q did not end the session", i)
			}
			_ = s.client.Close()
		case 1: // the client goes away politely
			s := h.open(t, dial())
			_ = s.client.Close()
		case 2: // the TCP connection drops, as with kill -9 of the client
			conn := dial()
			s := h.open(t, conn)
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
			_ = s.client.Close()
		case 3: // the network stops answering, every 20th cycle (it takes two keepalives)
			if i%20 != 3 {
				s := h.open(t, dial())
				_ = s.client.Close()
				continue
			}
			a, b := net.Pipe()
			srvConn := dial()
			f := &freezer{frozen: make(chan struct{})}
			go f.pipe(b, srvConn)
			go f.pipe(srvConn, b)
			s := h.open(t, a)
			before := h.srv.Sessions()
			f.once.Do(func() { close(f.frozen) })
			waitFor(t, "the frozen session closed by the keepalive", func() bool { return h.srv.Sessions() < before })
			_ = s.client.Close()
			_ = a.Close()
			_ = b.Close()
			_ = srvConn.Close()
		}
	}
	var g1, f1 int
	deadline := time.Now().Add(20 * time.Second)
	for {
		g1, f1 = settle()
		if g1 <= g0 && f1 <= f0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("after %d sessions: goroutines %d → %d, open files %d → %d", cycles, g0, g1, f0, f1)
	if g1 > g0 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines %d after %d sessions, %d before:\n%s", g1, cycles, g0, buf[:runtime.Stack(buf, true)])
	}
	if f1 > f0 {
		t.Errorf("open files %d after %d sessions, %d before", f1, cycles, f0)
	}
}

func TestANonTerminalSessionIsToldWhatToDo(t *testing.T) {
	h := startServer(t, time.Second)
	sess := h.session(t)
	out, err := sess.CombinedOutput("status")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("a session without a terminal: %v, %q; want exit 1 and a word on ssh -t", err, out)
	}
}

func (l *lockedOut) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A session that asks for its shell once shutdown has begun is turned
// away, with a word, before it is counted: Serve's wait for the sessions
// never meets one added late.
func TestASessionStartingDuringShutdownIsRefused(t *testing.T) {
	h := startServer(t, time.Second)
	sess := h.session(t)
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	// Shutdown as closeConns begins it, this connection left open.
	h.srv.limits.Lock()
	h.srv.closing = true
	h.srv.limits.Unlock()
	out := &lockedOut{}
	sess.Stderr = out
	sess.Stdout = out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	var err error
	select {
	case err = <-ended:
	case <-time.After(20 * time.Second):
		t.Fatalf("the session runs 20 s into the shutdown: %q", out.String())
	}
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !out.has("shutting down") {
		t.Errorf("a session during shutdown: %v, %q; want exit 1 and a word on the shutdown", err, out.String())
	}
	h.srv.limits.Lock()
	n := h.srv.perKey[gossh.FingerprintSHA256(h.signer.PublicKey())]
	h.srv.limits.Unlock()
	if n != 0 || h.srv.live.Load() != 0 {
		t.Errorf("the refused session is still counted: %d for its key, %d live", n, h.srv.live.Load())
	}
}
