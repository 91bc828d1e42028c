package callback

import (
	"sync"
	"time"

	"github.com/reel-dev/reel/track"
)

// coalescer turns a burst of callbacks into a few engine calls: the first
// goes through at once (a callback is worth acting on now), later ones
// within the window are merged and sent when it ends. So a flood costs the
// engine at most one Nudge("") and one Callback per job per window, however
// many requests arrive.
type coalescer struct {
	eng    Engine
	clock  track.Clock
	window time.Duration

	mu      sync.Mutex
	last    time.Time         // the last flush
	timer   func() bool       // stops the pending flush; nil when none
	hits    map[string]pended // by job ID
	order   []string          // hits' keys, first arrival first
	all     bool              // Nudge("") is due
	closed  bool
	flushes int            // for tests: how many flushes sent something
	busy    sync.WaitGroup // flushes talking to the engine
}

// pended is the newest callback for one job in the current window.
type pended struct {
	share string
	at    time.Time
}

func newCoalescer(eng Engine, clock track.Clock, window time.Duration) *coalescer {
	return &coalescer{eng: eng, clock: clock, window: window, hits: map[string]pended{}}
}

// add queues callbacks for ids (share for ids[0] only, as Match gives it),
// or a nudge of every running job when ids is empty.
func (c *coalescer) add(ids []string, share string, at time.Time) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(ids) == 0 {
		c.all = true
	}
	for i, id := range ids {
		p, seen := c.hits[id]
		if !seen {
			c.order = append(c.order, id)
		}
		p.at = at
		if i == 0 && share != "" {
			p.share = share // a later callback without a link keeps the earlier link
		}
		c.hits[id] = p
	}
	if c.timer != nil {
		c.mu.Unlock()
		return
	}
	now := c.clock.Now()
	if wait := c.last.Add(c.window).Sub(now); wait > 0 {
		c.timer = c.clock.AfterFunc(wait, c.fire)
		c.mu.Unlock()
		return
	}
	c.flushLocked(now) // unlocks
}

// fire is the end of a window with callbacks waiting.
func (c *coalescer) fire() {
	c.mu.Lock()
	c.timer = nil
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.flushLocked(c.clock.Now())
}

// flushLocked takes what is pending and sends it to the engine after
// unlocking c.mu: the engine takes its own lock, and handlers must not
// queue behind it.
func (c *coalescer) flushLocked(now time.Time) {
	all, order, hits := c.all, c.order, c.hits
	c.all, c.order, c.hits = false, nil, map[string]pended{}
	c.last = now
	if all || len(order) > 0 {
		c.flushes++
	}
	c.busy.Add(1)
	c.mu.Unlock()
	defer c.busy.Done()
	for _, id := range order {
		p := hits[id]
		c.eng.Callback(id, p.share, p.at)
	}
	if all {
		c.eng.Nudge("")
	}
}

// close drops what is pending, refuses more, and waits for a flush under
// way: once it returns the engine hears nothing more from the receiver.
func (c *coalescer) close() {
	c.mu.Lock()
	c.closed = true
	if c.timer != nil {
		c.timer()
		c.timer = nil
	}
	c.mu.Unlock()
	c.busy.Wait()
}
