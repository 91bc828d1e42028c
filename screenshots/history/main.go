// Command history writes a made-up but plausible history into a reel store,
// so that the statistics screenshot has something to show: a few hundred
// jobs over the last twelve hours, queued, preprocessed, rendered, a few
// failed, all no longer tracked (their history stays). screenshots/make.sh
// runs it; it is not part of reel.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

var names = []string{
	"Onboarding: welcome", "Safety training, module 4", "Q3 sales kickoff – EMEA", "Product update — v2.3",
	"HR policy walkthrough", "Customer story: Nordwind GmbH", "Weekly digest #42", "Compliance refresh 2025",
}

var reasons = []string{
	"Timed out waiting for a render worker", "Timed out waiting for a render worker", "Avatar rendering failed",
	"Media asset could not be downloaded",
}

func main() {
	path := flag.String("store", "", "the store `FILE` to write into (made when missing)")
	n := flag.Int("jobs", 320, "how many jobs")
	flag.Parse()
	if err := run(*path, *n, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "history:", err)
		os.Exit(1)
	}
}

func run(path string, n int, now time.Time) error {
	if path == "" {
		return fmt.Errorf("-store is required")
	}
	s, err := store.Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(20250602, 7))
	jobs := make([]track.Job, n)
	ids := make([]string, n)
	for i := range jobs {
		ids[i] = fmt.Sprintf("hist-%04d", i)
		jobs[i] = track.Job{ID: ids[i], Seq: int64(1_000_000 + i)}
	}
	if err := s.Add(ctx, jobs...); err != nil {
		return err
	}
	// logNormal draws around median m with spread sigma.
	logNormal := func(m time.Duration, sigma float64) time.Duration {
		return time.Duration(float64(m) * math.Exp(rng.NormFloat64()*sigma))
	}
	span := 12 * time.Hour
	for i := range jobs {
		j := jobs[i]
		// More jobs in the afternoon's batch than in the morning.
		x := rng.Float64()
		at := now.Add(-span + time.Duration(math.Sqrt(x)*float64(span-45*time.Minute)))
		length := 30 + rng.Float64()*270 // seconds of video
		steps := []struct {
			s api.Status
			d time.Duration
		}{
			{api.StatusInQueue, logNormal(2*time.Minute, 0.6)},
			{api.StatusPreprocessing, logNormal(40*time.Second, 0.3)},
			{api.StatusGenerating, time.Duration(length / 60 * float64(logNormal(3*time.Minute, 0.25)))},
		}
		for _, st := range steps {
			j.Status, j.StatusSince = st.s, at
			if err := s.Save(ctx, j); err != nil {
				return err
			}
			at = at.Add(st.d)
		}
		j.StatusSince = at
		if rng.Float64() < 0.08 {
			raw, _ := json.Marshal(map[string]any{"id": j.ID, "status": "failed", "failureReason": reasons[rng.IntN(len(reasons))]})
			j.Status, j.Job = api.StatusFailed, &api.Job{ID: j.ID, Status: api.StatusFailed, Raw: raw}
		} else {
			j.Status = api.StatusFinished
			j.Video = &api.Video{ID: "v-" + j.ID, Name: names[rng.IntN(len(names))], VideoDurationSeconds: &length}
		}
		if err := s.Save(ctx, j); err != nil {
			return err
		}
	}
	return s.Remove(ctx, ids...)
}
