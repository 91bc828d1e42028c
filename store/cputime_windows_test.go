package store

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's CPU time so far (user and system), as
// cputime_unix_test.go has it, from GetProcessTimes.
func cpuTime(b *testing.B) time.Duration {
	self, err := syscall.GetCurrentProcess()
	if err != nil {
		b.Fatal(err)
	}
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(self, &created, &exited, &kernel, &user); err != nil {
		b.Fatal(err)
	}
	// The kernel and user times are lengths in 100 ns ticks, not dates.
	ticks := func(f syscall.Filetime) time.Duration {
		return time.Duration(int64(f.HighDateTime)<<32|int64(f.LowDateTime)) * 100
	}
	return ticks(kernel) + ticks(user)
}
