package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// TestNoLinkSaysWhy: o and y on a job that will never have a video say so,
// rather than "not finished", which promises a link that never comes.
func TestNoLinkSaysWhy(t *testing.T) {
	cases := []struct{ id, want string }{
		{"job-failed", "the job failed"},
		{"job-deleted", "was deleted"},
		{"job-missing", "neither a job nor a video"},
		{"job-gen", "no link yet: the video is not finished"},
	}
	for _, c := range cases {
		for _, k := range []string{"o", "y"} {
			hs := newHarness(t, 80, 24, fixtures()...)
			hs.selectID(c.id)
			hs.key(k)
			if !strings.Contains(hs.m.message(), c.want) {
				t.Errorf("%s on %s says %q, want it to say %q", k, c.id, hs.m.message(), c.want)
			}
			if c.id != "job-gen" && strings.Contains(hs.m.message(), "yet") {
				t.Errorf("%s on %s says %q: a link will never come", k, c.id, hs.m.message())
			}
		}
	}
}

// TestRefreshMessageLeaves: "refreshing" is true while the answers are on
// their way; it leaves when they came, or after refreshTimeout at most.
func TestRefreshMessageLeaves(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.key("R")
	if want := "refreshing 10 of 13 jobs (the others have ended)"; hs.m.message() != want {
		t.Fatalf("R says %q, want %q", hs.m.message(), want)
	}
	answer := fixtures()[3] // one answer of ten does not end it
	answer.Version, answer.LastPoll = 2, fixedNow.Add(time.Second)
	hs.events(track.Event{Job: &answer})
	if hs.m.message() == "" {
		t.Error("the first answer of ten ended the refresh message")
	}
	hs.advance(refreshFlashTTL) // answers are still coming: it stays
	if want := "refreshing 10 of 13 jobs (the others have ended)"; hs.m.message() != want {
		t.Errorf("%v after R, with nine answers to come, the status line says %q, want %q", refreshFlashTTL, hs.m.message(), want)
	}
	hs.advance(refreshTimeout - refreshFlashTTL)
	if hs.m.message() != "" {
		t.Errorf("%v after R the status line still says %q", refreshTimeout, hs.m.message())
	}

	// r on a job that has ended asks nothing, and says so.
	hs.selectID("job-finished")
	hs.key("r")
	if want := "job-finished has ended: nothing to ask again"; hs.m.message() != want {
		t.Errorf("r on a finished job says %q, want %q", hs.m.message(), want)
	}
	if calls := hs.eng.Calls(); slices.Contains(calls, "Refresh job-finished") {
		t.Errorf("r on a finished job asked the engine: %v", calls)
	}
	hs.fire(refreshFlashTTL)
	if hs.m.message() != "" {
		t.Errorf("%v after r on a finished job the status line still says %q", refreshFlashTTL, hs.m.message())
	}

	hs.selectID("job-gen")
	hs.key("r")
	if want := "refreshing job-gen"; hs.m.message() != want {
		t.Fatalf("r says %q, want %q", hs.m.message(), want)
	}
	other := fixtures()[4] // another job's answer does not end it
	other.Version, other.LastPoll = 2, fixedNow.Add(time.Second)
	hs.events(track.Event{Job: &other})
	if hs.m.message() == "" {
		t.Error("another job's answer ended the refresh message")
	}
	j := fixtures()[3]
	j.Version, j.LastPoll = 3, fixedNow.Add(2*time.Second)
	hs.events(track.Event{Job: &j})
	if want := "refreshed: the answer is in its row"; hs.m.message() != want {
		t.Errorf("job-gen answered, and the status line says %q, want %q", hs.m.message(), want)
	}
	hs.fire(refreshFlashTTL)
	if hs.m.message() != "" {
		t.Errorf("%v after the answer the status line still says %q", refreshFlashTTL, hs.m.message())
	}
	// Every job asked answers: the message says so, then leaves.
	hs.key("R")
	var evs []track.Event
	for _, j := range fixtures() {
		j.Version, j.LastPoll = 9, fixedNow.Add(3*time.Second)
		evs = append(evs, track.Event{Job: &j})
	}
	hs.events(evs...)
	if want := "refreshed: all 10 jobs answered"; hs.m.message() != want {
		t.Errorf("after every answer the status line says %q, want %q", hs.m.message(), want)
	}
	hs.fire(refreshFlashTTL)
	if hs.m.message() != "" {
		t.Errorf("%v after the answers the status line still says %q", refreshFlashTTL, hs.m.message())
	}

	// A timer of an old message does not clear a newer one.
	hs.key("s")
	hs.fire(refreshFlashTTL)
	if hs.m.message() != "sorted by status" {
		t.Errorf("an old timer cleared %q", hs.m.message())
	}
}

