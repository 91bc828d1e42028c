package callback

import (
	"sync"
	"time"

	"github.com/reel-dev/reel/track"
)

// fakeEngine records what the receiver asks of the engine.
type fakeEngine struct {
	jobs []track.Job

	mu        sync.Mutex
	callbacks []callbackCall
	nudges    []string
}

type callbackCall struct {
	id, share string
	at        time.Time
}

func (e *fakeEngine) Jobs() []track.Job { return e.jobs }

func (e *fakeEngine) Callback(id, share string, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.callbacks = append(e.callbacks, callbackCall{id, share, at})
}

func (e *fakeEngine) Nudge(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nudges = append(e.nudges, id)
}

// calls returns copies of what was asked so far.
func (e *fakeEngine) calls() ([]callbackCall, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]callbackCall(nil), e.callbacks...), append([]string(nil), e.nudges...)
}

var _ Engine = (*track.Engine)(nil)
