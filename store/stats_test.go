package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
	"github.com/reel-dev/reel/track"
)

// saveRun tracks a job and saves it through statuses at the given minutes
// after t0, as the engine would.
func saveRun(t *testing.T, s *Store, j track.Job, steps ...any) {
	t.Helper()
	ctx := context.Background()
	if err := s.Add(ctx, j); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(steps); i += 2 {
		j.Status, j.StatusSince = steps[i].(api.Status), t0.Add(time.Duration(steps[i+1].(int))*time.Minute)
		if err := s.Save(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunsOutliveRemoval(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	dur := 90.0
	fin := track.Job{ID: "b-fin", Seq: 1, Video: &api.Video{Name: "Intro", VideoDurationSeconds: &dur}}
	saveRun(t, s, fin, api.StatusInQueue, 0, api.StatusGenerating, 2, api.StatusFinished, 5)
	var failed api.Job
	if err := json.Unmarshal([]byte(`{"id":"a-fail","status":"failed","failureReason":"avatar not found"}`), &failed); err != nil {
		t.Fatal(err)
	}
	saveRun(t, s, track.Job{ID: "a-fail", Seq: 2, Job: &failed}, api.StatusInQueue, 1, api.StatusFailed, 3)
	long := 600.0
	saveRun(t, s, track.Job{ID: "c-gone", Seq: 3}, api.StatusInQueue, 60, api.StatusFinished, 70)
	// The video is read after the job finished; removal keeps what it said.
	gone := track.Job{ID: "c-gone", Seq: 3, Status: api.StatusFinished, StatusSince: at(70), Video: &api.Video{Name: "Gone", VideoDurationSeconds: &long}}
	if err := s.Save(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "c-gone", "a-fail"); err != nil {
		t.Fatal(err)
	}

	var got []stats.Run
	err := s.Runs(ctx, time.Time{}, func(r *stats.Run) error {
		got = append(got, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d runs, want 3: %+v", len(got), got)
	}
	want := []struct {
		id, name, reason string
		secs             float64
		m                stats.Run
	}{
		{"a-fail", "", "avatar not found", 0, stats.Run{First: ch(api.StatusInQueue, 1), LeftQueue: at(3), Last: ch(api.StatusFailed, 3)}},
		{"b-fin", "", "", 90, stats.Run{First: ch(api.StatusInQueue, 0), LeftQueue: at(2), Gen: at(2), Last: ch(api.StatusFinished, 5)}},
		// No longer tracked: what the history kept.
		{"c-gone", "", "", 600, stats.Run{First: ch(api.StatusInQueue, 60), LeftQueue: at(70), Last: ch(api.StatusFinished, 70)}},
	}
	for i, w := range want {
		g := got[i]
		m := w.m
		if g.ID != w.id || g.Name != w.name || g.Reason != w.reason || g.VideoSeconds != w.secs ||
			g.First.Status != m.First.Status || !g.First.At.Equal(m.First.At) || !g.LeftQueue.Equal(m.LeftQueue) ||
			!g.Gen.Equal(m.Gen) || !g.Prep.Equal(m.Prep) || g.Last.Status != m.Last.Status || !g.Last.At.Equal(m.Last.At) {
			t.Errorf("run %d = %+v, want %+v", i, g, w)
		}
	}

	// A span takes whole runs of the jobs that moved in it.
	got = got[:0]
	err = s.Runs(ctx, t0.Add(4*time.Minute), func(r *stats.Run) error { got = append(got, *r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "b-fin" || got[1].ID != "c-gone" {
		t.Fatalf("since +4m: %+v", got)
	}

	sum, err := s.Summarize(ctx, time.Time{}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Jobs != 3 || sum.Counts["finished"] != 2 || sum.Counts["failed"] != 1 || !sum.From.Equal(t0) {
		t.Fatalf("summary %+v", sum)
	}
	// The names of the slowest, kept after removal too.
	if len(sum.Slowest) != 3 || sum.Slowest[0].ID != "c-gone" || sum.Slowest[0].Name != "Gone" || sum.Slowest[1].Name != "Intro" {
		t.Fatalf("slowest %+v", sum.Slowest)
	}
	if sum.RenderPerMinute.Count != 1 || sum.RenderPerMinute.Median != 120 { // 3 min of work for 1.5 min of video
		t.Fatalf("per minute %+v", sum.RenderPerMinute)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	s, _ := openTemp(t)
	sum, err := s.Summarize(context.Background(), time.Time{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Jobs != 0 || !sum.From.IsZero() {
		t.Fatalf("empty store: %+v", sum)
	}
}

func TestPrune(t *testing.T) {
	var now time.Time
	path := filepath.Join(t.TempDir(), "reel.db")
	s, err := OpenWith(context.Background(), path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now = t0
	saveRun(t, s, track.Job{ID: "old-gone", Seq: 1}, api.StatusInQueue, 0, api.StatusFinished, 5)
	saveRun(t, s, track.Job{ID: "old-kept", Seq: 2}, api.StatusInQueue, 0, api.StatusFinished, 5)
	// Began before the cutoff, ended after: kept whole.
	saveRun(t, s, track.Job{ID: "straddles", Seq: 3}, api.StatusInQueue, 0, api.StatusFinished, 24*60)
	if err := s.Remove(ctx, "old-gone", "straddles"); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(48 * time.Hour)
	saveRun(t, s, track.Job{ID: "new", Seq: 4}, api.StatusInQueue, 47*60)
	if err := s.Remove(ctx, "new"); err != nil {
		t.Fatal(err)
	}

	p, err := s.Prune(ctx, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes != 2 || p.Removals != 2 {
		t.Fatalf("pruned %+v, want 2 changes and 2 removal markers", p)
	}
	for id, n := range map[string]int{"old-gone": 0, "old-kept": 2, "straddles": 2, "new": 1} {
		h, err := s.History(ctx, id)
		if err != nil || len(h) != n {
			t.Errorf("%s: %d changes (%v), want %d", id, len(h), err, n)
		}
	}
	var markers int
	if err := s.db.QueryRow(`SELECT count(*) FROM removed`).Scan(&markers); err != nil || markers != 1 {
		t.Fatalf("%d removal markers left (%v), want 1", markers, err)
	}
}

// at is minute m after t0; ch a change then.
func at(m int) time.Time                  { return t0.Add(time.Duration(m) * time.Minute) }
func ch(s api.Status, m int) stats.Change { return stats.Change{Status: s, At: at(m)} }

// historyStore makes a store holding n jobs' history, as if each had been
// followed from the queue to its end: a tenth failed, the rest finished,
// every fifth job still tracked. It writes in bulk, since saving 200,000
// changes one at a time would take minutes.
func historyStore(b *testing.B, n int) (path string, now time.Time) {
	b.Helper()
	path = filepath.Join(b.TempDir(), "reel.db")
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var jobs []track.Job
	for i := range n / 5 {
		j := fullJob(fmt.Sprintf("job-%06d", i*5), int64(i+1))
		j.Status = api.StatusFinished // as its history ends: i%10 == 3 fails, and i is a multiple of 5
		jobs = append(jobs, j)
	}
	if err := s.Add(ctx, jobs...); err != nil {
		b.Fatal(err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO history(id, status, at) VALUES (?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("job-%06d", i)
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		end := api.StatusFinished
		if i%10 == 3 {
			end = api.StatusFailed
		}
		for k, st := range []api.Status{api.StatusInQueue, api.StatusPreprocessing, api.StatusGenerating, end} {
			at = at.Add(time.Duration(30+(i*7+k*13)%300) * time.Second)
			if _, err := ins.ExecContext(ctx, id, string(st), nanos(at)); err != nil {
				b.Fatal(err)
			}
		}
		now = at
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return path, now
}

// Budget: 50,000 jobs' history summarized (read from the store and folded)
// in at most 200 ms; over the last day, the span's index keeps it to the
// jobs in it. One store for both spans. Run: go test -run '^$' -bench Summarize ./store
func BenchmarkSummarize50k(b *testing.B) {
	path, now := historyStore(b, 50_000)
	s, err := OpenReadOnly(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, span := range []struct {
		name string
		from time.Time
		jobs int // 0: not checked
	}{{"all", time.Time{}, 50_000}, {"last-day", now.Add(-24 * time.Hour), 0}} {
		b.Run(span.name, func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				sum, err := s.Summarize(ctx, span.from, now)
				if err != nil || span.jobs != 0 && sum.Jobs != span.jobs {
					b.Fatalf("%d jobs, %v", sum.Jobs, err)
				}
			}
		})
	}
}

// Runs reads through the reel_runs aggregate: fn's own error comes back
// as it was, readers at once each get their own rows, and the function
// typed by hand, with no Runs behind it, is refused.
func TestRunsThroughTheAggregate(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for i := range 20 {
		saveRun(t, s, track.Job{ID: fmt.Sprintf("job-%02d", i), Seq: int64(i + 1)}, api.StatusInQueue, i, api.StatusFinished, i+3)
	}
	stop := errors.New("stop here")
	seen := 0
	err := s.Runs(ctx, time.Time{}, func(*stats.Run) error {
		if seen++; seen == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 5 {
		t.Fatalf("err %v after %d runs; want fn's error after 5", err, seen)
	}

	var wg sync.WaitGroup
	for k := range 4 {
		wg.Go(func() {
			since := t0.Add(time.Duration(k*5+3) * time.Minute) // the jobs ending from then: 20-5k
			ids := map[string]bool{}
			err := s.Runs(ctx, since, func(r *stats.Run) error {
				if ids[r.ID] || r.Last.At.Before(since) {
					return fmt.Errorf("run %s (last %v) read twice or out of the span", r.ID, r.Last.At)
				}
				ids[r.ID] = true
				return nil
			})
			if err != nil || len(ids) != 20-5*k {
				t.Errorf("reader %d: %d runs, %v; want %d", k, len(ids), err, 20-5*k)
			}
		})
	}
	wg.Wait()

	var n int64
	err = s.db.QueryRowContext(ctx, `SELECT reel_runs(12345, id, 0, first_at, left_at, prep_at, gen_at, last_status, last_at, video_seconds, failure) FROM runs`).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "no reader") {
		t.Errorf("reel_runs by hand: %d, %v; want it refused", n, err)
	}
}

// Summarize folds rows whose strings are SQLite's: the slowest jobs keep
// their own IDs and words, whatever rows come after them.
func TestSummarizeKeepsItsOwnStrings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	want := map[string]string{}
	for i := range 30 {
		id, end := fmt.Sprintf("job-%02d", i), api.StatusFinished
		if i%3 == 0 {
			end = api.StatusFailed
		}
		want[id] = string(end)
		saveRun(t, s, track.Job{ID: id, Seq: int64(i + 1)}, api.StatusInQueue, 0, end, 60-i)
	}
	sum, err := s.Summarize(ctx, time.Time{}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Slowest) != stats.TopSlowest {
		t.Fatalf("slowest %+v", sum.Slowest)
	}
	for i, sl := range sum.Slowest {
		if id := fmt.Sprintf("job-%02d", i); sl.ID != id || sl.Status != want[id] {
			t.Errorf("slowest %d = %s %s; want %s %s", i, sl.ID, sl.Status, id, want[id])
		}
	}
	if sum.Counts["finished"] != 20 || sum.Counts["failed"] != 10 {
		t.Errorf("counts %v", sum.Counts)
	}
}
