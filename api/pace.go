package api

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// WithPacing caps the client's requests at rps a second, and holds every
// request while a 429's Retry-After runs: limits belong to the key, so one
// rate-limited answer pauses the whole program, not just the request that
// got it. The tracking engine paces its own polls; this keeps the one-shot
// commands (status, download) as polite.
func WithPacing(rps float64) Option {
	return func(c *Client) {
		c.pacer = &pacer{lim: rate.NewLimiter(rate.Limit(rps), max(1, int(rps))), now: c.now}
	}
}

// pacer is the shared state behind WithPacing.
type pacer struct {
	lim *rate.Limiter
	now func() time.Time

	mu    sync.Mutex
	until time.Time // no request before this (a 429's Retry-After)
}

// pacedTransport waits for the pacer before each request and learns from
// each 429 it sees.
type pacedTransport struct {
	p    *pacer
	next http.RoundTripper
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	t.p.mu.Lock()
	wait := t.p.until.Sub(t.p.now())
	t.p.mu.Unlock()
	if dl, ok := ctx.Deadline(); ok && wait > 0 && t.p.now().Add(wait).After(dl) {
		// The hold outlasts this request's time: say so now, as the rate
		// limit it is, rather than time out as if the server were down.
		return nil, &RateLimitedError{RetryAfter: wait}
	}
	if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
	}
	if err := t.p.lim.Wait(ctx); err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if d := ParseRetryAfter(resp.Header.Get("Retry-After"), t.p.now()); d > 0 {
			t.p.mu.Lock()
			if u := t.p.now().Add(d); u.After(t.p.until) {
				t.p.until = u
			}
			t.p.mu.Unlock()
		}
	}
	return resp, err
}
