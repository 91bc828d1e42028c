package track

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/reel-dev/reel/api"
)

// The adaptive pace. A render takes minutes, so polling a job every few
// seconds from the start wastes requests; what matters is to be looking
// when it ends. The engine therefore polls rarely while the end is far and
// closes in on the estimated end, halving the gap each time.
const (
	// queuedInterval: a queued job has no progress to read and can wait for
	// minutes, and a late look at the start of rendering costs nothing.
	queuedInterval = 20 * time.Second
	// unknownInterval: running, but progress has not moved yet (or the
	// status is one the docs do not name), so no end can be estimated.
	unknownInterval = 10 * time.Second
	// farInterval caps the gap while the end is far: often enough to keep
	// the slope of progress fresh when the render speeds up or slows down.
	farInterval = 30 * time.Second
	// nearInterval floors the gap when the end is close: under the docs'
	// 5 s, so the end is seen sooner than by fixed polling.
	nearInterval = time.Second
	// approach is the share of the estimated time left waited before the
	// next look: 1/2 halves the uncertainty with each poll.
	approach = 0.5
	// overdueSlack: once past the estimate the gap grows by this share of
	// the overrun, so a job stuck at 100% is not hammered.
	overdueSlack = 0.25

	// Transient errors back off exponentially from backoffBase to
	// backoffMax, with jitter so many jobs do not retry in lockstep.
	backoffBase = time.Second
	backoffMax  = time.Minute
	// jitter spreads regular polls by ±10% for the same reason.
	jitter = 0.1

	// maxSamples of progress feed the slope: enough to smooth out integer
	// progress, few enough to follow a render that changes speed.
	maxSamples = 6
)

// sample is one reading of progress.
type sample struct {
	at time.Time
	f  float64 // fraction done, in [0, 1]
}

// addSample records a reading. Only the first reading of each value is kept:
// servers send whole numbers, so a value's first sighting dates the step
// best, and a run of equal readings (dense polls near the end, a stall)
// must not flatten the slope. Progress that goes back (a restarted render)
// starts the estimate afresh.
func addSample(s []sample, at time.Time, f float64) []sample {
	if n := len(s); n > 0 {
		switch last := s[n-1].f; {
		case f == last:
			return s
		case f < last:
			s = s[:0]
		}
	}
	s = append(s, sample{at, f})
	if len(s) > maxSamples {
		s = append(s[:0], s[len(s)-maxSamples:]...)
	}
	return s
}

// readFraction is the fraction done that a reading of progress stands for.
// Servers send whole numbers, cut down: a reading of p means somewhere in
// [p, p+1), so take the middle. With a maximumProgress of 37, the half step
// is most of a 30 s poll gap, and ignoring it makes every estimate late.
func readFraction(j *Job) float64 {
	f := j.Fraction()
	maxP := j.MaximumProgress
	if maxP <= 0 {
		maxP = 100
	}
	if j.Progress == math.Trunc(j.Progress) && j.Progress >= 0 && j.Progress < maxP {
		f = min(f+0.5/maxP, 1)
	}
	return f
}

// estimateEnd fits a line through the samples (least squares over time) and
// returns when it reaches 1, counted from the latest sample. It returns the
// zero time when progress has not moved.
func estimateEnd(s []sample) time.Time {
	n := len(s)
	if n < 2 {
		return time.Time{}
	}
	t0 := s[0].at
	var sx, sy, sxx, sxy float64
	for _, p := range s {
		x := p.at.Sub(t0).Seconds()
		sx += x
		sy += p.f
		sxx += x * x
		sxy += x * p.f
	}
	fn := float64(n)
	den := fn*sxx - sx*sx
	if den <= 0 {
		return time.Time{}
	}
	slope := (fn*sxy - sx*sy) / den // fraction per second
	if slope <= 0 {
		return time.Time{}
	}
	last := s[n-1]
	left := (1 - last.f) / slope
	if left > (30 * 24 * time.Hour).Seconds() {
		return time.Time{} // crawling: no estimate worth showing
	}
	return last.at.Add(time.Duration(left * float64(time.Second)))
}

// pace holds the knobs of the schedule.
type pace struct {
	interval      time.Duration // user's base interval; 0 = adaptive
	typicalRender time.Duration // prior for the ETA before progress moves
}

// eta is the estimated finish of a running job: from the slope of progress,
// else from the prior.
func (p pace) eta(j *Job, s []sample) time.Time {
	if t := estimateEnd(s); !t.IsZero() {
		return t
	}
	if p.typicalRender > 0 && !j.Started.IsZero() && j.Status != api.StatusInQueue {
		return j.Started.Add(p.typicalRender)
	}
	return time.Time{}
}

// next is the wait before the next poll of a job that is not over.
func (p pace) next(j *Job, now time.Time, r *rand.Rand) time.Duration {
	if p.interval > 0 {
		// The user's pace, flat: queued jobs at twice the interval.
		if j.Status == api.StatusInQueue {
			return spread(2*p.interval, r)
		}
		return spread(p.interval, r)
	}
	switch {
	case j.Status == api.StatusInQueue:
		return spread(queuedInterval, r)
	case j.ETA.IsZero():
		return spread(unknownInterval, r)
	}
	left := j.ETA.Sub(now)
	var d time.Duration
	if left > 0 {
		d = time.Duration(float64(left) * approach)
	} else {
		d = nearInterval + time.Duration(float64(-left)*overdueSlack)
	}
	return min(max(d, nearInterval), farInterval)
}

// backoff is the wait after the n-th transient error in a row (n >= 1):
// exponential, capped, with "equal jitter" (half fixed, half random).
func (p pace) backoff(n int, r *rand.Rand) time.Duration {
	base := backoffBase
	if p.interval > 0 && p.interval < base {
		base = p.interval // a fast user pace (tests, the simulator) retries fast too
	}
	d := base
	for i := 1; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	half := d / 2
	return half + time.Duration(r.Int64N(int64(half)+1))
}

// spread adds ±jitter to d.
func spread(d time.Duration, r *rand.Rand) time.Duration {
	w := int64(float64(d) * jitter)
	if w <= 0 {
		return d
	}
	return d - time.Duration(w) + time.Duration(r.Int64N(2*w+1))
}
