package track_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// t0 is where every test's virtual clock starts.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// harness runs an engine on a virtual clock against a scripted API.
type harness struct {
	t   *testing.T
	clk *tracktest.Clock
	api *tracktest.API
	e   *track.Engine
	ctx context.Context
}

// start runs an engine with opts (Client, Clock and Rand filled in) until
// the test ends, and checks that Run then returns.
func start(t *testing.T, opts track.Options) *harness {
	t.Helper()
	clk := tracktest.NewClock(t0)
	fake := tracktest.NewAPI(clk)
	opts.Clock = clk
	if opts.Client == nil {
		opts.Client = fake
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(1, 2))
	}
	e := track.New(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return &harness{t: t, clk: clk, api: fake, e: e, ctx: ctx}
}

// idle waits for the engine to finish what is due now.
func (h *harness) idle() {
	h.t.Helper()
	if err := h.e.WaitIdle(h.ctx); err != nil {
		h.t.Fatalf("engine never idle: %v", err)
	}
}

// run moves virtual time forward by d, step by step.
func (h *harness) run(d time.Duration) {
	h.t.Helper()
	if err := h.clk.RunUntil(h.ctx, h.e, h.clk.Now().Add(d)); err != nil {
		h.t.Fatalf("run %s: %v", d, err)
	}
}

// runUntil moves time on until cond holds or limit passes.
func (h *harness) runUntil(limit time.Duration, cond func() bool) {
	h.t.Helper()
	end := h.clk.Now().Add(limit)
	for {
		h.idle()
		if cond() {
			return
		}
		if !h.clk.Now().Before(end) {
			h.t.Fatalf("condition not met within %s", limit)
		}
		next, ok := h.clk.Next()
		if !ok || next.After(end) {
			next = end
		}
		if err := h.clk.RunUntil(h.ctx, h.e, next); err != nil {
			h.t.Fatal(err)
		}
	}
}

// job returns a snapshot, failing the test when it is not tracked.
func (h *harness) job(id string) track.Job {
	h.t.Helper()
	j, ok := h.e.Job(id)
	if !ok {
		h.t.Fatalf("job %q not tracked", id)
	}
	return j
}

// jobAt builds a job answer.
func jobAt(s api.Status, progress float64) *api.Job {
	return &api.Job{Status: s, Progress: progress, MaximumProgress: 100, VideoID: "vid"}
}

// callTimes lists when requests of kind went to id.
func (h *harness) callTimes(kind, id string) []time.Duration {
	var out []time.Duration
	for _, c := range h.api.Calls() {
		if c.Kind == kind && c.ID == id {
			out = append(out, c.At.Sub(t0))
		}
	}
	return out
}

// gaps turns call times into the waits between them.
func gaps(ts []time.Duration) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i]-ts[i-1])
	}
	return out
}
