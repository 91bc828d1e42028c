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
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi/kitty"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/termtest"
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
	reelBin, err = termtest.Build(dir, termtest.RaceEnabled())
	switch {
	case errors.Is(err, exec.ErrNotFound):
		skipBuild = "the go tool is not on PATH, so the reel binary cannot be built for end-to-end tests"
	case err != nil:
		fmt.Fprintf(os.Stderr, "end-to-end tests: %v\n", err)
		return 1
	}
	return m.Run()
}

func binary(t *testing.T) string {
	t.Helper()
	if reelBin == "" {
		t.Skip(skipBuild)
	}
	return reelBin
}

// reelEnv is a clean environment for a reel child of the simulator, with
// its state and config in a temporary folder.
func reelEnv(t *testing.T, srv *sim.Server) []string {
	return termtest.Env(t.TempDir(), srv.URL(), srv.Token())
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

// startTerm runs reel with args in a 160x45 pseudo-terminal.
func startTerm(t *testing.T, env []string, args ...string) *termtest.T {
	t.Helper()
	return termtest.StartT(t, binary(t), env, termW, termH, args...)
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

	tm.WaitScreen("a count for each status in the header", func(s string) bool {
		head, _, _ := strings.Cut(s, "\n")
		return termtest.ContainsAll("✓ 1 finished", "✗ 1 failed", "● 1 generating", "◌ 1 in queue")(head)
	}, waitFor)

	s := tm.WaitScreen("the finished job's length and size", func(s string) bool {
		row := termtest.LineWith(s, "job-fin")
		return termtest.ContainsAll("Quarterly update", "1m 23s", "3.0 MB")(row)
	}, waitFor)
	for id, word := range map[string]string{fail: "✗ failed", gen: "● generating", queue: "◌ in queue"} {
		if row := termtest.LineWith(s, id); !strings.Contains(row, word) {
			t.Errorf("row of %s = %q, want %q", id, row, word)
		}
	}

	// The first row is selected; enter opens its details.
	tm.Press("\r")
	thumb := srv.FileOrigin() + "/files/vid-fin.png"
	tm.WaitScreen("the thumbnail URL in the detail pane", termtest.ContainsAll("thumbnail", thumb), waitFor)
	link := regexp.MustCompile(`\x1b]8;[^;\x07\x1b]*;` + regexp.QuoteMeta(thumb) + `\?[^\x07\x1b]+(\x07|\x1b\\)`)
	if raw := tm.Raw(); !link.Match(raw) {
		t.Errorf("the thumbnail is not an OSC 8 link to the whole URL: no match for %s in the output", link)
	}

	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d after q, want 0; output:\n%s", code, tm.Raw())
	}
	raw := string(tm.Raw())
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
		line := termtest.LineWith(after, want.id)
		if !strings.Contains(line, want.name) || !strings.Contains(line, want.word) {
			t.Errorf("summary line for %s = %q, want its status word %q and name %q", want.id, line, want.word, want.name)
		}
	}
	if main := tm.Screen(); !strings.Contains(main, "Quarterly update") {
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
	tm.WaitScreen("the cleaned name", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "job-evil"), clean)
	}, waitFor)
	tm.Press("\r") // the detail pane shows the name too
	tm.WaitScreen("the detail pane", termtest.ContainsAll("thumbnail"), waitFor)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d, want 0", code)
	}

	raw := tm.Raw()
	for _, bad := range hostileBytes(raw) {
		t.Errorf("raw output holds %s from the server's name", bad)
	}
	if i := bytes.LastIndex(raw, []byte("\x1b[?1049l")); i < 0 || !strings.Contains(termtest.LineWith(string(raw[i:]), "job-evil"), clean) {
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
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel status exited %d, want 0; output:\n%s", code, tm.Raw())
	}
	raw := tm.Raw()
	for _, bad := range hostileBytes(raw) {
		t.Errorf("reel status on a terminal wrote %s from the server's name", bad)
	}
	if row := termtest.LineWith(tm.Screen(), "job-evil"); !strings.Contains(row, "Evil one two") {
		t.Errorf("row = %q, want the start of the cleaned name", row)
	}
}

