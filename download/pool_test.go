package download

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// Thousands of videos queued wait as data, not as a goroutine each: a fixed
// pool of concurrency workers runs them.
func TestManagerUsesAFixedPool(t *testing.T) {
	g := newGatedHost(t, 10)
	f, _ := testFetcher(t, nil)
	before := runtime.NumGoroutine()
	m := NewManager(f, WithConcurrency(3))
	defer m.Close()
	const n = 500
	for i := range n {
		m.Start(&api.Video{ID: "v" + strconv.Itoa(i), PublicURL: g.srv.URL})
	}
	for range 3 {
		<-g.arrived
	}
	// Three downloads held open: the workers, and the client's and the
	// test server's goroutines for three connections.
	if extra := runtime.NumGoroutine() - before; extra > 50 {
		t.Errorf("%d goroutines more with %d videos queued: want a fixed pool", extra, n)
	}
	if m.Active() != n {
		t.Errorf("Active() = %d, want %d", m.Active(), n)
	}
	close(g.release)
	go func() { // the host notes each request there; keep it from filling
		for range n - 3 {
			<-g.arrived
		}
	}()
	drain(t, m, n)
	if g.peak.Load() > 3 {
		t.Errorf("peak in flight %d, want at most 3", g.peak.Load())
	}
}

// A download still waiting for a worker ends at once when cancelled, not
// when a worker comes to it.
func TestManagerCancelQueued(t *testing.T) {
	g := newGatedHost(t, 10)
	f, _ := testFetcher(t, nil)
	m := NewManager(f, WithConcurrency(1))
	defer m.Close()
	m.Start(&api.Video{ID: "running", PublicURL: g.srv.URL})
	m.Start(&api.Video{ID: "waiting", PublicURL: g.srv.URL})
	<-g.arrived
	m.Cancel("waiting")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		ps, err := m.Next(ctx)
		if err != nil {
			t.Fatalf("the cancelled download never ended: %v", err)
		}
		for _, p := range ps {
			if p.VideoID == "waiting" && p.State.Ended() {
				if p.State != StateFailed || !IsCanceled(p.Err) {
					t.Errorf("ended %+v, want failed and canceled", p)
				}
				if m.Active() != 1 {
					t.Errorf("Active() = %d, want the running one only", m.Active())
				}
				close(g.release)
				return
			}
		}
	}
}
