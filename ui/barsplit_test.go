package ui

import (
	"strings"
	"testing"

	"github.com/reel-dev/reel/jobview/jobviewtest"
	"github.com/reel-dev/reel/track"
)

// The reading's cells agree with the percentage beside them: a running job
// at 96% or at its last step is never drawn full (it used to round up to a
// full bar beside "99%"); only a finished job is. An estimate never fills
// the bar, however close to the top.
func TestBarSplit(t *testing.T) {
	tests := []struct {
		f    float64
		done bool
		est  float64
		w    int
		n, e int
	}{
		{0.5, false, 0.5, 10, 5, 5},
		{0.5, false, 0.99, 10, 5, 9},
		{0.5, false, 0.999, 20, 10, 19},
		{0.5, false, 0.66, 10, 5, 6},
		{1, true, 1, 10, 10, 10},
		{1, false, 1, 10, 9, 9},
		{0.96, false, 0.99, 10, 9, 9},
		{0.995, false, 0, 20, 19, 19},
		{0.2, false, 0.1, 10, 2, 2},
		{0.5, false, 0.9, 0, 0, 0},
	}
	for _, tt := range tests {
		n, e := barSplit(tt.f, tt.done, tt.est, tt.w)
		if n != tt.n || e != tt.e {
			t.Errorf("barSplit(%v, %v, %v, %d) = %d, %d; want %d, %d", tt.f, tt.done, tt.est, tt.w, n, e, tt.n, tt.e)
		}
	}
	if b := bar(0.995, false, 0, 20); !strings.Contains(b, "░") {
		t.Errorf("bar at 99%% drawn full: %q", b)
	}
}

// The terminal's own progress bar (OSC 9;4) keeps jobview's rule too: a
// job at 100 of 100 still generating beside a finished one reads 99, not
// 100 (it was int(mean·100)).
func TestOverallNeverFullWhileRunning(t *testing.T) {
	var jobs []track.Job
	for _, c := range jobviewtest.Every() {
		if c.Name == "generating at 100 of 100" || c.Name == "finished" {
			jobs = append(jobs, c.Job)
		}
	}
	if len(jobs) != 2 {
		t.Fatalf("fixtures: %d jobs", len(jobs))
	}
	v := newHarness(t, 80, 24, jobs...).m.View()
	if v.ProgressBar == nil || v.ProgressBar.Value != 99 {
		t.Errorf("terminal progress %+v, want 99 while a job runs", v.ProgressBar)
	}
}
