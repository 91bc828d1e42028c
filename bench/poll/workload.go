package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// spec is one simulated job: how long it queues and renders, and the shape
// of its progress.
type spec struct {
	id      string
	queue   time.Duration // in_queue for this long
	prep    time.Duration // then preprocessing, progress 0
	render  time.Duration // then generating, progress climbing to max
	maxP    float64       // maximumProgress: not always 100
	shape   float64       // progress = max * u^shape: <1 fast start, >1 slow start
	stallAt float64       // a pause in progress at this fraction (0 = none)
	stall   time.Duration
}

// end is when the job finishes, from the start of the run.
func (s spec) end() time.Duration { return s.queue + s.prep + s.render + s.stall }

// workload draws n jobs: queued 1 to 10 min, then 2 to 20 min of
// preprocessing and rendering, with progress that is not a straight line.
func workload(n int, seed uint64) []spec {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	between := func(lo, hi time.Duration) time.Duration {
		return lo + time.Duration(r.Int64N(int64(hi-lo)))
	}
	out := make([]spec, n)
	for i := range out {
		total := between(2*time.Minute, 20*time.Minute)
		prep := time.Duration(float64(total) * (0.03 + 0.07*r.Float64()))
		s := spec{
			id:     fmt.Sprintf("job-%03d", i),
			queue:  between(time.Minute, 10*time.Minute),
			prep:   prep,
			render: total - prep,
			maxP:   []float64{100, 100, 100, 1000, 37}[r.IntN(5)],
			shape:  0.8 + 0.45*r.Float64(),
		}
		if r.IntN(4) == 0 { // one job in four pauses for a while mid-render
			s.stallAt = 0.2 + 0.6*r.Float64()
			s.stall = between(10*time.Second, 90*time.Second)
			s.render -= s.stall
			if s.render < time.Minute {
				s.render = time.Minute
			}
		}
		out[i] = s
	}
	return out
}

// state is what the API says about s at el after the run's start.
func (s spec) state(el time.Duration) *api.Job {
	j := &api.Job{ID: s.id, MaximumProgress: s.maxP, VideoID: "v-" + s.id}
	switch {
	case el < s.queue:
		j.Status = api.StatusInQueue
	case el < s.queue+s.prep:
		j.Status = api.StatusPreprocessing
	case el < s.end():
		j.Status = api.StatusGenerating
		t := el - s.queue - s.prep
		stallStart := time.Duration(s.stallAt * float64(s.render))
		switch {
		case s.stall == 0 || t < stallStart:
		case t < stallStart+s.stall:
			t = stallStart
		default:
			t -= s.stall
		}
		u := float64(t) / float64(s.render)
		j.Progress = math.Floor(s.maxP * math.Pow(u, s.shape)) // integer, as servers send it
	default:
		j.Status = api.StatusFinished
		j.Progress = s.maxP
	}
	return j
}

// simAPI answers the engine from the workload on virtual time and notes when
// each job's end was first seen.
type simAPI struct {
	start time.Time
	now   func() time.Time
	specs map[string]spec

	mu       sync.Mutex
	requests int
	seen     map[string]time.Duration // first finished answer, from start
}

func newSimAPI(specs []spec, start time.Time, now func() time.Time) *simAPI {
	a := &simAPI{start: start, now: now, specs: map[string]spec{}, seen: map[string]time.Duration{}}
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
	if _, done := a.seen[id]; !done && j.Status == api.StatusFinished {
		a.seen[id] = el
	}
	return j, nil
}

func (a *simAPI) GetVideo(_ context.Context, id string) (*api.Video, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests++
	return &api.Video{ID: id, PublicURL: "https://cdn.example/" + id + ".mp4"}, nil
}
