// Package tracktest holds test doubles for the track engine: a virtual
// clock that only moves when told, so polling policy runs in microseconds.
package tracktest

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is a virtual clock. It satisfies track.Clock. Time moves only
// through Advance and Set, which run the callbacks that fall due, in order of
// their deadlines.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int64
	timers map[int64]*timer
}

type timer struct {
	at  time.Time
	seq int64
	f   func()
}

// NewClock returns a clock that reads start until moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, timers: map[int64]*timer{}}
}

// Now returns the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f for d from now. f runs in the goroutine that moves the
// clock past its deadline; a non-positive d runs it at the next move.
func (c *Clock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	id := c.seq
	c.timers[id] = &timer{at: c.now.Add(d), seq: id, f: f}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.timers[id]
		delete(c.timers, id)
		return ok
	}
}

// Advance moves the clock forward by d, firing what falls due.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards), firing every callback due by
// then in deadline order; the clock reads each deadline while its callback runs.
func (c *Clock) Set(t time.Time) {
	for {
		c.mu.Lock()
		var due []*timer
		for _, tm := range c.timers {
			if !tm.at.After(t) {
				due = append(due, tm)
			}
		}
		if len(due) == 0 {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		sort.Slice(due, func(i, j int) bool {
			if !due[i].at.Equal(due[j].at) {
				return due[i].at.Before(due[j].at)
			}
			return due[i].seq < due[j].seq
		})
		first := due[0]
		delete(c.timers, first.seq)
		if first.at.After(c.now) {
			c.now = first.at
		}
		c.mu.Unlock()
		first.f()
	}
}

// Next returns the earliest pending deadline, if any.
func (c *Clock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best time.Time
	ok := false
	for _, tm := range c.timers {
		if !ok || tm.at.Before(best) {
			best, ok = tm.at, true
		}
	}
	return best, ok
}

// Pending counts the callbacks not yet run nor stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Idler is an engine that can say when it has nothing left to do at the
// present virtual time; *track.Engine satisfies it.
type Idler interface {
	WaitIdle(ctx context.Context) error
}

// RunUntil moves the clock to t one deadline at a time, letting e finish
// all due work at each step, so timers the engine sets along the way fire
// in order. It ends with e idle at t.
func (c *Clock) RunUntil(ctx context.Context, e Idler, t time.Time) error {
	for {
		if err := e.WaitIdle(ctx); err != nil {
			return err
		}
		next, ok := c.Next()
		if !ok || next.After(t) {
			c.Set(t)
			return e.WaitIdle(ctx)
		}
		c.Set(next)
	}
}
