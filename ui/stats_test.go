package ui

import (
	"context"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
	"github.com/reel-dev/reel/track"
)

// fakeHistory answers from a fixed history and fails the test when called
// outside a command: a summary of a long history must never stall Update.
type fakeHistory struct {
	t      *testing.T
	inCmd  *atomic.Bool
	since  []time.Time
	calls  int
	timely []string
}

func (f *fakeHistory) Summarize(_ context.Context, since, now time.Time) (stats.Summary, error) {
	if !f.inCmd.Load() {
		f.t.Error("Summarize called from Update, not from a command")
	}
	f.since = append(f.since, since)
	z := stats.NewSummarizer(since, now)
	for _, r := range historyFixture() {
		z.Add(&r)
	}
	return z.Summary(), nil
}

func (f *fakeHistory) Timeline(_ context.Context, id string) ([]stats.Change, error) {
	if !f.inCmd.Load() {
		f.t.Error("Timeline called from Update, not from a command")
	}
	f.timely = append(f.timely, id)
	if id == "job-deleted" { // finished a day before it was deleted
		day := fixedNow.Add(-24 * time.Hour)
		return []stats.Change{
			{Status: api.StatusInQueue, At: day.Add(-10 * time.Minute)},
			{Status: api.StatusPreprocessing, At: day.Add(-9 * time.Minute)},
			{Status: api.StatusGenerating, At: day.Add(-8 * time.Minute)},
			{Status: api.StatusFinished, At: day.Add(-2 * time.Minute)},
			{Status: api.StatusDeleted, At: fixedNow.Add(-4 * time.Minute)},
		}, nil
	}
	if id != "job-finished" {
		return nil, nil
	}
	return []stats.Change{
		{Status: api.StatusInQueue, At: fixedNow.Add(-10 * time.Minute)},
		{Status: api.StatusPreprocessing, At: fixedNow.Add(-9 * time.Minute)},
		{Status: api.StatusGenerating, At: fixedNow.Add(-7 * time.Minute)},
		{Status: api.StatusFinished, At: fixedNow.Add(-1 * time.Minute)},
	}, nil
}

func historyFixture() []stats.Run {
	at := func(m int) time.Time { return fixedNow.Add(time.Duration(m) * time.Minute) }
	var rs []stats.Run
	for i := range 6 {
		cs := []stats.Change{
			{Status: api.StatusInQueue, At: at(-180 + 20*i)},
			{Status: api.StatusGenerating, At: at(-178 + 20*i + i)},
			{Status: api.StatusFinished, At: at(-170 + 20*i + 2*i)},
		}
		r := stats.RunOf("job-"+string(rune('a'+i)), cs)
		r.VideoSeconds = 60
		rs = append(rs, r)
	}
	failed := stats.RunOf("job-x", []stats.Change{{Status: api.StatusInQueue, At: at(-30)}, {Status: api.StatusFailed, At: at(-20)}})
	failed.Reason = "avatar \x1b[31mnot\x1b[0m found"
	return append(rs, failed)
}

// newHarnessHistory is newHarness with statistics and timelines from a
// fake history.
func newHarnessHistory(t *testing.T, w, h int, jobs ...track.Job) (*harness, *fakeHistory) {
	var f *fakeHistory
	hs := newHarnessWith(t, w, h, func(hs *harness, o *Options) {
		f = &fakeHistory{t: t, inCmd: &hs.eng.inCmd}
		o.History = f
	}, jobs...)
	return hs, f
}