// TestRefreshWaitsForAnAnswer: the engine sends an event for each job as
// soon as it schedules the request; that is not an answer, and the status
// line must not say "refreshed" before a request was even sent.
func TestRefreshWaitsForAnAnswer(t *testing.T) {
	for _, k := range []string{"R", "r"} {
		hs := newHarness(t, 80, 24, fixtures()...)
		hs.selectID("job-gen")
		hs.key(k)
		asking := hs.m.message()
		if !strings.HasPrefix(asking, "refreshing") {
			t.Fatalf("%s says %q", k, asking)
		}
		hs.events() // the scheduling events the fake sent on Refresh
		if hs.m.message() != asking {
			t.Errorf("%s: after the engine only scheduled the requests the status line says %q, want %q", k, hs.m.message(), asking)
		}
	}
}

// limitedEngine is the fake engine behind a refresh limit, as reel serve's
// sessions have: refuse, when set, turns every refresh down.
type limitedEngine struct {
	*fakeEngine
	refuse error
}

func (l *limitedEngine) TryRefresh(ids ...string) error {
	if l.refuse != nil {
		l.record("TryRefresh refused")
		return l.refuse
	}
	l.Refresh(ids...)
	return nil
}

// TestARefusedRefreshSaysSoAtOnce: an engine that turns the refresh down
// (reel serve's shared limit) has its reason in the status line at once,
// as a warning, in place of "refreshing", and the reason leaves like any
// short message; a refresh let through still waits for its answers.
func TestARefusedRefreshSaysSoAtOnce(t *testing.T) {
	limited := &limitedEngine{refuse: errors.New("refresh limited: all jobs were refreshed just now; try again in 2s")}
	hs := newHarnessWith(t, 120, 24, func(hs *harness, o *Options) { limited.fakeEngine = hs.eng; o.Engine = limited }, fixtures()...)
	for _, k := range []string{"R", "r"} {
		hs.selectID("job-gen")
		hs.key(k)
		if got := hs.m.message(); got != limited.refuse.Error() {
			t.Errorf("%s refused: the status line says %q, want the refusal at once", k, got)
		}
		if !hs.m.flash.Warning() {
			t.Errorf("%s refused: the refusal is not a warning", k)
		}
		if hs.m.refresh != nil {
			t.Errorf("%s refused: still waiting for answers", k)
		}
		hs.advance(refreshFlashTTL)
		if got := hs.m.message(); got != "" {
			t.Errorf("%s refused: %v later the status line still says %q", k, refreshFlashTTL, got)
		}
	}
	if calls := hs.eng.Calls(); slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "Refresh") }) {
		t.Errorf("a refused refresh reached the engine: %v", calls)
	}

	limited.refuse = nil
	hs.key("r")
	if want := "refreshing job-gen"; hs.m.message() != want || hs.m.refresh == nil {
		t.Errorf("r let through says %q, want %q until the answer", hs.m.message(), want)
	}
}

// TestDownloadMessageKeepsTheFolder: at 80 columns a long file name is
// shortened in its middle, so the folder and the counts after it are seen.
func TestDownloadMessageKeepsTheFolder(t *testing.T) {
	long := "/home/me/videos/" + strings.Repeat("Quarterly update for the whole company ", 2) + "-vid-finished.mp4"
	for _, st := range []download.State{download.StateDone, download.StateSkipped, download.StateRunning} {
		hs := newHarnessDL(t, 80, 24, fixtures()...)
		hs.selectID("job-finished")
		hs.key("d")
		hs.progress(download.Progress{VideoID: "vid-finished", Path: long, State: st, Total: 10, Done: 5})
		lines := strings.Split(ansi.Strip(hs.view()), "\n")
		status := ""
		for _, l := range lines {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "saved") || strings.HasPrefix(t, "already saved") || strings.HasPrefix(t, "downloading") {
				status = l
			}
		}
		if !strings.Contains(status, "/home/me/videos") || !strings.Contains(status, ".mp4") {
			t.Errorf("state %v: the status line loses the folder or the extension:\n%q", st, status)
		}
	}
	if got := middleCut("abcdefghij.mp4", 9); got != "abcd….mp4" {
		t.Errorf("middleCut = %q", got)
	}
	if got := middleCut("日本語の動画ファイル.mp4", 10); ansi.StringWidth(got) > 10 || !strings.HasSuffix(got, "mp4") {
		t.Errorf("middleCut of wide runes = %q (%d columns)", got, ansi.StringWidth(got))
	}
}

