package track

import (
	"context"
	"sync"
)

// eventQueue is unbounded so the engine never waits for a slow reader: the
// dashboard may be busy rendering while hundreds of answers land.
type eventQueue struct {
	mu    sync.Mutex
	items []Event
	ready chan struct{} // holds a token while items is non-empty (or was)
}

func newEventQueue() *eventQueue { return &eventQueue{ready: make(chan struct{}, 1)} }

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// next blocks until at least one event is pending and returns them all.
func (q *eventQueue) next(ctx context.Context) ([]Event, error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			out := q.items
			q.items = nil
			q.mu.Unlock()
			return out, nil
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
