package stats

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/reel-dev/reel/api"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// step is a status at a minute after t0.
type step struct {
	s api.Status
	m float64
}

func run(id, name string, secs float64, reason string, steps ...step) *Run {
	return runAt(t0, id, name, secs, reason, steps...)
}

// runAt is run with its minutes counted from base.
func runAt(base time.Time, id, name string, secs float64, reason string, steps ...step) *Run {
	cs := make([]Change, len(steps))
	for i, s := range steps {
		cs[i] = Change{Status: s.s, At: base.Add(time.Duration(s.m * float64(time.Minute)))}
	}
	r := RunOf(id, cs)
	r.Name, r.VideoSeconds, r.Reason = name, secs, reason
	return &r
}

const (
	q   = api.StatusInQueue
	pre = api.StatusPreprocessing
	gen = api.StatusGenerating
	fin = api.StatusFinished
	bad = api.StatusFailed
)

// fixture is a fixed history: twelve jobs over six hours, finished, failed,
// one still rendering, one first seen mid-way, one that jumped from the
// queue to its end between two polls.
func fixture() []*Run { return fixtureAt(t0) }

// fixtureAt is the fixture's history begun at base instead of t0.
func fixtureAt(base time.Time) []*Run {
	run := func(id, name string, secs float64, reason string, steps ...step) *Run {
		return runAt(base, id, name, secs, reason, steps...)
	}
	var rs []*Run
	for i := range 8 {
		start := float64(i * 40)
		rs = append(rs, run(fmt.Sprintf("job-%02d", i), fmt.Sprintf("Lesson %d", i+1), float64(60+30*i), "",
			step{q, start}, step{pre, start + 2 + float64(i%3)}, step{gen, start + 4 + float64(i%3)},
			step{fin, start + 10 + float64(i)*1.5}))
	}
	rs = append(rs,
		run("fail-1", "Broken", 0, "avatar not found", step{q, 30}, step{pre, 33}, step{bad, 34}),
		run("fail-2", "", 0, "avatar not found", step{q, 100}, step{gen, 104}, step{bad, 120}),
		run("fail-3", "", 0, "", step{q, 200}, step{bad, 260}),
		run("midway", "Seen late", 120, "", step{gen, 300}, step{fin, 310}),
		run("running", "Still going", 0, "", step{q, 340}, step{gen, 345}),
	)
	return rs
}

func summaryOf(rs []*Run, since, now time.Time) Summary {
	z := NewSummarizer(since, now)
	for _, r := range rs {
		z.Add(r)
	}
	return z.Summary()
}

func TestSummary(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	s := summaryOf(fixture(), time.Time{}, now)
	if s.Jobs != 13 || !s.From.Equal(t0) || !s.To.Equal(now) {
		t.Fatalf("jobs %d from %v to %v", s.Jobs, s.From, s.To)
	}
	want := map[string]int{"finished": 9, "failed": 3, "generating": 1}
	for k, v := range want {
		if s.Counts[k] != v {
			t.Errorf("counts[%s] = %d, want %d (%v)", k, s.Counts[k], v, s.Counts)
		}
	}
	// Queue: the 8 lessons wait 2, 3, 4, 2, 3, 4, 2, 3 min; fail-1 3 min,
	// fail-2 4 min, running 5 min. fail-3 jumped from the queue to its end:
	// its wait is unknown. midway was never seen queued.
	if s.Queue.Count != 11 || s.Queue.Median != 180 || s.Queue.P90 != 240 || s.Queue.Min != 120 || s.Queue.Max != 300 {
		t.Errorf("queue %+v", s.Queue)
	}
	if s.Rendering.Count != 9 || s.Preprocessing.Count != 9 {
		t.Errorf("rendering %d, preprocessing %d; want 9 each", s.Rendering.Count, s.Preprocessing.Count)
	}
	n := 0
	for _, b := range s.Queue.Histogram {
		n += b.Count
	}
	if n != s.Queue.Count {
		t.Errorf("histogram holds %d, want %d", n, s.Queue.Count)
	}
	// Per minute of video: lesson i works (10+1.5i) - (2+i%3) minutes for
	// (60+30i)/60 minutes of video; midway was never seen leave a queue.
	if s.RenderPerMinute.Count != 8 {
		t.Errorf("per minute %+v", s.RenderPerMinute)
	}
	if got := s.Failures; len(got) != 2 || got[0] != (Reason{"avatar not found", 2}) || got[1] != (Reason{NoReason, 1}) {
		t.Errorf("failures %+v", got)
	}
	if s.Throughput.Finished != 9 || len(s.Throughput.Counts) != 7 || s.Throughput.BucketSeconds != 3600 || s.Throughput.PerHour != 1.5 {
		t.Errorf("throughput %+v", s.Throughput)
	}
	if len(s.Slowest) != 10 || s.Slowest[0].ID != "fail-3" || s.Slowest[0].Total != 3600 {
		t.Errorf("slowest %+v", s.Slowest)
	}
}

