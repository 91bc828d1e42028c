package main

// End-to-end tests of the real binary: reel runs in a pseudo-terminal against
// the simulator, and what it writes is read back through a terminal emulator,
// as a user would see it. Screen waits are driven by the output: a condition
// is checked again after each chunk arrives, with a deadline only as a
// safety net.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/termsafe"
)

const (
	termW, termH = 160, 45
	waitFor      = 20 * time.Second // a safety net; waits end on output
)

// reelBin is the binary under test, built once by TestMain; skipBuild says
// why there is none.
var reelBin, skipBuild string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "reel-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if gobin, err := exec.LookPath("go"); err != nil {
		skipBuild = "the go tool is not on PATH, so the reel binary cannot be built for end-to-end tests"
	} else {
		bin := filepath.Join(dir, "reel")
		args := []string{"build", "-o", bin}
		if raceEnabled() {
			args = append(args, "-race") // the binary gets the checks the tests get
		}
		cmd := exec.Command(gobin, append(args, ".")...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building reel for end-to-end tests: %v\n", err)
			return 1
		}
		reelBin = bin
	}
	return m.Run()
}

// raceEnabled reports whether this test binary was built with -race.
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

func binary(t *testing.T) string {
	t.Helper()
	if reelBin == "" {
		t.Skip(skipBuild)
	}
	return reelBin
}

// reelEnv is a clean environment for a reel child: the simulator's URL and
// token, and every place reel keeps state or config in a temporary folder,
// so the user's own store and config are never touched.
func reelEnv(t *testing.T, srv *sim.Server) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"TERM=xterm-256color",
		"COLOSSYAN_BASE_URL=" + srv.URL(),
		"COLOSSYAN_API_KEY=" + srv.Token(),
	}
}

// startSim serves a simulator with no preset jobs; tests add their own so
// every state is known.
func startSim(t *testing.T) *sim.Server {
	t.Helper()
	srv, err := sim.Start(sim.Options{Seed: 42, Speed: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// term is reel running in a pseudo-terminal, its output fed to an emulator.
type term struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu      sync.Mutex
	emu     *vt.Emulator
	raw     bytes.Buffer
	changed chan struct{} // closed and replaced after each chunk
	eof     chan struct{} // closed when the output ends

	exited  chan struct{}
	waitErr error
	replied chan struct{} // closed when the answers' goroutine ends
}

// startTerm runs reel with args in a 160x45 pseudo-terminal.
func startTerm(t *testing.T, env []string, args ...string) *term {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: termW, Rows: termH})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{
		t: t, cmd: cmd, ptmx: ptmx,
		emu:     vt.NewEmulator(termW, termH),
		changed: make(chan struct{}),
		eof:     make(chan struct{}),
		exited:  make(chan struct{}),
		replied: make(chan struct{}),
	}
	// The emulator answers the program's queries (DA, DECRQM, OSC 11) by
	// writing to its own pipe, and blocks until they are read: they go back
	// to the program as a terminal's answers would.
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
		// vt's Close races with a pending Read, so the answers' goroutine
		// is ended instead by a byte it cannot pass on to the closed pty.
		go func() { _, _ = tm.emu.InputPipe().Write([]byte{0}) }()
		<-tm.replied
		_ = tm.emu.Close() // ends the nudge if the goroutine had already gone
		if t.Failed() {
			t.Logf("screen at the end:\n%s", tm.screen())
		}
	})
	return tm
}

// read feeds the program's output to the emulator until the terminal
// closes (EIO on Linux once the child has gone).
func (tm *term) read() {
	defer close(tm.eof)
	buf := make([]byte, 32*1024)
	for {
		n, err := tm.ptmx.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.raw.Write(buf[:n])
			_, _ = tm.emu.Write(buf[:n])
			close(tm.changed)
			tm.changed = make(chan struct{})
			tm.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// screen is the text on the emulator's screen now.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// rawOutput is every byte the program has written so far.
func (tm *term) rawOutput() []byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return bytes.Clone(tm.raw.Bytes())
}

// waitScreen returns the screen once cond holds, checking again each time
// output arrives; it fails the test at the timeout or when the output ends
// first.
func waitScreen(t *testing.T, tm *term, what string, cond func(screen string) bool, timeout time.Duration) string {
	t.Helper()
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
			t.Fatalf("output ended before the screen showed %s; screen:\n%s", what, tm.screen())
		case <-deadline.C:
			t.Fatalf("after %v the screen still does not show %s; screen:\n%s", timeout, what, tm.screen())
		}
	}
}

// press writes keys to the terminal as typed.
func (tm *term) press(keys string) {
	tm.t.Helper()
	if _, err := tm.ptmx.Write([]byte(keys)); err != nil {
		tm.t.Fatalf("typing %q: %v", keys, err)
	}
}

