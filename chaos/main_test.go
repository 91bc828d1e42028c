package chaos

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/reel-dev/reel/termtest"
)

// reelBin is the reel binary the tests run, built once by TestMain.
var reelBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reel-chaos-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	reelBin, err = termtest.Build(dir, termtest.RaceEnabled()) // the child gets the checks the tests get
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const termW, termH = 160, 45

// startTerm runs reel with args in a 160x45 pseudo-terminal.
func startTerm(t *testing.T, env []string, args ...string) *termtest.T {
	t.Helper()
	return termtest.StartT(t, reelBin, env, termW, termH, args...)
}

// budget is the bound a test holds a latency to: quiet, the product's
// promise, in a run without the race detector; raced under -race. CI runs
// go test -race ./... on two cores, where the test, the reel children it
// built with -race and the other packages' tests (go test runs packages
// side by side) all share the cores: there a wait of a few hundred
// milliseconds can take seconds, and the bound proves the thing happens
// (not lost, not stuck behind a timer) rather than how fast. Each test logs
// its figures, so a run with -race still shows how close it came.
func budget(quiet, raced time.Duration) time.Duration {
	if termtest.RaceEnabled() {
		return raced
	}
	return quiet
}
