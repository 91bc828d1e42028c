package download

import "time"

// Backoff spaces retries: Base doubled on each failure, capped at Max,
// with jitter so many downloads failing together do not retry together.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// DefaultBackoff starts at half a second and waits at most 30 seconds.
var DefaultBackoff = Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second}

// Delay is the wait before retry n (1 for the first retry). jitter in
// [0, 1) picks a point between half the nominal delay and all of it.
func (b Backoff) Delay(n int, jitter float64) time.Duration {
	if b.Base <= 0 {
		b = DefaultBackoff
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d/2 + time.Duration(jitter*float64(d/2))
}
