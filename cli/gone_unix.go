//go:build unix

package cli

import (
	"errors"
	"syscall"
)

// processGone reports whether no process with this pid runs (signal 0
// checks without sending anything). A pid reused since reads as running:
// the lease then lapses on its own.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
