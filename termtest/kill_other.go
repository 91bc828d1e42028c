//go:build !unix

package termtest

import "os/exec"

// kill ends the program.
func kill(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