// TestHelpPagesDoNotSkip: PgDn in a scrolled help moves by the lines a
// page shows, so the line after the last one seen comes first.
func TestHelpPagesDoNotSkip(t *testing.T) {
	for _, size := range [][2]int{{50, 12}, {80, 24}, {60, 16}} {
		hs := newHarness(t, size[0], size[1], fixtures()...)
		hs.key("?")
		seen := func() int { // the last line shown, from the scroll hint
			v := ansi.Strip(hs.view())
			i := strings.Index(v, "↑↓ scroll · ")
			if i < 0 {
				return -1
			}
			var last, total int
			if _, err := fmt.Sscanf(v[i+len("↑↓ scroll · "):], "%d of %d", &last, &total); err != nil {
				t.Fatalf("%dx%d: hint unreadable: %v", size[0], size[1], err)
			}
			return last
		}
		first := seen()
		if first < 0 {
			continue // the help fits: nothing to page
		}
		hs.key("pgdown")
		if hs.m.helpOff != first && seen() != len(hs.m.helpText(hs.m.width)) {
			t.Errorf("%dx%d: lines 1-%d shown, PgDn starts at line %d, want %d", size[0], size[1], first, hs.m.helpOff+1, first+1)
		}
		hs.key("pgup")
		if hs.m.helpOff != 0 {
			t.Errorf("%dx%d: PgUp after PgDn left the help at line %d", size[0], size[1], hs.m.helpOff+1)
		}
	}
}

// TestDownloadMessageTellsTheOutcome: the line about d and D counts the
// whole batch, names the folder, and is not overtaken by a late message
// from when the downloads started.
func TestDownloadMessageTellsTheOutcome(t *testing.T) {
	t.Run("already saved, start reported late", func(t *testing.T) {
		hs := newHarnessDL(t, 80, 24, fixtures()...)
		hs.selectID("job-finished")
		hs.key("d")
		hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, State: download.StateSkipped})
		hs.send(downloadMsg{asked: 1, started: 1}) // the Start command's answer, after the outcome
		if want := "already saved: Quarterly update…vid-finished.mp4 is in /home/me/videos"; hs.m.message() != want {
			t.Errorf("flash %q, want %q", hs.m.message(), want)
		}
	})
	t.Run("D ends on the whole batch", func(t *testing.T) {
		hs := newHarnessDL(t, 80, 24, fixtures()...)
		hs.key("D")
		hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, State: download.StateRunning, Total: 10, Done: 5})
		if want := "downloading 2 videos into /home/me/videos"; hs.m.message() != want {
			t.Errorf("while running: flash %q, want %q", hs.m.message(), want)
		}
		hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, State: download.StateDone})
		if want := "downloading 1 of 2 videos into /home/me/videos; 1 saved"; hs.m.message() != want {
			t.Errorf("half way: flash %q, want %q", hs.m.message(), want)
		}
		hs.progress(download.Progress{VideoID: "vid-hostile", Path: "/home/me/videos/video-vid-hostile.mp4", State: download.StateSkipped})
		if want := "nothing new saved into /home/me/videos; 1 was already there"; hs.m.message() == want {
			t.Errorf("flash %q speaks of the last video only", hs.m.message())
		}
		if want := "saved 1 video into /home/me/videos; 1 was already there"; hs.m.message() != want {
			t.Errorf("at the end: flash %q, want %q", hs.m.message(), want)
		}
		if hs.m.batch != nil {
			t.Error("the batch outlived its downloads")
		}
	})
}

