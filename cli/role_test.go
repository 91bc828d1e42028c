package cli

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// A holder of this machine whose process ended is gone; a running one,
// another machine's, or a name that is not host:pid is not.
func TestHolderGone(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	exe, err := os.Executable() // this test binary: it runs everywhere
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run", "^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	if runtime.GOOS == "windows" {
		t.Log("pids are reused fast on Windows; checking the running cases only")
	} else if !holderGone(fmt.Sprintf("%s:%d", host, dead)) {
		t.Errorf("%s:%d has ended, yet holderGone says it runs", host, dead)
	}
	for _, name := range []string{
		fmt.Sprintf("%s:%d", host, os.Getpid()),
		fmt.Sprintf("%s:%d", host, os.Getppid()),
		fmt.Sprintf("not-%s:%d", host, dead),
		host, "", fmt.Sprintf("%s:x", host),
	} {
		if holderGone(name) {
			t.Errorf("holderGone(%q) = true; want false", name)
		}
	}
}
