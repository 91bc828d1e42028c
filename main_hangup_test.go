//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/reel-dev/reel/termtest"
)

// TestDemoHangupCleansUp: closing the terminal (SIGHUP) ends reel demo as
// a quit does, so its empty download folder does not stay behind.
func TestDemoHangupCleansUp(t *testing.T) {
	t.Parallel()
	home, cwd, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + tmp, "TERM=xterm-256color",
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
	}
	tm := termtest.StartTIn(t, cwd, binary(t), env, termW, termH, "demo")
	tm.WaitScreen("the notice naming the demo's download folder", termtest.ContainsAll("d saves into "+filepath.Join(tmp, "reel-demo-")), waitFor)
	if err := syscall.Kill(tm.Pid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	tm.Exit(waitFor)
	if dirs, _ := filepath.Glob(filepath.Join(tmp, "reel-demo-*")); len(dirs) > 0 {
		t.Errorf("after a hangup the demo's empty folder stays: %v", dirs)
	}
}
