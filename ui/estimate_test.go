package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// Between looks a rendering job's bar moves on at the slope of its
// readings, shaded (▒) as an estimate, and stops where the next look is
// due; the percentage stays the reading's.
func TestBarMovesBetweenLooks(t *testing.T) {
	j := track.Job{ID: "job-moving", Seq: 1, Kind: api.KindJob, JobID: "job-moving", Status: api.StatusGenerating,
		Progress: 20, MaximumProgress: 100, Job: &api.Job{Status: api.StatusGenerating, Progress: 20, MaximumProgress: 100},
		Added: fixedNow.Add(-time.Minute), Started: fixedNow.Add(-time.Minute), StatusSince: fixedNow.Add(-time.Minute),
		ReadAt: fixedNow, LastPoll: fixedNow, NextPoll: fixedNow.Add(30 * time.Second), Rate: 0.01, Version: 1}
	hs := newHarness(t, 160, 45, j)
	row := func() string { return lineWith(ansi.Strip(hs.view()), "job-moving") }
	shaded := func() int { return strings.Count(row(), "▒") }
	if n := shaded(); n != 0 {
		t.Fatalf("estimate shown at the reading itself: %q", row())
	}
	hs.fire(10 * time.Second) // the ticks move the clock on
	at10 := shaded()
	if at10 == 0 || !strings.Contains(row(), "20%") {
		t.Fatalf("10 s on at 1 %%/s: want shaded cells and the reading's 20%%: %q", row())
	}
	hs.fire(20 * time.Second)
	at30 := shaded()
	hs.fire(time.Minute)
	if got := shaded(); at30 <= at10 || got != at30 {
		t.Errorf("shaded cells %d at 10 s, %d at 30 s, %d at 90 s: want growing, then held at the next look", at10, at30, got)
	}

	// The next reading replaces the estimate.
	j.Progress, j.Job.Progress, j.ReadAt, j.LastPoll, j.NextPoll, j.Version = 50, 50, hs.now, hs.now, hs.now.Add(30*time.Second), 2
	hs.events(track.Event{Job: &j})
	if n := shaded(); n != 0 || !strings.Contains(row(), "50%") {
		t.Errorf("after a new reading: %q, want 50%% and no shaded cells", row())
	}
}

// lineWith picks the line of a screen that holds sub.
func lineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
