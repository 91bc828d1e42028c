package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// child is reel running in a pseudo-terminal. Everything it writes is
// counted, fed to an emulator (which answers its queries, as a terminal
// would) and, while recording, kept.
type child struct {
	cmd  *exec.Cmd
	ptmx *os.File

	mu        sync.Mutex
	emu       *vt.Emulator
	total     int64
	recording bool
	rec       bytes.Buffer
	chunks    []int         // lengths of the reads kept in rec: about one a frame
	changed   chan struct{} // closed and replaced after each chunk
	eof       chan struct{}
}

func startChild(bin string, env []string, w, h int, args ...string) (*child, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, fmt.Errorf("start %s in a pseudo-terminal: %w", bin, err)
	}
	c := &child{cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(w, h), changed: make(chan struct{}), eof: make(chan struct{})}
	go func() { _, _ = io.Copy(ptmx, c.emu) }() // the emulator's answers to queries
	go c.read()
	return c, nil
}

func (c *child) read() {
	defer close(c.eof)
	buf := make([]byte, 32*1024)
	for {
		n, err := c.ptmx.Read(buf)
		if n > 0 {
			c.mu.Lock()
			c.total += int64(n)
			if c.recording {
				c.rec.Write(buf[:n])
				c.chunks = append(c.chunks, n)
			}
			_, _ = c.emu.Write(buf[:n])
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// bytesOut is how many bytes the child has written so far.
func (c *child) bytesOut() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// record starts keeping the output, or stops and returns what was kept, cut
// where the reads were: Bubble Tea writes each frame at once, so a read is
// about a frame.
func (c *child) record(on bool) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recording = on
	raw := bytes.Clone(c.rec.Bytes())
	var out [][]byte
	for _, n := range c.chunks {
		out = append(out, raw[:n:n])
		raw = raw[n:]
	}
	c.rec.Reset()
	c.chunks = nil
	return out
}

// waitScreen waits, output by output, until cond holds for the screen text.
func (c *child) waitScreen(what string, cond func(string) bool, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		s, next := c.emu.String(), c.changed
		c.mu.Unlock()
		if cond(s) {
			return nil
		}
		select {
		case <-next:
		case <-c.eof:
			return fmt.Errorf("reel ended before the screen showed %s", what)
		case <-deadline:
			return fmt.Errorf("after %v the screen still does not show %s:\n%s", timeout, what, s)
		}
	}
}

// quit presses q and waits for the child to end.
func (c *child) quit() {
	_, _ = c.ptmx.Write([]byte("q"))
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	<-c.eof
	_ = c.ptmx.Close()
}

// cpuTime is the child's user plus system CPU time, from /proc/PID/stat.
func (c *child) cpuTime() (time.Duration, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
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
