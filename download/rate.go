package download

import (
	"math"
	"time"
)

// Rate smoothing: samples at least minSample apart, blended with an
// exponential weight whose time constant is rateTau, so the rate shown
// neither jitters with each chunk nor lags for long after a change.
const (
	minSample = 250 * time.Millisecond
	rateTau   = 2 * time.Second
)

// rateMeter estimates a transfer's speed from (time, bytes done) samples.
type rateMeter struct {
	t0      time.Time
	b0      int64
	rate    float64 // bytes per second, smoothed; 0 until known
	started bool
}

func (r *rateMeter) add(now time.Time, done int64) {
	if !r.started || done < r.b0 {
		// First sample, or the transfer started over: the rate so far
		// says nothing about what follows the restart.
		r.t0, r.b0, r.started = now, done, true
		return
	}
	dt := now.Sub(r.t0)
	if dt < minSample {
		return
	}
	inst := float64(done-r.b0) / dt.Seconds()
	if r.rate == 0 {
		r.rate = inst
	} else {
		alpha := 1 - math.Exp(-dt.Seconds()/rateTau.Seconds())
		r.rate += alpha * (inst - r.rate)
	}
	r.t0, r.b0 = now, done
}

// eta is the time left at the current rate; 0 when it cannot be told.
func (r *rateMeter) eta(done, total int64) time.Duration {
	if r.rate <= 0 || total <= 0 || done >= total {
		return 0
	}
	return time.Duration(float64(total-done) / r.rate * float64(time.Second)).Round(time.Second)
}
