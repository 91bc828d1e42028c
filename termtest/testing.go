package termtest

import (
	"testing"
	"time"
)

// T is a Term run by a test: its Press, WaitScreen and Exit end
// the test on an error instead of returning it, and the terminal is closed
// when the test ends, with the screen logged if the test failed.
type T struct {
	*Term
	tb testing.TB
}

// StartT is Start for a test.
func StartT(tb testing.TB, bin string, env []string, w, h int, args ...string) *T {
	tb.Helper()
	return StartTIn(tb, "", bin, env, w, h, args...)
}

// StartTIn is StartIn for a test.
func StartTIn(tb testing.TB, dir, bin string, env []string, w, h int, args ...string) *T {
	tb.Helper()
	tm, err := StartIn(dir, bin, env, w, h, args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		tm.Close()
		if tb.Failed() {
			tb.Logf("screen at the end:\n%s", tm.Screen())
		}
	})
	return &T{Term: tm, tb: tb}
}

// Press is Term.Press, failing the test on an error.
func (t *T) Press(keys string) {
	t.tb.Helper()
	if err := t.Term.Press(keys); err != nil {
		t.tb.Fatal(err)
	}
}

// WaitScreen is Term.WaitScreen, failing the test on an error.
func (t *T) WaitScreen(what string, cond func(screen string) bool, timeout time.Duration) string {
	t.tb.Helper()
	s, err := t.Term.WaitScreen(what, cond, timeout)
	if err != nil {
		t.tb.Fatal(err)
	}
	return s
}

// Exit is Term.Exit, failing the test on an error.
func (t *T) Exit(timeout time.Duration) int {
	t.tb.Helper()
	code, err := t.Term.Exit(timeout)
	if err != nil {
		t.tb.Fatal(err)
	}
	return code
}
