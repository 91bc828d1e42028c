package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/termtest"
)

// The docs' loop polls every 5 s, so it sees any end within 5 s. reel must
// too, for the job nobody thinks of: one that ends 2 s after it was given,
// when a person is looking. This is the promise end to end, on the real
// binary against the simulator in real time (speed 1).
const shortJob = 2 * time.Second // queued, preprocessing and rendering, all told

// seenWithin is how soon after the end reel must show it: 5 s, as fixed
// 5 s polling would. The schedule alone takes up to about 4 s here (a
// first look that finds the job queued waits 5 s ±10% for the next), so
// the pty, the process and the redraw have about 1 s. Under the race
// detector, on CI's two cores shared with the other packages' tests, a
// loaded run here measured 4.46 s: the bound there is 7 s, which a
// schedule of 10 s gaps (about 8 s late here) still fails. The promise
// itself is held at 5 s in a run without -race; each run logs its figure.
func seenWithin() time.Duration {
	if termtest.RaceEnabled() {
		return 7 * time.Second
	}
	return 5 * time.Second
}

// shortSim serves a simulator in real time with one job that ends shortJob
// after this returns, and returns the job's id and when it ends.
func shortSim(t *testing.T) (*sim.Server, string, time.Time) {
	t.Helper()
	srv, err := sim.Start(sim.Options{Seed: 12, Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	id, _ := srv.AddJob(sim.JobSpec{ID: "job-short", VideoID: "vid-short", Name: "Short clip",
		Queued: 500 * time.Millisecond, Preprocessing: 500 * time.Millisecond, Generating: time.Second})
	return srv, id, time.Now().Add(shortJob)
}

func TestDashboardShowsAShortJobFinishedWithinFiveSeconds(t *testing.T) {
	t.Parallel()
	srv, id, end := shortSim(t)
	tm := startTerm(t, reelEnv(t, srv), id)
	tm.WaitScreen("the short job's row finished", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, id), "✓ finished")
	}, waitFor)
	late := time.Since(end)
	t.Logf("the row showed finished %s after the job ended", late.Round(10*time.Millisecond))
	if late > seenWithin() {
		t.Errorf("the row showed finished %s after the job ended, want within %s", late.Round(10*time.Millisecond), seenWithin())
	}
	tm.Press("q")
	tm.Exit(waitFor)
}

func TestWaitExitsWithinFiveSecondsOfAShortJobsEnd(t *testing.T) {
	t.Parallel()
	srv, id, end := shortSim(t)
	cmd := exec.Command(binary(t), "wait", "--json", id)
	cmd.Env = reelEnv(t, srv)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("reel wait: %v\nstderr: %s", err, errOut.String())
	}
	late := time.Since(end)
	t.Logf("reel wait exited %s after the job ended", late.Round(10*time.Millisecond))
	if late > seenWithin() {
		t.Errorf("reel wait exited %s after the job ended, want within %s", late.Round(10*time.Millisecond), seenWithin())
	}
	if !strings.Contains(out.String(), `"final":true`) || !strings.Contains(out.String(), `"status":"finished"`) {
		t.Errorf("no final finished line:\n%s", out.String())
	}
}
