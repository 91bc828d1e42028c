package main

// End-to-end checks of what a newcomer meets first: the demo, and what a
// quit leaves in the scrollback.

import (
	"os"
	"path/filepath"
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
