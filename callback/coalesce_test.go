package callback

import (
	"slices"
	"testing"
	"time"

	"github.com/reel-dev/reel/track/tracktest"
)

// A burst goes through at once for its first callback, then in one merged
// flush per window: at most one Nudge("") and one Callback per job.
func TestCoalescer(t *testing.T) {
	eng := &fakeEngine{}
	clock := tracktest.NewClock(t0)
	c := newCoalescer(eng, clock, 100*time.Millisecond)

	c.add(nil, "", t0) // the first: at once
	if _, n := eng.calls(); len(n) != 1 {
		t.Fatalf("first callback not sent at once: nudges %q", n)
	}
	for i := range 500 {
		c.add(nil, "", t0)
		c.add([]string{"a"}, "", t0.Add(time.Duration(i)))
	}
	c.add([]string{"b", "a"}, "https://s/b", t0)
	c.add([]string{"a"}, "https://s/a", t0)
	c.add([]string{"a"}, "", t0.Add(time.Second)) // a later callback with no link keeps a's link
	if cbs, n := eng.calls(); len(cbs) != 0 || len(n) != 1 {
		t.Fatalf("within the window: %v %q", cbs, n)
	}
	clock.Advance(100 * time.Millisecond)
	cbs, n := eng.calls()
	want := []callbackCall{{"a", "https://s/a", t0.Add(time.Second)}, {"b", "https://s/b", t0}}
	if !slices.Equal(cbs, want) || !slices.Equal(n, []string{"", ""}) {
		t.Fatalf("after the window: %v %q; want %v and two nudges", cbs, n, want)
	}
	if c.flushes != 2 {
		t.Errorf("flushes = %d", c.flushes)
	}
	// Quiet for a window: the next one goes at once again.
	clock.Advance(time.Second)
	c.add([]string{"b"}, "", t0)
	if cbs, _ := eng.calls(); len(cbs) != 3 {
		t.Errorf("after a quiet spell: %v", cbs)
	}
}

func TestCoalescerCloseDropsPending(t *testing.T) {
	eng := &fakeEngine{}
	clock := tracktest.NewClock(t0)
	c := newCoalescer(eng, clock, 100*time.Millisecond)
	c.add(nil, "", t0)
	c.add([]string{"a"}, "", t0)
	c.close()
	c.add([]string{"b"}, "", t0)
	clock.Advance(time.Second)
	if cbs, n := eng.calls(); len(cbs) != 0 || len(n) != 1 {
		t.Errorf("after close: %v %q", cbs, n)
	}
	if clock.Pending() != 0 {
		t.Errorf("%d timers left", clock.Pending())
	}
}
