package main

// End-to-end checks of what a newcomer meets first: the demo, and what a
// quit leaves in the scrollback.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/termtest"
)

// TestDemoDownloadsIntoATempFolder: d and D in `reel demo` save into a
// folder of their own, named on screen, never into the current folder
// (which, for `go run . demo`, is a git checkout).
func TestDemoDownloadsIntoATempFolder(t *testing.T) {
	t.Parallel()
	home, cwd, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + tmp, "TERM=xterm-256color",
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
	}
	tm := termtest.StartTIn(t, cwd, binary(t), env, termW, termH, "demo", "--speed", "50")
	tm.WaitScreen("the notice naming the demo's download folder", termtest.ContainsAll("d saves into "+filepath.Join(tmp, "reel-demo-")), waitFor)
	tm.WaitScreen("a finished job with its video's details", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "✓ finished"), " MB")
	}, waitFor)
	tm.Press("D")
	// The batch's last word starts with "saved"; while it runs, with
	// "downloading".
	s := tm.WaitScreen("the downloads saved, with the folder", func(s string) bool {
		return strings.HasPrefix(termtest.LineWith(s, " into "+tmp), " saved ")
	}, waitFor)
	line := termtest.LineWith(s, " into "+tmp)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel demo exited %d, want 0", code)
	}
	if left, _ := os.ReadDir(cwd); len(left) > 0 {
		t.Errorf("the demo saved into the current folder: %v", left)
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "reel-demo-*"))
	if len(dirs) != 1 {
		t.Fatalf("demo folders in TMPDIR: %v, want 1 (status line: %q)", dirs, line)
	}
	if mp4s, _ := filepath.Glob(filepath.Join(dirs[0], "*.mp4")); len(mp4s) == 0 {
		t.Errorf("no video in %s after D said %q", dirs[0], line)
	}
	if raw := string(tm.Raw()); !strings.Contains(raw, "the demo's downloads stay in "+dirs[0]) {
		t.Errorf("the summary does not say where the demo's downloads are")
	}
}

// TestRReadsAFixedKey: after a rejected key, fixing api_key in the config
// file and pressing R is enough, as the banner and the README say.
func TestRReadsAFixedKey(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fin, _, _, _ := knownJobs(srv)
	home := t.TempDir()
	env := termtest.Env(home, srv.URL(), "")
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "COLOSSYAN_API_KEY=") })
	conf := filepath.Join(home, "config", "reel", "config.toml")
	writeKey := func(key string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(conf), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(conf, []byte("api_key = \""+key+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeKey("not-the-token")
	tm := startTerm(t, env, fin)
	tm.WaitScreen("the key rejected", termtest.ContainsAll("API key rejected", "press R"), waitFor)
	writeKey(srv.Token())
	tm.Press("R")
	tm.WaitScreen("the job finished with the fixed key, and the banner gone", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, fin), "✓ finished") && !strings.Contains(s, "API key rejected")
	}, waitFor)
	tm.Press("q")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d, want 0", code)
	}
}

// stallAfter passes a file response through until n bytes, then holds it
// until the client goes away: a download that is still running at quit.
type stallAfter struct {
	http.ResponseWriter
	ctx  context.Context
	left int
}

func (s *stallAfter) Write(b []byte) (int, error) {
	if s.left <= 0 {
		<-s.ctx.Done()
		return 0, s.ctx.Err()
	}
	n := min(len(b), s.left)
	w, err := s.ResponseWriter.Write(b[:n])
	s.left -= w
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if err == nil && n < len(b) {
		<-s.ctx.Done()
		return w, s.ctx.Err()
	}
	return w, err
}

// TestQuitDuringADownloadNamesThePart: quitting (and confirming) while a
// download runs leaves its .part, and the summary says so and how to
// resume.
func TestQuitDuringADownloadNamesThePart(t *testing.T) {
	t.Parallel()
	s := sim.New(sim.Options{Seed: 9, CallbackEvery: -1})
	s.AddJob(sim.JobSpec{ID: "job-big", VideoID: "vid-big", Name: "Big", Age: time.Hour, VideoSize: 8 << 20})
	h := s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/files/") && strings.HasSuffix(r.URL.Path, ".mp4") {
			w = &stallAfter{ResponseWriter: w, ctx: r.Context(), left: 1 << 20}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	tm := startTerm(t, termtest.Env(t.TempDir(), srv.URL+sim.APIPrefix, s.Token()), "--download-dir", dir, "job-big")
	tm.WaitScreen("the finished row", func(sc string) bool {
		return strings.Contains(termtest.LineWith(sc, "job-big"), "✓ finished")
	}, waitFor)
	tm.Press("d")
	tm.WaitScreen("the download under way", func(sc string) bool {
		return strings.Contains(termtest.LineWith(sc, "job-big"), "↓")
	}, waitFor)
	tm.Press("q")
	tm.WaitScreen("the question before quitting", termtest.ContainsAll("Quit anyway?"), waitFor)
	tm.Press("y")
	if code := tm.Exit(waitFor); code != 0 {
		t.Fatalf("reel exited %d, want 0", code)
	}
	part := filepath.Join(dir, "Big-vid-big.mp4.part")
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("no .part after the quit: %v", err)
	}
	raw := string(tm.Raw())
	i := strings.LastIndex(raw, "\x1b[?1049l")
	if i < 0 {
		t.Fatal("reel never left the alternate screen")
	}
	after := strings.Join(strings.Fields(raw[i:]), " ")
	for _, want := range []string{"1 download stopped before the end", part, "resumes them"} {
		if !strings.Contains(after, want) {
			t.Errorf("the summary lacks %q:\n%s", want, raw[i:])
		}
	}
}
