package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/reel-dev/reel/submit"
)

func TestJournalClaimAndAnswer(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	e, ok, err := s.ClaimRow(ctx, "row_a", "f.csv:2", false)
	if err != nil || !ok || e.State != submit.Sending || e.Attempts != 1 {
		t.Fatalf("first claim: %+v %v %v", e, ok, err)
	}
	// Claimed and unanswered (a run on the wire, or one that died): not
	// sendable again, even by the same process.
	if e, ok, _ := s.ClaimRow(ctx, "row_a", "f.csv:2", false); ok || e.State != submit.Sending {
		t.Fatalf("second claim of a sending row: %+v %v", e, ok)
	}
	e.State, e.JobID, e.VideoID = submit.Created, "job-a", "vid-a"
	if err := s.Answer(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e, ok, _ := s.ClaimRow(ctx, "row_a", "f.csv:2", true); ok || e.State != submit.Created || e.JobID != "job-a" {
		t.Fatalf("a created row is never sent again, forced or not: %+v %v", e, ok)
	}
	// The created job is tracked, and another process sees it.
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	jobs, err := other.Load(ctx)
	if err != nil || len(jobs) != 1 || jobs[0].ID != "job-a" || jobs[0].VideoID != "vid-a" {
		t.Fatalf("tracked jobs %+v, %v", jobs, err)
	}
	if got, ok, err := other.Submission(ctx, "row_a"); err != nil || !ok || got.JobID != "job-a" || got.Source != "f.csv:2" {
		t.Fatalf("journal from another process: %+v %v %v", got, ok, err)
	}

	// Failed rows are sent again; unknown ones only when forced.
	f, _, _ := s.ClaimRow(ctx, "row_f", "f.csv:3", false)
	f.State, f.Err = submit.Failed, "bad request"
	_ = s.Answer(ctx, f)
	if e, ok, _ := s.ClaimRow(ctx, "row_f", "f.csv:3", false); !ok || e.Attempts != 2 || e.Err != "" {
		t.Fatalf("claim of a failed row: %+v %v", e, ok)
	}
	u, _, _ := s.ClaimRow(ctx, "row_u", "f.csv:4", false)
	u.State = submit.Unknown
	_ = s.Answer(ctx, u)
	if _, ok, _ := s.ClaimRow(ctx, "row_u", "f.csv:4", false); ok {
		t.Fatal("an unknown row was claimed without force")
	}
	if _, ok, _ := s.ClaimRow(ctx, "row_u", "f.csv:4", true); !ok {
		t.Fatal("force did not claim an unknown row")
	}
	if err := s.Answer(ctx, submit.Entry{Key: "row_never", State: submit.Created}); err == nil {
		t.Fatal("an answer for a row never claimed was taken")
	}
}

// Two processes racing for the same rows: each row is claimed once.
func TestJournalClaimIsExclusive(t *testing.T) {
	a, path := openTemp(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wins atomic.Int64
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for i := range 20 {
				if _, ok, err := s.ClaimRow(context.Background(), "row_"+string(rune('a'+i)), "x", false); err != nil {
					t.Error(err)
				} else if ok {
					wins.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if wins.Load() != 20 {
		t.Fatalf("%d claims won for 20 rows", wins.Load())
	}
}
