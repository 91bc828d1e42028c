// Command serve measures reel serve with the real OpenSSH client: the
// simulator runs in this process, reel serve as a child, and every viewer
// is /usr/bin/ssh in a pseudo-terminal of its own. Four phases:
//
//	(0) the local dashboard on the same jobs: its bytes a second, the
//	    yardstick (bench/tty measures it in depth);
//	(1) reel serve with one session: API requests and bytes a second;
//	(2) the same with -sessions (50) at once: API requests must stay those
//	    of one session (one engine), bytes a session a second like the
//	    local dashboard's, and the server's RSS and CPU a session;
//	(3) -cycles (200) logins ended by q or by kill -9 of the client: the
//	    server's goroutines (from its login log) and open files are back
//	    where they started.
//
// It prints the figures and exits 1 when a budget is missed.
//
//	go run ./bench/serve [-reel PATH] [-sessions 50] [-cycles 200] [-window 30s] [-port 45500 (and the next for the simulator)]
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/bench/internal/cpu"
	"github.com/reel-dev/reel/termtest"
)

type config struct {
	reel       string
	ssh        string
	sessions   int
	cycles     int
	jobs       int
	window     time.Duration
	port       int
	w, h       int
	reqSlack   float64 // how far above one session's requests 50 may go
	bytesRatio float64 // bytes a session a second, at most this times the local dashboard's
}