// TestSmallTerminal: at 50x12 the help scrolls to its end, the details
// show content before hints, and an active filter stays in sight.
func TestSmallTerminal(t *testing.T) {
	t.Run("help scrolls", func(t *testing.T) {
		hs := newHarness(t, 50, 12, fixtures()...)
		hs.key("?")
		if v := ansi.Strip(hs.view()); strings.Contains(v, "refresh all") || !strings.Contains(v, "scroll") {
			t.Fatalf("the help fits at 50x12, or does not say it scrolls:\n%s", v)
		}
		seen := ""
		for range 60 {
			seen += ansi.Strip(hs.view())
			hs.key("j")
		}
		for _, want := range []string{"refresh all", "quit now", "deleted", "brings it back"} {
			if !strings.Contains(seen, want) {
				t.Errorf("scrolling the help never shows %q", want)
			}
		}
		hs.key("g")
		if v := ansi.Strip(hs.view()); !strings.Contains(v, "keys") {
			t.Errorf("g does not bring the help back to its top:\n%s", v)
		}
		hs.key("esc")
		if hs.m.mode != modeNormal {
			t.Error("esc does not close the help")
		}
	})
	t.Run("details show content first", func(t *testing.T) {
		hs := newHarness(t, 50, 12, fixtures()...)
		hs.selectID("job-failed")
		hs.key("enter")
		for i := range 8 {
			v := ansi.Strip(hs.view())
			_, pane, ok := strings.Cut(v, "─── details")
			if !ok {
				t.Fatalf("no detail pane:\n%s", v)
			}
			lines := strings.Split(pane, "\n")[1:] // the rule's own line
			content := 0
			for _, l := range lines[1 : len(lines)-3] { // past the title, before the status and footer lines
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "…") {
					content++
				}
			}
			if content == 0 {
				t.Errorf("after J×%d the pane shows no content past its title:\n%s", i, v)
			}
			hs.key("J")
		}
	})
	t.Run("filter stays in sight", func(t *testing.T) {
		for _, w := range []int{50, 80, 99} {
			notice := func(_ *harness, o *Options) {
				o.Notice = "demo: simulated jobs, no key, no network; d saves into /tmp/reel-demo-12345 · ? lists the keys"
			}
			hs := newHarnessWith(t, w, 12, notice, fixtures()...)
			hs.key("/", "g", "e", "n", "enter")
			if line := ansi.Strip(hs.m.statusLines(1)[0]); !strings.Contains(line, "filter: gen (3 of 13)") {
				t.Errorf("at %d columns the status line %q does not show the filter", w, line)
			}
		}
	})
}

// TestAgeIsMonotonic: the AGE column counts from the job's creation (or
// from when reel began tracking it), so it neither starts at 0s for a job
// long under way nor goes back when the job leaves the queue.
func TestAgeIsMonotonic(t *testing.T) {
	created := fixedNow.Add(-12 * time.Minute).Format(time.RFC3339)
	raw := json.RawMessage(`{"id":"job-x","status":"generating","progress":40,"maximumProgress":100,"creationDate":"` + created + `"}`)
	fresh := track.Job{ID: "job-x", Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, Seq: 1, Version: 1,
		Added: fixedNow.Add(-8 * time.Second), Started: fixedNow.Add(-8 * time.Second), Job: &api.Job{Status: api.StatusGenerating, Raw: raw}}
	if got := timeText(newEntry(fresh), fixedNow); got != "12m 00s" {
		t.Errorf("a job created 12 minutes ago, new to this store, shows %q, want 12m 00s", got)
	}

	queued := track.Job{ID: "job-q", Status: api.StatusInQueue, Seq: 1, Version: 1, Added: fixedNow.Add(-2 * time.Minute)}
	hs := newHarness(t, 160, 45, queued)
	last := time.Duration(-1)
	step := func(j track.Job) {
		t.Helper()
		hs.events(track.Event{Job: &j})
		hs.fire(time.Second)
		s := rowCells(hs.m.job("job-q"), hs.m.draw.lay, hs.now).time
		d, err := time.ParseDuration(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatalf("age %q: %v", s, err)
		}
		if d < last {
			t.Errorf("%s: the age went back from %v to %v", j.Status, last, d)
		}
		last = d
	}
	queued.Version = 2
	step(queued)
	gen := queued
	gen.Status, gen.Started, gen.Progress, gen.Version = api.StatusGenerating, hs.now, 10, 3
	step(gen)
	done := gen
	done.Status, done.Ended, done.Progress, done.Version = api.StatusFinished, hs.now, 100, 4
	step(done)
	if last < 2*time.Minute {
		t.Errorf("a job added over 2 minutes ago ends with an age of %v", last)
	}
}