func TestSummarySince(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	s := summaryOf(fixture(), now.Add(-time.Hour), now)
	// Only the jobs whose last change is in the last hour: midway (310),
	// running (345) and job-07 (280+20.5 = 300.5).
	if s.Jobs != 3 || s.Throughput.Finished != 2 {
		t.Fatalf("jobs %d, finished %d: %+v", s.Jobs, s.Throughput.Finished, s)
	}
}

func TestQuantiles(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	d := distribution(ds)
	if d.Count != 10 || d.Median != Seconds(5) || d.P90 != Seconds(9) {
		t.Fatalf("%+v", d)
	}
	one := distribution([]time.Duration{42 * time.Second})
	if one.Median != 42 || one.P90 != 42 || len(one.Histogram) != 1 || one.Histogram[0].Count != 1 {
		t.Fatalf("one value: %+v", one)
	}
}

func TestSlowestKeepsTheTop(t *testing.T) {
	z := NewSummarizer(time.Time{}, t0.Add(100*time.Hour))
	for i := range 50 {
		z.Add(run(fmt.Sprintf("j%02d", i), "", 0, "", step{q, 0}, step{fin, float64((i * 37) % 50)}))
	}
	s := z.Summary()
	if len(s.Slowest) != TopSlowest {
		t.Fatalf("%d slowest", len(s.Slowest))
	}
	for i, sl := range s.Slowest {
		if want := float64((49 - i) * 60); sl.Total != want {
			t.Errorf("slowest[%d] = %v s, want %v", i, sl.Total, want)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	// A history across New Year: the fixture begun at 21:00 on the 31st.
	eve := time.Date(2025, 12, 31, 21, 0, 0, 0, time.UTC)
	// Over a year: the fixture, and two jobs of a year before.
	yearAgo := t0.AddDate(-1, 0, 0)
	long := append(fixture(),
		runAt(yearAgo, "old-1", "Last year's", 60, "", step{q, 0}, step{gen, 3}, step{fin, 20}),
		runAt(yearAgo, "old-2", "", 0, "", step{q, 10}, step{bad, 80}))
	for _, tt := range []struct {
		name  string
		since time.Time
		span  string
		width int
		rs    []*Run
		now   time.Time // zero: now
	}{
		{"all-80", time.Time{}, "", 80, fixture(), time.Time{}},
		{"all-110", time.Time{}, "", 110, fixture(), time.Time{}},
		{"all-160-two-columns", time.Time{}, "", 160, fixture(), time.Time{}},
		{"last-hour-60", now.Add(-time.Hour), "last 1h", 60, fixture(), time.Time{}},
		{"empty", time.Time{}, "", 80, nil, time.Time{}},
		{"empty-span", now.Add(-24 * time.Hour), "last 24h", 80, nil, time.Time{}},
		{"across-new-year-80", time.Time{}, "", 80, fixtureAt(eve), eve.Add(6 * time.Hour)},
		{"over-a-year-80", now.Add(-400 * 24 * time.Hour), "last 400d", 80, long, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			now := cmp.Or(tt.now, now)
			s := summaryOf(tt.rs, tt.since, now)
			lines := Render(s, Options{Width: tt.width, Location: time.UTC, Span: tt.span})
			for i, l := range lines {
				if w := lipWidth(l); w > tt.width {
					t.Errorf("line %d is %d cells wide, more than %d: %q", i, w, tt.width, l)
				}
			}
			golden.RequireEqual(t, strings.Join(lines, "\n")+"\n")
		})
	}
}

// Colour only repeats what the text says: without it, the same words.
func TestRenderPaintAddsNoWords(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	s := summaryOf(fixture(), time.Time{}, now)
	plain := Render(s, Options{Width: 80, Location: time.UTC})
	painted := Render(s, Options{Width: 80, Location: time.UTC, Paint: func(r Role, s string) string {
		return fmt.Sprintf("\x1b[3%dm%s\x1b[0m", int(r)%8, s)
	}})
	if got, want := stripSGR(strings.Join(painted, "\n")), strings.Join(plain, "\n"); got != want {
		t.Fatalf("painted differs from plain:\n%s\n---\n%s", got, want)
	}
}

func TestTimeline(t *testing.T) {
	changes := []Change{
		{q, t0}, {q, t0.Add(time.Minute)}, {pre, t0.Add(2 * time.Minute)}, {api.StatusPreprocessingFinished, t0.Add(3 * time.Minute)},
		{gen, t0.Add(4 * time.Minute)}, {fin, t0.Add(10 * time.Minute)},
	}
	spans := Timeline(changes, t0.Add(time.Hour))
	if len(spans) != 4 || spans[0].Stage != StageQueued || spans[1].Stage != StagePreparing ||
		spans[2].Stage != StageGenerating || spans[3].Stage != StageFinished || !spans[3].From.Equal(spans[3].To) {
		t.Fatalf("%+v", spans)
	}
	lines := TimelineLines(spans, 40, nil, time.UTC, t0.Add(time.Hour))
	golden.RequireEqual(t, strings.Join(lines, "\n")+"\n")
	// A job seen once, already failed: no bar, only the moment.
	one := TimelineLines(Timeline([]Change{{bad, t0}}, t0.Add(time.Hour)), 40, nil, time.UTC, t0.Add(time.Hour))
	if len(one) != 1 || !strings.Contains(one[0], "failed") {
		t.Fatalf("seen once: %q", one)
	}
	// A running job's last stage runs to now.
	spans = Timeline(changes[:5], t0.Add(7*time.Minute))
	if last := spans[len(spans)-1]; last.Stage != StageGenerating || last.To.Sub(last.From) != 3*time.Minute {
		t.Fatalf("running: %+v", spans)
	}
}

// The JSON keys are the documented shape (README.md, "reel stats --json").
func TestJSONShape(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	b, err := json.MarshalIndent(summaryOf(fixture(), time.Time{}, now), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, string(b)+"\n")
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"from", "to", "jobs", "counts", "queue", "preprocessing", "rendering", "renderPerMinute",
		"throughput", "failures", "otherFailures", "slowest"} {
		if _, ok := top[k]; !ok {
			t.Errorf("no %q in the JSON", k)
		}
	}
	// An empty history: zero jobs, empty lists (never null), no span start.
	b, _ = json.Marshal(summaryOf(nil, time.Time{}, now))
	for _, want := range []string{`"jobs":0`, `"failures":[]`, `"slowest":[]`, `"histogram":[]`, `"counts":{}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("empty JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), `"from"`) {
		t.Errorf("empty JSON has a from: %s", b)
	}
}

func lipWidth(s string) int {
	n := 0
	for range stripSGR(s) {
		n++
	}
	return n
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
