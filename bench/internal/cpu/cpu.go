// Package cpu reads how much CPU a process has used, for the benchmarks
// that measure reel's cost in a child process (bench/tty, bench/serve).
package cpu

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Used is process pid's user plus system CPU time, from /proc/PID/stat.
func Used(pid int) (time.Duration, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read the child's CPU time (Linux only): %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces; fields
	// counted from after it: state is field 3, utime 14, stime 15.
	i := strings.LastIndexByte(line, ')')
	fields := strings.Fields(line[i+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat line %q", line)
	}
	var ticks int64
	for _, s := range fields[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected /proc stat line %q: %w", line, err)
		}
		ticks += n
	}
	const clkTck = 100 // USER_HZ: 100 on every Linux Go supports
	return time.Duration(ticks) * time.Second / clkTck, nil
}
