package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
	"github.com/reel-dev/reel/track"
)

// A panic in fn comes back to Runs's caller as that panic, and the read
// it interrupted is ended: its connection is back in the pool.
func TestRunsPanicReleasesTheConnection(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for i := range 3 {
		saveRun(t, s, track.Job{ID: fmt.Sprintf("job-%d", i), Seq: int64(i + 1)}, api.StatusInQueue, i, api.StatusFinished, i+3)
	}
	before := s.db.Stats().InUse
	got := func() (v any) {
		defer func() { v = recover() }()
		_ = s.Runs(ctx, time.Time{}, func(*stats.Run) error { panic("fn broke") })
		return nil
	}()
	if got != "fn broke" {
		t.Fatalf("recovered %v; want fn's own panic", got)
	}
	if in := s.db.Stats().InUse; in != before {
		t.Fatalf("%d connections in use after the panic, %d before: the read leaked", in, before)
	}
	if n := liveSinks(); n != 0 {
		t.Errorf("%d sinks left behind", n)
	}
	// The store still reads and writes.
	n := 0
	if err := s.Runs(ctx, time.Time{}, func(*stats.Run) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("after the panic: %d runs, %v", n, err)
	}
	saveRun(t, s, track.Job{ID: "job-after", Seq: 9}, api.StatusInQueue, 10, api.StatusFinished, 11)
}

// insertRuns writes n runs straight into the runs table: run i failed
// with its own reason, its last change earlier the later its ID, so the
// span's index (by last_at) and the table (by ID) read them in opposite
// orders.
func insertRuns(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := range n {
		last := at(2*n - i)
		fail := fmt.Sprintf(`{"status":"failed","failureReason":"reason %05d"}`, i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs(id, first_status, first_at, left_at, prep_at, gen_at, last_status, last_at, name, video_seconds, failure)
			VALUES (?, 'in_queue', ?, ?, 0, 0, 'failed', ?, '', 0, ?)`, fmt.Sprintf("job-%05d", i), nanos(at(0)), nanos(last), nanos(last), []byte(fail)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// Runs reads in ID order whether or not a span is asked for, so the
// failure reasons counted apart (the first MaxReasons) are the same ones
// for all the history and for a span that holds all of it.
func TestRunsReadInIDOrder(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	n := stats.MaxReasons + 5
	insertRuns(t, s, n)
	for _, since := range []time.Time{{}, at(1)} {
		var ids []string
		if err := s.Runs(ctx, since, func(r *stats.Run) error { ids = append(ids, r.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(ids) != n || !slices.IsSorted(ids) {
			t.Errorf("since %v: %d runs, sorted %v; want %d in ID order", since, len(ids), slices.IsSorted(ids), n)
		}
	}
	now := at(3 * n)
	all, err := s.Summarize(ctx, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	span, err := s.Summarize(ctx, at(1), now)
	if err != nil {
		t.Fatal(err)
	}
	if all.OtherFailures != span.OtherFailures {
		t.Errorf("other failures %d and %d; want the same", all.OtherFailures, span.OtherFailures)
	}
	if !slices.Equal(all.Failures, span.Failures) {
		t.Errorf("reasons differ with the span:\nall  %v\nspan %v", all.Failures, span.Failures)
	}
	if all.Failures[0].Reason != "reason 00000" {
		t.Errorf("first reason %q; want the first ID's", all.Failures[0].Reason)
	}
}

// Each Runs claims a random handle for its rows, not the next small
// number, so a query typed by hand cannot guess a live reader's.
func TestSinkHandlesAreRandom(t *testing.T) {
	seen := map[int64]bool{}
	var hs []int64
	for range 100 {
		h := sinks.add(&runSink{})
		hs = append(hs, h)
		if h <= 0 || h < 1<<40 || seen[h] {
			t.Errorf("handle %d: want a fresh positive 63-bit random number", h)
		}
		seen[h] = true
	}
	for _, h := range hs {
		sinks.remove(h)
	}
	if n := liveSinks(); n != 0 {
		t.Errorf("%d sinks left", n)
	}
}

// A failed job's object stored as TEXT, as an older copy may have put
// it, keeps its reason.
func TestRunsReasonFromText(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	insertRuns(t, s, 1)
	if _, err := s.db.ExecContext(ctx, `UPDATE runs SET failure = CAST(failure AS TEXT)`); err != nil {
		t.Fatal(err)
	}
	var typ string
	if err := s.db.QueryRowContext(ctx, `SELECT typeof(failure) FROM runs`).Scan(&typ); err != nil || typ != "text" {
		t.Fatalf("failure stored as %q, %v", typ, err)
	}
	var reason string
	if err := s.Runs(ctx, time.Time{}, func(r *stats.Run) error { reason = r.Reason; return nil }); err != nil {
		t.Fatal(err)
	}
	if reason != "reason 00000" {
		t.Errorf("reason %q; want it read from the TEXT", reason)
	}
}

// A store named by a relative path opens, read-write and read-only, from
// the folder it is relative to.
func TestOpenRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Open("big.db")
	if err != nil {
		t.Fatal(err)
	}
	saveRun(t, s, track.Job{ID: "job-1", Seq: 1}, api.StatusInQueue, 0, api.StatusFinished, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "big.db")); err != nil {
		t.Fatalf("not written where asked: %v", err)
	}
	for _, p := range []string{"big.db", "./big.db", filepath.Join("..", filepath.Base(dir), "big.db")} {
		r, err := OpenReadOnly(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sum, err := r.Summarize(context.Background(), time.Time{}, at(10))
		r.Close()
		if err != nil || sum.Jobs != 1 {
			t.Errorf("%s: %d jobs, %v", p, sum.Jobs, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "big.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a store made elsewhere: %v", err)
	}
}

// liveSinks is how many readers are registered.
func liveSinks() int {
	sinks.mu.Lock()
	defer sinks.mu.Unlock()
	return len(sinks.m)
}
