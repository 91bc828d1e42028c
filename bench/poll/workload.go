package main

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// spec is one simulated job: when it is added, how long it queues and
// renders, and the shape of its progress. Times are from the job's creation,
// which is age before it is added.
type spec struct {
	id     string
	addAt  time.Duration // added to reel this long after the run starts
	age    time.Duration // created this long before it is added (added late)
	queue  time.Duration // in_queue for this long
	prep   time.Duration // then preprocessing, progress 0
	render time.Duration // then generating, progress climbing to max
	park   time.Duration // then progress at max, still generating
	maxP   float64       // maximumProgress: not always 100
	shape  float64       // progress = max * u^shape: <1 fast start, >1 slow start
	stalls []stall       // pauses in progress while rendering
	steps  []step        // coarse progress: the reading jumps at these times
	fail   float64       // when > 0, the render fails this far into its time
}

// stall is a pause of d when the render is at the fraction at of its work.
type stall struct {
	at float64
	d  time.Duration
}

// step is a coarse jump of progress to p at the time at into the render.
type step struct {
	at time.Duration
	p  float64
}

// stalled is the total time s pauses.
func (s spec) stalled() time.Duration {
	var d time.Duration
	for _, st := range s.stalls {
		d += st.d
	}
	return d
}

// end is when the job finishes, from its creation.
func (s spec) end() time.Duration {
	if s.fail > 0 {
		return s.queue + s.prep + time.Duration(s.fail*float64(s.render))
	}
	return s.queue + s.prep + s.render + s.stalled() + s.park
}

// endInRun is when the job finishes, from the run's start; a job that ended
// before it was added counts from its adding: nobody could see it sooner.
func (s spec) endInRun() time.Duration { return s.addAt + max(s.end()-s.age, 0) }

// state is what the API says about s at el after the run's start.
func (s spec) state(el time.Duration) *api.Job {
	el += s.age - s.addAt
	j := &api.Job{ID: s.id, MaximumProgress: s.maxP, VideoID: "v-" + s.id}
	rendered := s.queue + s.prep + s.render + s.stalled()
	switch {
	case s.fail > 0 && el >= s.end():
		j.Status = api.StatusFailed
		j.Progress = s.progress(s.end() - s.queue - s.prep)
	case el < s.queue:
		j.Status = api.StatusInQueue
	case el < s.queue+s.prep:
		j.Status = api.StatusPreprocessing
	case el < rendered:
		j.Status = api.StatusGenerating
		j.Progress = s.progress(el - s.queue - s.prep)
	case el < s.end():
		j.Status = api.StatusGenerating
		j.Progress = s.maxP // parked at the top
	default:
		j.Status = api.StatusFinished
		j.Progress = s.maxP
	}
	return j
}

// progress is the reading t into the render (stalls included), a whole
// number as servers send it.
func (s spec) progress(t time.Duration) float64 {
	if len(s.steps) > 0 {
		p := 0.0
		for _, st := range s.steps {
			if t >= st.at {
				p = st.p
			}
		}
		return p
	}
	// Take the stalls out: work done is the time spent not paused.
	work := t
	for _, st := range s.stalls {
		at := time.Duration(st.at * float64(s.render))
		switch {
		case work < at:
		case work < at+st.d:
			work = at
		default:
			work -= st.d
		}
	}
	u := min(float64(work)/float64(s.render), 1)
	return math.Floor(s.maxP * math.Pow(u, s.shape))
}

// simAPI answers the engine from the workload on virtual time and notes when
// each job's end was first seen, and when it settled (its video fetched).
type simAPI struct {
	start time.Time
	now   func() time.Time
	specs map[string]spec

	mu       sync.Mutex
	requests int
	seen     map[string]time.Duration // first finished answer, from start
	settled  int                      // jobs whose video was fetched after their end was seen
	fetched  map[string]bool
}

func newSimAPI(specs []spec, start time.Time, now func() time.Time) *simAPI {
	a := &simAPI{start: start, now: now, specs: map[string]spec{}, seen: map[string]time.Duration{}, fetched: map[string]bool{}}
	for _, s := range specs {
		a.specs[s.id] = s
	}
	return a
}

func (a *simAPI) GetJob(_ context.Context, id string) (*api.Job, error) {
	el := a.now().Sub(a.start)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests++
	s, ok := a.specs[id]
	if !ok {
		return nil, &api.NotFoundError{Kind: "job", ID: id}
	}
	j := s.state(el)
	if _, done := a.seen[id]; !done && j.Status.Terminal() {
		a.seen[id] = el
		if j.Status != api.StatusFinished {
			a.settled++ // no video to fetch
		}
	}
	return j, nil
}

func (a *simAPI) GetVideo(_ context.Context, id string) (*api.Video, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests++
	job := id[len("v-"):]
	if _, done := a.seen[job]; done && !a.fetched[job] {
		a.fetched[job] = true
		a.settled++
	}
	return &api.Video{ID: id, PublicURL: "https://cdn.example/" + id + ".mp4"}, nil
}

// allSettled reports whether every job's end was seen and its video fetched.
func (a *simAPI) allSettled() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settled == len(a.specs)
}
