//go:build !unix

package cli

import "os"

// processGone reports whether no process with this pid runs; on Windows,
// finding a process opens it, which fails once it has ended.
func processGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	p.Release()
	return false
}
