package main

// End-to-end checks of what a newcomer meets first: the demo, and what a
// quit leaves in the scrollback.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	s := tm.WaitScreen("the downloads saved, with the folder", func(s string) bool {
		return strings.Contains(s, "saved ") && strings.Contains(s, " into "+filepath.Join(tmp, "reel-demo-"))
	}, waitFor)
	line := termtest.LineWith(s, " into "+tmp)
	tm.Press("q")
	tm.Press("y") // in case some download still runs
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
