package api

import (
	"context"
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
	if ctx.Value(pacedKey{}) != nil {
		return t.learn(t.next.RoundTrip(req)) // paced already, by Pace
	}
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
	return t.learn(t.next.RoundTrip(req))
}

// learn holds every request through a 429's Retry-After.
func (t *pacedTransport) learn(resp *http.Response, err error) (*http.Response, error) {
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

// pacedKey marks a request context whose pacing was done by Pace.
type pacedKey struct{}

// Pace waits until the client's pacing (rate cap, a 429's hold) lets one
// request leave, and returns a context under which the next request goes
// at once. A caller that must record something just before a request
// leaves (reel submit's journal) paces first, so the record is not made
// long before the request it announces. Without WithPacing it returns ctx.
func (c *Client) Pace(ctx context.Context) (context.Context, error) {
	if c.pacer == nil {
		return ctx, nil
	}
	if err := c.pacer.wait(ctx); err != nil {
		return nil, err
	}
	return context.WithValue(ctx, pacedKey{}, true), nil
}

// wait holds through a 429's Retry-After, then takes a token.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	hold := p.until.Sub(p.now())
	p.mu.Unlock()
	if hold > 0 {
		timer := time.NewTimer(hold)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
	return p.lim.Wait(ctx)
}
