package tracktest

import (
	"context"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// Step is one scripted answer: a job, a video, or an error.
type Step struct {
	Job   *api.Job
	Video *api.Video
	Err   error
}

// Script answers the n-th request (from 0) for one id at virtual time now.
type Script func(n int, now time.Time) Step

// Steps is a script that answers with each step in turn, then repeats the last.
func Steps(steps ...Step) Script {
	return func(n int, _ time.Time) Step {
		if len(steps) == 0 {
			return Step{}
		}
		return steps[min(n, len(steps)-1)]
	}
}

// Call is one request the fake API received.
type Call struct {
	Kind string // "job" or "video"
	ID   string
	At   time.Time
}

// API is a scripted fake of the two endpoints the engine calls. An id with
// no script answers 404, as the real API does. It satisfies track.Client.
type API struct {
	clock *Clock

	mu       sync.Mutex
	scripts  map[string]Script // by kind+"/"+id
	counts   map[string]int
	calls    []Call
	inFlight int
	maxIn    int
	held     bool
	release  chan struct{} // closed to let held requests go
	changed  chan struct{} // closed and replaced on every call
}

// NewAPI returns a fake API that stamps calls with clock's time.
func NewAPI(clock *Clock) *API {
	return &API{clock: clock, scripts: map[string]Script{}, counts: map[string]int{},
		release: make(chan struct{}), changed: make(chan struct{})}
}

// Job scripts GET /video-generation-jobs/{id}.
func (a *API) Job(id string, s Script) { a.set("job/"+id, s) }

// Video scripts GET /generated-videos/{id}.
func (a *API) Video(id string, s Script) { a.set("video/"+id, s) }

func (a *API) set(key string, s Script) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.scripts[key] = s
}

// Hold makes requests wait, once counted, until Release: a request in
// flight for as long as a test needs.
func (a *API) Hold() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.held = true
}

// Release lets every held request answer and stops holding new ones.
func (a *API) Release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held {
		a.held = false
		close(a.release)
		a.release = make(chan struct{})
	}
}

// GetJob answers from the job script.
func (a *API) GetJob(ctx context.Context, id string) (*api.Job, error) {
	st, err := a.call(ctx, "job", id)
	if err != nil {
		return nil, err
	}
	return st.Job, nil
}

// GetVideo answers from the video script.
func (a *API) GetVideo(ctx context.Context, id string) (*api.Video, error) {
	st, err := a.call(ctx, "video", id)
	if err != nil {
		return nil, err
	}
	return st.Video, nil
}

func (a *API) call(ctx context.Context, kind, id string) (Step, error) {
	a.mu.Lock()
	now := a.clock.Now()
	key := kind + "/" + id
	n := a.counts[key]
	a.counts[key]++
	a.calls = append(a.calls, Call{Kind: kind, ID: id, At: now})
	a.inFlight++
	a.maxIn = max(a.maxIn, a.inFlight)
	s := a.scripts[key]
	held, release := a.held, a.release
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()

	defer func() {
		a.mu.Lock()
		a.inFlight--
		a.mu.Unlock()
	}()
	if held {
		select {
		case <-release:
		case <-ctx.Done():
			return Step{}, ctx.Err()
		}
	}
	if s == nil {
		return Step{}, &api.NotFoundError{Kind: kind, ID: id}
	}
	st := s(n, now)
	if st.Err != nil {
		return Step{}, st.Err
	}
	if kind == "job" && st.Job == nil || kind == "video" && st.Video == nil {
		return Step{}, &api.NotFoundError{Kind: kind, ID: id}
	}
	return st, nil
}

// Calls returns every request so far, in arrival order.
func (a *API) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Call(nil), a.calls...)
}

// Count is how many requests of kind ("job", "video", "" = both) went to id
// ("" = any id).
func (a *API) Count(kind, id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.calls {
		if (kind == "" || c.Kind == kind) && (id == "" || c.ID == id) {
			n++
		}
	}
	return n
}

// MaxInFlight is the most requests that were ever in flight at once.
func (a *API) MaxInFlight() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.maxIn
}

// WaitCalls blocks until at least n requests have arrived.
func (a *API) WaitCalls(ctx context.Context, n int) error {
	for {
		a.mu.Lock()
		got, ch := len(a.calls), a.changed
		a.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
