package track

import (
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// A bar drawn between looks moves at the slope from the last reading, and
// stops at the next look's time and short of the top.
func TestEstimate(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	run := Job{Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100,
		Rate: 0.01, ReadAt: t0, NextPoll: t0.Add(20 * time.Second)}
	tests := []struct {
		name   string
		j      Job
		at     time.Duration
		want   float64
		wantOK bool
	}{
		{"at the reading", run, 0, 0.40, false},
		{"5 s on", run, 5 * time.Second, 0.45, true},
		{"held at the next look", run, time.Minute, 0.60, true},
		{"short of the top", Job{Status: api.StatusGenerating, Progress: 95, MaximumProgress: 100, Rate: 0.01, ReadAt: t0}, time.Minute, 0.99, true},
		{"no slope", Job{Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, ReadAt: t0}, time.Minute, 0.40, false},
		{"ended", Job{Status: api.StatusFailed, Progress: 40, MaximumProgress: 100, Rate: 0.01, ReadAt: t0}, time.Minute, 0.40, false},
		{"clock behind the reading", run, -time.Second, 0.40, false},
		// Progress stalled at 40: the look at 60 s confirmed it, the next is
		// at 70 s, so the next reading can show at most 41 + 10 s of slope.
		{"stalled, confirmed since", Job{Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, Rate: 0.01,
			ReadAt: t0, LastPoll: t0.Add(time.Minute), NextPoll: t0.Add(70 * time.Second)}, 65 * time.Second, 0.51, true},
	}
	for _, tt := range tests {
		got, ok := tt.j.Estimate(t0.Add(tt.at))
		if ok != tt.wantOK || got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%s: got %.4f, %v; want %.4f, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}
