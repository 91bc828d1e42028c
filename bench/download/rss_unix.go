//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSSKB is a finished child's peak resident set in KiB, from the
// kernel's accounting: ru_maxrss, which Linux and the BSDs count in KiB
// and macOS in bytes.
func peakRSSKB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	kb := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kb /= 1024
	}
	return kb, true
}
