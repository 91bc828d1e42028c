package chaos

import (
	"fmt"
	"os"
	"testing"

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
