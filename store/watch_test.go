package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

func ids(jobs []track.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

// Two Stores on one file stand for two reel processes: each sees the
// other's changes through Poll, never its own.
func TestPollSeesOthersOnly(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	poll := func(s *Store) Diff {
		t.Helper()
		d, err := s.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := poll(b); !d.Empty() {
		t.Fatalf("fresh store: %+v", d)
	}

	if err := a.Add(ctx, track.Job{ID: "x", Seq: 1}, track.Job{ID: "y", Seq: 2}); err != nil {
		t.Fatal(err)
	}
	if d := poll(a); !d.Empty() {
		t.Fatalf("a saw its own add: %+v", d)
	}
	d := poll(b)
	if got := ids(d.Added); !slices.Equal(got, []string{"x", "y"}) || len(d.Updated)+len(d.Removed) != 0 {
		t.Fatalf("b after a's add: %+v", d)
	}
	if d := poll(b); !d.Empty() {
		t.Fatalf("b polled twice, saw again: %+v", d)
	}

	x := track.Job{ID: "x", Seq: 1, Status: api.StatusGenerating, Progress: 50}
	if err := a.Save(ctx, x); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(ctx, track.Job{ID: "y", Seq: 2, Status: api.StatusInQueue}); err != nil {
		t.Fatal(err)
	}
	d = poll(b)
	if len(d.Updated) != 1 || d.Updated[0].ID != "x" || d.Updated[0].Progress != 50 || len(d.Added)+len(d.Removed) != 0 {
		t.Fatalf("b after a's save: %+v", d)
	}
	d = poll(a)
	if got := ids(d.Updated); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("a after b's save: %+v", d)
	}

	if err := b.Remove(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	d = poll(a)
	if !slices.Equal(d.Removed, []string{"x"}) || len(d.Added)+len(d.Updated) != 0 {
		t.Fatalf("a after b's remove: %+v", d)
	}
	// Undo: re-adding with the old state shows as an add again.
	if err := b.Add(ctx, x); err != nil {
		t.Fatal(err)
	}
	d = poll(a)
	if len(d.Added) != 1 || d.Added[0].ID != "x" || d.Added[0].Progress != 50 || len(d.Removed) != 0 {
		t.Fatalf("a after b's undo: %+v", d)
	}
}

func TestWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	a, path := openTemp(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Buffered, so a tick never waits on an event the test has yet to
	// read: the first poll may or may not see the add, either is right.
	ticks := make(chan time.Time, 1)
	events := b.Watch(ctx, ticks)
	ticks <- t0
	if err := a.Add(ctx, track.Job{ID: "x", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	ticks <- t0
	ev := <-events
	if ev.Err != nil || !slices.Equal(ids(ev.Diff.Added), []string{"x"}) {
		t.Fatalf("event %+v", ev)
	}
	cancel()
	if _, ok := <-events; ok {
		t.Fatal("events not closed after cancel")
	}
}
