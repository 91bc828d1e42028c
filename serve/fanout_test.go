package serve

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/reel-dev/reel/track"
)

// source is a fanout's source fed by the test.
type source chan []track.Event

func (s source) next(ctx context.Context) ([]track.Event, error) {
	select {
	case b := <-s:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func jobEv(id string, v int) track.Event {
	return track.Event{Job: &track.Job{ID: id, Version: uint64(v)}}
}

func TestSlowSubscriberKeepsOnlyTheLatestStateOfEachJob(t *testing.T) {
	src := make(source)
	f := newFanout(src.next, eventKey, isRemoval)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.run(ctx) }()

	slow, fast := f.subscribe(), f.subscribe()
	defer slow.Close()
	defer fast.Close()
	const jobs, rounds = 5, 2000
	for r := 1; r <= rounds; r++ {
		batch := make([]track.Event, 0, jobs+1)
		for j := range jobs {
			batch = append(batch, jobEv("job-"+strconv.Itoa(j), r))
		}
		batch = append(batch, track.Event{Conn: &track.Conn{Requests: int64(r)}})
		src <- batch
		got, err := fast.Next(ctx) // the fast reader keeps up
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != jobs+1 {
			t.Fatalf("round %d: the fast reader got %d events, want %d", r, len(got), jobs+1)
		}
	}
	// The source is unbuffered: once run takes another batch, it has
	// handed the last one to every reader.
	src <- nil
	if n := slow.Pending(); n != jobs+1 {
		t.Fatalf("the slow reader holds %d pending events after %d rounds, want %d: one a job and the connection", n, rounds, jobs+1)
	}
	got, err := slow.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range got {
		switch {
		case ev.Job != nil && ev.Job.Version != rounds:
			t.Errorf("%s at version %d, want the latest %d", ev.Job.ID, ev.Job.Version, rounds)
		case ev.Conn != nil && ev.Conn.Requests != rounds:
			t.Errorf("connection state from round %d, want %d", ev.Conn.Requests, rounds)
		}
	}
	if r := slow.Replaced(); r != uint64((jobs+1)*(rounds-1)) {
		t.Errorf("replaced %d, want %d", r, (jobs+1)*(rounds-1))
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("run ended with %v", err)
	}
}

func TestRemovalOvertakesTheJobAndAReAddFollowsTheRemoval(t *testing.T) {
	src := make(source, 3)
	f := newFanout(src.next, eventKey, isRemoval)
	s := f.subscribe()
	defer s.Close()
	s.push([]track.Event{jobEv("a", 1), {Removed: "a"}})
	got, _ := s.Next(context.Background())
	if len(got) != 1 || got[0].Removed != "a" {
		t.Fatalf("got %+v, want only the removal of a", got)
	}
	// Added back, its versions start again: the removal must reach the
	// reader before the new state, or a reader holding a newer version
	// of the old job would keep that row.
	s.push([]track.Event{jobEv("a", 7), {Removed: "a"}, jobEv("a", 1), {Removed: "a"}, jobEv("a", 1), jobEv("a", 2)})
	got, _ = s.Next(context.Background())
	if len(got) != 2 || got[0].Removed != "a" || got[1].Job == nil || got[1].Job.Version != 2 {
		t.Fatalf("got %+v, want the removal of a, then a at version 2", got)
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("pending %d after Next", n)
	}
}

func TestClosedSubscriptionEndsItsReaderAndLeaves(t *testing.T) {
	src := make(source)
	f := newFanout(src.next, eventKey, isRemoval)
	s := f.subscribe()
	if f.count() != 1 {
		t.Fatalf("count %d, want 1", f.count())
	}
	errc := make(chan error, 1)
	go func() { _, err := s.Next(context.Background()); errc <- err }()
	s.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, errClosed) {
			t.Errorf("Next after Close = %v, want errClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next still blocked after Close")
	}
	if f.count() != 0 {
		t.Errorf("count %d after Close, want 0", f.count())
	}
	s.Close() // twice is harmless
}

// view is a reader's table, folded from events as the dashboard folds them
// (ui's applyJob and removeJob): a snapshot older than the row's is dropped.
type view map[string]track.Job

func (v view) apply(evs []track.Event) {
	for _, ev := range evs {
		switch {
		case ev.Job != nil:
			if old, ok := v[ev.Job.ID]; ok && ev.Job.Version < old.Version {
				continue
			}
			v[ev.Job.ID] = *ev.Job
		case ev.Removed != "":
			delete(v, ev.Removed)
		}
	}
}

// TestASlowReaderConvergesToTheEnginesJobsAfterARemoveAndReAdd runs a real
// engine: a reader that fell behind while a job was removed and added back
// must end with the engine's own list, not the old job's row.
func TestASlowReaderConvergesToTheEnginesJobsAfterARemoveAndReAdd(t *testing.T) {
	eng := track.New(track.Options{})
	f := newFanout(eng.Next, eventKey, isRemoval)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = f.run(ctx) }()
	s := f.subscribe()
	defer s.Close()
	v := view{}
	eng.Add("a", "b")
	for _, j := range eng.Jobs() { // the session's first frame
		v[j.ID] = j
	}
	// a changes a few times: the reader's row is at a high version.
	old := eng.Remove("a")
	old[0].Version += 5
	eng.Restore(old...)
	waitFor(t, "the restore read", func() bool { return s.Pending() > 0 })
	evs, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.apply(evs)
	// Now the reader falls behind: a is removed and added back, fresh.
	eng.Remove("a")
	eng.Add("a")
	waitFor(t, "both changes pending", func() bool { return s.Pending() >= 2 })
	evs, err = s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.apply(evs)
	for _, j := range eng.Jobs() {
		if got := v[j.ID]; got.Version != j.Version || got.Seq != j.Seq {
			t.Errorf("%s: the reader shows version %d seq %d, the engine %d seq %d", j.ID, got.Version, got.Seq, j.Version, j.Seq)
		}
	}
	if len(v) != len(eng.Jobs()) {
		t.Errorf("the reader shows %d jobs, the engine tracks %d", len(v), len(eng.Jobs()))
	}
}
