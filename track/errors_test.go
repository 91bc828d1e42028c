package track_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

var (
	err500 = &api.TransientError{StatusCode: 500, Err: errors.New("Internal Server Error")}
	queued = tracktest.Step{Job: jobAt(api.StatusInQueue, 0)}
)

// Transient errors back off exponentially with jitter, up to a minute; a
// good answer clears the error and the backoff.
func TestBackoff(t *testing.T) {
	h := start(t, track.Options{})
	steps := make([]tracktest.Step, 10)
	for i := range steps {
		steps[i] = tracktest.Step{Err: err500}
	}
	h.api.Job("x", tracktest.Steps(append(steps, queued)...))
	h.e.Add("x")
	h.runUntil(time.Hour, func() bool { return h.api.Count("job", "x") == 10 })
	if j := h.job("x"); !j.Retrying || j.Err == "" || !h.e.Conn().Retrying {
		t.Errorf("while failing: %+v / %+v", j, h.e.Conn())
	}
	gs := gaps(h.callTimes("job", "x"))
	for i, g := range gs {
		want := min(time.Second<<i, time.Minute)
		if g < want/2 || g > want {
			t.Errorf("gap %d = %s, want in [%s, %s]", i, g, want/2, want)
		}
	}
	h.runUntil(time.Hour, func() bool { return h.job("x").Status == api.StatusInQueue })
	if j := h.job("x"); j.Retrying || j.Err != "" || h.e.Conn().Retrying {
		t.Errorf("after a good answer: %+v / %+v", j, h.e.Conn())
	}
}

// A 503's Retry-After holds back that job only.
func TestServiceUnavailableRetryAfterHoldsTheJob(t *testing.T) {
	h := start(t, track.Options{})
	busy := &api.TransientError{StatusCode: 503, RetryAfter: 90 * time.Second, Err: errors.New("Service Unavailable")}
	h.api.Job("a", tracktest.Steps(tracktest.Step{Err: busy}, queued))
	h.api.Job("b", tracktest.Steps(queued))
	h.e.Add("a", "b")
	h.run(5 * time.Minute)
	ta := h.callTimes("job", "a")
	if len(ta) < 2 || ta[1]-ta[0] < 90*time.Second {
		t.Errorf("a polled at %v: want the second poll 90s or more after the first", ta)
	}
	if tb := h.callTimes("job", "b"); len(tb) < 10 {
		t.Errorf("b polled only %d times while a was held", len(tb))
	}
}

// A 429 pauses every request until its Retry-After runs out: limits belong
// to the key. Without Retry-After it backs off on its own.
func TestRateLimitPausesEverything(t *testing.T) {
	for _, ra := range []time.Duration{45 * time.Second, 0} {
		h := start(t, track.Options{})
		h.api.Job("a", tracktest.Steps(queued, tracktest.Step{Err: &api.RateLimitedError{RetryAfter: ra}}, queued))
		h.api.Job("b", tracktest.Steps(queued))
		h.api.Job("c", tracktest.Steps(queued))
		h.e.Add("a", "b", "c")
		h.runUntil(time.Minute, func() bool { return h.api.Count("job", "a") == 2 })
		limited := h.clk.Now()
		conn := h.e.Conn()
		if !conn.PausedUntil.After(limited) || !conn.Retrying {
			t.Fatalf("Retry-After %s: conn %+v, want a pause", ra, conn)
		}
		if ra > 0 && !conn.PausedUntil.Equal(limited.Add(ra)) {
			t.Errorf("paused until %v, want %v", conn.PausedUntil, limited.Add(ra))
		}
		h.run(3 * time.Minute)
		for _, c := range h.api.Calls() {
			if c.At.After(limited) && c.At.Before(conn.PausedUntil) {
				t.Errorf("Retry-After %s: %s polled at %s, during the pause until %s", ra, c.ID, c.At.Sub(t0), conn.PausedUntil.Sub(t0))
			}
		}
		if n := h.api.Count("job", "b"); n < 5 {
			t.Errorf("b polled %d times: polling did not resume after the pause", n)
		}
	}
}

