package track

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
)

// Add tracks new IDs; IDs already tracked (or repeated, or blank) are
// ignored. The new jobs are persisted before they show anywhere, then polled
// at once. It returns the added snapshots.
func (e *Engine) Add(ids ...string) []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	var added []*entry
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] || e.jobs[id] != nil {
			continue
		}
		seen[id] = true
		en := &entry{hidx: -1, job: Job{ID: id, Seq: e.nextSeq, Added: now, Version: 1}}
		e.nextSeq++
		added = append(added, en)
	}
	return e.track(added, now, true)
}

// Restore re-tracks jobs with their old Seq and state: the undo of Remove.
// They are persisted again. Jobs already ended are not polled again, except a
// finished one whose video was never fetched.
func (e *Engine) Restore(jobs ...Job) { e.restore(jobs, true) }

// Load seeds the engine with jobs read from the store at start: like
// Restore, but nothing is written back.
func (e *Engine) Load(jobs ...Job) []Job { return e.restore(jobs, false) }

func (e *Engine) restore(jobs []Job, persist bool) []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	var added []*entry
	for _, j := range jobs {
		if j.ID == "" || e.jobs[j.ID] != nil {
			continue
		}
		j.NextPoll, j.ETA, j.Rate, j.Retrying = time.Time{}, time.Time{}, 0, false
		j.Version++
		if j.Seq <= 0 {
			j.Seq = e.nextSeq
		}
		e.nextSeq = max(e.nextSeq, j.Seq+1)
		added = append(added, &entry{hidx: -1, job: j, phase: resumePhase(&j)})
	}
	return e.track(added, now, persist)
}

// resumePhase is where polling picks up for a job known from before.
func resumePhase(j *Job) phase {
	switch {
	case j.NotFound:
		return phaseDone
	case j.Status == api.StatusFinished:
		if j.VideoID != "" && (j.Video == nil || j.Video.PublicURL == "") {
			return phaseFetchVideo
		}
		return phaseDone
	case j.Status.Terminal():
		return phaseDone
	case j.JobID != "":
		return phaseJob
	}
	return phaseLookup
}

// track makes new entries live: persisted, visible, scheduled. Called with
// e.mu held.
func (e *Engine) track(added []*entry, now time.Time, persist bool) []Job {
	if len(added) == 0 {
		return nil
	}
	out := make([]Job, len(added))
	for i, en := range added {
		en.job.Settled = en.phase == phaseDone
		out[i] = en.job
	}
	if persist && e.persist != nil {
		if err := e.persist.Added(out); err != nil {
			e.persistFailed(err)
		}
	}
	for _, en := range added {
		id := en.job.ID
		e.jobs[id] = en
		if tag, ok := e.orphans[id]; ok {
			// A request for the previous incarnation is still out: wait for
			// it (no overlap), drop its answer, then ask afresh.
			en.tag, en.stale = tag, true
		} else if en.phase != phaseDone {
			e.schedule(en, now)
		}
		snap := en.job
		e.events.push(Event{Job: &snap})
	}
	e.poke()
	return out
}

// Remove stops tracking the IDs and returns their snapshots, for undo. An
// answer still in flight for them is dropped.
func (e *Engine) Remove(ids ...string) []Job { return e.remove(ids, true) }

// Forget stops tracking jobs that another process stopped tracking: like
// Remove, but nothing is written back, so this process cannot undo that
// process's undo by echoing its removal into the store after the fact.
func (e *Engine) Forget(ids ...string) { e.remove(ids, false) }

func (e *Engine) remove(ids []string, persist bool) []Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Job
	var gone []string
	for _, id := range ids {
		en := e.jobs[id]
		if en == nil {
			continue
		}
		e.unschedule(en)
		delete(e.jobs, id)
		if en.tag != 0 {
			e.orphans[id] = en.tag
		}
		out = append(out, en.job)
		gone = append(gone, id)
	}
	if len(gone) == 0 {
		return nil
	}
	if persist && e.persist != nil {
		if err := e.persist.Removed(gone); err != nil {
			e.persistFailed(err)
		}
	}
	for _, id := range gone {
		e.events.push(Event{Removed: id})
	}
	e.poke()
	return out
}