// exit waits for the program to end and the output to drain, and returns
// its exit code.
func (tm *term) exit(timeout time.Duration) int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(timeout):
		tm.t.Fatalf("reel still running %v after quitting; screen:\n%s", timeout, tm.screen())
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

func containsAll(subs ...string) func(string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}
}

// lineWith is the screen line holding sub, or "".
func lineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// knownJobs adds one job in each state the dashboard tells apart, with
// short ids so they show whole, and returns their job ids in order.
func knownJobs(srv *sim.Server) (finished, failed, generating, queued string) {
	const ago = time.Hour // long since ended
	finished, _ = srv.AddJob(sim.JobSpec{
		ID: "job-fin", VideoID: "vid-fin", Name: "Quarterly update",
		Generating: time.Minute, Age: ago, VideoDuration: 83, VideoSize: 3_000_000,
	})
	failed, _ = srv.AddJob(sim.JobSpec{
		ID: "job-fail", VideoID: "vid-fail", Name: "Broken avatar",
		Generating: time.Minute, Age: ago, Fail: true, FailReason: "avatar not available",
	})
	generating, _ = srv.AddJob(sim.JobSpec{
		ID: "job-gen", VideoID: "vid-gen", Name: "Long lecture",
		Generating: 1000 * time.Hour,
	})
	queued, _ = srv.AddJob(sim.JobSpec{
		ID: "job-queue", VideoID: "vid-queue", Name: "Waiting room",
		Queued: 1000 * time.Hour,
	})
	return
}

func TestDashboardShowsJobsDetailsAndSummary(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fin, fail, gen, queue := knownJobs(srv)
	tm := startTerm(t, reelEnv(t, srv), fin, fail, gen, queue)

	waitScreen(t, tm, "a count for each status in the header", func(s string) bool {
		head, _, _ := strings.Cut(s, "\n")
		return containsAll("✓ 1 finished", "✗ 1 failed", "● 1 generating", "◌ 1 in queue")(head)
	}, waitFor)

	s := waitScreen(t, tm, "the finished job's length and size", func(s string) bool {
		row := lineWith(s, "job-fin")
		return containsAll("Quarterly update", "1m 23s", "3.0 MB")(row)
	}, waitFor)
	// Only a finished job's video is fetched, so only it has a name.
	for id, word := range map[string]string{fail: "✗ failed", gen: "● generating", queue: "◌ in queue"} {
		if row := lineWith(s, id); !strings.Contains(row, word) {
			t.Errorf("row of %s = %q, want %q", id, row, word)
		}
	}

	// The first row is selected; enter opens its details.
	tm.press("\r")
	thumb := srv.FileOrigin() + "/files/vid-fin.png"
	waitScreen(t, tm, "the thumbnail URL in the detail pane", containsAll("thumbnail", thumb), waitFor)
	link := regexp.MustCompile(`\x1b]8;[^;\x07\x1b]*;` + regexp.QuoteMeta(thumb) + `\?[^\x07\x1b]+(\x07|\x1b\\)`)
	if raw := tm.rawOutput(); !link.Match(raw) {
		t.Errorf("the thumbnail is not an OSC 8 link to the whole URL: no match for %s in the output", link)
	}

	tm.press("q")
	if code := tm.exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d after q, want 0; output:\n%s", code, tm.rawOutput())
	}
	raw := string(tm.rawOutput())
	i := strings.LastIndex(raw, "\x1b[?1049l")
	if i < 0 {
		t.Fatal("reel never left the alternate screen")
	}
	after := raw[i:]
	for _, want := range []struct{ id, word, name string }{
		{fin, "✓ finished", "Quarterly update"},
		{fail, "✗ failed", ""},
		{gen, "● generating", ""},
		{queue, "◌ in queue", ""},
	} {
		line := lineWith(after, want.id)
		if !strings.Contains(line, want.name) || !strings.Contains(line, want.word) {
			t.Errorf("summary line for %s = %q, want its status word %q and name %q", want.id, line, want.word, want.name)
		}
	}
	if main := tm.screen(); !strings.Contains(main, "Quarterly update") {
		t.Errorf("the summary is not on the main screen after quitting:\n%s", main)
	}
}

// hostileName carries every kind of sequence a server could use to take
// over a terminal: a window resize (CSI), a title (OSC 0), a hyperlink
// (OSC 8), a clipboard write (OSC 52), a DCS, C1 forms of CSI and OSC, a bidi
// override and a carriage return that would overwrite the row.
const hostileName = "Evil\x1b[8;1;1t one\x1b]0;pwned\x07 two\x1b]8;;https://evil.example/\x07three\x1b]8;;\x07" +
	" four\x1b]52;c;cHduZWQ=\x07 five\x1bPq#0;2;0;0;0\x1b\\ six\u009b8;1;1t seven\u009d0;c1pwned\u009c" +
	" \u202eeight\rnine"

