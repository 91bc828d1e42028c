package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-isatty"

	"github.com/reel-dev/reel/api/sim"
)

// terminalIO is a terminal as IO describes it: both streams terminals of
// width cells, with the colour profile p.
func terminalIO(width int, p colorprofile.Profile) IO {
	return IO{OutTTY: true, ErrTTY: true, OutWidth: width, ErrWidth: width, OutColor: p, ErrColor: p}
}

// runOn runs reel with term's terminal, and buffers for the streams.
func runOn(t *testing.T, term IO, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	term.In, term.Out, term.Err = strings.NewReader(""), &out, &errb
	term.Getenv, term.Now = func(k string) string { return env[k] }, time.Now
	code := Execute(ctx, term, "test", args)
	if ctx.Err() != nil {
		t.Errorf("reel %s: still running after a minute", strings.Join(args, " "))
	}
	return out.String(), errb.String(), code
}

func longestLine(s string) int {
	w := 0
	for line := range strings.Lines(ansi.Strip(s)) {
		w = max(w, ansi.StringWidth(strings.TrimRight(line, "\n")))
	}
	return w
}

// On a colour terminal status colours the status word (and only it), and
// cuts its lines to the terminal's width; NO_COLOR's profile (ASCII) and a
// pipe get the same words with no escape at all.
func TestStatusOnATerminal(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 3, CallbackEvery: -1})
	done, _ := srv.AddJob(sim.JobSpec{Name: "clip", Age: time.Hour, Queued: time.Second, Generating: 10 * time.Second})
	failed, _ := srv.AddJob(sim.JobSpec{Fail: true, FailReason: strings.Repeat("a reason that goes on ", 20), Age: time.Hour, Generating: 10 * time.Second})

	out, _, code := runOn(t, terminalIO(150, colorprofile.ANSI), env, "status", done, failed)
	if code != ExitJobFailed || !strings.Contains(out, "\x1b[32m✓ finished") || !strings.Contains(out, "\x1b[31m✗ failed") {
		t.Errorf("colour terminal: exit %d, want finished in green, failed in red:\n%q", code, out)
	}
	if w := longestLine(out); w > 150 {
		t.Errorf("a line of %d cells on a 150-cell terminal:\n%s", w, out)
	}
	for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.NoTTY} {
		out, _, _ := runOn(t, terminalIO(60, p), env, "status", done)
		if strings.Contains(out, "\x1b[") || !strings.Contains(out, "✓ finished") {
			t.Errorf("profile %v: want the words without escapes:\n%q", p, out)
		}
	}
	out, _, _ = runOn(t, IO{}, env, "status", done, failed)
	if strings.Contains(out, "\x1b[") || longestLine(out) <= 150 {
		t.Errorf("a pipe gets whole lines and no escapes:\n%q", out)
	}
}

// wait colours its change lines for standard error's profile and its final
// table for standard output's, and cuts the table to the terminal.
func TestWaitOnATerminal(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 4, CallbackEvery: -1})
	failed, _ := srv.AddJob(sim.JobSpec{Fail: true, FailReason: strings.Repeat("a reason that goes on ", 20), Age: time.Hour, Generating: 10 * time.Second})

	term := terminalIO(120, colorprofile.ANSI)
	term.OutColor = colorprofile.ASCII // NO_COLOR on standard output alone
	out, errs, code := runOn(t, term, env, "wait", failed)
	if code != ExitJobFailed {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "\x1b[31m✗ failed") {
		t.Errorf("change lines on a colour terminal: %q", errs)
	}
	if strings.Contains(out, "\x1b[") || !strings.Contains(out, "✗ failed") {
		t.Errorf("final table with no colour: %q", out)
	}
	if w := longestLine(out); w > 120 {
		t.Errorf("a final line of %d cells on a 120-cell terminal:\n%s", w, out)
	}
	out, _, _ = runOn(t, IO{}, env, "wait", failed)
	if longestLine(out) <= 120 {
		t.Errorf("a pipe gets the whole reason:\n%s", out)
	}
}

// download shows its live lines on a terminal, and only the paths on a pipe.
func TestDownloadOnATerminal(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 5, CallbackEvery: -1})
	done, _ := srv.AddJob(sim.JobSpec{Name: "clip", Age: time.Hour, Queued: time.Second, Generating: 10 * time.Second, VideoSize: 200_000})

	out, errs, code := runOn(t, terminalIO(100, colorprofile.ANSI), env, "download", "--dir", t.TempDir(), done)
	if code != ExitOK || !strings.HasSuffix(strings.TrimSpace(out), ".mp4") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	// The lookups' progress line, then the live block redrawn in place,
	// then the saved line left above it.
	for _, want := range []string{"\r\x1b[Klooking up", "\x1b[1A\r\x1b[J", "saved "} {
		if !strings.Contains(errs, want) {
			t.Errorf("a terminal's standard error lacks %q: %q", want, errs)
		}
	}
	out, errs, code = runOn(t, IO{}, env, "download", "--dir", t.TempDir(), done)
	if code != ExitOK || errs != "" || !strings.HasSuffix(strings.TrimSpace(out), ".mp4") {
		t.Errorf("a pipe: exit %d, out %q, err %q: want the path alone", code, out, errs)
	}
}

// NO_COLOR set to anything takes the colour away, and only then.
func TestNoColor(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want colorprofile.Profile
	}{
		{nil, colorprofile.ANSI256},
		{[]string{"NO_COLOR=1"}, colorprofile.ASCII},
		{[]string{"TERM=xterm", "NO_COLOR=yes"}, colorprofile.ASCII},
		{[]string{"NO_COLOR="}, colorprofile.ANSI256},
	} {
		if got := withoutColor(colorprofile.ANSI256, c.env); got != c.want {
			t.Errorf("%q: %v, want %v", c.env, got, c.want)
		}
	}
	if withoutColor(colorprofile.NoTTY, []string{"NO_COLOR=1"}) != colorprofile.NoTTY {
		t.Error("NO_COLOR made a pipe a terminal")
	}
}

// A test process's standard streams are not terminals (go test pipes them):
// SystemIO says so, once, and paints nothing.
func TestSystemIONotATerminal(t *testing.T) {
	if isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()) {
		t.Skip("standard output is a terminal here: nothing to check")
	}
	// Asked of the stream itself, not of SystemIO: a SystemIO that took
	// a pipe for a colour terminal used to skip this test, not fail it.
	sio := SystemIO()
	if sio.OutTTY || sio.OutWidth != 0 || sio.OutColor > colorprofile.ASCII {
		t.Errorf("standard output is a pipe, yet SystemIO says tty %v, width %d, colour %v", sio.OutTTY, sio.OutWidth, sio.OutColor)
	}
	if got := paint(sio.OutColor, lipglossGreen(), "x"); got != "x" {
		t.Errorf("painted for a pipe: %q", got)
	}
}

func lipglossGreen() lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color("2")) }
