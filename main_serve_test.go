package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/termtest"
)

// sshClient is Debian's OpenSSH client, which .ci/run installs.
const sshClient = "/usr/bin/ssh"

// lockedBuffer is a buffer one process writes and a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sshKey writes a new Ed25519 key pair into dir as name and name.pub and
// returns the private key's path and the public key's authorized_keys line.
func sshKey(t *testing.T, dir, name string) (path, line string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, name)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " " + name
}

// What reel serve says at start: where it listens for SSH and for
// callbacks (with the secret left out).
var (
	sshOnRe       = regexp.MustCompile(`SSH on 127\.0\.0\.1:([1-9][0-9]*) `)
	callbacksAtRe = regexp.MustCompile(`callbacks at http://127\.0\.0\.1:([1-9][0-9]*)/callback/SECRET `)
)

// served is a reel serve process and what a client needs to reach it.
type served struct {
	port int
	hook int // the callback receiver's port (--listen)
	home string
	log  *lockedBuffer
	keys map[string]string // name → private key path
}

// startServe runs reel serve on the simulator with the given IDs; keys
// are written for "full" (alice), "ro" (bob, reel-readonly among other
// options), "ro2" (carol: a line refused for from= that says
// reel-readonly, then a plain line) and "stranger" (not in the file),
// with a bad line between the first two.
func startServe(t *testing.T, env []string, ids ...string) *served {
	t.Helper()
	if _, err := os.Stat(sshClient); err != nil {
		t.Skipf("the OpenSSH client is not at %s (apt-get install openssh-client)", sshClient)
	}
	home := t.TempDir()
	s := &served{home: home, log: &lockedBuffer{}, keys: map[string]string{}}
	var lines []string
	for _, name := range []string{"full", "ro", "ro2", "stranger"} {
		path, line := sshKey(t, home, name)
		s.keys[name] = path
		switch name {
		case "full":
			lines = append(lines, line, "ssh-ed25519 not-base64 a broken line")
		case "ro":
			lines = append(lines, "no-agent-forwarding,Reel-Readonly,no-X11-forwarding "+line)
		case "ro2":
			lines = append(lines, `from="10.0.0.0/8,127.0.0.0/8",reel-readonly `+line, line)
		}
	}
	auth := filepath.Join(home, "authorized_keys")
	if err := os.WriteFile(auth, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Port 0 for both: reel serve binds what the system gives and says
	// which in its log, so no port is probed, closed and bound again (when
	// another process may take it).
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--authorized-keys", auth,
		"--host-key", filepath.Join(home, "host_key"), "--listen", "127.0.0.1:0", "--download-dir", filepath.Join(home, "videos")}, ids...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(waitFor):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("reel serve did not end within %v of an interrupt", waitFor)
		}
		if t.Failed() {
			t.Logf("reel serve's log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(waitFor)
	for {
		// Both lines are written before the server takes its first login.
		ssh := sshOnRe.FindStringSubmatch(s.log.String())
		hook := callbacksAtRe.FindStringSubmatch(s.log.String())
		if ssh != nil && hook != nil {
			s.port, _ = strconv.Atoi(ssh[1])
			s.hook, _ = strconv.Atoi(hook[1])
			break
		}
		select {
		case <-done:
			t.Fatalf("reel serve ended at start:\n%s", s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("reel serve did not start within %v:\n%s", waitFor, s.log.String())
		}
	}
	return s
}

// sshArgs log in with the named key only, trusting the new host key.
func (s *served) sshArgs(key string, extra ...string) []string {
	return append([]string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
		"-F", "/dev/null", "-i", s.keys[key], "-p", strconv.Itoa(s.port)}, append(extra, "127.0.0.1")...)
}

// sshEnv is the client's environment: its own HOME, so the user's
// ~/.ssh is never read.
func (s *served) sshEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.home, "TERM=xterm-256color"}
}

