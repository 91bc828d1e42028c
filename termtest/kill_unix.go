//go:build unix

package termtest

import (
	"os/exec"
	"syscall"
)

// kill ends the program and whatever it started: pty.Start made it the
// leader of its own session and process group, so a shell's children go
// too (dash forks "sleep 60" rather than exec it, and the child would hold
// the terminal open).
func kill(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
