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

// A job that does not move is looked at densely at first, then less and
// less: a queued one from about 5 s up to 30 s, a running one with no
// slope from about 3 s up to 15 s. A user's --interval replaces the
// adaptive pace.
func TestSteadyPace(t *testing.T) {
	tests := []struct {
		name        string
		interval    time.Duration
		status      api.Status
		first, last [2]time.Duration // the first gap's range, and the last's
	}{
		{"queued", 0, api.StatusInQueue, [2]time.Duration{4500 * time.Millisecond, 5500 * time.Millisecond}, [2]time.Duration{27 * time.Second, 33 * time.Second}},
		{"running, progress still", 0, api.StatusPreprocessing, [2]time.Duration{2700 * time.Millisecond, 3300 * time.Millisecond}, [2]time.Duration{13500 * time.Millisecond, 16500 * time.Millisecond}},
		{"unknown word", 0, "paused_by_ops", [2]time.Duration{2700 * time.Millisecond, 3300 * time.Millisecond}, [2]time.Duration{13500 * time.Millisecond, 16500 * time.Millisecond}},
		{"--interval 60s running", time.Minute, api.StatusGenerating, [2]time.Duration{54 * time.Second, 66 * time.Second}, [2]time.Duration{54 * time.Second, 66 * time.Second}},
		{"--interval 60s queued", time.Minute, api.StatusInQueue, [2]time.Duration{108 * time.Second, 132 * time.Second}, [2]time.Duration{108 * time.Second, 132 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, track.Options{Interval: tt.interval})
			h.api.Job("x", tracktest.Steps(tracktest.Step{Job: jobAt(tt.status, 0)}))
			h.e.Add("x")
			h.run(30 * time.Minute)
			gs := gaps(h.callTimes("job", "x"))
			inRange(t, "first gap", gs[:1], tt.first[0], tt.first[1])
			inRange(t, "last gaps", gs[len(gs)-5:], tt.last[0], tt.last[1])
			inRange(t, "every gap", gs, tt.first[0], tt.last[1])
			for i := 3; i < len(gs); i++ {
				// Jitter aside (±10 %), gaps never shrink while nothing moves.
				if gs[i] < gs[i-3]*8/10 {
					t.Errorf("gap %d = %s shrank from %s three gaps before: %v", i, gs[i], gs[i-3], gs)
					break
				}
			}
		})
	}
}

// A job that ends seconds after it is added, the case the docs' loop wins
// when the pace waits 20 s on a queued job, is seen ending within 5 s, and
// its stage in between is shown.
func TestShortJobSeenPromptly(t *testing.T) {
	for _, end := range []time.Duration{2 * time.Second, 5 * time.Second, 9 * time.Second, 14 * time.Second} {
		t.Run(end.String(), func(t *testing.T) {
			h := start(t, track.Options{})
			h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
				el := now.Sub(t0)
				switch {
				case el >= end:
					return tracktest.Step{Job: jobAt(api.StatusFinished, 100)}
				case el >= end/2:
					return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(int(100*el/end)))}
				}
				return tracktest.Step{Job: jobAt(api.StatusInQueue, 0)}
			})
			h.api.Video("vid", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "vid", PublicURL: "u"}}))
			h.e.Add("x")
			h.runUntil(time.Minute, func() bool { return h.job("x").Settled })
			if late := h.job("x").Ended.Sub(t0) - end; late > 5*time.Second {
				t.Errorf("end seen %s after it happened, want within 5 s (polls at %v)", late, h.callTimes("job", "x"))
			}
			if n := len(h.callTimes("video", "vid")); n != 1 {
				t.Errorf("video asked %d times; a job that ends this soon needs it once, at the end", n)
			}
		})
	}
}