// TestRReadsTheKeyAgain: after a rejected key, R reads the key again
// before asking, and says whether it changed; otherwise R only asks.
func TestRReadsTheKeyAgain(t *testing.T) {
	reads := 0
	changed, hint := false, "fix api_key in /home/me/.config/reel/config.toml"
	hs := newHarnessWith(t, 80, 24, func(_ *harness, o *Options) {
		o.ReloadKey = func() (bool, string, error) { reads++; return changed, hint, nil }
	}, fixtures()...)

	hs.key("R")
	if reads != 0 {
		t.Errorf("R read the key %d times while it was not rejected", reads)
	}
	rejected := track.Conn{KeyRejected: true, LastError: "401 Unauthorized"}
	hs.events(track.Event{Conn: &rejected})
	hs.key("R")
	if reads != 1 || !strings.Contains(hs.m.message(), "unchanged") || !strings.Contains(hs.m.message(), hint) || !hs.m.warning() {
		t.Errorf("R with the same key: %d reads, flash %q (warn %v)", reads, hs.m.message(), hs.m.warning())
	}
	refreshes := func() int {
		n := 0
		for _, c := range hs.eng.Calls() {
			if c == "Refresh " {
				n++
			}
		}
		return n
	}
	if n := refreshes(); n != 1 {
		t.Errorf("R with the same key asked the engine again (%d refreshes, want only the first R's): that clears the rejection", n)
	}
	hs.key("R")
	if reads != 2 || !strings.Contains(hs.m.message(), "unchanged") {
		t.Errorf("a second R with the same key: %d reads, flash %q; the key must be read again", reads, hs.m.message())
	}
	changed = true
	hs.key("R")
	if want := "read a new API key; refreshing 10 of 13 jobs (the others have ended)"; reads != 3 || hs.m.message() != want {
		t.Errorf("R with a new key: %d reads, flash %q, want %q", reads, hs.m.message(), want)
	}
	hs.fire(refreshTimeout) // no answer came: the message does not stay
	if hs.m.message() != "" {
		t.Errorf("%v after R with a new key the status line still says %q", refreshTimeout, hs.m.message())
	}
	if n := refreshes(); n != 2 {
		t.Errorf("the engine was asked again %d times, want 2: the first R and the R with a new key", n)
	}
	if v := ansi.Strip(hs.view()); !strings.Contains(strings.Join(strings.Fields(v), " "), "Fix api_key in the config file and press R") {
		t.Errorf("the banner does not say R reads the key again:\n%s", v)
	}
}

// TestDemoQuitFits: in the demo the summary leaves a row for the line on
// where its downloads stay, does not send the user to reel without
// arguments, and many .part lines that wrap still fit at 50x12.
func TestDemoQuitFits(t *testing.T) {
	jobs := append(fixtures(), manyJobs(40)...)
	for _, demo := range []bool{false, true} {
		hs := newHarnessWith(t, 50, 12, func(_ *harness, o *Options) {
			o.Demo = demo
			o.DownloadDir = "/tmp/a-long-temporary-folder/reel-demo-3406164397" // the line on it wraps
		}, fixtures()...)
		var running downloadsMsg
		for i := range 9 {
			id := "vid-" + strconv.Itoa(i)
			path := "/home/me/videos/" + strings.Repeat("A long video title ", 3) + id + ".mp4"
			running = append(running, download.Progress{VideoID: id, Path: path, State: download.StateRunning, Done: 1, Total: 4})
		}
		hs.send(running)
		text := hs.m.leaveText(jobs)
		room := 11 // the prompt takes the last row
		if demo {
			room -= 2 // "the demo's downloads stay in …", wrapped
		}
		if r := rows(strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n"), 50); r > room {
			t.Errorf("demo %v: quitting at 50x12 leaves %d rows, want at most %d:\n%s", demo, r, room, text)
		}
		if !strings.Contains(text, "in /home/me/videos") || !strings.Contains(text, ".part") {
			t.Errorf("demo %v: the .part files are not named and counted:\n%s", demo, text)
		}
		if says := strings.Contains(text, "reel with no arguments"); says == demo {
			t.Errorf("demo %v: the summary says reel with no arguments shows the jobs: %v\n%s", demo, says, text)
		}
	}
}

