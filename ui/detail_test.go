package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// detailText is the detail pane of the selected job, ANSI stripped, with
// trailing spaces cut from each line.
func detailText(hs *harness) string {
	w, h := hs.m.detailSize(hs.m.frame())
	var b strings.Builder
	for _, l := range hs.m.detailLines(w, h) {
		b.WriteString(strings.TrimRight(ansi.Strip(l), " ") + "\n")
	}
	return b.String()
}

// TestEndedSeen: a job reel watched end shows when it ended and how long
// it ran; one that had already ended at reel's first look shows neither,
// since the engine's stamp is only when reel looked.
func TestEndedSeen(t *testing.T) {
	at := func(d time.Duration) time.Time { return fixedNow.Add(d) }
	size := int64(1_000_000)
	watched := track.Job{ID: "job-watched", Status: api.StatusFinished, Progress: 100, MaximumProgress: 100,
		Added: at(-10 * time.Minute), Started: at(-9 * time.Minute), Ended: at(-time.Minute), Seq: 1, Version: 1,
		Video: &api.Video{ID: "v1", Name: "watched", VideoSizeBytes: &size}}
	// The engine stamps Started and Ended together when its first answer
	// past the queue is already an end.
	firstSeen := track.Job{ID: "job-old", Status: api.StatusFinished, Progress: 100, MaximumProgress: 100,
		Added: at(-time.Minute), Started: at(-59 * time.Second), Ended: at(-59 * time.Second), Seq: 2, Version: 1,
		Video: &api.Video{ID: "v2", Name: "old", VideoSizeBytes: &size}}
	failedFirst := track.Job{ID: "job-oldfail", Status: api.StatusFailed, Added: at(-time.Minute),
		Started: at(-59 * time.Second), Ended: at(-59 * time.Second), Seq: 3, Version: 1}
	hs := newHarness(t, 160, 45, watched, firstSeen, failedFirst)
	hs.key("enter")

	cases := []struct {
		id       string
		ended    bool
		timeCell string
	}{
		{"job-watched", true, "9m 00s"}, // added 10 minutes ago, ended 1 minute ago
		{"job-old", false, ""},
		{"job-oldfail", false, ""},
	}
	for _, c := range cases {
		hs.selectID(c.id)
		d := detailText(hs)
		if got := strings.Contains(d, "ended "); got != c.ended {
			t.Errorf("%s: details show ended = %v, want %v:\n%s", c.id, got, c.ended, d)
		}
		if got := rowCells(hs.m.job(c.id), hs.m.draw.lay, fixedNow).time; got != c.timeCell {
			t.Errorf("%s: AGE/LEFT %q, want %q", c.id, got, c.timeCell)
		}
	}
}

// TestFailureReasonOnce: the reason a failed job gives is shown once, not
// again among the job object's fields, however the object nests it.
func TestFailureReasonOnce(t *testing.T) {
	reason := "Text-to-speech failed for scene 2: unsupported characters"
	raw := json.RawMessage(`{"id":"job-f","status":"failed","progress":45,"maximumProgress":100,` +
		`"creationDate":"2025-06-02T09:29:00Z","source":"api",` +
		`"error":{"code":"RENDER_FAILED","message":"` + reason + `"},"failureReason":"` + reason + `"}`)
	j := track.Job{ID: "job-f", JobID: "job-f", Status: api.StatusFailed, Progress: 45, MaximumProgress: 100,
		Added: fixedNow.Add(-time.Minute), Seq: 1, Version: 1,
		Job: &api.Job{ID: "job-f", Status: api.StatusFailed, Raw: raw}}
	hs := newHarness(t, 160, 45, j)
	hs.key("enter")
	d := detailText(hs)
	if n := strings.Count(d, "Text-to-speech failed"); n != 1 {
		t.Errorf("the reason appears %d times, want once:\n%s", n, d)
	}
	for _, want := range []string{"reason    Text-to-speech failed for scene 2", "error.code: RENDER_FAILED", "source: api", "creationDate: 2025-06-02T09:29:00Z"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "error.message") || strings.Contains(d, "failureReason") {
		t.Errorf("details repeat the reason's fields:\n%s", d)
	}
}

