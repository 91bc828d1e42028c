package track

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// The adaptive pace. What matters is to be looking when a job ends, and
// the end is near in time in two cases: right after a change (a new job, a
// job that just left the queue, a short render), and when progress says the
// end is close. So the engine looks densely after every change and backs
// off while nothing moves; once progress has a slope it closes in on the
// estimated end, halving the gap each time; and while the job could already
// be over (the next step of progress could be its last), it never waits
// longer than endWatch, well under the docs' 5 s.
const (
	// firstLook is the gap right after a change (queuedFirst for a queued
	// job); each quiet second adds settle to it. A job seen changing is
	// likely to change again soon; a job quiet for minutes (a long queue)
	// is likely to stay so. A queued job cannot end before it renders, so
	// its first looks can be sparser.
	firstLook   = 3 * time.Second
	queuedFirst = 5 * time.Second
	settle      = 0.25
	// queuedMax and unknownMax cap that gap for a queued job, and for a
	// running one whose progress has no slope yet (or whose status the docs
	// do not name). A late look at the start of rendering costs nothing:
	// the end is far.
	queuedMax  = 30 * time.Second
	unknownMax = 15 * time.Second
	// farInterval caps the gap while the end is far: often enough to keep
	// the slope of progress fresh when the render speeds up or slows down.
	farInterval = 30 * time.Second
	// nearInterval floors the gap when the end is close.
	nearInterval = 2 * time.Second
	// approach is the share of the estimated time left waited before the
	// next look: each look cuts what is left to 30 %, and an end up to 30 %
	// before its estimate is still seen within the next gap.
	approach = 0.7
	// overdueSlack: once past the estimate the gap grows by this share of
	// the overrun, up to endWatch.
	overdueSlack = 0.25
	// endWatch caps the gap while the job could be over already (progress
	// at the top, or one step of the size seen so far from it): every end
	// is then seen within endWatch, where fixed 5 s polling takes up to 5 s.
	endWatch = 3 * time.Second
	// parkedFor: a job held at the top this long (a stuck render) is watched
	// less closely, the gap growing by parkedSlack of the time beyond.
	parkedFor   = 10 * time.Minute
	parkedSlack = 0.05

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
	// Only whole units are cut down; with a maximumProgress too small for
	// whole units to be its steps (progress sent as a fraction), a reading
	// means what it says.
	if 1/maxP <= maxQuantum && j.Progress == math.Trunc(j.Progress) && j.Progress >= 0 && j.Progress < maxP {
		f = min(f+0.5/maxP, 1)
	}
	return f
}

// slope fits a line through the samples (least squares over time) and
// returns its slope, in fraction per second; 0 when progress has not moved.
func slope(s []sample) float64 {
	n := len(s)
	if n < 2 {
		return 0
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
		return 0
	}
	return max((fn*sxy-sx*sy)/den, 0)
}

// estimateEnd is when the line through the samples reaches 1, counted from
// the latest sample; the zero time when progress has not moved.
func estimateEnd(s []sample) time.Time {
	v := slope(s)
	if v <= 0 {
		return time.Time{}
	}
	last := s[len(s)-1]
	return last.at.Add(seconds((1 - last.f) / v))
}

// crawl: an estimate further off than this is no estimate worth showing.
const crawl = 30 * 24 * time.Hour

// seconds converts a float count of seconds, saturating at crawl.
func seconds(x float64) time.Duration {
	if x > crawl.Seconds() {
		return crawl
	}
	return time.Duration(x * float64(time.Second))
}

// maxQuantum caps quantum. A server that sends progress as a fraction
// (maximumProgress 1, progress 0.37) has no whole unit to go by: taking 1
// as its step would make every reading "one step from the top" and the job
// watched every few seconds for its whole render. Its real steps are
// learned from the readings (progress.step).
const maxQuantum = 0.05

// quantum is the smallest change of progress the server can report, as a
// fraction: one unit of maximumProgress, at most maxQuantum.
func quantum(j *Job) float64 {
	if j.MaximumProgress > 0 {
		return min(1/j.MaximumProgress, maxQuantum)
	}
	return 0.01
}

// progress is what the engine learns from one stage's readings of a job's
// progress: the samples for the slope, and the size of its steps.
type progress struct {
	samples []sample
	// step is the largest part of a jump in progress that the slope does
	// not explain: about one unit for a smooth render, the step's size for
	// a render that moves in jumps. The next step may be the last one once
	// the reading is within step of the top.
	step float64
	// anchored: the first sample is a guess at when progress left zero,
	// not a reading; the jump from it says nothing of the step size.
	anchored bool
}

// anchor starts the samples with progress at zero at the time at.
func (p *progress) anchor(at time.Time) {
	p.samples = append(p.samples[:0], sample{at, 0})
	p.anchored = true
}

// reset forgets the readings: a new stage, or a restarted render.
func (p *progress) reset() { p.samples, p.step, p.anchored = p.samples[:0], 0, false }

