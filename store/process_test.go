package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// These tests run the test binary again as a second reel process (see
// TestHelperProcess), because only separate processes show what locks and
// crashes really do.

const helperEnv = "REEL_STORE_HELPER"

// helper starts this test binary as a writer: it adds count IDs named
// prefix-N to the store at path (forever when count is 0), saving a state
// change after each, and prints "added ID" once each Add has returned.
func helper(t *testing.T, path, prefix string, count int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1",
		"REEL_STORE_PATH="+path, "REEL_STORE_PREFIX="+prefix, "REEL_STORE_COUNT="+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// TestHelperProcess is the writer helper starts; run alone it does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by the multi-process tests")
	}
	prefix := os.Getenv("REEL_STORE_PREFIX")
	count, _ := strconv.Atoi(os.Getenv("REEL_STORE_COUNT"))
	s, err := Open(os.Getenv("REEL_STORE_PATH"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx := context.Background()
	for i := 0; count == 0 || i < count; i++ {
		j := track.Job{ID: fmt.Sprintf("%s-%d", prefix, i), Seq: int64(i + 1)}
		if err := s.Add(ctx, j); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("added %s\n", j.ID) // os.Stdout is unbuffered: out before the next write starts
		j.Status, j.Progress = api.StatusGenerating, float64(i%100)
		if err := s.Save(ctx, j); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	s.Close()
	os.Exit(0)
}

// readAdded collects the IDs a helper reported, up to max (-1: until EOF).
func readAdded(t *testing.T, sc *bufio.Scanner, max int) []string {
	t.Helper()
	var ids []string
	for (max < 0 || len(ids) < max) && sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "added ")
		if !ok {
			t.Fatalf("helper said %q", sc.Text())
		}
		ids = append(ids, id)
	}
	return ids
}

func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const perProcess = 150
	path := filepath.Join(t.TempDir(), "reel.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type child struct {
		cmd *exec.Cmd
		sc  *bufio.Scanner
	}
	var children []child
	for _, p := range []string{"a", "b"} {
		cmd, sc := helper(t, path, p, perProcess)
		children = append(children, child{cmd, sc})
	}
	// This process writes too, and watches.
	ctx := context.Background()
	seen := map[string]bool{}
	for i := range perProcess {
		if err := s.Add(ctx, track.Job{ID: fmt.Sprintf("me-%d", i)}); err != nil {
			t.Fatal(err)
		}
		d, err := s.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range d.Added {
			seen[j.ID] = true
		}
	}
	for _, c := range children {
		if got := readAdded(t, c.sc, -1); len(got) != perProcess {
			t.Errorf("a helper reported %d adds, want %d", len(got), perProcess)
		}
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	d, err := s.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range d.Added {
		seen[j.ID] = true
	}
	jobs, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]track.Job{}
	for _, j := range jobs {
		have[j.ID] = j
	}
	for _, p := range []string{"a", "b", "me"} {
		for i := range perProcess {
			id := fmt.Sprintf("%s-%d", p, i)
			j, ok := have[id]
			if !ok {
				t.Fatalf("%s lost", id)
			}
			if p != "me" {
				if j.Status != api.StatusGenerating {
					t.Errorf("%s: state not saved: %+v", id, j)
				}
				if !seen[id] {
					t.Errorf("%s: the watcher never reported it", id)
				}
			} else if seen[id] {
				t.Errorf("%s: the watcher reported this process's own add", id)
			}
		}
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// A writer killed with SIGKILL at a random point, 20 times over, loses no
// ID it reported added and leaves the file sound.
func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "reel.db")
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 9))
	var reported []string
	for round := range 20 {
		cmd, sc := helper(t, path, fmt.Sprintf("r%d", round), 0)
		// Kill after a random number of adds (0: possibly mid-open or
		// mid-migration), while the next add or save is under way.
		reported = append(reported, readAdded(t, sc, rng.IntN(80))...)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		reported = append(reported, readAdded(t, sc, -1)...) // said before dying
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: helper ended by itself: %v", round, err)
		}

		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopening after kill -9: %v", round, err)
		}
		jobs, err := s.Load(context.Background())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		have := map[string]bool{}
		for _, j := range jobs {
			have[j.ID] = true
		}
		for _, id := range reported {
			if !have[id] {
				t.Fatalf("round %d: %s was reported added but is gone", round, id)
			}
		}
		if err := s.Check(context.Background()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s.Close()
	}
	t.Logf("%d IDs reported over 20 kills, all present; integrity ok", len(reported))
}
