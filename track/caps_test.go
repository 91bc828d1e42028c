package track_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// When the request cap, not the pace, decides how often jobs are looked at,
// Conn says so, with about how long one round of them takes; once the cap
// no longer binds, it says nothing. The cap itself holds throughout.
func TestConnSaysWhenTheCapDecides(t *testing.T) {
	for _, tt := range []struct {
		jobs      int
		rps       float64
		wantCycle bool
	}{
		{jobs: 10, rps: 0, wantCycle: false},   // the default cap: the pace decides
		{jobs: 300, rps: 2, wantCycle: true},   // 150 s a round at 2 a second
		{jobs: 300, rps: 50, wantCycle: false}, // a workspace with a higher limit
	} {
		t.Run(fmt.Sprintf("%d jobs at %g per second", tt.jobs, tt.rps), func(t *testing.T) {
			h := start(t, track.Options{MaxRPS: tt.rps})
			var ids []string
			for i := range tt.jobs {
				id := fmt.Sprintf("j%d", i)
				ids = append(ids, id)
				// Running for ever, at a slope that asks for a look every few seconds.
				h.api.Job(id, func(_ int, now time.Time) tracktest.Step {
					return tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: float64(int(now.Sub(t0) / time.Second)), MaximumProgress: 1e9}}
				})
			}
			h.e.Add(ids...)
			h.run(3 * time.Minute)
			c := h.e.Conn()
			if got := c.CapCycle > 0; got != tt.wantCycle {
				t.Fatalf("CapCycle %s, want set: %v", c.CapCycle, tt.wantCycle)
			}
			if rps := tt.rps; rps > 0 {
				if c.MaxRPS != rps {
					t.Errorf("MaxRPS %g, want %g", c.MaxRPS, rps)
				}
				// The cap held: requests over 3 min within rps a second (plus the burst).
				if n := len(h.api.Calls()); float64(n) > rps*180+rps+1 {
					t.Errorf("%d requests in 3 min, over the cap of %g a second", n, rps)
				}
			}
			if !tt.wantCycle {
				return
			}
			if want := time.Duration(float64(tt.jobs) / tt.rps * float64(time.Second)); c.CapCycle < want/2 || c.CapCycle > 2*want {
				t.Errorf("CapCycle %s, want about %s", c.CapCycle, want)
			}
			h.e.Remove(ids[1:]...)
			h.run(time.Minute)
			if c := h.e.Conn(); c.CapCycle != 0 {
				t.Errorf("CapCycle %s with one job left, want 0", c.CapCycle)
			}
		})
	}
}
