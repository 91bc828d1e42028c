package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/retry"
)

// gateBound is how long the gate holds a request waiting for the others.
// It only bounds a failing run (a pool smaller than want never fills the
// gate): a passing one opens it as soon as the last of want arrives. It was
// 500 ms, which a pool of the right size could miss under load: each of
// submit's workers first claims its row in the journal with an fsync'd
// write, one at a time, before its request.
const gateBound = 10 * time.Second

// gate is an API in front of a simulator that holds every request until
// want of them are in flight at once (or a bound runs out, which the test
// then reports), and records the most it saw.
type gate struct {
	want int

	mu      sync.Mutex
	now     int
	peak    int
	reached chan struct{}
}

func newGate(t *testing.T, srv *sim.Server, want int) (*gate, string) {
	g := &gate{want: want, reached: make(chan struct{})}
	target, err := url.Parse(srv.Origin())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.now++
		g.peak = max(g.peak, g.now)
		if g.now == g.want {
			select {
			case <-g.reached:
			default:
				close(g.reached)
			}
		}
		g.mu.Unlock()
		select {
		case <-g.reached:
		case <-time.After(gateBound): // fewer in flight than wanted: the test fails on peak
		}
		proxy.ServeHTTP(w, r)
		g.mu.Lock()
		g.now--
		g.mu.Unlock()
	}))
	t.Cleanup(front.Close)
	return g, front.URL + strings.TrimPrefix(srv.URL(), srv.Origin())
}

func (g *gate) peakSeen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// --max-in-flight sizes the lookup pool of status and download: 8 asked,
// 8 requests in flight at once (the pool was a fixed 4).
func TestLookupPoolFollowsMaxInFlight(t *testing.T) {
	for _, cmd := range []string{"status", "download"} {
		t.Run(cmd, func(t *testing.T) {
			srv, env := simEnv(t, sim.Options{Seed: 1, CallbackEvery: -1})
			g, base := newGate(t, srv, 8)
			env["COLOSSYAN_BASE_URL"] = base
			args := []string{cmd, "--max-in-flight", "8", "--max-rps", "1000"}
			if cmd == "download" {
				args = append(args, "--dir", t.TempDir())
			}
			for i := range 16 {
				args = append(args, fmt.Sprintf("no-such-id-%02d", i))
			}
			_, stderr, code := runCLI(t, env, "", args...)
			if code != ExitJobFailed {
				t.Fatalf("exit %d, want 1 (not found); stderr %s", code, stderr)
			}
			if p := g.peakSeen(); p != 8 {
				t.Errorf("reel %s --max-in-flight 8: at most %d requests in flight, want 8", cmd, p)
			}
		})
	}
}

// submit sends as many rows at once as --max-in-flight says (it sent a
// fixed 4).
func TestSubmitPoolFollowsMaxInFlight(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 1, CallbackEvery: -1})
	g, base := newGate(t, srv, 8)
	env["COLOSSYAN_BASE_URL"] = base
	var rows strings.Builder
	rows.WriteString("name\n")
	for i := range 16 {
		fmt.Fprintf(&rows, "row-%02d\n", i)
	}
	file := writeFile(t, t.TempDir(), "rows.csv", rows.String())
	_, stderr, code := runCLI(t, env, "", "submit", "--max-in-flight", "8", "--max-rps", "1000", "--template", "tpl_1", file)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if p := g.peakSeen(); p != 8 {
		t.Errorf("reel submit --max-in-flight 8: at most %d requests in flight, want 8", p)
	}
}

// max_in_flight is shared with the engine, which takes up to 256: over the
// pool's 64 the one-shot commands read 64 at once (still at most the cap)
// rather than refuse a config file written for the dashboard.
func TestLookupPoolOverTheLimit(t *testing.T) {
	rows := writeFile(t, t.TempDir(), "rows.csv", "name\nAda\n")
	for _, cmd := range [][]string{{"status", "an-id"}, {"download", "an-id"}, {"submit", "--template", "tpl_1", rows}} {
		_, env := simEnv(t, sim.Options{Seed: 1, CallbackEvery: -1})
		cfg := writeFile(t, t.TempDir(), "config.toml", "max_in_flight = 100\n")
		_, stderr, code := runCLI(t, env, "", append([]string{cmd[0], "--config", cfg}, cmd[1:]...)...)
		if code == ExitUsage || strings.Contains(stderr, "max-in-flight") {
			t.Errorf("reel %s with max_in_flight = 100 in the config: exit %d, stderr %q; want it to run with a pool of 64", cmd, code, stderr)
		}
	}
}

func TestLookupPoolSize(t *testing.T) {
	for _, c := range []struct{ set, want int }{{0, 4}, {1, 1}, {8, 8}, {64, 64}} {
		got, err := lookupPool(&config.Settings{MaxInFlight: c.set})
		if err != nil || got != c.want {
			t.Errorf("max_in_flight %d: pool %d, %v; want %d", c.set, got, err, c.want)
		}
	}
	for _, n := range []int{65, 100, 256} {
		if got, err := lookupPool(&config.Settings{MaxInFlight: n}); err != nil || got != 64 {
			t.Errorf("max_in_flight %d: pool %d, %v; want 64", n, got, err)
		}
	}
}

// raLookups answers each ID with a 429 asking for ra, then the job.
type raLookups struct {
	ra    time.Duration
	mu    sync.Mutex
	asked map[string]int
}

func (f *raLookups) Lookup(_ context.Context, id string) (*api.Lookup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked[id]++
	if f.asked[id] == 1 {
		return nil, &api.RateLimitedError{RetryAfter: f.ra}
	}
	return &api.Lookup{Kind: api.KindJob, Job: &api.Job{ID: id, Status: api.StatusFinished}}, nil
}

// A lookup honours the server's Retry-After past its own backoff's ceiling,
// up to retry.MaxRetryAfter and no further: the same cap as the engine and
// the downloader (the lookups used to cut it to their 10 s backoff ceiling).
func TestLookupRetryAfterUsesTheOneCap(t *testing.T) {
	for _, c := range []struct{ ra, want time.Duration }{
		{time.Minute, time.Minute},
		{time.Hour, retry.MaxRetryAfter},
	} {
		var slept []time.Duration
		rp := retryPolicy{Attempts: 2, Base: time.Second, Max: 10 * time.Second, Jitter: func() float64 { return 1 },
			Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
		res := lookupAll(context.Background(), &raLookups{ra: c.ra, asked: map[string]int{}}, []string{"a"}, rp)
		if res[0].Err != nil {
			t.Fatalf("Retry-After %v: %v", c.ra, res[0].Err)
		}
		if !equalDurations(slept, []time.Duration{c.want}) {
			t.Errorf("Retry-After %v: waited %v, want %v", c.ra, slept, c.want)
		}
	}
}
