package serve

import (
	"context"
	"errors"
	"sync"
)

// errClosed is what a closed subscription's Next returns.
var errClosed = errors.New("serve: subscription closed")

// fanout hands one source's changes to many readers. It is the source's
// only reader (Run); each reader gets its own Sub. Every change is a state
// (a job's newest snapshot, a download's newest progress), so a Sub keeps
// at most one pending change per key: a reader that falls behind reads the
// latest state, never a backlog, and its memory is bounded by the number of
// keys, not by how long it was away.
//
// A key's state can end (a job no longer tracked) and start again (the
// same ID added back, its versions counted from 1): reset tells such an
// ending. A pending ending is kept before the key's newer state, never
// overtaken by it, so the reader drops the old row before it takes the
// new one; a key holds at most two pending changes.
type fanout[T any] struct {
	key   func(T) string
	reset func(T) bool // nil: no change ends a key
	next  func(ctx context.Context) ([]T, error)

	mu   sync.Mutex
	subs map[*Sub[T]]struct{}
}

func newFanout[T any](next func(context.Context) ([]T, error), key func(T) string, reset func(T) bool) *fanout[T] {
	return &fanout[T]{key: key, reset: reset, next: next, subs: map[*Sub[T]]struct{}{}}
}

// run reads the source until ctx ends or the source fails, and hands each
// batch to every subscriber. It never waits for a subscriber.
func (f *fanout[T]) run(ctx context.Context) error {
	for {
		batch, err := f.next(ctx)
		if err != nil {
			return err
		}
		f.mu.Lock()
		for s := range f.subs {
			s.push(batch)
		}
		f.mu.Unlock()
	}
}

// subscribe starts a reader. Subscribe before reading the source's current
// state, so no change falls between the two.
func (f *fanout[T]) subscribe() *Sub[T] {
	s := &Sub[T]{key: f.key, reset: f.reset, latest: map[string]int{}, ready: make(chan struct{}, 1), done: make(chan struct{})}
	s.leave = func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	return s
}

// count is how many readers there are.
func (f *fanout[T]) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Sub is one reader's view of a fanout: the changes it has not read yet,
// one per key, in the order the keys first changed.
type Sub[T any] struct {
	key   func(T) string
	reset func(T) bool
	leave func()
	once  sync.Once

	mu       sync.Mutex
	pending  []slot[T]
	latest   map[string]int // key → index in pending
	replaced uint64         // changes overtaken by a newer one before being read
	ready    chan struct{}  // holds a token while pending is non-empty (or was)
	done     chan struct{}
}

// slot is one key's pending changes: an ending (reset) not yet read,
// then the newest state after it.
type slot[T any] struct {
	end, last       T
	hasEnd, hasLast bool
}

func (s *Sub[T]) push(batch []T) {
	s.mu.Lock()
	for _, v := range batch {
		k := s.key(v)
		i, ok := s.latest[k]
		if !ok {
			i = len(s.pending)
			s.latest[k] = i
			s.pending = append(s.pending, slot[T]{})
		}
		p := &s.pending[i]
		if p.hasEnd || p.hasLast {
			s.replaced++
		}
		if s.reset != nil && s.reset(v) {
			// An ending overtakes what came before it, state or ending.
			p.end, p.hasEnd = v, true
			var zero T
			p.last, p.hasLast = zero, false
			continue
		}
		p.last, p.hasLast = v, true
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Next blocks until changes are pending and returns them all.
func (s *Sub[T]) Next(ctx context.Context) ([]T, error) {
	for {
		s.mu.Lock()
		if len(s.pending) > 0 {
			out := make([]T, 0, len(s.pending))
			for _, p := range s.pending {
				if p.hasEnd {
					out = append(out, p.end)
				}
				if p.hasLast {
					out = append(out, p.last)
				}
			}
			s.pending = nil
			clear(s.latest)
			s.mu.Unlock()
			return out, nil
		}
		s.mu.Unlock()
		select {
		case <-s.ready:
		case <-s.done:
			return nil, errClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Pending is how many changes wait to be read: at most one a key, two
// for a key that ended and started again.
func (s *Sub[T]) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.pending {
		if p.hasEnd {
			n++
		}
		if p.hasLast {
			n++
		}
	}
	return n
}

// Replaced is how many changes were overtaken before this reader read them.
func (s *Sub[T]) Replaced() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replaced
}

// Close ends the reader: it gets no more changes, and Next returns.
func (s *Sub[T]) Close() {
	s.once.Do(func() {
		s.leave()
		close(s.done)
		s.mu.Lock()
		s.pending, s.latest = nil, nil
		s.mu.Unlock()
	})
}
