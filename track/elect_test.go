package track_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// partitioned is a store a process can no longer reach: its lease calls
// fail, as for a process paused or cut off.
type partitioned struct {
	track.Workspace
	cut atomic.Bool
}

var errCut = errors.New("cut off")

func (p *partitioned) Claim(ctx context.Context, ws string, h track.Holder, ttl time.Duration) (track.Lease, error) {
	if p.cut.Load() {
		return track.Lease{}, errCut
	}
	return p.Workspace.Claim(ctx, ws, h, ttl)
}

// member is one process on the shared store: an engine and its elector.
type member struct {
	eng *track.Engine
	el  *track.Elector
	st  *partitioned
	api *tracktest.API
}

func TestElectorOnePollerFailoverAndForwarding(t *testing.T) {
	clk, ctx, wg := virtualRun(t)
	path := filepath.Join(t.TempDir(), "reel.db")
	running := api.Job{ID: "j1", Status: api.StatusGenerating, Progress: 10, MaximumProgress: 100}
	vc := &stepper{t: t, clk: clk}
	join := func(name string) *member {
		s, err := store.OpenWith(ctx, path, store.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fake := tracktest.NewAPI(clk)
		fake.Job("j1", tracktest.Steps(tracktest.Step{Job: &running}))
		b := &busyStore{Workspace: s}
		p := &partitioned{Workspace: b}
		el := track.NewElector(track.ElectorOptions{Store: p, Workspace: "ws", Holder: track.Holder{Name: name, Nonce: name}, Clock: clk})
		eng := track.New(track.Options{Client: fake, Clock: clk, Persist: el, Rand: rand.New(rand.NewPCG(1, 2))})
		el.Attach(eng)
		wg.Go(func() { _ = eng.Run(ctx) })
		wg.Go(func() { el.Run(ctx) })
		vc.stores = append(vc.stores, b)
		vc.engines = append(vc.engines, eng)
		return &member{eng: eng, el: el, st: p, api: fake}
	}
	// until moves virtual time on in small steps until cond holds, each
	// once the engines and the store have done what is due.
	until := vc.until

	a := join("a:1")
	until("a polls", 10*time.Second, a.el.Polling)
	a.eng.Add("j1")
	until("a asks about j1", 2*time.Second, func() bool { return a.api.Count("job", "j1") > 0 })
	b := join("b:2")
	b.eng.Load(track.Job{ID: "j1", Seq: 1})
	until("b watches a", 10*time.Second, func() bool { return b.eng.Conn().Role == "watching a:1" })
	if a.eng.Conn().Role != "polling" {
		t.Fatalf("a's role = %q; want polling", a.eng.Conn().Role)
	}

	// b's r reaches a, which polls j1 at once; b asks the API nothing.
	before := a.api.Count("job", "j1")
	b.eng.Refresh("j1")
	until("b's refresh polled by a", 2*time.Second, func() bool { return a.api.Count("job", "j1") > before })
	if n := b.api.Count("job", "j1"); n != 0 {
		t.Fatalf("the viewer asked the API %d times", n)
	}

	// a is cut off: it stops polling when its lease runs out, and b takes
	// over within the TTL, from j1's state.
	a.st.cut.Store(true)
	cutAt := clk.Now()
	until("b polls", 20*time.Second, b.el.Polling)
	// When b claimed, by the store's clock: its lease runs a TTL from then.
	l, err := b.st.Lease(ctx, "ws")
	if err != nil || l.Holder != "b:2" {
		t.Fatalf("lease = %+v, %v; want b's", l, err)
	}
	if took := l.Expires.Add(-track.DefaultLeaseTTL).Sub(cutAt); took > 15*time.Second {
		t.Errorf("takeover took %s; want within 15 s (TTL %s)", took, track.DefaultLeaseTTL)
	}
	if a.el.Polling() {
		t.Error("a still polls after its lease ran out: two pollers")
	}
	until("b asks about j1", 40*time.Second, func() bool { return b.api.Count("job", "j1") > 0 })

	// The cut heals: a sees b's lease and watches.
	a.st.cut.Store(false)
	until("a watches b", 10*time.Second, func() bool { return a.eng.Conn().Role == "watching b:2" })
	n, m := a.api.Count("job", "j1"), b.api.Count("job", "j1")
	end := clk.Now().Add(30 * time.Second)
	until("30 s more", 31*time.Second, func() bool { return !clk.Now().Before(end) })
	if got := a.api.Count("job", "j1"); got != n {
		t.Errorf("a, watching, asked the API %d more times", got-n)
	}
	if got := b.api.Count("job", "j1"); got == m {
		t.Error("b, polling, never asked about j1 in 30 s")
	}
}

// A lease whose holder is known to be gone (its process ended on this
// machine) is taken at once, not at its expiry.
func TestElectorTakesAGoneHoldersLeaseAtOnce(t *testing.T) {
	clk, ctx, wg := virtualRun(t)
	path := filepath.Join(t.TempDir(), "reel.db")
	dead, err := store.OpenWith(ctx, path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if l, err := dead.Claim(ctx, "ws", track.Holder{Name: "host:99", Nonce: "d"}, track.DefaultLeaseTTL); err != nil || !l.Mine {
		t.Fatalf("claim = %+v, %v", l, err)
	}
	s, err := store.OpenWith(ctx, path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := &busyStore{Workspace: s}
	el := track.NewElector(track.ElectorOptions{Store: b, Workspace: "ws", Holder: track.Holder{Name: "host:1", Nonce: "b"}, Clock: clk,
		Gone: func(h track.Holder) bool { return h.Name == "host:99" && h.Nonce == "d" }})
	eng := track.New(track.Options{Client: tracktest.NewAPI(clk), Clock: clk})
	el.Attach(eng)
	wg.Go(func() { el.Run(ctx) })
	vc := &stepper{t: t, clk: clk, stores: []*busyStore{b}} // the engine does not run
	for !el.Polling() {
		if clk.Now().Sub(t0) > 2*time.Second {
			t.Fatalf("not polling %v after the start; the gone holder's lease runs %v", clk.Now().Sub(t0), track.DefaultLeaseTTL)
		}
		vc.step(20 * time.Millisecond)
	}
}

// blackholed is a store whose packets vanish: while cut, a lease call
// answers only when its context ends.
type blackholed struct {
	track.Workspace
	cut     atomic.Bool
	clk     track.Clock
	mu      sync.Mutex
	renewed time.Time // when the last claim that won the lease was sent
}

func (b *blackholed) Claim(ctx context.Context, ws string, h track.Holder, ttl time.Duration) (track.Lease, error) {
	if b.cut.Load() {
		<-ctx.Done()
		return track.Lease{}, ctx.Err()
	}
	sent := b.clk.Now()
	l, err := b.Workspace.Claim(ctx, ws, h, ttl)
	if err == nil && l.Mine {
		b.mu.Lock()
		b.renewed = sent
		b.mu.Unlock()
	}
	return l, err
}

func (b *blackholed) Take(ctx context.Context, ws string, h track.Holder, term int64) ([]track.Request, error) {
	if b.cut.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return b.Workspace.Take(ctx, ws, h, term)
}

func (b *blackholed) SaveFenced(ctx context.Context, ws string, h track.Holder, term int64, j track.Job) error {
	if b.cut.Load() {
		return errCut
	}
	return b.Workspace.SaveFenced(ctx, ws, h, term, j)
}

// A poller cut off from the store, its calls hanging rather than failing,
// stops polling before its lease could have run out: a successor may hold
// it from then on.
func TestElectorStopsBeforeItsLeaseCouldRunOut(t *testing.T) {
	clk, ctx, wg := virtualRun(t)
	s := openVirtual(ctx, t, clk)
	busy := &busyStore{Workspace: s} // under the black hole: a call it holds is not the store's
	b := &blackholed{Workspace: busy, clk: clk}
	el := track.NewElector(track.ElectorOptions{Store: b, Workspace: "ws", Holder: track.Holder{Name: "a:1", Nonce: "a"}, Clock: clk})
	eng := track.New(track.Options{Client: tracktest.NewAPI(clk), Clock: clk, Persist: el})
	el.Attach(eng)
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() { el.Run(ctx) })
	vc := &stepper{t: t, clk: clk, stores: []*busyStore{busy}, engines: []*track.Engine{eng}}
	step := func() { vc.step(10 * time.Millisecond) }
	for !el.Polling() {
		if clk.Now().Sub(t0) > 5*time.Second {
			t.Fatal("never polled")
		}
		step()
	}
	for range 300 { // a few renewals
		step()
	}
	b.cut.Store(true)
	b.mu.Lock()
	latest := b.renewed.Add(track.DefaultLeaseTTL) // the lease runs out by then, at the latest
	b.mu.Unlock()
	for el.Polling() {
		if !clk.Now().Before(latest) {
			t.Fatalf("still polling %v after the last renewal, cut off: the lease may be another's", clk.Now().Sub(latest.Add(-track.DefaultLeaseTTL)))
		}
		step()
	}
	if left := latest.Sub(clk.Now()); left < 500*time.Millisecond {
		t.Errorf("stopped only %v before the lease could run out", left)
	}
}

// unreachable is a store that answers nothing while off, as a database
// server stopped for a while.
type unreachable struct {
	track.Workspace
	off atomic.Bool
}

var errDown = errors.New("store unreachable")

func (u *unreachable) Claim(ctx context.Context, ws string, h track.Holder, ttl time.Duration) (track.Lease, error) {
	if u.off.Load() {
		return track.Lease{}, errDown
	}
	return u.Workspace.Claim(ctx, ws, h, ttl)
}

func (u *unreachable) SaveFenced(ctx context.Context, ws string, h track.Holder, term int64, j track.Job) error {
	if u.off.Load() {
		return errDown
	}
	return u.Workspace.SaveFenced(ctx, ws, h, term, j)
}

func (u *unreachable) Take(ctx context.Context, ws string, h track.Holder, term int64) ([]track.Request, error) {
	if u.off.Load() {
		return nil, errDown
	}
	return u.Workspace.Take(ctx, ws, h, term)
}

// A job that finishes while the store is down, longer than the lease: the
// poller steps down, renews its own lease once the store is back, and
// writes the answer it could not, which it would never poll for again.
func TestElectorSavesWhatTheStoreRefusedWhileDown(t *testing.T) {
	for _, outage := range []time.Duration{3 * time.Second, 30 * time.Second} {
		t.Run(outage.String(), func(t *testing.T) {
			clk, ctx, wg := virtualRun(t)
			s := openVirtual(ctx, t, clk)
			var done atomic.Bool
			running := api.Job{ID: "j1", Status: api.StatusGenerating, Progress: 10, MaximumProgress: 100}
			finished := api.Job{ID: "j1", VideoID: "v1", Status: api.StatusFinished, Progress: 100, MaximumProgress: 100}
			fake := tracktest.NewAPI(clk)
			fake.Job("j1", func(int, time.Time) tracktest.Step {
				if done.Load() {
					return tracktest.Step{Job: &finished}
				}
				return tracktest.Step{Job: &running}
			})
			fake.Video("v1", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "v1", PublicURL: "https://files.example/v1.mp4"}}))
			busy := &busyStore{Workspace: s}
			u := &unreachable{Workspace: busy}
			el := track.NewElector(track.ElectorOptions{Store: u, Workspace: "ws", Holder: track.Holder{Name: "a:1", Nonce: "a"}, Clock: clk})
			eng := track.New(track.Options{Client: fake, Clock: clk, Persist: el, Rand: rand.New(rand.NewPCG(1, 2))})
			el.Attach(eng)
			wg.Go(func() { _ = eng.Run(ctx) })
			wg.Go(func() { el.Run(ctx) })
			until := (&stepper{t: t, clk: clk, stores: []*busyStore{busy}, engines: []*track.Engine{eng}}).until
			stored := func() api.Status {
				jobs, err := s.Load(ctx)
				if err != nil || len(jobs) != 1 {
					return ""
				}
				return jobs[0].Status
			}
			until("polling", 10*time.Second, el.Polling)
			eng.Add("j1")
			until("j1 stored running", 5*time.Second, func() bool { return stored() == api.StatusGenerating })

			u.off.Store(true)
			done.Store(true)
			eng.Refresh("j1")
			until("the finished video asked for", 5*time.Second, func() bool { return fake.Count("video", "v1") > 0 })
			end := clk.Now().Add(outage)
			until("the outage", outage+time.Second, func() bool { return !clk.Now().Before(end) })
			if got := stored(); got != api.StatusGenerating {
				t.Fatalf("stored %q during the outage", got)
			}
			polls := fake.Count("job", "j1")
			u.off.Store(false)
			until("j1 stored finished after the outage", 5*time.Second, func() bool { return stored() == api.StatusFinished })
			if fake.Count("job", "j1") != polls {
				t.Errorf("j1 polled again (%d → %d): the saved answer should not need it", polls, fake.Count("job", "j1"))
			}
		})
	}
}