func (s *served) login(t *testing.T, key string, w, h int) *termtest.T {
	t.Helper()
	return termtest.StartT(t, sshClient, s.sshEnv(), w, h, s.sshArgs(key, "-t")...)
}

// TestServeGivesEachSessionItsOwnDashboard logs in twice at once with the
// real OpenSSH client: each session has its own size, resizes, filter and
// rights; o reaches the viewer's clipboard through the session; a
// read-only key may not add, and a key not in the file is refused.
func TestServeGivesEachSessionItsOwnDashboard(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fin, fail, gen, queue := knownJobs(srv)
	s := startServe(t, reelEnv(t, srv), fin, fail, gen, queue)

	if !strings.Contains(s.log.String(), "line 2: not a public key") {
		t.Errorf("the bad line of authorized_keys is not named by its number:\n%s", s.log.String())
	}
	if want := `line 4: option "from" is not one reel serve enforces`; !strings.Contains(s.log.String(), want) ||
		!strings.Contains(s.log.String(), "that key still logs in through line 5, read-only") {
		t.Errorf("the from= line is not named with what its key may still do:\n%s", s.log.String())
	}

	alice := s.login(t, "full", 120, 30)
	bob := s.login(t, "ro", 90, 24)
	// One host receives the callbacks and serves the screens: the URL it
	// gives (startServe read its port) is where it listens.
	if s.hook == s.port {
		t.Errorf("reel serve gives its SSH port %d for callbacks too", s.port)
	} else if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.hook)); err != nil {
		t.Errorf("reel serve says it receives callbacks on port %d, but: %v", s.hook, err)
	} else {
		c.Close()
	}
	for _, v := range []struct {
		tm   *termtest.T
		head string
	}{{alice, "full"}, {bob, "read-only · ro"}} {
		v.tm.WaitScreen("the jobs and "+v.head+" in the header", func(sc string) bool {
			head, _, _ := strings.Cut(sc, "\n")
			return strings.Contains(sc, "Quarterly update") && strings.Contains(sc, "job-fail") && strings.Contains(head, v.head)
		}, waitFor)
	}
	if head, _, _ := strings.Cut(alice.Screen(), "\n"); strings.Contains(head, "read-only") {
		t.Errorf("a full key's header says read-only: %q", head)
	}

	// Each window has its own size: the footer sits on each one's last line.
	for _, v := range []struct {
		tm   *termtest.T
		w, h int
	}{{alice, 120, 30}, {bob, 90, 24}} {
		v.tm.WaitScreen(fmt.Sprintf("the footer on line %d", v.h), footerOn(v.h), waitFor)
	}

	// A resize reaches bob's dashboard only.
	if err := bob.Resize(70, 18); err != nil {
		t.Fatal(err)
	}
	bob.WaitScreen("the footer on line 18 after the resize", footerOn(18), waitFor)

	// Alice's filter is hers: bob still sees every job.
	alice.Press("/Quarterly\r")
	alice.WaitScreen("only the filtered job", func(sc string) bool {
		return strings.Contains(sc, "Quarterly update") && !strings.Contains(sc, "job-fail")
	}, waitFor)
	if sc := bob.Screen(); !strings.Contains(sc, "job-fail") {
		t.Errorf("alice's filter reached bob's screen:\n%s", sc)
	}

	// o on the finished job: the link goes to alice's clipboard with OSC 52
	// through the session, and shows; no browser starts on the server.
	alice.Press("o")
	alice.WaitScreen("that the server opens no browser", termtest.ContainsAll("the server opens no browser", "clipboard"), waitFor)
	link := srv.FileOrigin() + "/files/vid-fin.mp4"
	osc := regexp52(alice.Raw())
	if !strings.Contains(osc, link) {
		t.Errorf("no OSC 52 with the link %s reached the client's terminal (decoded clipboard writes: %q)", link, osc)
	}

	// A read-only key may not add, and nothing was added.
	bob.Press("a")
	bob.WaitScreen("the refusal to add", termtest.ContainsAll("read-only"), waitFor)
	if sc := bob.Screen(); strings.Contains(sc, "add IDs") || strings.Contains(sc, "paste") {
		t.Errorf("a read-only key opened the add prompt:\n%s", sc)
	}
	bob.Press("x")
	bob.WaitScreen("the refusal to stop tracking", termtest.ContainsAll("may not stop tracking"), waitFor)
	bob.Press("R")
	bob.WaitScreen("the refusal to refresh every job", termtest.ContainsAll("may not refresh every job"), waitFor)

	// Carol's key is read-only: one of its lines says so, though that line
	// is left out for its from=.
	carol := s.login(t, "ro2", 80, 24)
	carol.WaitScreen("read-only in carol's header", func(sc string) bool {
		head, _, _ := strings.Cut(sc, "\n")
		return strings.Contains(sc, "job-fail") && strings.Contains(head, "read-only · ro2")
	}, waitFor)
	carol.Press("q")
	if code := carol.Exit(waitFor); code != 0 {
		t.Errorf("carol's ssh exited %d after q, want 0", code)
	}
	if sc := bob.Screen(); !termtest.ContainsAll("job-fin", "job-fail", "job-gen", "job-queue")(sc) {
		t.Errorf("a read-only key stopped tracking a job:\n%s", sc)
	}

	// A key that is not in the file is refused, and the refusal logged
	// with its fingerprint, never the key.
	cmd := exec.Command(sshClient, s.sshArgs("stranger", "-T")...)
	cmd.Env = s.sshEnv()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("a key not in authorized_keys got in: err %v, output %q", err, out)
	}
	pubBytes, err := os.ReadFile(s.keys["stranger"])
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pubBytes)
	if err != nil {
		t.Fatal(err)
	}
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	logText := s.log.String()
	if !strings.Contains(logText, "login refused") || !strings.Contains(logText, fp) {
		t.Errorf("the refusal of %s is not logged:\n%s", fp, logText)
	}
	if wire := base64.StdEncoding.EncodeToString(signer.PublicKey().Marshal()); strings.Contains(logText, wire) {
		t.Error("the log holds a public key itself, not only its fingerprint")
	}
	for _, who := range []string{"mode=full", "mode=read-only"} {
		if !strings.Contains(logText, "msg=login") || !strings.Contains(logText, who) {
			t.Errorf("no login logged with %s:\n%s", who, logText)
		}
	}

	// q ends alice's session, and her ssh exits cleanly; bob's goes on.
	alice.Press("q")
	if code := alice.Exit(waitFor); code != 0 {
		t.Errorf("ssh exited %d after q, want 0", code)
	}
	bob.Press("j")
	bob.WaitScreen("bob's dashboard still running", termtest.ContainsAll("Quarterly update"), waitFor)

	// kill -9 of bob's ssh: the server sees the session end.
	bob.Close()
	deadline := time.Now().Add(waitFor)
	for strings.Count(s.log.String(), "msg=logout") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no logout logged within %v of kill -9 of the client:\n%s", waitFor, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// footerOn holds when the key footer is on line h of the screen and
// nothing is below it: the dashboard was drawn for h lines.
func footerOn(h int) func(string) bool {
	return func(sc string) bool {
		lines := strings.Split(strings.TrimRight(sc, "\n"), "\n")
		return len(lines) == h && strings.Contains(lines[h-1], "q quit")
	}
}

// regexp52 decodes every OSC 52 clipboard write in raw output and returns
// them joined.
func regexp52(raw []byte) string {
	var out []string
	s := string(raw)
	for {
		i := strings.Index(s, "\x1b]52;")
		if i < 0 {
			break
		}
		s = s[i+5:]
		end := strings.IndexAny(s, "\x07\x1b")
		if end < 0 {
			break
		}
		_, data, _ := strings.Cut(s[:end], ";")
		if b, err := base64.StdEncoding.DecodeString(data); err == nil {
			out = append(out, string(b))
		}
		s = s[end:]
	}
	return strings.Join(out, "\n")
}