func TestStatsView(t *testing.T) {
	hs, f := newHarnessHistory(t, 100, 40, fixtures()...)
	help := ansi.Strip(strings.Join(hs.m.helpLines(100, 40), "\n"))
	if !regexp.MustCompile(`S +statistics`).MatchString(help) {
		t.Errorf("the help does not list S:\n%s", help)
	}
	hs.key("S")
	if hs.m.mode != modeStats || len(f.since) != 1 || !f.since[0].IsZero() {
		t.Fatalf("S: mode %v, summaries asked %v", hs.m.mode, f.since)
	}
	v := ansi.Strip(hs.view())
	for _, want := range []string{"Where the time goes", "all history", "Queue wait", "median", "p90", "Rendering", "s span", "esc"} {
		if !strings.Contains(v, want) {
			t.Errorf("the statistics view lacks %q:\n%s", want, v)
		}
	}
	golden.RequireEqual(t, v)

	// s cycles the span; every span is asked for in a command.
	hs.key("s")
	if len(f.since) != 2 || !f.since[1].Equal(fixedNow.Add(-7*24*time.Hour)) {
		t.Fatalf("after s: %v", f.since)
	}
	if !strings.Contains(hs.view(), "last 7d") {
		t.Errorf("the span is not shown")
	}
	// An answer to an older request is dropped.
	gen := hs.m.stats.gen
	hs.send(statsMsg{gen: gen - 1, sum: stats.Summary{}})
	if hs.m.stats.sum == nil || hs.m.stats.sum.Jobs == 0 {
		t.Fatalf("a stale answer replaced the summary")
	}
	// Scrolling stays within the text.
	hs.key("G")
	if hs.m.stats.off == 0 {
		t.Errorf("G did not scroll")
	}
	v = ansi.Strip(hs.view())
	for _, want := range []string{"Finished per 6 hours", "avatar not found", "Slowest jobs"} {
		if !strings.Contains(v, want) {
			t.Errorf("the end of the statistics lacks %q:\n%s", want, v)
		}
	}
	hs.key("g")
	if hs.m.stats.off != 0 {
		t.Errorf("g did not go back to the top")
	}
	hs.key("esc")
	if hs.m.mode != modeNormal {
		t.Fatalf("esc left mode %v", hs.m.mode)
	}
}

func TestStatsWithoutHistory(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.key("S")
	if v := hs.view(); !strings.Contains(v, "No history here") {
		t.Fatalf("no history, the view says:\n%s", v)
	}
	hs.key("S")
	if hs.m.mode != modeNormal {
		t.Fatalf("S did not close the view")
	}
}

func TestDetailTimeline(t *testing.T) {
	hs, f := newHarnessHistory(t, 100, 40, fixtures()...)
	hs.selectID("job-finished")
	if len(f.timely) != 0 {
		t.Fatalf("a timeline was asked for with the details closed: %v", f.timely)
	}
	hs.key("enter")
	if len(f.timely) != 1 || f.timely[0] != "job-finished" {
		t.Fatalf("timelines asked for: %v", f.timely)
	}
	v := ansi.Strip(hs.view())
	for _, want := range []string{"timeline", "░░", "▒", "▓", "queued", "11:50:00", "generating", "6m 00s", "finished"} {
		if !strings.Contains(v, want) {
			t.Errorf("the detail pane lacks %q:\n%s", want, v)
		}
	}
	// The same job again asks nothing; another job asks once.
	hs.send(tickMsg(fixedNow))
	hs.key("j")
	if len(f.timely) != 2 {
		t.Fatalf("timelines asked for: %v", f.timely)
	}
}

// A video deleted a day after it finished: the pane's timeline keeps the
// render's bar, with no part of it drawn as finished, and shows the
// finish and the deletion as two ends, each with its glyph, word and
// time, dated since they are on different days.
func TestDetailTimelineDeletedAfterFinishing(t *testing.T) {
	hs, _ := newHarnessHistory(t, 100, 40, fixtures()...)
	hs.selectID("job-deleted")
	hs.key("enter")
	var tl []string
	for _, l := range strings.Split(ansi.Strip(hs.view()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "timeline") || len(tl) > 0 && len(tl) < 6 {
			tl = append(tl, strings.TrimRight(l, " "))
		}
	}
	if len(tl) != 6 {
		t.Fatalf("the timeline is %d lines:\n%s", len(tl), strings.Join(tl, "\n"))
	}
	bar := tl[0]
	if !strings.Contains(bar, "░") || !strings.Contains(bar, "▒") || !strings.Contains(bar, "▓") || strings.ContainsAny(bar, "✓⊘") {
		t.Errorf("the bar is not the render's stages alone: %q", bar)
	}
	for i, want := range []string{
		"░ in queue      Mar 13 11:50:00  1m 00s",
		"▒ preprocessing Mar 13 11:51:00  1m 00s",
		"▓ generating    Mar 13 11:52:00  6m 00s",
		"✓ finished      Mar 13 11:58:00",
		"⊘ deleted       Mar 14 11:56:00",
	} {
		if !strings.HasSuffix(tl[i+1], want) {
			t.Errorf("timeline line %d is %q, want it to end %q", i+1, tl[i+1], want)
		}
	}
}