// refusing is a store that cannot keep a poll's answer (text it refuses),
// and counts the tries.
type refusing struct {
	track.Workspace
	saves atomic.Int64
}

func (r *refusing) SaveFenced(context.Context, string, track.Holder, int64, track.Job) error {
	r.saves.Add(1)
	return fmt.Errorf("store: saving j1: %w", track.ErrUnstorable)
}

// An answer the store can never keep is dropped, not tried again at every
// round for ever.
func TestElectorDropsWhatTheStoreCannotKeep(t *testing.T) {
	clk, ctx, wg := virtualRun(t)
	s := openVirtual(ctx, t, clk)
	fake := tracktest.NewAPI(clk)
	fake.Job("j1", tracktest.Steps(tracktest.Step{Job: &api.Job{ID: "j1", Status: api.StatusFailed, Progress: 10, MaximumProgress: 100}}))
	busy := &busyStore{Workspace: s}
	r := &refusing{Workspace: busy}
	el := track.NewElector(track.ElectorOptions{Store: r, Workspace: "ws", Holder: track.Holder{Name: "a:1", Nonce: "a"}, Clock: clk})
	eng := track.New(track.Options{Client: fake, Clock: clk, Persist: el, Rand: rand.New(rand.NewPCG(1, 2))})
	el.Attach(eng)
	eng.Add("j1")
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() { el.Run(ctx) })
	vc := &stepper{t: t, clk: clk, stores: []*busyStore{busy}, engines: []*track.Engine{eng}}
	for r.saves.Load() == 0 {
		if clk.Now().Sub(t0) > 10*time.Second {
			t.Fatal("the answer never reached the store")
		}
		vc.step(10 * time.Millisecond)
	}
	first := r.saves.Load()
	for range 500 { // 5 s of rounds
		vc.step(10 * time.Millisecond)
	}
	if n := r.saves.Load(); n > first {
		t.Errorf("the store refused the answer for good, yet it was tried %d times more", n-first)
	}
}