// TestKeyNeverLeavesTheAPIClient runs a dashboard with a debug log against
// a simulator whose token is distinctive, then looks for that token in
// every byte reel wrote: the screen, the debug log, the store, the config
// folder.
func TestKeyNeverLeavesTheAPIClient(t *testing.T) {
	t.Parallel()
	const key = "reel-test-key-9f8e7d6c5b4a"
	srv, err := sim.Start(sim.Options{Seed: 42, Speed: 10, Token: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	fin, fail, gen, queue := knownJobs(srv)
	home := t.TempDir()
	logFile := filepath.Join(home, "debug.log")
	tm := startTerm(t, termtest.Env(home, srv.URL(), key), "--debug", logFile, fin, fail, gen, queue)
	tm.WaitScreen("the finished job's row", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "job-fin"), "Quarterly update")
	}, waitFor)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if bytes.Contains(tm.Raw(), []byte(key)) {
		t.Error("the key reached the terminal")
	}
	files := 0
	err = filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(key)) {
			t.Errorf("the key is in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(logFile); err != nil || fi.Size() == 0 {
		t.Errorf("the debug log was not written (%v): the check above proves nothing", err)
	}
	if files < 2 {
		t.Errorf("only %d files under the state folder: the store should be there", files)
	}
}

// blockLines counts the screen lines that hold a run of half blocks.
func blockLines(screen string) int {
	n := 0
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, strings.Repeat("▀", 10)) {
			n++
		}
	}
	return n
}

func TestDashboardShowsTheThumbnailInHalfBlocks(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fin, fail, _, _ := knownJobs(srv)
	tm := startTerm(t, reelEnv(t, srv), fin, fail)
	tm.WaitScreen("the finished job", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "job-fin"), "3.0 MB")
	}, waitFor)
	tm.Press("\r")
	s := tm.WaitScreen("the picture beside the facts", func(s string) bool {
		return blockLines(s) >= 5 && strings.Contains(s, "length")
	}, waitFor)
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "▀▀▀▀▀▀▀▀▀▀") && !strings.Contains(l, "│") {
			t.Errorf("half blocks outside the detail pane: %q", l)
		}
	}
	// The cells carry colours: a picture, not a row of glyphs.
	if raw := string(tm.Raw()); !regexp.MustCompile(`\x1b\[[0-9;]*48;(5|2);[0-9;]+m▀`).MatchString(raw) {
		t.Error("no half block with a background colour in the output")
	}
	// The failed job has no picture: it leaves with the selection.
	tm.Press("j")
	tm.WaitScreen("the picture gone with the selection", func(s string) bool {
		return blockLines(s) == 0 && strings.Contains(s, "avatar not available")
	}, waitFor)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d after q, want 0", code)
	}
}

// In kitty mode the picture is text too: placeholders, each carrying its
// row and column as diacritics, that Bubble Tea's renderer must keep
// whole, cell by cell, once the image itself has been sent.
func TestDashboardKeepsKittyPlaceholdersWhole(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fin, _, _, _ := knownJobs(srv)
	env := reelEnv(t, srv)
	var cfgDir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			cfgDir = filepath.Join(v, "reel")
		}
	}
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("thumbnails = \"kitty\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := startTerm(t, env, fin)
	tm.WaitScreen("the finished job", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "job-fin"), "3.0 MB")
	}, waitFor)
	tm.Press("\r")
	// 320×180 in a box of 24×12 cells (the side pane, 160 wide): 24×7.
	const cols, rows = 24, 7
	s := tm.WaitScreen("the placeholders", func(s string) bool {
		return strings.Count(s, "\U0010EEEE") >= cols*rows
	}, waitFor)
	if n := strings.Count(s, "\U0010EEEE"); n != cols*rows {
		t.Errorf("%d placeholders on the screen, want %d", n, cols*rows)
	}
	// The last row's last cell: its own row and column, not a neighbour's.
	last := "\U0010EEEE" + string(kitty.Diacritic(rows-1)) + string(kitty.Diacritic(cols-1))
	if !strings.Contains(s, last) {
		t.Error("the last placeholder lost its row and column diacritics")
	}
	// The image itself is written by a command, after the frame that
	// holds its placeholders may have gone out.
	tm.WaitScreen("the image transmitted", func(string) bool { return strings.Contains(string(tm.Raw()), "U=1") }, waitFor)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d after q, want 0", code)
	}
	if n := strings.Count(string(tm.Raw()), "U=1"); n != 1 {
		t.Errorf("the image was transmitted %d times, want once", n)
	}
}
