package track

import "time"

// Estimate is how far a running job has likely got by now, drawn on from
// its last reading at the slope of its readings so a bar moves between
// looks. It never reaches the top (only a reading says a job is done) and
// never goes past where the slope puts the job at its next look, so the
// next reading can only confirm it or pull it back. ok is false when
// there is nothing to add to the reading.
func (j Job) Estimate(now time.Time) (f float64, ok bool) {
	f = j.Fraction()
	if j.Rate <= 0 || j.ReadAt.IsZero() || j.Terminal() || now.Before(j.ReadAt) {
		return f, false
	}
	until := now
	if !j.NextPoll.IsZero() && j.NextPoll.Before(until) {
		until = j.NextPoll
	}
	q := quantum(&j)
	est := min(f+j.Rate*until.Sub(j.ReadAt).Seconds(), 1-q)
	// A stall: later looks confirmed the same reading, so the job has not
	// got past one unit beyond it as of the last one. The next reading can
	// show no more than that plus the slope's worth until the next look;
	// without this cap a stalled bar would climb at every confirming look.
	if j.LastPoll.After(j.ReadAt) {
		next := until
		if !j.NextPoll.IsZero() {
			next = j.NextPoll
		}
		est = min(est, f+q+j.Rate*max(next.Sub(j.LastPoll).Seconds(), 0))
	}
	if est <= f {
		return f, false
	}
	return est, true
}