// TestDetailOrder: on 80x24 the short facts come before the links, which
// are cut first, and J and K scroll to what does not fit.
func TestDetailOrder(t *testing.T) {
	hs := newHarnessDL(t, 80, 24, fixtures()...)
	hs.key("D")
	hs.progress(running())
	hs.selectID("job-finished")
	hs.key("enter")
	d := detailText(hs)
	order := []string{"✓ finished", "size      3.0 MB", "created", "job ID    job-finished", "download", "share"}
	last := -1
	for _, s := range order {
		i := strings.Index(d, s)
		if i < 0 {
			t.Fatalf("details lack %q:\n%s", s, d)
		}
		if i < last {
			t.Errorf("%q comes too early:\n%s", s, d)
		}
		last = i
	}
	if !strings.Contains(d, "more below: J scrolls down") || strings.Contains(d, "thumbnail") {
		t.Errorf("want the thumbnail cut off with a note:\n%s", d)
	}

	hs.key("J", "J", "J", "J", "J", "J", "J", "J")
	d = detailText(hs)
	if !strings.Contains(d, "thumbnail https://cdn.example.com/thumbs/vid-finished.jpg") ||
		!strings.Contains(d, "above: K scrolls up") || strings.Contains(d, "more below") {
		t.Errorf("scrolled to the end, want the thumbnail and no more below:\n%s", d)
	}
	if !strings.HasPrefix(d, "✓ finished  Quarterly update") {
		t.Errorf("the title line must stay put:\n%s", d)
	}
	hs.key("K", "K", "K", "K", "K", "K", "K", "K", "K")
	if d2 := detailText(hs); strings.Contains(d2, "above") || !strings.Contains(d2, "length") {
		t.Errorf("scrolled back up, want the top:\n%s", d2)
	}
	// Another job starts at the top.
	hs.key("J", "J")
	hs.selectID("job-hostile")
	if d := detailText(hs); strings.Contains(d, "above") || !strings.HasPrefix(d, "✓ finished  evil") {
		t.Errorf("another job's details must start at the top:\n%s", d)
	}
}

// TestPackPairs: two pairs share a line only when both values fit in half
// the width; a long ID keeps a line of its own.
func TestPackPairs(t *testing.T) {
	m := newModel(Options{Engine: newFakeEngine(t)})
	uuid := "d41a9f5c-ad83-44d3-a28a-ec2d9be61173"
	got := m.packPairs([][2]string{{"length", "1m 35s"}, {"size", "48.2 MB"}, {"job ID", uuid}, {"video ID", uuid}, {"added", "12:00:00"}}, 78)
	var plain []string
	for _, l := range got {
		plain = append(plain, strings.TrimRight(ansi.Strip(l), " "))
	}
	want := []string{
		"length    1m 35s                        size      48.2 MB",
		"job ID    " + uuid,
		"video ID  " + uuid,
		"added     12:00:00",
	}
	if strings.Join(plain, "\n") != strings.Join(want, "\n") {
		t.Errorf("packPairs:\n%s\nwant:\n%s", strings.Join(plain, "\n"), strings.Join(want, "\n"))
	}
}

// TestDetailCallback: with a receiver running, the pane says when a job's
// callback came, or that none came; without one it says nothing of it.
func TestDetailCallback(t *testing.T) {
	came := fixtures()
	for i := range came {
		if came[i].ID == "job-finished" {
			came[i].CallbackAt = fixedNow.Add(-55 * time.Second)
		} else {
			came[i].CallbackAt = time.Time{}
		}
	}
	for _, listening := range []bool{true, false} {
		hs := newHarnessWith(t, 160, 45, func(_ *harness, o *Options) { o.Listening = listening }, came...)
		hs.selectID("job-finished")
		hs.key("enter")
		if d := detailText(hs); !strings.Contains(d, "callback  11:59:05") {
			t.Errorf("listening=%v: the callback's time is missing:\n%s", listening, d)
		}
		hs.selectID("job-failed")
		d := detailText(hs)
		if got := strings.Contains(d, "callback  none came"); got != listening {
			t.Errorf("listening=%v: \"none came\" shown=%v:\n%s", listening, got, d)
		}
	}
}
