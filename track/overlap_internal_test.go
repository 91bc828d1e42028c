package track

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track/tracktest"
)

// These tests hold requests in flight, so the engine is never idle; they
// look inside to know when the loop has done all it can.

func startHeld(t *testing.T, opts Options) (*Engine, *tracktest.Clock, *tracktest.API, context.Context) {
	t.Helper()
	clk := tracktest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	fake := tracktest.NewAPI(clk)
	opts.Client, opts.Clock, opts.Rand = fake, clk, rand.New(rand.NewPCG(1, 2))
	e := New(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	t.Cleanup(func() { fake.Release(); cancel(); <-done })
	return e, clk, fake, ctx
}

// settled waits until the loop waits for a poke with none pending: every
// request it could start has been started.
func settled(t *testing.T, ctx context.Context, e *Engine) {
	t.Helper()
	for {
		e.mu.Lock()
		ok := e.blocked && !e.pending
		ch := e.stateCh
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatal("loop never settled")
		}
	}
}

func inFlight(e *Engine) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inflight
}

// The in-flight cap holds however many jobs are due.
func TestInFlightCap(t *testing.T) {
	e, _, fake, ctx := startHeld(t, Options{MaxInFlight: 3, MaxRPS: 1000})
	fake.Hold()
	ids := []string{"a", "b", "c", "d", "e", "f", "g"}
	for _, id := range ids {
		fake.Job(id, tracktest.Steps(tracktest.Step{Job: &api.Job{Status: api.StatusInQueue}}))
	}
	e.Add(ids...)
	if err := fake.WaitCalls(ctx, 3); err != nil {
		t.Fatal(err)
	}
	settled(t, ctx, e)
	if n := inFlight(e); n != 3 || len(fake.Calls()) != 3 {
		t.Fatalf("in flight %d, calls %d; want 3 and 3", n, len(fake.Calls()))
	}
	fake.Release()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fake.Count("job", ""); got != len(ids) {
		t.Errorf("%d lookups, want %d", got, len(ids))
	}
	if m := fake.MaxInFlight(); m > 3 {
		t.Errorf("%d requests were in flight at once", m)
	}
}

// A nudge while a poll is in flight does not start a second one; it asks
// again once the first answers, since that answer may predate the hint.
func TestNoOverlapNudgeAsksAgain(t *testing.T) {
	e, _, fake, ctx := startHeld(t, Options{})
	fake.Job("x", tracktest.Steps(tracktest.Step{Job: &api.Job{Status: api.StatusInQueue}}))
	fake.Hold()
	e.Add("x")
	if err := fake.WaitCalls(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		e.Nudge("x")
		e.Nudge("")
		e.Refresh("x")
	}
	settled(t, ctx, e)
	if n := inFlight(e); n != 1 {
		t.Fatalf("%d requests with one in flight, want 1", n)
	}
	fake.Release()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Calls()); n != 2 {
		t.Errorf("%d requests, want the first and one more for the nudges", n)
	}
	if m := fake.MaxInFlight(); m != 1 {
		t.Errorf("%d requests for one job at once", m)
	}
}

// An answer to a request made before the job was removed and tracked again
// is dropped, and the job is asked afresh, never two at once.
func TestStaleAnswerDropped(t *testing.T) {
	e, _, fake, ctx := startHeld(t, Options{})
	fake.Job("x", tracktest.Steps(
		tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: 10, MaximumProgress: 100}},
		tracktest.Step{Job: &api.Job{Status: api.StatusFailed, Progress: 50, MaximumProgress: 100}}))
	fake.Hold()
	e.Add("x")
	if err := fake.WaitCalls(ctx, 1); err != nil {
		t.Fatal(err)
	}
	old := e.Remove("x")
	e.Restore(old...)
	settled(t, ctx, e)
	if n := inFlight(e); n != 1 {
		t.Fatalf("%d requests: the restored job was asked while the old request was out", n)
	}
	fake.Release()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := e.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Job != nil && ev.Job.Status == api.StatusGenerating {
			t.Errorf("the stale answer showed: %+v", ev.Job)
		}
	}
	j, _ := e.Job("x")
	if j.Status != api.StatusFailed || j.Seq != old[0].Seq {
		t.Errorf("job = %+v, want failed with its old Seq", j)
	}
	if m := fake.MaxInFlight(); m != 1 {
		t.Errorf("%d requests at once", m)
	}
}