// While a job could end at any moment (progress at the top, or within one
// of its coarse steps of it) it is looked at every 3 s or sooner, so the
// end is seen within 3 s; once parked there for 10 min, less often.
func TestWatchesTheTop(t *testing.T) {
	t.Run("parked at the top", func(t *testing.T) {
		h := start(t, track.Options{})
		render, park := 2*time.Minute, 4*time.Minute
		h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
			el := now.Sub(t0)
			switch {
			case el >= render+park:
				return tracktest.Step{Job: jobAt(api.StatusFinished, 100)}
			case el >= render:
				return tracktest.Step{Job: jobAt(api.StatusGenerating, 100)}
			}
			return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(int(100*el/render)))}
		})
		h.e.Add("x")
		h.runUntil(time.Hour, func() bool { return h.job("x").Terminal() })
		ts := h.callTimes("job", "x")
		var top []time.Duration
		for _, at := range ts {
			if at > render+5*time.Second {
				top = append(top, at)
			}
		}
		inRange(t, "gaps at the top", gaps(top), time.Second, 3*time.Second)
		if late := ts[len(ts)-1] - render - park; late > 3*time.Second {
			t.Errorf("end seen %s late, want within 3 s", late)
		}
	})
	t.Run("coarse steps", func(t *testing.T) {
		h := start(t, track.Options{})
		// 0, 20, 40, 60, 80 % a minute apart, then finished straight from 80 %.
		h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
			n := int(now.Sub(t0) / time.Minute)
			if n >= 5 {
				return tracktest.Step{Job: jobAt(api.StatusFinished, 100)}
			}
			return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(20*n))}
		})
		h.e.Add("x")
		h.runUntil(time.Hour, func() bool { return h.job("x").Terminal() })
		ts := h.callTimes("job", "x")
		if late := ts[len(ts)-1] - 5*time.Minute; late > 3*time.Second {
			t.Errorf("end seen %s late, want within 3 s; polls %v", late, ts)
		}
		if len(ts) > 60 {
			t.Errorf("%d polls in 5 min, want under 60 (fixed 5 s polling: 60)", len(ts))
		}
	})
	t.Run("parked for long", func(t *testing.T) {
		h := start(t, track.Options{})
		h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
			if now.Sub(t0) < time.Minute {
				return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(int(100*now.Sub(t0)/time.Minute)))}
			}
			return tracktest.Step{Job: jobAt(api.StatusGenerating, 100)}
		})
		h.e.Add("x")
		h.run(2 * time.Hour)
		gs := gaps(h.callTimes("job", "x"))
		inRange(t, "gaps after an hour at the top", gs[len(gs)-5:], 20*time.Second, 30*time.Second)
	})
}

// A stall mid-render moves the ETA out as the reading stands, instead of
// leaving an estimate in the past that makes the engine hammer the job.
func TestStallMovesTheETA(t *testing.T) {
	h := start(t, track.Options{})
	// 1 % every 6 s (10 min for the whole), but stuck at 40 % from 4 min to 9 min.
	h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
		el := now.Sub(t0)
		switch {
		case el >= 9*time.Minute:
			el -= 5 * time.Minute
		case el >= 4*time.Minute:
			el = 4 * time.Minute
		}
		return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(int(el/(6*time.Second))))}
	})
	h.e.Add("x")
	h.run(4 * time.Minute)
	before := h.job("x").ETA
	h.run(4 * time.Minute)
	after := h.job("x").ETA
	if !after.After(before.Add(3 * time.Minute)) {
		t.Errorf("ETA %s after 4 min stalled, was %s: want it moved out", after.Sub(t0), before.Sub(t0))
	}
	var n int
	for _, at := range h.callTimes("job", "x") {
		if at > 4*time.Minute+10*time.Second && at < 9*time.Minute {
			n++
		}
	}
	if n > 20 {
		t.Errorf("%d polls during a 5 min stall far from the end, want at most 20", n)
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
	t.Run("held at the top", func(t *testing.T) {
		// 100 units over 2 min, then held at 100 for 4 min: once at the top
		// there is no estimate, rather than one frozen in the past.
		h := start(t, track.Options{})
		h.api.Job("x", func(n int, now time.Time) tracktest.Step {
			p := min(float64(int(100*now.Sub(t0)/(2*time.Minute))), 100)
			return tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: p, MaximumProgress: 100}}
		})
		h.e.Add("x")
		for range 8 {
			h.run(30 * time.Second)
			j := h.job("x")
			if j.Progress >= 100 && !j.ETA.IsZero() {
				t.Fatalf("at %s, held at the top: ETA %s after start, want none", h.clk.Now().Sub(t0), j.ETA.Sub(t0))
			}
			if !j.ETA.IsZero() && j.ETA.Before(j.LastPoll) {
				t.Fatalf("at %s: ETA %s before the last look", h.clk.Now().Sub(t0), j.ETA.Sub(t0))
			}
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

// Progress sent as a fraction (maximumProgress 1) is paced like any other:
// a 10 min render costs well under fixed 5 s polling's 120 requests, not
// a look every 3 s because 1 unit "is the whole job".
func TestPaceFractionalProgress(t *testing.T) {
	h := start(t, track.Options{})
	render := 10 * time.Minute
	h.api.Job("x", func(_ int, now time.Time) tracktest.Step {
		el := now.Sub(t0)
		if el >= render {
			return tracktest.Step{Job: &api.Job{Status: api.StatusFinished, Progress: 1, MaximumProgress: 1, VideoID: "vid"}}
		}
		p := float64(int(100*el/render)) / 100
		return tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: p, MaximumProgress: 1, VideoID: "vid"}}
	})
	h.api.Video("vid", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "vid", PublicURL: "u"}}))
	h.e.Add("x")
	h.runUntil(20*time.Minute, func() bool { return h.job("x").Settled })
	n := len(h.callTimes("job", "x"))
	if n > 60 {
		t.Errorf("%d requests over a 10 min render with progress as a fraction, want well under fixed 5 s polling's 120", n)
	}
	if late := h.job("x").Ended.Sub(t0) - render; late > 5*time.Second {
		t.Errorf("end seen %s late, want within 5 s", late)
	}
}
