//go:build !unix

package chaos

import (
	"errors"
	"os"
)

// kill9 ends process pid at once (TerminateProcess on Windows): no
// handler runs.
func kill9(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// mkfifo has no named pipes in the file system to make here; the test
// that wants one skips.
func mkfifo(string) error { return errors.ErrUnsupported }
