// Package retry spaces the tries of a request that may succeed later: a
// capped exponential backoff with jitter, the server's Retry-After honoured
// over it, and a sleep that ends with its context. The engine, the
// downloader, submit and the one-shot commands all wait through it.
package retry

import (
	"context"
	"fmt"
	"time"
)

// MaxRetryAfter is the longest reel waits on a server's Retry-After: the one
// cap for the engine, the one-shot lookups and the downloader. A server's
// word is not allowed to park a client for hours; past the cap, reel asks
// again and the server may ask again.
const MaxRetryAfter = 5 * time.Minute

// Capped is the server's Retry-After held under MaxRetryAfter, and whether
// it was cut.
func Capped(retryAfter time.Duration) (time.Duration, bool) {
	if retryAfter > MaxRetryAfter {
		return MaxRetryAfter, true
	}
	return retryAfter, false
}

// CapNote is what a message adds when the server asked for longer than
// MaxRetryAfter: the wait asked, and the cap reel keeps to. "" otherwise.
func CapNote(retryAfter time.Duration) string {
	if _, cut := Capped(retryAfter); !cut {
		return ""
	}
	return fmt.Sprintf("the server asked to wait %s; reel waits at most %s (MaxRetryAfter) before asking again", retryAfter, MaxRetryAfter)
}

// Backoff spaces retries: Base doubled on each failure, capped at Max, with
// "equal jitter" (half the delay fixed, half random) so many clients that
// failed together do not return together.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// Default starts at half a second and waits at most 30 seconds.
var Default = Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second}

// Delay is the wait before retry n (1 for the first retry). jitter in
// [0, 1] picks a point between half the nominal delay and all of it; a
// zero Base means Default.
func (b Backoff) Delay(n int, jitter float64) time.Duration {
	if b.Base <= 0 {
		b = Default
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	jitter = min(max(jitter, 0), 1)
	return d/2 + time.Duration(jitter*float64(d/2))
}

// After is the wait before the next try: the backoff's delay, or the
// server's Retry-After when it asks for longer, held under ceiling (a
// server's word is not allowed to park a client for hours; 0: no ceiling).
func After(delay, retryAfter, ceiling time.Duration) time.Duration {
	d := max(delay, retryAfter)
	if ceiling > 0 {
		d = min(d, max(ceiling, delay))
	}
	return d
}

// Sleep waits d, or until ctx ends; then it returns ctx's cause.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
