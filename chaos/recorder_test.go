package chaos

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// recorder is a RoundTripper that notes when each request left and every
// 429 the server answered, with the moment its Retry-After runs out, so a
// test can check the pace a client kept from the outside.
type recorder struct {
	next http.RoundTripper

	mu       sync.Mutex
	starts   []time.Time
	inFlight int
	maxIn    int
	limits   []limit
}

// limit is one 429: when the client had it, and until when it must wait.
type limit struct {
	got, until time.Time
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.starts = append(r.starts, time.Now())
	r.inFlight++
	r.maxIn = max(r.maxIn, r.inFlight)
	r.mu.Unlock()
	resp, err := r.next.RoundTrip(req)
	now := time.Now()
	r.mu.Lock()
	r.inFlight--
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if d := api.ParseRetryAfter(resp.Header.Get("Retry-After"), now); d > 0 {
			r.limits = append(r.limits, limit{got: now, until: now.Add(d)})
		}
	}
	r.mu.Unlock()
	return resp, err
}

// maxInWindow is the most requests that left within any span of w.
func (r *recorder) maxInWindow(w time.Duration) int {
	r.mu.Lock()
	s := append([]time.Time(nil), r.starts...)
	r.mu.Unlock()
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	best, lo := 0, 0
	for hi := range s {
		for s[hi].Sub(s[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// violations counts requests that left while a 429's Retry-After held.
// grace allows for the moment between the client reading the 429 and its
// scheduler hearing of it, when a request may already be on its way out.
func (r *recorder) violations(grace time.Duration) (n int, limits int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.limits {
		for _, s := range r.starts {
			if s.After(l.got.Add(grace)) && s.Before(l.until) {
				n++
			}
		}
	}
	return n, len(r.limits)
}