// Nudge polls a job now ("" = every running job): a callback or another
// hint says something may have changed. A job whose request is in flight is
// asked again once that answers, since the answer may predate the hint.
func (e *Engine) Nudge(id string) {
	if e.forwarded(Request{Kind: AskNudge, ID: id}) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nudge(e.targets(id), false)
}

// Refresh is the user's r: poll now, not-found jobs and a rejected key
// included (no ids = all). Backoff is forgotten; a server's Retry-After is not.
func (e *Engine) Refresh(ids ...string) {
	if e.forwardedRefresh(ids) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keyGen++
	if e.keyRejected {
		e.keyRejected = false
		e.conn.KeyRejected = false
		e.emitConn(true)
	}
	var ens []*entry
	if len(ids) == 0 {
		ens = e.targets("")
	}
	for _, id := range ids {
		if en := e.jobs[id]; en != nil {
			ens = append(ens, en)
		}
	}
	e.nudge(ens, true)
}

// targets are the entries an ID names ("" = all), running or not.
func (e *Engine) targets(id string) []*entry {
	if id != "" {
		if en := e.jobs[id]; en != nil {
			return []*entry{en}
		}
		return nil
	}
	out := make([]*entry, 0, len(e.jobs))
	for _, en := range e.jobs {
		out = append(out, en)
	}
	return out
}

// nudge schedules the entries now. refresh also revives not-found jobs.
// Called with e.mu held.
func (e *Engine) nudge(ens []*entry, refresh bool) {
	now := e.clock.Now()
	for _, en := range ens {
		if refresh && en.phase == phaseDone && en.tag == 0 {
			// Not found may be found now; a finished job may still lack its video.
			en.phase = resumePhase(&en.job)
			if en.job.NotFound {
				en.phase = phaseLookup
			}
		}
		if en.phase == phaseDone {
			continue
		}
		if refresh {
			en.fails = 0
		}
		if en.tag != 0 {
			en.again = true
			continue
		}
		e.jobFirst(en)
		before := en.job
		e.schedule(en, now)
		e.emitJob(en, &before)
	}
	e.poke()
}

// Callback records a callback for the job it names (by ID, job id or video
// id) and polls that job now; with no match, every running job is polled,
// since the body may name none of them.
func (e *Engine) Callback(id, shareURL string, at time.Time) {
	if e.forwarded(Request{Kind: AskCallback, ID: id, ShareURL: shareURL, At: at}) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var hit []*entry
	if id != "" {
		for _, en := range e.jobs {
			if en.job.ID == id || en.job.JobID == id || en.job.VideoID == id {
				hit = append(hit, en)
			}
		}
	}
	if len(hit) == 0 {
		e.nudge(e.targets(""), false)
		return
	}
	for _, en := range hit {
		before := en.job
		if shareURL != "" && !en.job.Settled {
			// A settled job's link is never changed: the callback is
			// unsigned, and its link is the one the user has seen.
			en.job.ShareURL = shareURL
		}
		en.job.CallbackAt = at
		e.emitJob(en, &before)
	}
	e.nudge(hit, false)
}

// Jobs returns the snapshots in Seq order.
func (e *Engine) Jobs() []Job {
	e.mu.Lock()
	out := make([]Job, 0, len(e.jobs))
	for _, en := range e.jobs {
		out = append(out, en.job)
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b Job) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// Job returns one snapshot.
func (e *Engine) Job(id string) (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if en := e.jobs[id]; en != nil {
		return en.job, true
	}
	return Job{}, false
}

// Conn returns the connection state.
func (e *Engine) Conn() Conn {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.conn
}
