package store_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// The store as the engine's Persister, end to end on a virtual clock: a
// job's run lands in the store and its history, a second engine loads it
// back, and the history gives the next job its typical render time.
func TestEngineRoundTrip(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "reel.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	clk := tracktest.NewClock(start)
	fake := tracktest.NewAPI(clk)
	at := func(st api.Status, p float64) tracktest.Step {
		return tracktest.Step{Job: &api.Job{ID: "j1", VideoID: "v1", Status: st, Progress: p, MaximumProgress: 100}}
	}
	fake.Job("j1", func(_ int, now time.Time) tracktest.Step {
		switch el := now.Sub(start); {
		case el < 2*time.Minute:
			return at(api.StatusInQueue, 0)
		case el < 12*time.Minute:
			return at(api.StatusGenerating, float64(el/time.Minute)*8)
		}
		return at(api.StatusFinished, 100)
	})
	fake.Video("v1", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "v1", Name: "Intro", PublicURL: "https://cdn/v1.mp4"}}))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e := track.New(track.Options{Client: fake, Clock: clk, Persist: s, Rand: rand.New(rand.NewPCG(1, 2))})
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	e.Add("j1")
	if jobs, err := s.Load(ctx); err != nil || len(jobs) != 1 {
		t.Fatalf("Add returned before the store had the job: %v, %v", jobs, err)
	}
	if err := clk.RunUntil(ctx, e, start.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done

	jobs, err := s.Load(context.Background())
	if err != nil || len(jobs) != 1 {
		t.Fatalf("Load = %v, %v", jobs, err)
	}
	j := jobs[0]
	if j.Status != api.StatusFinished || j.JobID != "j1" || j.Video == nil || j.Video.PublicURL == "" || j.Ended.IsZero() {
		t.Fatalf("stored job %+v", j)
	}
	ty, err := s.Typical(context.Background())
	if err != nil || ty.Samples != 1 || ty.Queue <= 0 || ty.Render < 9*time.Minute || ty.Render > 12*time.Minute {
		t.Fatalf("Typical = %+v, %v; want one sample, ~2m queue, ~10m render", ty, err)
	}

	t.Logf("typical after one run: %+v", ty)

	// A second engine starts from the store, and does not write it back.
	e2 := track.New(track.Options{Client: fake, Clock: clk, Persist: s, TypicalRender: ty.Render})
	if got := e2.Load(jobs...); len(got) != 1 || got[0].Status != api.StatusFinished {
		t.Fatalf("engine Load = %+v", got)
	}
}
