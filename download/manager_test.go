package download

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// gatedHost serves size bytes per request but holds each response after
// the headers until release is closed, counting requests in flight.
type gatedHost struct {
	srv      *httptest.Server
	release  chan struct{}
	inFlight atomic.Int32
	peak     atomic.Int32
	arrived  chan struct{}
}

func newGatedHost(t *testing.T, size int) *gatedHost {
	g := &gatedHost{release: make(chan struct{}), arrived: make(chan struct{}, 100)}
	body := make([]byte, size)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := g.inFlight.Add(1)
		defer g.inFlight.Add(-1)
		for {
			p := g.peak.Load()
			if n <= p || g.peak.CompareAndSwap(p, n) {
				break
			}
		}
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		g.arrived <- struct{}{}
		select {
		case <-g.release:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// drain reads events until every one of n downloads ended, returning them
// all in order.
func drain(t *testing.T, m *Manager, n int) []Progress {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var all []Progress
	ended := 0
	for ended < n {
		ps, err := m.Next(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(all), err)
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if seen[p.VideoID] {
				t.Fatalf("two updates for %s in one batch", p.VideoID)
			}
			seen[p.VideoID] = true
			if p.State.Ended() {
				ended++
			}
		}
		all = append(all, ps...)
	}
	return all
}

func TestManagerConcurrencyCap(t *testing.T) {
	g := newGatedHost(t, 1000)
	f, _ := testFetcher(t, nil)
	m := NewManager(f, WithConcurrency(3))
	defer m.Close()
	for i := range 5 {
		if !m.Start(&api.Video{ID: "v" + strconv.Itoa(i), PublicURL: g.srv.URL}) {
			t.Fatal("Start refused")
		}
	}
	if m.Start(&api.Video{ID: "v0", PublicURL: g.srv.URL}) {
		t.Fatal("started v0 twice")
	}
	for range 3 {
		<-g.arrived
	}
	if m.Active() != 5 {
		t.Fatalf("Active() = %d, want 5", m.Active())
	}
	close(g.release)
	all := drain(t, m, 5)
	if g.peak.Load() != 3 {
		t.Fatalf("peak in flight %d, want 3", g.peak.Load())
	}
	final := map[string]Progress{}
	for _, p := range all {
		final[p.VideoID] = p
	}
	for id, p := range final {
		if p.State != StateDone || p.Done != 1000 || p.Err != nil {
			t.Errorf("%s ended %+v", id, p)
		}
	}
	if m.Active() != 0 {
		t.Fatalf("Active() = %d after all ended", m.Active())
	}
}

func TestManagerThrottles(t *testing.T) {
	const size = 4 << 20
	h := newFileHost(t, size)
	f, _ := testFetcher(t, nil)
	// A clock that moves 10 ms on each reading: a report per chunk would
	// give an update per chunk without the throttle.
	var mu sync.Mutex
	now := time.Unix(1e9, 0)
	readings := 0 // one per progress report, and a few more
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		readings++
		now = now.Add(10 * time.Millisecond)
		return now
	}
	m := NewManager(f, WithClock(clock))
	defer m.Close()
	m.Start(&api.Video{ID: "v", PublicURL: h.url("a")})
	all := drain(t, m, 1)
	running := 0
	for _, p := range all {
		if p.State == StateRunning {
			running++
		}
	}
	last := all[len(all)-1]
	if last.State != StateDone || last.Done != size {
		t.Fatalf("last event %+v", last)
	}
	mu.Lock()
	elapsed := now.Sub(time.Unix(1e9, 0))
	t.Logf("%d clock readings, %d running updates over %v", readings, running, elapsed)
	if readings < 4*running {
		t.Fatalf("only %d reports for %d updates: the test shows nothing", readings, running)
	}
	mu.Unlock()
	// At most one running update per 100 ms of clock, plus the state change.
	if limit := int(elapsed/DefaultInterval) + 2; running > limit {
		t.Fatalf("%d running updates in %v of clock; want at most %d", running, elapsed, limit)
	}
}

func TestManagerFrozenClockCoalesces(t *testing.T) {
	const size = 4 << 20
	h := newFileHost(t, size)
	f, _ := testFetcher(t, nil)
	t0 := time.Unix(1e9, 0)
	m := NewManager(f, WithClock(func() time.Time { return t0 }))
	defer m.Close()
	m.Start(&api.Video{ID: "v", PublicURL: h.url("a")})
	all := drain(t, m, 1)
	states := []State{}
	for _, p := range all {
		states = append(states, p.State)
	}
	// With no time passing, only state changes get through.
	if len(all) > 3 || all[len(all)-1].State != StateDone {
		t.Fatalf("events %v", states)
	}
}

func TestManagerCancel(t *testing.T) {
	g := newGatedHost(t, 1000)
	f, _ := testFetcher(t, nil)
	m := NewManager(f)
	defer m.Close()
	m.Start(&api.Video{ID: "v", PublicURL: g.srv.URL})
	<-g.arrived
	m.Cancel("v")
	all := drain(t, m, 1)
	last := all[len(all)-1]
	if last.State != StateFailed || !IsCanceled(last.Err) {
		t.Fatalf("last %+v, want failed and canceled", last)
	}
	if !m.Start(&api.Video{ID: "v", PublicURL: g.srv.URL}) {
		t.Fatal("an ended download could not be started again")
	}
}

func TestManagerNextHonoursContext(t *testing.T) {
	f, _ := testFetcher(t, nil)
	m := NewManager(f)
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestRateMeter(t *testing.T) {
	t0 := time.Unix(0, 0)
	var r rateMeter
	r.add(t0, 0)
	r.add(t0.Add(100*time.Millisecond), 1e6) // too soon: no sample
	if r.rate != 0 {
		t.Fatalf("rate %v before the first sample", r.rate)
	}
	r.add(t0.Add(time.Second), 10e6)
	if r.rate != 10e6 {
		t.Fatalf("rate %v, want 10 MB/s", r.rate)
	}
	if eta := r.eta(10e6, 30e6); eta != 2*time.Second {
		t.Fatalf("eta %v, want 2s", eta)
	}
	r.add(t0.Add(2*time.Second), 30e6) // 20 MB/s for a second
	if r.rate <= 10e6 || r.rate >= 20e6 {
		t.Fatalf("rate %v, want between 10 and 20 MB/s (smoothed)", r.rate)
	}
	r.add(t0.Add(3*time.Second), 0) // started over
	if !r.started || r.b0 != 0 {
		t.Fatal("restart not noticed")
	}
	if r.eta(5, -1) != 0 {
		t.Fatal("eta with an unknown total")
	}
}