func main() {
	var c config
	flag.StringVar(&c.reel, "reel", "", "reel binary to measure; built from this module when empty")
	flag.StringVar(&c.ssh, "ssh", "/usr/bin/ssh", "the OpenSSH client")
	flag.IntVar(&c.sessions, "sessions", 50, "sessions at once in phase 2")
	flag.IntVar(&c.cycles, "cycles", 200, "logins and logouts in phase 3")
	flag.IntVar(&c.jobs, "jobs", 12, "jobs generating on the dashboard")
	flag.DurationVar(&c.window, "window", 30*time.Second, "each measuring window")
	flag.IntVar(&c.port, "port", 45500, "port reel serve listens on (127.0.0.1)")
	flag.IntVar(&c.w, "w", 160, "each terminal's width")
	flag.IntVar(&c.h, "h", 45, "each terminal's height")
	flag.Float64Var(&c.reqSlack, "req-slack", 0.25, "API requests with all sessions may exceed one session's by this fraction")
	flag.Float64Var(&c.bytesRatio, "bytes-ratio", 1.5, "bytes a session a second may be this many times the local dashboard's")
	flag.Parse()
	ok, err := run(os.Stdout, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// syncBuf is the server's log, written by the child and read here.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(out io.Writer, c config) (bool, error) {
	if _, err := os.Stat(c.ssh); err != nil {
		return false, fmt.Errorf("the OpenSSH client: %w (apt-get install openssh-client)", err)
	}
	dir, err := os.MkdirTemp("", "reel-bench-serve-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	bin := c.reel
	if bin == "" {
		if bin, err = termtest.Build(dir, false); err != nil {
			return false, fmt.Errorf("%w (or pass -reel PATH)", err)
		}
	}
	srv, err := sim.Start(sim.Options{Seed: 1, Speed: 1, Addr: "127.0.0.1:" + strconv.Itoa(c.port+1)})
	if err != nil {
		return false, err
	}
	defer srv.Close()
	// Jobs generate through every phase, so frames keep coming.
	total := 6*c.window + 5*time.Minute
	var ids []string
	for i := range c.jobs {
		id, _ := srv.AddJob(sim.JobSpec{Generating: total + time.Duration(i)*time.Second, Age: 5 * time.Second})
		ids = append(ids, id)
	}

	// (0) the local dashboard.
	localHome := filepath.Join(dir, "local")
	env := append(termtest.Env(localHome, srv.URL(), srv.Token()), "COLORTERM=truecolor")
	local, err := termtest.Start(bin, env, c.w, c.h, ids...)
	if err != nil {
		return false, err
	}
	if _, err := local.WaitScreen("the jobs", func(s string) bool { return strings.Contains(s, "generating") }, 30*time.Second); err != nil {
		local.Close()
		return false, err
	}
	time.Sleep(2 * time.Second) // past the first frames
	b0, r0 := local.Bytes(), srv.Requests().Total
	time.Sleep(c.window)
	localRate := float64(local.Bytes()-b0) / c.window.Seconds()
	localReq := srv.Requests().Total - r0
	_ = local.Press("q")
	local.Close()
	fmt.Fprintf(out, "(0) local dashboard, %dx%d, %d jobs generating: %.0f B/s, %d API requests in %s\n",
		c.w, c.h, c.jobs, localRate, localReq, c.window)

	// reel serve.
	home := filepath.Join(dir, "serve")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return false, err
	}
	key, authLine, err := writeKey(home)
	if err != nil {
		return false, err
	}
	auth := filepath.Join(home, "authorized_keys")
	if err := os.WriteFile(auth, []byte(authLine+"\n"), 0o600); err != nil {
		return false, err
	}
	log := &syncBuf{}
	args := append([]string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(c.port), "--authorized-keys", auth,
		"--max-sessions", strconv.Itoa(c.sessions + 10)}, ids...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(termtest.Env(home, srv.URL(), srv.Token()), "COLORTERM=truecolor")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return false, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	if err := waitLog(log, "SSH on", 30*time.Second); err != nil {
		return false, err
	}
	pid := cmd.Process.Pid
	sshEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=xterm-256color", "COLORTERM=truecolor"}
	sshArgs := []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-F", "/dev/null", "-i", key, "-p", strconv.Itoa(c.port), "-t", "127.0.0.1"}
	login := func() (*termtest.Term, error) {
		tm, err := termtest.Start(c.ssh, sshEnv, c.w, c.h, sshArgs...)
		if err != nil {
			return nil, err
		}
		if _, err := tm.WaitScreen("the jobs", func(s string) bool { return strings.Contains(s, "generating") }, 60*time.Second); err != nil {
			tm.Close()
			return nil, err
		}
		return tm, nil
	}
	rssIdle, err := rss(pid)
	if err != nil {
		return false, err
	}
	time.Sleep(2 * time.Second) // the engine's first polls

	// (1) one session.
	first, err := login()
	if err != nil {
		return false, err
	}
	gOne := lastGoroutines(log.String())
	time.Sleep(2 * time.Second)
	b0, r0 = first.Bytes(), srv.Requests().Total
	time.Sleep(c.window)
	oneRate := float64(first.Bytes()-b0) / c.window.Seconds()
	oneReq := srv.Requests().Total - r0
	fmt.Fprintf(out, "(1) reel serve, 1 session: %.0f B/s, %d API requests in %s\n", oneRate, oneReq, c.window)

	// (2) many sessions at once.
	terms := []*termtest.Term{first}
	defer func() {
		for _, tm := range terms {
			tm.Close()
		}
	}()
	for len(terms) < c.sessions {
		tm, err := login()
		if err != nil {
			return false, fmt.Errorf("session %d: %w", len(terms)+1, err)
		}
		terms = append(terms, tm)
	}
	// What a session costs in goroutines, from the first login and the last.
	gSession := float64(lastGoroutines(log.String())-gOne) / float64(len(terms)-1)
	time.Sleep(2 * time.Second)
	starts := make([]int64, len(terms))
	for i, tm := range terms {
		starts[i] = tm.Bytes()
	}
	r0 = srv.Requests().Total
	cpu0, err := cpu.Used(pid)
	if err != nil {
		return false, err
	}
	time.Sleep(c.window)
	cpu1, _ := cpu.Used(pid)
	manyReq := srv.Requests().Total - r0
	var sum, most float64
	for i, tm := range terms {
		r := float64(tm.Bytes()-starts[i]) / c.window.Seconds()
		sum += r
		most = max(most, r)
	}
	perSession := sum / float64(len(terms))
	rssMany, _ := rss(pid)
	cpuShare := float64(cpu1-cpu0) / float64(c.window) // of one core
	fmt.Fprintf(out, "(2) reel serve, %d sessions: %d API requests in %s; %.0f B/s a session (most %.0f); "+
		"server RSS %.1f MB idle, %.1f MB with %d sessions (%.2f MB a session); CPU %.1f%% of a core (%.2f%% a session)\n",
		len(terms), manyReq, c.window, perSession, most, mb(rssIdle), mb(rssMany), len(terms),
		mb(rssMany-rssIdle)/float64(len(terms)), 100*cpuShare, 100*cpuShare/float64(len(terms)))
	for _, tm := range terms {
		_ = tm.Press("q")
		tm.Close()
	}
	terms = nil

	// (3) logins and logouts.
	// Every login is logged, and every logout; a session is gone when its
	// logout is.
	waitSessions := func(int) error {
		deadline := time.Now().Add(30 * time.Second)
		for countLogouts(log.String()) < countLogins(log.String()) {
			if time.Now().After(deadline) {
				return fmt.Errorf("sessions still open after 30 s: %d logins, %d logouts", countLogins(log.String()), countLogouts(log.String()))
			}
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	}
	if err := waitSessions(0); err != nil {
		return false, err
	}
	probe := func() (goroutines, files int, err error) {
		tm, err := login()
		if err != nil {
			return 0, 0, err
		}
		g := lastGoroutines(log.String())
		_ = tm.Press("q")
		_, _ = tm.Exit(20 * time.Second)
		tm.Close()
		if err := waitSessions(0); err != nil {
			return 0, 0, err
		}
		time.Sleep(200 * time.Millisecond)
		return g, openFiles(pid), nil
	}
	// cycles logs in n times, ending every other session with q and the
	// rest with kill -9 of ssh.
	cycles := func(n int) error {
		for i := range n {
			tm, err := termtest.Start(c.ssh, sshEnv, 80, 24, sshArgs...)
			if err != nil {
				return err
			}
			if _, err := tm.WaitScreen("the dashboard", func(s string) bool { return strings.Contains(s, "jobs") }, 60*time.Second); err != nil {
				tm.Close()
				return fmt.Errorf("cycle %d: %w", i, err)
			}
			if i%2 == 0 {
				_ = tm.Press("q")
				_, _ = tm.Exit(20 * time.Second)
			}
			tm.Close() // kill -9 of the client when it still runs
		}
		return waitSessions(0)
	}
	// Some things start once, at first use (the renderer's tables, the
	// engine's HTTP connections): a few logins first, as the unit test's
	// warm-up session.
	if err := cycles(20); err != nil {
		return false, err
	}
	// The least of a few logins: between logins the engine's requests in
	// flight come and go (two goroutines an HTTP connection), which is
	// noise, not a leak; a leak grows with the sessions and stays.
	probeMin := func() (int, int, error) {
		g, f := int(^uint(0)>>1), int(^uint(0)>>1)
		for range 5 {
			gi, fi, err := probe()
			if err != nil {
				return 0, 0, err
			}
			g, f = min(g, gi), min(f, fi)
		}
		return g, f, nil
	}
	g0, f0, err := probeMin()
	if err != nil {
		return false, err
	}
	start := time.Now()
	if err := cycles(c.cycles); err != nil {
		return false, err
	}
	elapsed := time.Since(start)
	if err := waitSessions(0); err != nil {
		return false, err
	}
	g1, f1, err := probeMin()
	if err != nil {
		return false, err
	}
	fmt.Fprintf(out, "(3) %d logins in %s (half ended by q, half by kill -9 of ssh): goroutines at a login (least of 5) %d → %d (a session costs %.0f), open files %d → %d\n",
		c.cycles, elapsed.Round(time.Second), g0, g1, gSession, f0, f1)

	ok := true
	if float64(manyReq) > float64(oneReq)*(1+c.reqSlack)+2 {
		fmt.Fprintf(out, "FAIL: %d sessions made %d API requests, one made %d: the sessions do not share one engine\n", len(starts), manyReq, oneReq)
		ok = false
	}
	if perSession > localRate*c.bytesRatio+200 {
		fmt.Fprintf(out, "FAIL: %.0f B/s a session, the local dashboard %.0f B/s\n", perSession, localRate)
		ok = false
	}
	// The engine's polls in flight come and go (a goroutine or two at any
	// instant); a leak of any part of a session leaves at least a session's
	// worth after 200.
	if float64(g1-g0) >= gSession || f1 > f0 {
		fmt.Fprintf(out, "FAIL: after %d sessions the server holds more goroutines or files than before\n", c.cycles)
		ok = false
	}
	if ok {
		fmt.Fprintln(out, "ok: every budget held")
	}
	return ok, nil
}

func writeKey(dir string) (path, line string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	block, err := gossh.MarshalPrivateKey(priv, "bench")
	if err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return "", "", err
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		return "", "", err
	}
	return path, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " bench", nil
}

func waitLog(log *syncBuf, what string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for !strings.Contains(log.String(), what) {
		if time.Now().After(deadline) {
			return fmt.Errorf("reel serve did not say %q within %s:\n%s", what, d, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

var (
	goroutinesRe = regexp.MustCompile(`msg=login .* sessions=(\d+) goroutines=(\d+)`)
)

func lastGoroutines(log string) int {
	m := goroutinesRe.FindAllStringSubmatch(log, -1)
	if len(m) == 0 {
		return -1
	}
	n, _ := strconv.Atoi(m[len(m)-1][2])
	return n
}

func countLogins(log string) int  { return strings.Count(log, "msg=login ") }
func countLogouts(log string) int { return strings.Count(log, "msg=logout ") }

// rss is the process's resident set, from /proc/PID/status.
func rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read the server's memory (Linux only): %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func openFiles(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
