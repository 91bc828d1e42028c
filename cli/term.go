package cli

import (
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"
)

// IO is what a command reads and writes, and what the terminal is: whether
// standard output and standard error are terminals, their widths and their
// colour profiles. SystemIO decides the terminal once, at start; tests set
// it by hand, so the terminal branches of the commands are tested too.
type IO struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	Now    func() time.Time

	OutTTY, ErrTTY     bool                 // a person may be reading: progress lines, colour
	OutWidth, ErrWidth int                  // in cells; 0 when not a terminal
	OutColor, ErrColor colorprofile.Profile // what the stream can show; ASCII or less: no colour (NO_COLOR)
}

// Serialized is sio with each writer behind a lock (one lock when both
// are one writer), for a command whose goroutines write (wait's downloads
// report while the loop reports changes): no write interleaves with
// another, and a writer that is not safe for concurrent use (a test's
// buffer) stays whole.
func (sio IO) Serialized() IO {
	if _, done := sio.Out.(*lockedWriter); done {
		return sio
	}
	outMu, errMu := new(sync.Mutex), new(sync.Mutex)
	if sameWriter(sio.Out, sio.Err) {
		errMu = outMu
	}
	sio.Out = &lockedWriter{mu: outMu, w: sio.Out}
	sio.Err = &lockedWriter{mu: errMu, w: sio.Err}
	return sio
}

// sameWriter says whether a and b are one writer: then one lock serves
// both. Two streams apart keep a lock each, so a reader slow on standard
// output (a pager, xargs) does not hold up standard error.
func sameWriter(a, b io.Writer) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// lockedWriter writes to w under mu, which several writers may share.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// SystemIO is the process's own standard streams and environment, with the
// terminal decided once.
func SystemIO() IO {
	sio := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	env := os.Environ()
	sio.OutTTY, sio.OutWidth, sio.OutColor = terminal(os.Stdout, env)
	sio.ErrTTY, sio.ErrWidth, sio.ErrColor = terminal(os.Stderr, env)
	return sio
}

// terminal says whether f is a terminal, its width and its colour profile.
// NO_COLOR (https://no-color.org) takes the colour away, as does anything
// that is not a terminal.
func terminal(f *os.File, env []string) (tty bool, width int, profile colorprofile.Profile) {
	if !isatty.IsTerminal(f.Fd()) && !isatty.IsCygwinTerminal(f.Fd()) {
		return false, 0, colorprofile.NoTTY
	}
	if cols, _, err := term.GetSize(f.Fd()); err == nil {
		width = cols
	}
	return true, width, withoutColor(colorprofile.Detect(f, env), env)
}

// withoutColor is profile with the colour taken away when NO_COLOR is set
// to anything but "", as https://no-color.org asks.
func withoutColor(profile colorprofile.Profile, env []string) colorprofile.Profile {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return min(profile, colorprofile.ASCII)
		}
	}
	return profile
}

// paint draws s in st for a stream of profile p: plain text where colour is
// not wanted, else lipgloss's rendering brought down to what p can show.
func paint(p colorprofile.Profile, st lipgloss.Style, s string) string {
	if p <= colorprofile.ASCII {
		return s
	}
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: p}
	_, _ = w.WriteString(st.Render(s))
	return b.String()
}
