package cli

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/reel-dev/reel/track"
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
	here := thisProcess().Nonce
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Log("no boot id and pid namespace here: no holder is known gone; checking the running cases only")
	} else if !holderGone(track.Holder{Name: fmt.Sprintf("%s:%d", host, dead), Nonce: here}) {
		t.Errorf("%s:%d has ended, yet holderGone says it runs", host, dead)
	}
	for _, h := range []track.Holder{
		{Name: fmt.Sprintf("%s:%d", host, os.Getpid()), Nonce: here},
		{Name: fmt.Sprintf("%s:%d", host, os.Getppid()), Nonce: here},
		{Name: fmt.Sprintf("not-%s:%d", host, dead), Nonce: here},
		{Name: host, Nonce: here}, {Nonce: here}, {Name: fmt.Sprintf("%s:x", host), Nonce: here},
		// Same hostname, same pid, but another container (pid namespace)
		// or machine: its process may well run, unseen from here.
		{Name: fmt.Sprintf("%s:%d", host, dead), Nonce: "0123456789abcdef/" + "feed"},
		{Name: fmt.Sprintf("%s:%d", host, dead), Nonce: "feed"},
	} {
		if holderGone(h) {
			t.Errorf("holderGone(%+v) = true; want false", h)
		}
	}
}

// Two processes of one machine and pid namespace agree where they run;
// each nonce is still its own.
func TestThisProcessNonce(t *testing.T) {
	a, b := thisProcess(), thisProcess()
	wa, ra, _ := strings.Cut(a.Nonce, "/")
	wb, rb, _ := strings.Cut(b.Nonce, "/")
	if wa == "" || wa != wb || ra == rb {
		t.Fatalf("nonces %q and %q: want one place and two random parts", a.Nonce, b.Nonce)
	}
}