// TestQuitLeavesAScreenful: beyond a screenful the summary counts the jobs
// and lists those that need the user; a quit during a download names the
// .part it leaves and how to resume.
func TestQuitLeavesAScreenful(t *testing.T) {
	jobs := manyJobs(5000)
	for i := range jobs {
		switch i % 1000 {
		case 7:
			jobs[i].Status = api.StatusFailed
		case 8:
			jobs[i].NotFound = true
		}
	}
	hs := newHarnessDL(t, 80, 24, fixtures()...)
	text := hs.m.leaveText(jobs)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > 23 {
		t.Errorf("quitting at 80x24 with 5,000 jobs leaves %d lines, want at most 23", len(lines))
	}
	if !strings.HasPrefix(lines[0], "5000 jobs: ") || !strings.Contains(lines[0], "5 failed") || !strings.Contains(lines[0], "5 not found") {
		t.Errorf("first line %q does not count the jobs by status", lines[0])
	}
	if n := strings.Count(text, "✗ failed"); n != 5 {
		t.Errorf("%d failed jobs listed, want all 5:\n%s", n, text)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "4990 more not listed") {
		t.Errorf("last line %q does not say how many were left out", last)
	}
	if few := hs.m.leaveText(fixtures()); strings.Count(few, "\n") != len(fixtures()) {
		t.Errorf("13 jobs at 80x24 are not listed one a line:\n%s", few)
	}

	// At 50x12 lines wrap: a screenful is counted in rows.
	small := newHarness(t, 50, 12, fixtures()...)
	text = small.m.leaveText(append(fixtures(), jobs[:20]...))
	if r := rows(strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n"), 50); r > 11 {
		t.Errorf("quitting at 50x12 leaves %d rows, want at most 11:\n%s", r, text)
	}
	if !strings.Contains(text, "33 jobs: ") || !strings.Contains(text, "more not listed") {
		t.Errorf("at 50x12 the summary does not count and cut:\n%s", text)
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.Count(l, "…") > 1 || strings.Contains(l, "not listed") && strings.HasPrefix(l, "✗") {
			t.Errorf("a line runs into the next: %q", l)
		}
	}

	hs.key("D")
	hs.progress(running(), download.Progress{VideoID: "vid-hostile", Path: "/home/me/videos/x.mp4", State: download.StateQueued})
	text = hs.m.leaveText(fixtures())
	for _, want := range []string{
		"↓ 1 download stopped before the end; the .part files stay, and d in reel (or reel download ID) resumes them:",
		"  " + savedPath + ".part  45% of 30.0 MB",
		"↓ 1 queued download did not start",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the quit text lacks %q:\n%s", want, text)
		}
	}
}

// TestRefreshWithNothingToAskSpendsNoRefresh: with every job ended, R says
// so and asks no engine: on reel serve it would spend the viewers' shared
// refresh for nothing, and a refusal would replace the truer message.
func TestRefreshWithNothingToAskSpendsNoRefresh(t *testing.T) {
	var ended []track.Job
	for _, j := range fixtures() {
		if j.ID == "job-finished" {
			ended = append(ended, j)
		}
	}
	limited := &limitedEngine{refuse: errors.New("refresh limited")}
	hs := newHarnessWith(t, 120, 24, func(hs *harness, o *Options) { limited.fakeEngine = hs.eng; o.Engine = limited }, ended...)
	hs.key("R")
	if want := "every job has ended: nothing to ask again"; hs.m.message() != want {
		t.Errorf("R with every job ended says %q, want %q", hs.m.message(), want)
	}
	if calls := hs.eng.Calls(); slices.ContainsFunc(calls, func(c string) bool { return strings.Contains(c, "Refresh") }) {
		t.Errorf("R with nothing to ask reached the engine: %v", calls)
	}
}
