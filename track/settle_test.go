package track_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// busyStore is a Workspace that counts its calls in progress. A test that
// moves a virtual clock while an elector and an engine work against a real
// SQLite store in their own goroutines holds the clock still while the
// store works: an fsync'd write takes real time, which a loaded machine
// (go test -race on CI's two cores) stretches to hundreds of milliseconds,
// and a clock moved 10 ms a millisecond meanwhile would blame the product
// for seconds of virtual time it never had. Wrap the real store with it,
// under any fault-injecting wrapper (whose hangs are the test's own).
type busyStore struct {
	track.Workspace
	n atomic.Int64
}

func (b *busyStore) in() func() { b.n.Add(1); return func() { b.n.Add(-1) } }

func (b *busyStore) Added(jobs []track.Job) error { defer b.in()(); return b.Workspace.Added(jobs) }
func (b *busyStore) Removed(ids []string) error   { defer b.in()(); return b.Workspace.Removed(ids) }
func (b *busyStore) Changed(j track.Job) error    { defer b.in()(); return b.Workspace.Changed(j) }
func (b *busyStore) Salt(ctx context.Context) ([]byte, error) {
	defer b.in()()
	return b.Workspace.Salt(ctx)
}
func (b *busyStore) Claim(ctx context.Context, ws string, h track.Holder, ttl time.Duration) (track.Lease, error) {
	defer b.in()()
	return b.Workspace.Claim(ctx, ws, h, ttl)
}
func (b *busyStore) TakeFrom(ctx context.Context, ws string, h track.Holder, term int64, ttl time.Duration) (track.Lease, error) {
	defer b.in()()
	return b.Workspace.TakeFrom(ctx, ws, h, term, ttl)
}
func (b *busyStore) Lease(ctx context.Context, ws string) (track.Lease, error) {
	defer b.in()()
	return b.Workspace.Lease(ctx, ws)
}
func (b *busyStore) Resign(ctx context.Context, ws string, h track.Holder, term int64) error {
	defer b.in()()
	return b.Workspace.Resign(ctx, ws, h, term)
}
func (b *busyStore) SaveFenced(ctx context.Context, ws string, h track.Holder, term int64, j track.Job) error {
	defer b.in()()
	return b.Workspace.SaveFenced(ctx, ws, h, term, j)
}
func (b *busyStore) Ask(ctx context.Context, ws string, r track.Request) error {
	defer b.in()()
	return b.Workspace.Ask(ctx, ws, r)
}
func (b *busyStore) Take(ctx context.Context, ws string, h track.Holder, term int64) ([]track.Request, error) {
	defer b.in()()
	return b.Workspace.Take(ctx, ws, h, term)
}

// stepper moves a virtual clock in small steps, each only once the
// engines are idle and no call to the stores is in progress, so the
// virtual time a test bounds is the product's own, not the machine's.
type stepper struct {
	t       *testing.T
	clk     *tracktest.Clock
	stores  []*busyStore
	engines []*track.Engine // each running until the test ends
}

// quiet waits, in real time (10 s at most: then something hangs), for the
// engines to be idle and the stores to have no call in progress.
func (s *stepper) quiet() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, e := range s.engines {
		if err := e.WaitIdle(ctx); err != nil {
			s.t.Fatalf("an engine not idle within 10 s of real time: %v", err)
		}
	}
	for _, b := range s.stores {
		for b.n.Load() > 0 {
			if ctx.Err() != nil {
				s.t.Fatal("a store call still in progress after 10 s of real time")
			}
			time.Sleep(100 * time.Microsecond) // a count, not an event
		}
	}
}

// step waits for quiet, moves the clock by d and lets the goroutines it
// woke start.
func (s *stepper) step(d time.Duration) {
	s.t.Helper()
	s.quiet()
	s.clk.Advance(d)
	time.Sleep(time.Millisecond) // let the goroutines the clock woke run
}

// until steps 10 ms at a time until cond holds, failing after limit of
// virtual time.
func (s *stepper) until(what string, limit time.Duration, cond func() bool) {
	s.t.Helper()
	end := s.clk.Now().Add(limit)
	for !cond() {
		if s.clk.Now().After(end) {
			s.t.Fatalf("%s: not within %s of virtual time", what, limit)
		}
		s.step(10 * time.Millisecond)
	}
}

// testTime is how long, in real time, a test on the virtual clock may run
// before its engines are stopped: far above what one takes (5 s under
// -race), for a loaded machine.
const testTime = 60 * time.Second

// virtualRun is the frame of a test of engines on a virtual clock: the
// clock, a context that ends after testTime, and the goroutines started on
// it, waited for once the test ends.
func virtualRun(t *testing.T) (*tracktest.Clock, context.Context, *sync.WaitGroup) {
	clk := tracktest.NewClock(t0)
	ctx, cancel := context.WithTimeout(context.Background(), testTime)
	wg := new(sync.WaitGroup)
	t.Cleanup(func() { cancel(); wg.Wait() })
	return clk, ctx, wg
}

// openVirtual opens a SQLite store of its own on the virtual clock,
// closed when the test ends (before its engines are stopped, as they
// would find it in a crash).
func openVirtual(ctx context.Context, t *testing.T, clk *tracktest.Clock) *store.Store {
	t.Helper()
	s, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "reel.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