func TestHostileNameNeverReachesTheTerminal(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	id, _ := srv.AddJob(sim.JobSpec{ID: "job-evil", VideoID: "vid-evil", Name: hostileName, Age: time.Hour, VideoSize: 1_500_000, VideoDuration: 61})
	tm := startTerm(t, reelEnv(t, srv), id)

	clean := termsafe.Clean(hostileName)
	waitScreen(t, tm, "the cleaned name", func(s string) bool {
		return strings.Contains(lineWith(s, "job-evil"), clean)
	}, waitFor)
	tm.press("\r") // the detail pane shows the name too
	waitScreen(t, tm, "the detail pane", containsAll("thumbnail"), waitFor)
	tm.press("q")
	if code := tm.exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d, want 0", code)
	}

	raw := tm.rawOutput()
	for _, bad := range hostileBytes(raw) {
		t.Errorf("raw output holds %s from the server's name", bad)
	}
	if i := bytes.LastIndex(raw, []byte("\x1b[?1049l")); i < 0 || !strings.Contains(lineWith(string(raw[i:]), "job-evil"), clean) {
		t.Errorf("the summary after the alternate screen lacks the cleaned name %q", clean)
	}
}

// hostileBytes lists what in raw output came from hostileName unharmed.
func hostileBytes(raw []byte) []string {
	var found []string
	for _, bad := range []string{
		"\x1b[8;1;1t", "\x1b]0;pwned", "\x1b]2;pwned", "pwned", "evil.example", "\x1b]52", "\x1bP", "\u202e", "\rnine",
	} {
		if bytes.Contains(raw, []byte(bad)) {
			found = append(found, fmt.Sprintf("%q", bad))
		}
	}
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && n == 1 && raw[i] >= 0x80 && raw[i] <= 0x9f:
			found = append(found, fmt.Sprintf("the bare C1 byte %#x at %d", raw[i], i))
		case r >= 0x80 && r <= 0x9f:
			found = append(found, fmt.Sprintf("the C1 control U+%04X at %d", r, i))
		}
		i += n
	}
	return found
}

// TestHostileBytesFindsEachSequence keeps the check above honest: every
// piece of the hostile name is caught when it arrives as it is.
func TestHostileBytesFindsEachSequence(t *testing.T) {
	t.Parallel()
	found := hostileBytes([]byte(hostileName + "\x9b"))
	if len(found) < 11 {
		t.Errorf("hostileBytes found only %d of 11 dangers: %v", len(found), found)
	}
	if found := hostileBytes([]byte(termsafe.Clean(hostileName) + "\x1b[2J\x1b]8;;https://ok.example/\x07✓●◌│─…⊘◐✗")); len(found) > 0 {
		t.Errorf("hostileBytes flags clean output: %v", found)
	}
}

func TestStatusJSONPipedHasNoEscapesAndKeepsTheRawName(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	id, _ := srv.AddJob(sim.JobSpec{ID: "job-evil", VideoID: "vid-evil", Name: hostileName, Age: time.Hour})
	cmd := exec.Command(binary(t), "status", "--json", id)
	cmd.Env = reelEnv(t, srv)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("reel status --json: %v\nstderr: %s", err, errOut.String())
	}
	if i := bytes.IndexByte(out.Bytes(), 0x1b); i >= 0 {
		t.Errorf("piped output holds ESC at %d: %q", i, out.Bytes()[max(0, i-20):min(out.Len(), i+20)])
	}
	if bytes.Contains(errOut.Bytes(), []byte{0x1b}) {
		t.Errorf("piped stderr holds ESC: %q", errOut.String())
	}
	var got []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Video  struct {
			Name string `json:"name"`
		} `json:"video"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out.String())
	}
	if len(got) != 1 || got[0].ID != id || got[0].Status != "finished" {
		t.Fatalf("got %+v, want one finished job %s", got, id)
	}
	if got[0].Video.Name != hostileName {
		t.Errorf("video name = %q, want the raw name %q", got[0].Video.Name, hostileName)
	}
}

func TestStatusTableInATerminalIsClean(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	id, _ := srv.AddJob(sim.JobSpec{ID: "job-evil", VideoID: "vid-evil", Name: hostileName, Age: time.Hour})
	tm := startTerm(t, reelEnv(t, srv), "status", id)
	if code := tm.exit(waitFor); code != 0 {
		t.Fatalf("reel status exited %d, want 0; output:\n%s", code, tm.rawOutput())
	}
	raw := tm.rawOutput()
	for _, bad := range hostileBytes(raw) {
		t.Errorf("reel status on a terminal wrote %s from the server's name", bad)
	}
	if row := lineWith(tm.screen(), "job-evil"); !strings.Contains(row, "Evil one two") {
		t.Errorf("row = %q, want the start of the cleaned name", row)
	}
}