// 401: everything stops and the key is reported rejected, until a refresh.
func TestKeyRejectedStopsEverything(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("a", tracktest.Steps(queued, tracktest.Step{Err: &api.KeyRejectedError{StatusCode: 401}}, queued))
	h.api.Job("b", tracktest.Steps(queued))
	h.e.Add("a", "b")
	h.runUntil(time.Minute, func() bool { return h.e.Conn().KeyRejected })
	n := h.api.Count("", "")
	h.run(24 * time.Hour)
	if got := h.api.Count("", ""); got != n {
		t.Errorf("%d requests after the key was rejected", got-n)
	}
	if h.clk.Pending() != 0 {
		t.Error("a timer is still set with everything stopped")
	}
	var sawConn bool
	evs, _ := h.e.Next(h.ctx)
	for _, ev := range evs {
		if ev.Conn != nil && ev.Conn.KeyRejected {
			sawConn = true
		}
	}
	if !sawConn {
		t.Error("no Conn event said the key was rejected")
	}
	h.e.Refresh()
	h.idle()
	if h.e.Conn().KeyRejected || h.api.Count("", "") < n+2 {
		t.Errorf("refresh did not resume: %+v, %d requests", h.e.Conn(), h.api.Count("", "")-n)
	}
}

// The global request rate holds for the whole engine, however many jobs.
func TestRequestRateCap(t *testing.T) {
	h := start(t, track.Options{MaxRPS: 2})
	var ids []string
	for i := range 40 {
		id := string(rune('A' + i))
		h.api.Job(id, tracktest.Steps(queued))
		ids = append(ids, id)
	}
	h.e.Add(ids...)
	h.run(2 * time.Minute)
	calls := h.api.Calls()
	// A token bucket of rate 2 and burst 2 allows at most 2 + 2*w in any window w.
	for i := range calls {
		n := 0
		for _, c := range calls[i:] {
			if c.At.Sub(calls[i].At) < time.Second {
				n++
			}
		}
		if n > 4 {
			t.Fatalf("%d requests within a second from %s", n, calls[i].At.Sub(t0))
		}
	}
	if n := h.api.Count("", ""); n < 150 || n > 2*120+2 {
		t.Errorf("%d requests in 2 min at 2/s", n)
	}
}

// The user's refresh cuts a backoff short, but not a server's Retry-After.
func TestRefreshDuringBackoff(t *testing.T) {
	h := start(t, track.Options{})
	busy := &api.TransientError{StatusCode: 503, RetryAfter: 2 * time.Minute, Err: errors.New("Service Unavailable")}
	fails := make([]tracktest.Step, 6)
	for i := range fails {
		fails[i] = tracktest.Step{Err: err500}
	}
	h.api.Job("a", tracktest.Steps(append(fails, queued)...))
	h.api.Job("b", tracktest.Steps(tracktest.Step{Err: busy}, queued))
	h.e.Add("a", "b")
	h.runUntil(time.Hour, func() bool { return h.api.Count("job", "a") == 6 }) // next retry 16-32 s away
	na, nb := h.api.Count("job", "a"), h.api.Count("job", "b")
	h.e.Refresh()
	h.idle()
	if got := h.api.Count("job", "a"); got != na+1 {
		t.Errorf("a: %d polls on refresh, want 1", got-na)
	}
	if got := h.api.Count("job", "b"); got != nb {
		t.Errorf("b polled during its Retry-After on refresh")
	}
}

// A server's Retry-After holds reel back for at most retry.MaxRetryAfter,
// the one cap every retry keeps to, and the error shown names the cap: an
// hour asked by a 429 pauses five minutes, by a 503 holds the job five.
func TestRetryAfterCapped(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("a", tracktest.Steps(queued, tracktest.Step{Err: &api.RateLimitedError{RetryAfter: time.Hour}}, queued))
	h.e.Add("a")
	h.runUntil(time.Minute, func() bool { return h.api.Count("job", "a") == 2 })
	limited := h.clk.Now()
	conn := h.e.Conn()
	if !conn.PausedUntil.Equal(limited.Add(retry.MaxRetryAfter)) {
		t.Errorf("429 asking for an hour: paused until +%v, want +%v", conn.PausedUntil.Sub(limited), retry.MaxRetryAfter)
	}
	if !strings.Contains(conn.LastError, "1h0m0s") || !strings.Contains(conn.LastError, "at most 5m0s") {
		t.Errorf("429 asking for an hour: error %q, want the hour asked and the 5m cap", conn.LastError)
	}

	h = start(t, track.Options{})
	busy := &api.TransientError{StatusCode: 503, RetryAfter: time.Hour, Err: errors.New("Service Unavailable")}
	h.api.Job("b", tracktest.Steps(tracktest.Step{Err: busy}, queued))
	h.e.Add("b")
	h.run(20 * time.Minute)
	tb := h.callTimes("job", "b")
	if len(tb) < 2 || tb[1]-tb[0] > retry.MaxRetryAfter+time.Minute {
		t.Errorf("503 asking for an hour: polled at %v, want the second poll within %v of the first", tb, retry.MaxRetryAfter)
	}
}
