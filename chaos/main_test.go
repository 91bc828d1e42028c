package chaos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// reelBin is the reel binary the tests run, built once by TestMain.
var reelBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reel-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin := filepath.Join(dir, "reel")
	args := []string{"build", "-o", bin}
	if raceEnabled() {
		args = append(args, "-race") // the child gets the checks the tests get
	}
	cmd := exec.Command("go", append(args, "..")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building reel: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	reelBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// reelEnv is a child's environment: the API at baseURL, and every place
// reel keeps state or config under home.
func reelEnv(home, baseURL, token string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"TERM=xterm-256color",
		"COLOSSYAN_BASE_URL=" + baseURL,
		"COLOSSYAN_API_KEY=" + token,
	}
}

const termW, termH = 160, 45

// term is reel running in a pseudo-terminal, its output read back through
// a terminal emulator.
type term struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu      sync.Mutex
	emu     *vt.Emulator
	raw     bytes.Buffer
	chunks  int
	changed chan struct{} // closed and replaced after each chunk
	eof     chan struct{}

	exited  chan struct{}
	waitErr error
	replied chan struct{}
}

func startTerm(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	cmd := exec.Command(reelBin, args...)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: termW, Rows: termH})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{
		t: t, cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(termW, termH),
		changed: make(chan struct{}), eof: make(chan struct{}),
		exited: make(chan struct{}), replied: make(chan struct{}),
	}
	// The emulator's answers to the program's queries go back to it.
	go func() {
		defer close(tm.replied)
		_, _ = io.Copy(ptmx, tm.emu)
	}()
	go tm.read()
	go func() {
		tm.waitErr = cmd.Wait()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			_ = cmd.Process.Kill()
			<-tm.exited
		}
		<-tm.eof
		_ = ptmx.Close()
		go func() { _, _ = tm.emu.InputPipe().Write([]byte{0}) }()
		<-tm.replied
		_ = tm.emu.Close()
		if t.Failed() {
			t.Logf("screen at the end:\n%s", tm.screen())
		}
	})
	return tm
}

func (tm *term) read() {
	defer close(tm.eof)
	buf := make([]byte, 64*1024)
	for {
		n, err := tm.ptmx.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.raw.Write(buf[:n])
			_, _ = tm.emu.Write(buf[:n])
			tm.chunks++
			close(tm.changed)
			tm.changed = make(chan struct{})
			tm.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

func (tm *term) rawOutput() []byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return bytes.Clone(tm.raw.Bytes())
}

// waitScreen returns the screen once cond holds, checking after each chunk
// of output; it fails the test at the timeout or when output ends first.
func (tm *term) waitScreen(what string, cond func(string) bool, timeout time.Duration) string {
	tm.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		s, next := tm.emu.String(), tm.changed
		tm.mu.Unlock()
		if cond(s) {
			return s
		}
		select {
		case <-next:
		case <-tm.eof:
			if s := tm.screen(); cond(s) {
				return s
			}
			tm.t.Fatalf("output ended before the screen showed %s; screen:\n%s", what, tm.screen())
		case <-deadline.C:
			tm.t.Fatalf("after %v the screen still does not show %s; screen:\n%s", timeout, what, tm.screen())
		}
	}
}

// nextChunk waits for the next piece of output after now and reports how
// long it took, or false at the timeout.
func (tm *term) afterKey(keys string, timeout time.Duration) (time.Duration, bool) {
	tm.mu.Lock()
	next := tm.changed
	tm.mu.Unlock()
	start := time.Now()
	tm.press(keys)
	select {
	case <-next:
		return time.Since(start), true
	case <-time.After(timeout):
		return timeout, false
	}
}

func (tm *term) press(keys string) {
	tm.t.Helper()
	if _, err := tm.ptmx.Write([]byte(keys)); err != nil {
		tm.t.Fatalf("typing %q: %v", keys, err)
	}
}

// exit waits for the program to end and its output to drain, and returns
// its exit code.
func (tm *term) exit(timeout time.Duration) int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(timeout):
		tm.t.Fatalf("reel still running after %v; screen:\n%s", timeout, tm.screen())
	}
	select {
	case <-tm.eof:
	case <-time.After(timeout):
		tm.t.Fatal("the terminal's output did not end after reel exited")
	}
	var ee *exec.ExitError
	if errors.As(tm.waitErr, &ee) {
		return ee.ExitCode()
	}
	if tm.waitErr != nil {
		tm.t.Fatal(tm.waitErr)
	}
	return 0
}
