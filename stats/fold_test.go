package stats

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/reel-dev/reel/api"
)

// runs50k are 50,000 jobs' milestones as the store's benchmark history
// has them: queued, preprocessing, generating, then finished or (one in
// ten) failed, a few minutes apart.
func runs50k() []Run {
	out := make([]Run, 50_000)
	for i := range out {
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		end := api.StatusFinished
		if i%10 == 3 {
			end = api.StatusFailed
		}
		cs := make([]Change, 0, 4)
		for k, st := range []api.Status{api.StatusInQueue, api.StatusPreprocessing, api.StatusGenerating, end} {
			at = at.Add(time.Duration(30+(i*7+k*13)%300) * time.Second)
			cs = append(cs, Change{Status: st, At: at})
		}
		out[i] = RunOf(fmt.Sprintf("job-%06d", i), cs)
		out[i].VideoSeconds = float64(i % 120)
	}
	return out
}

// The fold's share of the 200 ms budget for 50,000 jobs (the store's
// BenchmarkSummarize50k measures the whole): Add for each run, then
// Summary. Run: go test -run '^$' -bench Summarizer ./stats
func BenchmarkSummarizer50k(b *testing.B) {
	runs := runs50k()
	now := runs[len(runs)-1].Last.At
	for b.Loop() {
		z := NewSummarizer(time.Time{}, now)
		for i := range runs {
			z.Add(&runs[i])
		}
		if s := z.Summary(); s.Jobs != len(runs) {
			b.Fatalf("%d jobs", s.Jobs)
		}
	}
}

// The fold as the store drives it: AddMarks for each row's Marks (no Run
// and no time.Time made), then Summary. BenchmarkSummarizer50k adds the
// cost of turning Runs into Marks. Run: go test -run '^$' -bench Summarizer ./stats
func BenchmarkSummarizerMarks50k(b *testing.B) {
	runs := runs50k()
	now := runs[len(runs)-1].Last.At
	marks := make([]Marks, len(runs))
	for i := range runs {
		marks[i] = marksOf(&runs[i])
	}
	for b.Loop() {
		z := NewSummarizer(time.Time{}, now)
		z.Grow(len(marks))
		for i := range marks {
			z.AddMarks(&marks[i])
		}
		if s := z.Summary(); s.Jobs != len(marks) {
			b.Fatalf("%d jobs", s.Jobs)
		}
	}
}

// distribution picks its percentiles out instead of sorting: they must be
// the values a sort puts at their ranks, with ties, runs and tiny sets.
func TestDistributionPicksWhatASortWould(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for n := 1; n <= 300; n++ {
		for _, spread := range []int64{1, 3, 1000, 1 << 40} {
			ds := make([]time.Duration, n)
			for i := range ds {
				ds[i] = time.Duration(rnd.Int64N(spread)) * time.Millisecond
			}
			if n%7 == 0 {
				slices.Sort(ds) // sorted input: the classic bad case for pivots
			}
			if n%11 == 0 {
				slices.Reverse(ds)
			}
			sorted := slices.Sorted(slices.Values(ds))
			at := func(q float64) float64 {
				return Seconds(sorted[max(0, min(int(float64(n)*q+0.999999)-1, n-1))])
			}
			d := distribution(slices.Clone(ds))
			if d.Count != n || d.Median != at(0.5) || d.P90 != at(0.9) || d.Min != Seconds(sorted[0]) || d.Max != Seconds(sorted[n-1]) {
				t.Fatalf("n %d spread %d: %+v; want median %v p90 %v min %v max %v", n, spread, d, at(0.5), at(0.9), Seconds(sorted[0]), Seconds(sorted[n-1]))
			}
			total := 0
			for _, b := range d.Histogram {
				total += b.Count
			}
			if total != n {
				t.Fatalf("n %d spread %d: the histogram holds %d", n, spread, total)
			}
		}
	}
}

// AddMarks keeps none of the strings it is given: the store hands it
// views into SQLite's row, which the next row overwrites.
func TestAddMarksKeepsNoBorrowedString(t *testing.T) {
	z := NewSummarizer(time.Time{}, t0.Add(time.Hour))
	buf := []byte("job-1finishedavatar lost")
	view := func(from, to int) string { return unsafe.String(&buf[from], to-from) }
	m := Marks{ID: view(0, 5), Queued: true, First: t0.UnixNano(), LeftQueue: t0.Add(time.Minute).UnixNano(),
		Last: t0.Add(3 * time.Minute).UnixNano(), LastStatus: api.Status(view(5, 13))}
	z.AddMarks(&m)
	weird := Marks{ID: view(0, 5) + "w", Queued: true, First: t0.UnixNano(), Last: t0.Add(time.Minute).UnixNano(),
		LastStatus: api.Status(view(13, 24))} // a word the API does not use
	z.AddMarks(&weird)
	copy(buf, "XXXXXXXXXXXXXXXXXXXXXXXX") // the next row
	s := z.Summary()
	if len(s.Slowest) != 1 || s.Slowest[0].ID != "job-1" || s.Slowest[0].Status != "finished" {
		t.Errorf("slowest %+v: want job-1, finished", s.Slowest)
	}
	if s.Counts["finished"] != 1 || s.Counts["avatar lost"] != 1 || len(s.Counts) != 2 {
		t.Errorf("counts %v", s.Counts)
	}
}

// KnownStatus knows exactly the words api.Status.Known names, and hands
// back the program's own string for each, so a borrowed one can go.
func TestKnownStatus(t *testing.T) {
	for _, w := range []string{"in_queue", "preprocessing", "preprocessing_finished", "generating", "finished", "failed", "deleted", "rendering", "", "FINISHED"} {
		borrowed := string([]byte(w))
		k, ok := KnownStatus(borrowed)
		if ok != api.Status(w).Known() {
			t.Errorf("KnownStatus(%q) = %v; api says %v", w, ok, api.Status(w).Known())
		}
		if ok && (string(k) != w || unsafe.StringData(string(k)) == unsafe.StringData(borrowed)) {
			t.Errorf("KnownStatus(%q) = %q, borrowed %v", w, k, unsafe.StringData(string(k)) == unsafe.StringData(borrowed))
		}
	}
}
