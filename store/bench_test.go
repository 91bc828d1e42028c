package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// Budgets: open and load 10,000 jobs in at most 100 ms; one state change
// written in at most 2 ms. Run: go test -run '^$' -bench . ./store

// storeWith makes a closed store of n realistic jobs (job and video JSON,
// a few status changes each) and returns its path.
func storeWith(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "reel.db")
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	jobs := make([]track.Job, n)
	for i := range jobs {
		jobs[i] = fullJob(fmt.Sprintf("job-%06d", i), int64(i+1))
		jobs[i].Status = ""
	}
	if err := s.Add(ctx, jobs...); err != nil {
		b.Fatal(err)
	}
	for i := range jobs[:n/10] {
		for _, st := range []api.Status{api.StatusInQueue, api.StatusGenerating, api.StatusFinished} {
			jobs[i].Status, jobs[i].StatusSince = st, jobs[i].StatusSince.Add(time.Minute)
			if err := s.Save(ctx, jobs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// reportCPU adds a cpu-ms/op figure to the benchmark's line.
func reportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() {
		b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

func BenchmarkOpenLoad10k(b *testing.B) {
	path := storeWith(b, 10_000)
	ctx := context.Background()
	defer reportCPU(b)()
	for b.Loop() {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		jobs, err := s.Load(ctx)
		if err != nil || len(jobs) != 10_000 {
			b.Fatalf("%d jobs, %v", len(jobs), err)
		}
		s.Close()
	}
}

// BenchmarkSave is one state change (the engine's Changed), a status
// change every tenth, so history rows are written too.
func BenchmarkSave(b *testing.B) {
	path := storeWith(b, 1_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	j := fullJob("job-000500", 501)
	i := 0
	defer reportCPU(b)()
	for b.Loop() {
		i++
		j.Progress = float64(i % 100)
		if i%10 == 0 {
			j.Status = []api.Status{api.StatusGenerating, api.StatusPreprocessing}[i/10%2]
		}
		if err := s.Save(ctx, j); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdd is one ID added, fsync'd.
func BenchmarkAdd(b *testing.B) {
	path := storeWith(b, 1_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	i := 0
	defer reportCPU(b)()
	for b.Loop() {
		i++
		if err := s.Add(ctx, track.Job{ID: fmt.Sprintf("new-%d", i), Seq: int64(2000 + i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPollIdle is the watcher's cost when nothing changed.
func BenchmarkPollIdle(b *testing.B) {
	path := storeWith(b, 1_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.Poll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTypical(b *testing.B) {
	path := storeWith(b, 1_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.Typical(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
