package termtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// Term is a program running in a pseudo-terminal. Everything it writes is
// kept, counted and fed to an emulator, which answers the program's
// queries as a terminal would.
type Term struct {
	cmd  *exec.Cmd
	ptmx *os.File

	mu        sync.Mutex
	emu       *vt.Emulator
	raw       bytes.Buffer
	recording bool
	recStart  int           // where in raw the recording began
	chunks    []int         // lengths of the reads since recStart: about one a frame
	changed   chan struct{} // closed and replaced after each chunk
	eof       chan struct{} // closed when the output ends

	exited  chan struct{}
	waitErr error
	replied chan struct{} // closed when the answers' goroutine ends
	closing sync.Once
}

// Start runs bin with args and env in a w×h pseudo-terminal. Close it when
// done.
func Start(bin string, env []string, w, h int, args ...string) (*Term, error) {
	return StartIn("", bin, env, w, h, args...)
}

// StartIn is Start with dir as the working folder ("" for this process's).
func StartIn(dir, bin string, env []string, w, h int, args ...string) (*Term, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = dir
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		return nil, fmt.Errorf("start %s in a pseudo-terminal: %w", bin, err)
	}
	tm := &Term{
		cmd: cmd, ptmx: ptmx, emu: vt.NewEmulator(w, h),
		changed: make(chan struct{}), eof: make(chan struct{}),
		exited: make(chan struct{}), replied: make(chan struct{}),
	}
	// The emulator answers the program's queries (DA, DECRQM, OSC 11) by
	// writing to its own pipe, and blocks until they are read: they go back
	// to the program as a terminal's answers would.
	go func() {
		defer close(tm.replied)
		_, _ = io.Copy(ptmx, tm.emu)
	}()
	go tm.read()
	go func() {
		tm.waitErr = cmd.Wait()
		close(tm.exited)
	}()
	return tm, nil
}

// read feeds the program's output to the emulator until the terminal
// closes (EIO on Linux once the child has gone).
func (tm *Term) read() {
	defer close(tm.eof)
	buf := make([]byte, 32*1024)
	for {
		n, err := tm.ptmx.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.raw.Write(buf[:n])
			if tm.recording {
				tm.chunks = append(tm.chunks, n)
			}
			_, _ = tm.emu.Write(buf[:n])
			close(tm.changed)
			tm.changed = make(chan struct{})
			tm.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Pid is the program's process ID.
func (tm *Term) Pid() int { return tm.cmd.Process.Pid }

// Screen is the text on the emulator's screen now.
func (tm *Term) Screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

// Raw is every byte the program has written so far.
func (tm *Term) Raw() []byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return bytes.Clone(tm.raw.Bytes())
}

// Bytes is how many bytes the program has written so far.
func (tm *Term) Bytes() int64 {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return int64(tm.raw.Len())
}

// Record starts or stops a recording and returns what the one before it
// kept, cut where the reads were: Bubble Tea writes each frame at once, so
// a read is about a frame.
func (tm *Term) Record(on bool) [][]byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var out [][]byte
	if tm.recording {
		raw := bytes.Clone(tm.raw.Bytes()[tm.recStart:])
		for _, n := range tm.chunks {
			out = append(out, raw[:n:n])
			raw = raw[n:]
		}
	}
	tm.recording, tm.recStart, tm.chunks = on, tm.raw.Len(), nil
	return out
}

// Press writes keys to the terminal as typed.
func (tm *Term) Press(keys string) error {
	if _, err := tm.ptmx.Write([]byte(keys)); err != nil {
		return fmt.Errorf("typing %q: %w", keys, err)
	}
	return nil
}

// Resize changes the terminal's size, as a user dragging the window
// would: the emulator takes the new size and the kernel sends the program
// SIGWINCH.
func (tm *Term) Resize(w, h int) error {
	tm.mu.Lock()
	tm.emu.Resize(w, h)
	tm.mu.Unlock()
	if err := pty.Setsize(tm.ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		return fmt.Errorf("resize the terminal to %dx%d: %w", w, h, err)
	}
	return nil
}

// WaitScreen returns the screen once cond holds, checking again each time
// output arrives; what names the condition in the error at the timeout or
// when the output ends first. The timeout is only a safety net.
func (tm *Term) WaitScreen(what string, cond func(screen string) bool, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		s, next := tm.emu.String(), tm.changed
		tm.mu.Unlock()
		if cond(s) {
			return s, nil
		}
		select {
		case <-next:
		case <-tm.eof:
			if s := tm.Screen(); cond(s) {
				return s, nil
			}
			return "", fmt.Errorf("output ended before the screen showed %s; screen:\n%s", what, tm.Screen())
		case <-deadline.C:
			return "", fmt.Errorf("after %v the screen still does not show %s; screen:\n%s", timeout, what, tm.Screen())
		}
	}
}

// AfterKey presses keys and reports how long the next output took to
// come; at the timeout it returns the timeout and an error.
func (tm *Term) AfterKey(keys string, timeout time.Duration) (time.Duration, error) {
	tm.mu.Lock()
	next := tm.changed
	tm.mu.Unlock()
	start := time.Now()
	if err := tm.Press(keys); err != nil {
		return 0, err
	}
	select {
	case <-next:
		return time.Since(start), nil
	case <-time.After(timeout):
		return timeout, fmt.Errorf("no output within %v of typing %q", timeout, keys)
	}
}

// Exit waits for the program to end and its output to drain, and returns
// its exit code (-1 when a signal ended it).
func (tm *Term) Exit(timeout time.Duration) (int, error) {
	select {
	case <-tm.exited:
	case <-time.After(timeout):
		return 0, fmt.Errorf("reel still running %v after it was told to end; screen:\n%s", timeout, tm.Screen())
	}
	select {
	case <-tm.eof:
	case <-time.After(timeout):
		return 0, errors.New("the terminal's output did not end after reel exited")
	}
	var ee *exec.ExitError
	if errors.As(tm.waitErr, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, tm.waitErr
}

// closeDrain is how long Close lets the output drain once the program has
// gone, before it closes the terminal under whatever still writes.
const closeDrain = 2 * time.Second

// Close kills the program if it is still running and frees the terminal
// and the emulator. The screen and output stay readable.
func (tm *Term) Close() {
	tm.closing.Do(func() {
		// The group too, even once the program has gone: a child it left
		// would hold the terminal open.
		kill(tm.cmd)
		<-tm.exited
		select {
		case <-tm.eof:
		case <-time.After(closeDrain):
			// Something outside the program's group still holds the
			// terminal open: Close does not wait for it.
		}
		_ = tm.ptmx.Close()
		// vt's Close races with a pending Read, so the answers' goroutine
		// is ended instead by a byte it cannot pass on to the closed pty.
		go func() { _, _ = tm.emu.InputPipe().Write([]byte{0}) }()
		<-tm.replied
		_ = tm.emu.Close() // ends the nudge if the goroutine had already gone
	})
}
