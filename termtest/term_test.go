package termtest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const waitFor = 10 * time.Second // a safety net; waits end on output

// sh runs a shell script in an 80x24 terminal: a stand-in for reel that
// needs no build.
func sh(t *testing.T, script string) *T {
	t.Helper()
	return StartT(t, "/bin/sh", nil, 80, 24, "-c", script)
}

func TestTermReadsTypesAndExits(t *testing.T) {
	t.Parallel()
	tm := sh(t, `printf 'ready\n'; read line; printf 'got %s\n' "$line"; exit 3`)
	tm.WaitScreen("ready", ContainsAll("ready"), waitFor)
	tm.Press("hello\r")
	s := tm.WaitScreen("the typed line", ContainsAll("got hello"), waitFor)
	if l := LineWith(s, "got"); strings.TrimSpace(l) != "got hello" {
		t.Errorf("line = %q, want %q", l, "got hello")
	}
	if code := tm.Exit(waitFor); code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
	if raw := tm.Raw(); !bytes.Contains(raw, []byte("got hello")) || int64(len(raw)) != tm.Bytes() {
		t.Errorf("raw output %q, %d bytes counted", raw, tm.Bytes())
	}
}

func TestWaitScreenFailsWhenOutputEnds(t *testing.T) {
	t.Parallel()
	tm := sh(t, `printf 'bye\n'`)
	_, err := tm.Term.WaitScreen("never", ContainsAll("never shown"), waitFor)
	if err == nil || !strings.Contains(err.Error(), "output ended") {
		t.Errorf("err = %v, want output ended", err)
	}
}

func TestWaitScreenTimesOut(t *testing.T) {
	t.Parallel()
	tm := sh(t, `sleep 60`)
	_, err := tm.Term.WaitScreen("never", ContainsAll("never shown"), 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "after 50ms") {
		t.Errorf("err = %v, want a timeout", err)
	}
}

func TestRecordCutsWhereReadsWere(t *testing.T) {
	t.Parallel()
	tm := sh(t, `printf 'one\n'; read a; printf 'two\n'; read b; printf 'three\n'; sleep 60`)
	tm.WaitScreen("one", ContainsAll("one"), waitFor)
	if got := tm.Record(true); got != nil {
		t.Errorf("Record(true) with no recording before = %q, want nil", got)
	}
	before := tm.Bytes()
	tm.Press("a\r")
	tm.WaitScreen("two", ContainsAll("two"), waitFor)
	frames := tm.Record(false)
	after := tm.Bytes()
	if n := int64(len(bytes.Join(frames, nil))); n != after-before || n == 0 {
		t.Errorf("recorded %d bytes in %d reads, counted %d", n, len(frames), after-before)
	}
	if raw := bytes.Join(frames, nil); bytes.Contains(raw, []byte("one")) || !bytes.Contains(raw, []byte("two")) {
		t.Errorf("recording = %q, want the echo and two, not one", raw)
	}
	tm.Press("b\r")
	tm.WaitScreen("three", ContainsAll("three"), waitFor)
	if got := tm.Record(false); got != nil {
		t.Errorf("output after the recording stopped was kept: %q", got)
	}
}

func TestAfterKeyTimesOutWithoutOutput(t *testing.T) {
	t.Parallel()
	tm := sh(t, `stty -echo; printf 'ready\n'; sleep 60`)
	tm.WaitScreen("ready", ContainsAll("ready"), waitFor)
	if d, err := tm.AfterKey("x", 50*time.Millisecond); err == nil || d != 50*time.Millisecond {
		t.Errorf("AfterKey with no echo = %v, %v; want the timeout and an error", d, err)
	}
}

func TestCloseKillsARunningProgram(t *testing.T) {
	t.Parallel()
	// The shell's child ignores the hangup a dying session leader sends
	// and would hold the terminal open: Close ends it too.
	tm, err := Start("/bin/sh", nil, 80, 24, "-c", `trap "" HUP; sleep 60 & printf 'started\n'; wait`)
	if err != nil {
		t.Fatal(err)
	}
	tm.WaitScreen("the child started", ContainsAll("started"), waitFor)
	done := make(chan struct{})
	go func() { tm.Close(); tm.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("Close did not return")
	}
	if code, err := tm.Exit(time.Second); err != nil || code != -1 {
		t.Errorf("after Close: exit %d, %v; want -1 (killed)", code, err)
	}
}

func TestLineWith(t *testing.T) {
	for _, c := range []struct{ screen, sub, want string }{
		{"a 1\nb 2\n", "b", "b 2"},
		{"a 1\nb 2", "c", ""},
		{"", "a", ""},
	} {
		if got := LineWith(c.screen, c.sub); got != c.want {
			t.Errorf("LineWith(%q, %q) = %q, want %q", c.screen, c.sub, got, c.want)
		}
	}
}

// A program that has already gone may leave a child behind holding the
// terminal: Close ends it too, so the output ends and nothing outlives the
// test.
func TestCloseEndsWhatAnEndedProgramLeft(t *testing.T) {
	t.Parallel()
	tm, err := Start("/bin/sh", nil, 80, 24, "-c", `trap "" HUP; sleep 61 & printf 'started\n'`)
	if err != nil {
		t.Fatal(err)
	}
	tm.WaitScreen("the child started", ContainsAll("started"), waitFor)
	select {
	case <-tm.exited:
	case <-time.After(waitFor):
		t.Fatal("the shell did not end")
	}
	tm.Close()
	if _, err := tm.Exit(time.Second); err != nil {
		t.Errorf("after Close: %v; want the output ended (the child gone)", err)
	}
}
