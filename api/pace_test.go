package api

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// A 429 with Retry-After holds every later request of the client, not just
// the one that got it; and requests keep to the rate.
func TestPacingHoldsEveryRequestAfterA429(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	first := true
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if first {
			first = false
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"id":"j","status":"generating"}`))
	}), WithPacing(100), WithClock(time.Now))

	if _, err := c.GetJob(context.Background(), "j"); err == nil {
		t.Fatal("want the 429 as an error")
	}
	if _, err := c.GetJob(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := times[1].Sub(times[0]); gap < 900*time.Millisecond {
		t.Errorf("second request %v after the 429, want it held for the Retry-After (1 s)", gap)
	}
}

// A hold longer than a request's time ends that request at once as rate
// limited, with the wait left, not as a timeout.
func TestPacingHoldPastTheDeadlineIsRateLimited(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}), WithPacing(100), WithClock(time.Now), WithTimeout(time.Second))
	_, _ = c.GetJob(context.Background(), "j")
	start := time.Now()
	_, err := c.GetJob(context.Background(), "k")
	d, ok := RetryAfter(err)
	if !ok || d < 100*time.Second {
		t.Fatalf("held request: %v (retry after %v), want rate limited for about 120 s", err, d)
	}
	if time.Since(start) > 500*time.Millisecond {
		t.Errorf("the held request took %v to say so, want at once", time.Since(start))
	}
}
