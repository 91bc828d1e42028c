package track_test

import (
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// inRange fails the test when any gap falls outside [lo, hi].
func inRange(t *testing.T, what string, gs []time.Duration, lo, hi time.Duration) {
	t.Helper()
	if len(gs) == 0 {
		t.Fatalf("%s: no gaps", what)
	}
	for i, g := range gs {
		if g < lo || g > hi {
			t.Errorf("%s: gap %d = %s, want within [%s, %s] (all: %v)", what, i, g, lo, hi, gs)
			return
		}
	}
}

// Queued jobs are polled slowly, running jobs with no estimate moderately,
// and a user's --interval replaces the adaptive pace.
func TestSteadyPace(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		status   api.Status
		lo, hi   time.Duration
	}{
		{"queued", 0, api.StatusInQueue, 18 * time.Second, 22 * time.Second},
		{"running, progress still", 0, api.StatusPreprocessing, 9 * time.Second, 11 * time.Second},
		{"unknown word", 0, "paused_by_ops", 9 * time.Second, 11 * time.Second},
		{"--interval 60s running", time.Minute, api.StatusGenerating, 54 * time.Second, 66 * time.Second},
		{"--interval 60s queued", time.Minute, api.StatusInQueue, 108 * time.Second, 132 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, track.Options{Interval: tt.interval})
			h.api.Job("x", tracktest.Steps(tracktest.Step{Job: jobAt(tt.status, 0)}))
			h.e.Add("x")
			h.run(30 * time.Minute)
			inRange(t, tt.name, gaps(h.callTimes("job", "x")), tt.lo, tt.hi)
		})
	}
}

// As progress nears the end the polls close in on it: sparse while the end
// is far, never closer than a second, and the end is seen within about a
// second of happening.
func TestClosesInOnTheEnd(t *testing.T) {
	h := start(t, track.Options{})
	render := 10 * time.Minute
	h.api.Job("x", func(n int, now time.Time) tracktest.Step {
		el := now.Sub(t0)
		if el >= render {
			return tracktest.Step{Job: jobAt(api.StatusFinished, 100)}
		}
		return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(int(100*el/render)))}
	})
	h.api.Video("vid", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "vid", PublicURL: "u"}}))
	h.e.Add("x")
	h.runUntil(time.Hour, func() bool { return h.job("x").Status == api.StatusFinished })

	ts := h.callTimes("job", "x")
	seen := ts[len(ts)-1]
	if late := seen - render; late < 0 || late > 2*time.Second {
		t.Errorf("end seen %s after it happened, want within 2s", late)
	}
	gs := gaps(ts)
	inRange(t, "gaps", gs, time.Second, 30*time.Second)
	if len(ts) > 45 {
		t.Errorf("%d polls for a 10 min render, want under 45 (fixed 5 s polling: 120)", len(ts))
	}
	var far int
	for _, g := range gs {
		if g >= 25*time.Second {
			far++
		}
	}
	if far < 10 {
		t.Errorf("only %d sparse polls while the end was far: %v", far, gs)
	}
	if got := h.job("x"); !got.ETA.IsZero() {
		t.Errorf("ETA %v kept after the end", got.ETA)
	}
}

// The ETA comes from the slope of progress, on the fraction of
// maximumProgress; before progress moves, from TypicalRender.
func TestETA(t *testing.T) {
	t.Run("slope", func(t *testing.T) {
		h := start(t, track.Options{})
		// 1000 units over 10 min: 100 units a minute.
		h.api.Job("x", func(n int, now time.Time) tracktest.Step {
			p := float64(int(1000 * now.Sub(t0) / (10 * time.Minute)))
			return tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: p, MaximumProgress: 1000}}
		})
		h.e.Add("x")
		h.run(2 * time.Minute)
		eta := h.job("x").ETA.Sub(t0)
		if eta < 10*time.Minute-5*time.Second || eta > 10*time.Minute+5*time.Second {
			t.Errorf("ETA %s after start, want about 10m", eta)
		}
	})
	t.Run("prior", func(t *testing.T) {
		h := start(t, track.Options{TypicalRender: 3 * time.Minute})
		h.api.Job("x", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusPreprocessing, 0)}))
		h.e.Add("x")
		h.idle()
		j := h.job("x")
		if want := j.Started.Add(3 * time.Minute); !j.ETA.Equal(want) {
			t.Errorf("ETA %v, want Started+3m %v", j.ETA, want)
		}
	})
}
