package cli

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// counting counts the requests a client sends.
type counting struct{ n atomic.Int64 }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// reel wait on a store where a dashboard polls its jobs reads their states
// from the store and asks the API nothing; with no poller it polls.
func TestWaitFollowsThePoller(t *testing.T) {
	srv := waitSim(t, sim.Options{})
	a, _ := srv.AddJob(quick(false))
	b, _ := srv.AddJob(quick(true))
	path := filepath.Join(t.TempDir(), "reel.db")
	newClient := func(rt http.RoundTripper) *api.Client {
		c, err := api.New(srv.URL(), sim.DefaultToken, api.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wait := func() (code int, out string, asked int64) {
		var cnt counting
		c := newClient(&cnt)
		var o waitOptions
		o.JSON = true
		o.Follow = followPoller(path, c, nil)
		var errs strings.Builder
		sio := IO{In: strings.NewReader(""), Out: new(strings.Builder), Err: &errs, Getenv: func(string) string { return "" }, Now: time.Now}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		code = ExitOK
		if err := runWait(ctx, sio, c, []string{a, b}, o); err != nil {
			code = ExitJobFailed
		}
		return code, sio.Out.(*strings.Builder).String(), cnt.n.Load()
	}

	// No poller yet (no store, even): wait polls.
	if code, _, asked := wait(); asked == 0 || code != ExitJobFailed {
		t.Fatalf("wait alone: exit %d after %d requests; want 1 (one job fails) after some", code, asked)
	}

	// A dashboard's engine polls the same jobs on the store.
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pc := newClient(http.DefaultTransport)
	salt, err := st.Salt(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	el := track.NewElector(track.ElectorOptions{Store: st, Workspace: pc.Workspace(salt), Holder: track.Holder{Name: "dash:1", Nonce: "n1"}})
	eng := track.New(track.Options{Client: pc, Persist: el, Interval: 100 * time.Millisecond})
	el.Attach(eng)
	eng.Add(a, b)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() { el.Run(ctx) })
	for !el.Polling() {
		time.Sleep(10 * time.Millisecond) // the first claim is a store write away
	}
	code, out, asked := wait()
	if asked != 0 {
		t.Errorf("wait asked the API %d times while a dashboard polled its jobs", asked)
	}
	fin := finals(waitLines(t, out))
	if code != ExitJobFailed || fin[a].Status != "finished" || fin[b].Status != "failed" || fin[a].Video == nil {
		t.Errorf("wait from the store: exit %d, finals %+v", code, fin)
	}
}

// failingStore answers every look with an error, as a database that went
// away under a following reel wait.
type failingStore struct{ looks atomic.Int64 }

func (f *failingStore) Poll(context.Context) (store.Diff, error) {
	f.looks.Add(1)
	return store.Diff{}, errors.New("store unreachable")
}

func (f *failingStore) Lease(context.Context, string) (track.Lease, error) {
	return track.Lease{}, errors.New("store unreachable")
}

// armedClock is a virtual clock that says each time a timer is set on it,
// so a test moves time only once the code under test waits on it.
type armedClock struct {
	*tracktest.Clock
	armed chan struct{}
}

func (c armedClock) AfterFunc(d time.Duration, f func()) func() bool {
	stop := c.Clock.AfterFunc(d, f)
	c.armed <- struct{}{}
	return stop
}

// reel wait following a poller through a store that stops answering polls
// the API itself once the store has failed for the lease's TTL (by then
// the poller, cut off too, has stopped), and not before.
func TestWaitPollsItselfWhenTheStoreFails(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := tracktest.NewClock(t0)
	e := track.New(track.Options{Client: tracktest.NewAPI(clk), Clock: clk})
	e.StopPolling("dash:1", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := &failingStore{}
	done := make(chan struct{})
	obs := armedClock{clk, make(chan struct{})}
	go func() { defer close(done); observe(ctx, st, e, "ws", obs) }()
	for ticks := int64(0); ; ticks++ {
		select {
		case <-done:
			if got := clk.Now().Sub(t0); got < followGiveUp {
				t.Fatalf("polls itself after %s of store errors, want %s", got, followGiveUp)
			}
			if role := e.Conn().Role; role != "polling" {
				t.Fatalf("role %q after following ended, want polling", role)
			}
			// One look a tick, and every tick a look.
			if got := st.looks.Load(); got != ticks || got < 10 {
				t.Fatalf("looked at the store %d times in %d ticks", got, ticks)
			}
			return
		case <-obs.armed:
		}
		if clk.Now().Sub(t0) > 30*time.Second {
			t.Fatalf("still following a store that failed for %s", clk.Now().Sub(t0))
		}
		clk.Advance(watchEvery) // the observer waits on its timer: fire it
	}
}
