//go:build unix

package store

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's CPU time so far (user and system). On a shared
// machine wall time swings with the neighbours; CPU time says what the code
// costs.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