// read records a reading of f (readFraction) at the time at.
func (p *progress) read(at time.Time, f float64) {
	n := len(p.samples)
	if n > 0 && f > p.samples[n-1].f {
		last := p.samples[n-1]
		if v := slope(p.samples); v > 0 {
			p.step = max(p.step, f-last.f-v*at.Sub(last.at).Seconds())
		} else if n == 1 {
			p.step = max(p.step, f-last.f) // no slope yet: the whole jump
		}
	}
	p.samples = addSample(p.samples, at, f)
	if len(p.samples) == 1 {
		p.step = 0
	}
}

// pace holds the knobs of the schedule.
type pace struct {
	interval      time.Duration // user's base interval; 0 = adaptive
	typicalRender time.Duration // prior for the ETA before progress moves
}

// eta is the estimated finish of a running job read at the time at: from
// the slope of progress, and never before the reading's step could reach
// the top at that slope (a stalled render's estimate moves out as the
// reading stands); else from the prior.
func (p pace) eta(j *Job, s []sample, at time.Time) time.Time {
	if j.Fraction() >= 1 {
		return time.Time{} // at the top: the end is any moment, no estimate
	}
	if v := slope(s); v > 0 {
		end := estimateEnd(s)
		if left := 1 - j.Fraction() - quantum(j); left > 0 {
			if lo := at.Add(seconds(left / v)); lo.After(end) {
				end = lo
			}
		}
		if end.Sub(at) >= crawl || end.Before(at) {
			return time.Time{} // crawling, or overdue: no estimate worth showing
		}
		return end
	}
	if p.typicalRender > 0 && !j.Started.IsZero() && j.Status != api.StatusInQueue {
		return j.Started.Add(p.typicalRender)
	}
	return time.Time{}
}

// changedAt is when the job last changed: its status, or its progress.
func changedAt(j *Job, s []sample) time.Time {
	t := j.StatusSince
	if n := len(s); n > 0 && s[n-1].at.After(t) {
		t = s[n-1].at
	}
	return t
}

// next is the wait before the next poll of a job that is not over, just
// after a reading at now.
func (p pace) next(j *Job, pr *progress, now time.Time, r *rand.Rand) time.Duration {
	if p.interval > 0 {
		// The user's pace, flat: queued jobs at twice the interval.
		if j.Status == api.StatusInQueue {
			return spread(2*p.interval, r)
		}
		return spread(p.interval, r)
	}
	var s []sample
	if pr != nil {
		s = pr.samples
	}
	quiet := max(now.Sub(changedAt(j, s)), 0)
	f := j.Fraction()
	v := slope(s)
	if j.Status == api.StatusInQueue || v <= 0 {
		// Nothing to estimate from: look densely after a change, then less.
		d := firstLook + time.Duration(settle*float64(quiet))
		switch {
		case j.Status == api.StatusInQueue:
			d = min(queuedFirst+time.Duration(settle*float64(quiet)), queuedMax)
		case f >= 1-quantum(j):
			d = min(d, watch(quiet)) // at the top: the end may come at any moment
		default:
			d = min(d, unknownMax)
		}
		return spread(d, r)
	}
	var d time.Duration
	switch left := j.ETA.Sub(now); {
	case j.ETA.IsZero():
		d = farInterval // no estimate (at the top, or overdue): the caps below decide
	case left > 0:
		d = time.Duration(float64(left) * approach)
	default:
		d = nearInterval + time.Duration(float64(-left)*overdueSlack)
	}
	// A slope read over a short time is not trusted far: look again before
	// three times the time it spans has passed.
	d = min(d, farInterval, max(3*s[len(s)-1].at.Sub(s[0].at), firstLook))
	step := max(pr.step, quantum(j))
	if f+step >= 1 {
		d = min(d, watch(quiet)) // the next step may be the last
	} else {
		// Be looking by the earliest time the next step could be the last.
		d = min(d, max(seconds((1-f-step)/v), nearInterval))
	}
	return max(d, nearInterval)
}

// watch is the gap while a job could end at any moment, quiet for so long:
// endWatch, growing slowly once it has been held there for parkedFor.
func watch(quiet time.Duration) time.Duration {
	if quiet <= parkedFor {
		return endWatch
	}
	return min(endWatch+time.Duration(parkedSlack*float64(quiet-parkedFor)), farInterval)
}

// backoff is the wait after the n-th transient error in a row (n >= 1):
// exponential, capped, with "equal jitter" (half fixed, half random).
func (p pace) backoff(n int, r *rand.Rand) time.Duration {
	base := backoffBase
	if p.interval > 0 && p.interval < base {
		base = p.interval // a fast user pace (tests, the simulator) retries fast too
	}
	return retry.Backoff{Base: base, Max: backoffMax}.Delay(n, r.Float64())
}

// spread adds ±jitter to d.
func spread(d time.Duration, r *rand.Rand) time.Duration {
	w := int64(float64(d) * jitter)
	if w <= 0 {
		return d
	}
	return d - time.Duration(w) + time.Duration(r.Int64N(2*w+1))
}
