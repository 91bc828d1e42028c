package track

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// request is one GET, tagged so a late answer can be told from a current one.
type request struct {
	id     string // the tracked ID
	tag    uint64
	phase  phase
	target string // the id in the URL
	keyGen uint64 // the engine's keyGen when sent
}

// errStale marks an answer cut short by shutdown.
var errStale = errors.New("track: answer dropped")

// answer is what came back.
type answer struct {
	job   *api.Job
	video *api.Video
	err   error
}

// start sends en's next request in its own goroutine. Called with e.mu held.
func (e *Engine) start(ctx context.Context, wg *sync.WaitGroup, en *entry, now time.Time) {
	e.tag++
	en.tag = e.tag
	req := request{id: en.job.ID, tag: en.tag, phase: en.phase, target: en.job.ID, keyGen: e.keyGen}
	switch en.phase {
	case phaseJob:
		req.target = en.job.JobID
	case phaseFetchVideo, phaseNameVideo:
		req.target = en.job.VideoID
	}
	e.inflight++
	e.conn.Requests++
	wg.Add(1)
	go func() {
		defer wg.Done()
		var a answer
		switch req.phase {
		case phaseLookup, phaseJob:
			a.job, a.err = e.client.GetJob(ctx, req.target)
		default:
			a.video, a.err = e.client.GetVideo(ctx, req.target)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.inflight--
		e.poke()
		e.stateChanged()
		if ctx.Err() != nil {
			// Shutting down: the answer may be a cancellation, not the server's word.
			a = answer{err: errStale}
		}
		e.apply(req, a, e.clock.Now())
	}()
}

// apply folds an answer into the job's state and schedules what comes next.
// Called with e.mu held.
func (e *Engine) apply(req request, a answer, now time.Time) {
	if e.orphans[req.id] == req.tag {
		delete(e.orphans, req.id)
	}
	en := e.jobs[req.id]
	if en == nil || en.tag != req.tag {
		e.log.Debug("stale answer dropped", "id", req.id)
		return // removed since: nobody wants it
	}
	en.tag = 0
	before := en.job
	if en.stale || a.err == errStale {
		// Asked for before the job was removed and tracked again (or cut
		// short by shutdown): its answer may not fit the state now. Ask again.
		e.log.Debug("stale answer dropped", "id", req.id)
		en.stale, en.again = false, false
		if en.phase != phaseDone {
			e.schedule(en, now)
		}
		e.emitJob(en, &before)
		return
	}
	connBefore := e.conn
	j := &en.job
	j.LastPoll = now
	e.log.Debug("answer", "id", req.id, "target", req.target, "asked", req.phase.String(), "err", a.err)

	var ka *api.KeyRejectedError
	var nf *api.NotFoundError
	var br *api.BadRequestError
	var rl *api.RateLimitedError
	switch err := a.err; {
	case err == nil:
		e.conn.LastGood = now
		e.conn.Retrying = false
		e.conn.LastError = ""
		e.rateFails = 0
		j.Err, j.Retrying = "", false
		en.fails = 0
		en.holdUntil = time.Time{}
		e.onAnswer(en, req, a, now)
	case req.phase == phaseNameVideo && !errors.As(err, &ka) && !errors.As(err, &rl):
		// Only the name was wanted: no error to show, no retry; the job's
		// own polling goes on, and the video is fetched when it finishes.
		// A 503's Retry-After still holds the job back.
		if ra, ok := api.RetryAfter(err); ok {
			ra, _ = retry.Capped(ra)
			en.holdUntil = now.Add(ra)
		}
		en.phase = phaseJob
		e.schedule(en, now.Add(e.pace.next(j, &en.prog, now, e.rnd)))
	case errors.As(err, &ka) && req.keyGen != e.keyGen:
		// Sent before the user's last refresh, maybe with the key the user
		// has replaced since: ask again rather than reject the new one.
		e.schedule(en, now)
	case errors.As(err, &ka):
		// The key is the program's, not the job's: stop everything.
		e.keyRejected = true
		e.conn.KeyRejected = true
		e.conn.LastError = err.Error()
		j.Err = err.Error()
		e.schedule(en, now) // first in line when the user refreshes
	case errors.As(err, &nf):
		e.onNotFound(en, now)
	case errors.As(err, &br):
		// A malformed id will not get better by asking again.
		j.NotFound = true
		j.Err = err.Error()
		en.phase = phaseDone
		j.ETA, j.Rate = time.Time{}, 0
	case errors.As(err, &rl):
		// Limits belong to the key: every request waits, not just this job's.
		e.rateFails++
		d, _ := retry.Capped(rl.RetryAfter)
		if d <= 0 {
			d = e.pace.backoff(e.rateFails, e.rnd)
		}
		if until := now.Add(d); until.After(e.pauseUntil) {
			e.pauseUntil = until
		}
		e.conn.PausedUntil = e.pauseUntil
		e.conn.Retrying = true
		e.conn.LastError = withCapNote(err)
		e.schedule(en, now)
	default:
		// 5xx, network trouble, garbage bodies, unexpected codes: retry this
		// job later, longer each time; a 503's Retry-After holds it at least that long.
		en.fails++
		d := e.pace.backoff(en.fails, e.rnd)
		if ra, ok := api.RetryAfter(err); ok {
			d = retry.After(d, ra, retry.MaxRetryAfter)
			ra, _ = retry.Capped(ra)
			en.holdUntil = now.Add(ra) // the server's word outlasts a refresh
		}
		j.Err = withCapNote(err)
		j.Retrying = true
		e.conn.Retrying = true
		e.conn.LastError = j.Err
		e.schedule(en, now.Add(d))
	}
	if en.again {
		en.again = false
		if en.phase != phaseDone && !e.keyRejected {
			e.jobFirst(en)
			e.schedule(en, now) // a nudge came while asking: ask again
		}
	}
	if en.phase == phaseDone {
		e.unschedule(en)
		j.ETA, j.Rate = time.Time{}, 0
	}
	e.emitJob(en, &before)
	if connBefore != e.conn {
		e.emitConn(false)
	}
}

// onAnswer handles a good answer. Called with e.mu held.
func (e *Engine) onAnswer(en *entry, req request, a answer, now time.Time) {
	j := &en.job
	j.NotFound = false
	switch req.phase {
	case phaseLookup, phaseJob:
		if req.phase == phaseLookup {
			j.Kind, j.JobID = api.KindJob, j.ID
			en.phase = phaseJob
		}
		e.onJob(en, a.job, now)
	case phaseVideoLookup:
		v := a.video
		j.Kind, j.Video = api.KindVideo, v
		if j.VideoID == "" {
			j.VideoID = j.ID
		}
		if v.JobID != "" {
			j.JobID = v.JobID
			en.phase = phaseJob
			e.schedule(en, now)
			return
		}
		// A video with no job: done, as far as anyone can tell.
		e.setStatus(j, api.StatusFinished, now)
		en.phase = phaseDone
	case phaseFetchVideo:
		j.Video = a.video
		if a.video != nil && a.video.PublicURL == "" && en.linkTries < maxLinkTries {
			// Finished, yet no file link: the service may still be storing
			// it. Ask again a few times before settling without one.
			en.linkTries++
			e.schedule(en, now.Add(time.Duration(en.linkTries)*linkRetry))
			return
		}
		en.phase = phaseDone
	case phaseNameVideo:
		if j.Video == nil {
			j.Video = a.video // links come later: they are fetched at the end
		}
		en.phase = phaseJob
		e.schedule(en, now.Add(e.pace.next(j, &en.prog, now, e.rnd)))
	}
}

// onJob folds a job object in. Called with e.mu held.
func (e *Engine) onJob(en *entry, aj *api.Job, now time.Time) {
	j := &en.job
	if aj == nil {
		aj = &api.Job{}
	}
	before, readBefore := j.Status, j.Progress
	j.Job = aj
	if aj.VideoID != "" {
		j.VideoID = aj.VideoID
	}
	j.Progress, j.MaximumProgress = aj.Progress, aj.MaximumProgress
	if aj.Status != j.Status {
		// Progress may mean something else in the next stage (or restart):
		// estimate the end from this stage's readings only.
		en.prog.reset()
		if readBefore == 0 && aj.Progress > 0 && !en.readAt.IsZero() {
			// It left zero between the last look and this one: halfway is
			// the best guess, and it gives a slope from this first reading.
			en.prog.anchor(en.readAt.Add(now.Sub(en.readAt) / 2))
		}
	}
	en.readAt = now
	e.setStatus(j, aj.Status, now)

	switch aj.Status {
	case api.StatusFinished:
		// Links given while rendering (if the API ever gives them) are not
		// the final ones: the answer that says finished fetches the video.
		if j.VideoID != "" && (j.Video == nil || j.Video.PublicURL == "" || before != api.StatusFinished) {
			en.phase = phaseFetchVideo
			e.schedule(en, now)
			return
		}
		if j.VideoID == "" {
			j.Err = "finished, but the job names no video"
		}
		en.phase = phaseDone
	case api.StatusFailed, api.StatusDeleted:
		en.phase = phaseDone
	case api.StatusInQueue:
		en.prog.reset()
		j.ETA, j.Rate = e.pace.eta(j, nil, now), 0
		e.schedule(en, now.Add(e.pace.next(j, &en.prog, now, e.rnd)))
		e.askName(en, now)
	default:
		// Running, or a word the docs do not name: keep asking, show it as is.
		if len(en.prog.samples) == 0 || j.Progress != readBefore {
			j.ReadAt = now // when this reading was first seen: bars move on from here
		}
		en.prog.read(now, readFraction(j))
		j.ETA, j.Rate = e.pace.eta(j, en.prog.samples, now), slope(en.prog.samples)
		e.schedule(en, now.Add(e.pace.next(j, &en.prog, now, e.rnd)))
		e.askName(en, now)
	}
}

// A finished job's video that comes without links is asked for again this
// many times, this far apart (and further each time).
const (
	maxLinkTries = 3
	// nameAfter: the name is asked for once a job has been tracked this
	// long, or sooner when its end is estimated further off than this; not
	// when its end is estimated nearer.
	nameAfter = 30 * time.Second
	linkRetry = 5 * time.Second
)

// jobFirst makes a nudged job's next request the job itself, not a pending
// name lookup: a nudge (a callback, the user's r) says the job may have
// moved, and that is what must be seen at once. The name is asked for
// again after. Called with e.mu held.
func (e *Engine) jobFirst(en *entry) {
	if en.phase == phaseNameVideo {
		en.phase, en.named = phaseJob, false
	}
}

// askName asks for a job's video once, so its row shows a name long before
// the end: people render hundreds of videos from one template and tell them
// apart by name. One request a job; a video the API will not show yet is no
// error. A job likely to end within nameAfter is not asked: the video
// fetched at its end brings the name, and the request is saved. Called with
// e.mu held.
func (e *Engine) askName(en *entry, now time.Time) {
	if en.named || en.job.VideoID == "" || en.job.Video != nil {
		return
	}
	j := &en.job
	if soon := !j.ETA.IsZero() && j.ETA.Sub(now) < nameAfter; soon || now.Sub(j.Added) < nameAfter && j.ETA.IsZero() {
		return
	}
	en.named = true
	en.phase = phaseNameVideo
	e.schedule(en, now)
}

// onNotFound handles a 404. Called with e.mu held.
func (e *Engine) onNotFound(en *entry, now time.Time) {
	j := &en.job
	switch en.phase {
	case phaseLookup:
		en.phase = phaseVideoLookup // perhaps a video id: ask that endpoint
		e.schedule(en, now)
	case phaseVideoLookup:
		j.NotFound = true
		j.Err = fmt.Sprintf("no job or video %q (HTTP 404): check the ID; press r to look again", j.ID)
		en.phase = phaseDone
	case phaseJob:
		if j.Kind == api.KindVideo && j.Video != nil {
			// The job is gone but the video stands: finished, as Lookup says.
			e.setStatus(j, api.StatusFinished, now)
			en.phase = phaseDone
			return
		}
		j.NotFound = true
		j.Err = fmt.Sprintf("job %q no longer found (HTTP 404): deleted?", j.JobID)
		en.phase = phaseDone
	case phaseFetchVideo:
		j.Err = fmt.Sprintf("generated video %q not found (HTTP 404)", j.VideoID)
		en.phase = phaseDone
	case phaseNameVideo: // handled in apply: not an error
	}
}

// setStatus records a status and the times that hang on it.
func (e *Engine) setStatus(j *Job, s api.Status, now time.Time) {
	if s != j.Status {
		j.Status = s
		j.StatusSince = now
	}
	if j.Started.IsZero() && s != "" && s != api.StatusInQueue {
		j.Started = now
	}
	if s.Terminal() && j.Ended.IsZero() {
		j.Ended = now
	}
}

// emitJob publishes en's snapshot if it differs from before, persisting
// what is worth keeping. Called with e.mu held.
func (e *Engine) emitJob(en *entry, before *Job) {
	j := &en.job
	j.Version = before.Version
	j.Settled = en.phase == phaseDone
	if *j == *before {
		return
	}
	j.Version++
	if e.persist != nil && worthKeeping(before, j) {
		if err := e.persist.Changed(*j); err != nil {
			e.persistFailed(err)
		}
	}
	snap := *j
	e.events.push(Event{Job: &snap})
}

// emitConn publishes the connection state when it changed in a way a header
// shows; force sends it regardless. Called with e.mu held.
func (e *Engine) emitConn(force bool) {
	c, s := e.conn, e.connSent
	c.Requests, s.Requests = 0, 0
	c.LastGood, s.LastGood = time.Time{}, time.Time{}
	if !force && c == s && e.conn.LastGood.Sub(e.connSent.LastGood) < time.Second {
		return // only the request count or a sub-second LastGood moved
	}
	e.connSent = e.conn
	snap := e.conn
	e.events.push(Event{Conn: &snap})
}

// persistFailed reports a store error; tracking goes on in memory.
// Called with e.mu held.
func (e *Engine) persistFailed(err error) {
	e.log.Warn("store", "err", err)
	e.conn.LastError = "store: " + err.Error()
	e.emitConn(true)
}

// withCapNote is err's message, and when the server asked to wait longer
// than retry.MaxRetryAfter, a note that says so and names the cap.
func withCapNote(err error) string {
	ra, _ := api.RetryAfter(err)
	if note := retry.CapNote(ra); note != "" {
		return err.Error() + " (" + note + ")"
	}
	return err.Error()
}
