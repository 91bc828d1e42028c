package track_test

import (
	"context"
	"errors"
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
	clk := tracktest.NewClock(t0)
	path := filepath.Join(t.TempDir(), "reel.db")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	running := api.Job{ID: "j1", Status: api.StatusGenerating, Progress: 10, MaximumProgress: 100}
	join := func(name string) *member {
		s, err := store.OpenWith(ctx, path, store.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fake := tracktest.NewAPI(clk)
		fake.Job("j1", tracktest.Steps(tracktest.Step{Job: &running}))
		p := &partitioned{Workspace: s}
		el := track.NewElector(track.ElectorOptions{Store: p, Workspace: "ws", Holder: track.Holder{Name: name, Nonce: name}, Clock: clk})
		eng := track.New(track.Options{Client: fake, Clock: clk, Persist: el, Rand: rand.New(rand.NewPCG(1, 2))})
		el.Attach(eng)
		wg.Go(func() { _ = eng.Run(ctx) })
		wg.Go(func() { el.Run(ctx) })
		return &member{eng: eng, el: el, st: p, api: fake}
	}
	// until moves virtual time on in small steps until cond holds.
	until := func(what string, limit time.Duration, cond func() bool) {
		t.Helper()
		end := clk.Now().Add(limit)
		for !cond() {
			if clk.Now().After(end) {
				t.Fatalf("%s: not within %s of virtual time", what, limit)
			}
			clk.Advance(10 * time.Millisecond)
			time.Sleep(time.Millisecond) // let the goroutines the clock woke run
		}
	}

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
	clk := tracktest.NewClock(t0)
	path := filepath.Join(t.TempDir(), "reel.db")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
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
	el := track.NewElector(track.ElectorOptions{Store: s, Workspace: "ws", Holder: track.Holder{Name: "host:1", Nonce: "b"}, Clock: clk,
		Gone: func(name string) bool { return name == "host:99" }})
	eng := track.New(track.Options{Client: tracktest.NewAPI(clk), Clock: clk})
	el.Attach(eng)
	wg.Go(func() { el.Run(ctx) })
	for !el.Polling() {
		if clk.Now().Sub(t0) > 2*time.Second {
			t.Fatalf("not polling %v after the start; the gone holder's lease runs %v", clk.Now().Sub(t0), track.DefaultLeaseTTL)
		}
		clk.Advance(20 * time.Millisecond)
		time.Sleep(time.Millisecond) // let the goroutine the clock woke run
	}
}
