package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// leaseClock is a store clock tests move by hand.
type leaseClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *leaseClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *leaseClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// twoStores opens one file twice, as two processes would, on one clock.
func twoStores(t *testing.T) (a, b *Store, clk *leaseClock) {
	t.Helper()
	clk = &leaseClock{t: t0}
	path := filepath.Join(t.TempDir(), "reel.db")
	var err error
	if a, err = OpenWith(context.Background(), path, Options{Now: clk.now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = OpenWith(context.Background(), path, Options{Now: clk.now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, clk
}

func TestLeaseClaimTakeoverAndFencing(t *testing.T) {
	ctx := context.Background()
	a, b, clk := twoStores(t)
	ha, hb := track.Holder{Name: "a:1", Nonce: "ta"}, track.Holder{Name: "b:2", Nonce: "tb"}
	const ws, ttl = "w1", 15 * time.Second
	if err := a.Add(ctx, track.Job{ID: "j1", Seq: 1}); err != nil {
		t.Fatal(err)
	}

	la, err := a.Claim(ctx, ws, ha, ttl)
	if err != nil || !la.Mine || la.Term != 1 {
		t.Fatalf("first claim = %+v, %v; want mine at term 1", la, err)
	}
	lb, err := b.Claim(ctx, ws, hb, ttl)
	if err != nil || lb.Mine || lb.Holder != "a:1" || lb.Term != 1 {
		t.Fatalf("second claim = %+v, %v; want a:1's lease, not b's", lb, err)
	}
	// Another workspace is another lease.
	if l, err := b.Claim(ctx, "w2", hb, ttl); err != nil || !l.Mine {
		t.Fatalf("claim of another workspace = %+v, %v; want mine", l, err)
	}
	// Renewal keeps the term and pushes the expiry.
	clk.add(10 * time.Second)
	if la, err = a.Claim(ctx, ws, ha, ttl); err != nil || !la.Mine || la.Term != 1 || !la.Expires.Equal(clk.now().Add(ttl)) {
		t.Fatalf("renewal = %+v, %v", la, err)
	}
	clk.add(10 * time.Second)
	if lb, _ = b.Claim(ctx, ws, hb, ttl); lb.Mine {
		t.Fatal("b took a lease a had renewed 10 s ago")
	}
	// a stalls past the TTL: b takes over at term 2, and a's writes bounce.
	clk.add(6 * time.Second)
	if lb, err = b.Claim(ctx, ws, hb, ttl); err != nil || !lb.Mine || lb.Term != 2 {
		t.Fatalf("takeover = %+v, %v; want b at term 2", lb, err)
	}
	j := track.Job{ID: "j1", Seq: 1, Status: api.StatusGenerating, Progress: 10}
	if err := a.SaveFenced(ctx, ws, ha, 1, j); !errors.Is(err, track.ErrFenced) {
		t.Fatalf("the old poller's save = %v; want ErrFenced", err)
	}
	if la, _ = a.Claim(ctx, ws, ha, ttl); la.Mine || la.Holder != "b:2" {
		t.Fatalf("the old poller's renewal = %+v; want b:2's lease", la)
	}
	j.Progress = 20
	if err := b.SaveFenced(ctx, ws, hb, 2, j); err != nil {
		t.Fatal(err)
	}
	jobs, err := a.Load(ctx)
	if err != nil || len(jobs) != 1 || jobs[0].Progress != 20 {
		t.Fatalf("load = %+v, %v; want the new poller's progress 20", jobs, err)
	}

	// Resign: the lease is free at once, for the next term.
	if err := a.Resign(ctx, ws, ha, 1); err != nil { // not a's: a no-op
		t.Fatal(err)
	}
	if la, _ = a.Claim(ctx, ws, ha, ttl); la.Mine {
		t.Fatal("a's stale resignation freed b's lease")
	}
	if err := b.Resign(ctx, ws, hb, 2); err != nil {
		t.Fatal(err)
	}
	if la, err = a.Claim(ctx, ws, ha, ttl); err != nil || !la.Mine || la.Term != 3 {
		t.Fatalf("claim after resignation = %+v, %v; want a at term 3", la, err)
	}
}

func TestLeaseRequestsReachOnlyTheHolder(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoStores(t)
	ha, hb := track.Holder{Name: "a:1", Nonce: "ta"}, track.Holder{Name: "b:2", Nonce: "tb"}
	const ws, ttl = "w1", 15 * time.Second
	if rs, err := a.Take(ctx, ws, ha, 1); err != nil || rs != nil {
		t.Fatalf("take with nothing asked = %v, %v", rs, err)
	}
	if _, err := a.Claim(ctx, ws, ha, ttl); err != nil {
		t.Fatal(err)
	}
	want := []track.Request{
		{Kind: track.AskRefresh, At: t0},
		{Kind: track.AskNudge, ID: "j1", At: t0.Add(time.Second)},
		{Kind: track.AskCallback, ID: "j2", ShareURL: "https://s/x", At: t0.Add(2 * time.Second)},
	}
	for _, r := range want {
		if err := b.Ask(ctx, ws, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Ask(ctx, "w2", track.Request{Kind: track.AskRefresh}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Take(ctx, ws, hb, 1); !errors.Is(err, track.ErrFenced) {
		t.Fatalf("a viewer's take = %v; want ErrFenced", err)
	}
	got, err := a.Take(ctx, ws, ha, 1)
	if err != nil || len(got) != len(want) {
		t.Fatalf("take = %+v, %v; want %d requests", got, err, len(want))
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].ID != want[i].ID || got[i].ShareURL != want[i].ShareURL || !got[i].At.Equal(want[i].At) {
			t.Errorf("request %d = %+v; want %+v", i, got[i], want[i])
		}
	}
	if again, err := a.Take(ctx, ws, ha, 1); err != nil || len(again) != 0 {
		t.Fatalf("second take = %+v, %v; want none", again, err)
	}
}

func TestLeaseSaltIsStableAndReadOnlyRefusesClaims(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoStores(t)
	sa, err := a.Salt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := b.Salt(ctx)
	if string(sa) != string(sb) || len(sa) != 8 {
		t.Fatalf("salts %x and %x: want one 8-byte salt per store", sa, sb)
	}
	ro, err := OpenReadOnly(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Claim(ctx, "w", track.Holder{Nonce: "t"}, time.Second); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only claim = %v; want ErrReadOnly", err)
	}
}

func TestLeaseTakeFromAGoneHolder(t *testing.T) {
	ctx := context.Background()
	a, b, _ := twoStores(t)
	ha, hb := track.Holder{Name: "a:1", Nonce: "ta"}, track.Holder{Name: "b:2", Nonce: "tb"}
	const ws, ttl = "w1", 15 * time.Second
	if _, err := a.Claim(ctx, ws, ha, ttl); err != nil {
		t.Fatal(err)
	}
	// A term that is no longer the lease's: the holder it named is not
	// the one holding it now, so nothing is taken.
	if l, err := b.TakeFrom(ctx, ws, hb, 7, ttl); err != nil || l.Mine || l.Holder != "a:1" {
		t.Fatalf("take from a stale term = %+v, %v; want a's lease untouched", l, err)
	}
	l, err := b.TakeFrom(ctx, ws, hb, 1, ttl)
	if err != nil || !l.Mine || l.Term != 2 {
		t.Fatalf("take from a gone holder = %+v, %v; want b at term 2 before the TTL", l, err)
	}
}
