package track

import (
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
)

// role is the engine's part in its workspace: polling (the zero value, and
// the only part an engine without a shared store plays) or watching another
// process poll. A watching engine sends nothing to the API: it takes the
// poller's answers from the store (Observe) and forwards what its user asks
// for (Refresh, Nudge, Callback) to the poller.
type role struct {
	watching bool
	ask      func(Request) // where a watching engine's requests go
}

// StopPolling makes the engine watch: no request starts (those in flight
// end as usual), and Refresh, Nudge and Callback go to ask. by names the
// process that polls, for the header ("" while nobody is known to).
func (e *Engine) StopPolling(by string, ask func(Request)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.role = role{watching: true, ask: ask}
	e.setRole(strings.TrimSpace("watching " + by))
}

// StartPolling makes a watching engine poll again, from the next-poll
// times it kept while watching: jobs whose time has passed go first, at the
// engine's usual pace, and settled jobs are not asked about again.
func (e *Engine) StartPolling() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.role = role{}
	e.setRole("polling")
	e.poke()
}

// setRole puts the role's words in the header. Called with e.mu held.
func (e *Engine) setRole(s string) {
	if e.conn.Role != s {
		e.conn.Role = s
		e.emitConn(true)
	}
}

// forwarded sends r to the poller when the engine watches, and reports
// whether it did.
func (e *Engine) forwarded(r Request) bool {
	e.mu.Lock()
	ro := e.role
	if r.At.IsZero() {
		r.At = e.clock.Now()
	}
	e.mu.Unlock()
	if !ro.watching || ro.ask == nil {
		return false
	}
	ro.ask(r)
	return true
}

// forwardedRefresh is forwarded for Refresh's list of IDs (none = all).
func (e *Engine) forwardedRefresh(ids []string) bool {
	if len(ids) == 0 {
		return e.forwarded(Request{Kind: AskRefresh})
	}
	for _, id := range ids {
		if !e.forwarded(Request{Kind: AskRefresh, ID: id}) {
			return false // polling again since the first: the rest is ours
		}
	}
	return true
}

// Observe takes jobs' states from the store, written by the process that
// polls, into a watching engine: their snapshots change as if this engine
// had polled, and each keeps a next-poll time as the poller would have it,
// so a takeover goes on from there rather than asking about everything at
// once. A polling engine ignores it (its own answers are the news), as it
// does jobs it does not track (Load adds those) and answers older than
// what it has.
func (e *Engine) Observe(jobs ...Job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.role.watching {
		return
	}
	now := e.clock.Now()
	connBefore := e.conn
	defer func() {
		if e.conn != connBefore {
			e.emitConn(false)
		}
	}()
	for _, j := range jobs {
		en := e.jobs[j.ID]
		if en == nil || en.tag != 0 || j.LastPoll.Before(en.job.LastPoll) {
			continue
		}
		if j.LastPoll.After(e.conn.LastGood) && j.Err == "" {
			e.conn.LastGood = j.LastPoll // the header's "last poll": the poller's
		}
		before := en.job
		j.Seq, j.Added, j.Version = before.Seq, before.Added, before.Version
		if j.Status != before.Status {
			en.prog.reset()
		}
		en.phase = resumePhase(&j)
		en.named = en.named || j.Video != nil
		en.fails = 0
		switch {
		case en.phase == phaseDone:
			e.unschedule(en)
			j.ETA, j.NextPoll = time.Time{}, time.Time{}
		default:
			at := j.LastPoll
			if at.IsZero() {
				at = now
			}
			if j.Status != "" && !j.Status.Terminal() && j.Status != api.StatusInQueue {
				// The same reading as the poller's, so a takeover paces and
				// estimates from where the poller was.
				en.prog.read(at, readFraction(&j))
				en.readAt = at
				j.ETA, j.Rate = e.pace.eta(&j, en.prog.samples, at), slope(en.prog.samples)
			} else {
				j.ETA, j.Rate = e.pace.eta(&j, nil, at), 0
			}
			en.job = j
			e.schedule(en, at.Add(e.pace.next(&j, &en.prog, at, e.rnd)))
			j.NextPoll = en.job.NextPoll
		}
		j.Settled = en.phase == phaseDone
		en.job = j
		if en.job == before {
			continue
		}
		en.job.Version++
		snap := en.job
		e.events.push(Event{Job: &snap})
	}
}
