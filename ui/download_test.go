package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

const savedPath = "/home/me/videos/Quarterly update – Anna-vid-finished.mp4"

// running is vid-finished 45% of the way, as the Manager reports it.
func running() download.Progress {
	return download.Progress{VideoID: "vid-finished", Path: savedPath, Done: 13_500_000, Total: 30_000_000,
		Rate: 12_000_000, ETA: 8 * time.Second, State: download.StateRunning}
}

// noVideoYet is a finished job whose video has not been fetched yet.
func noVideoYet() track.Job {
	return track.Job{ID: "job-novideo", Status: api.StatusFinished, Seq: 99, Version: 1, Added: fixedNow.Add(-time.Minute)}
}

func TestDownloadKeys(t *testing.T) {
	starts := func(hs *harness) []string {
		var out []string
		for _, c := range hs.dl.Calls() {
			if strings.HasPrefix(c, "Start ") {
				out = append(out, c)
			}
		}
		return out
	}
	cases := []struct {
		name   string
		setup  func(hs *harness)
		keys   []string
		starts []string
		flash  string
		warn   bool
	}{
		{"d on a running job", func(hs *harness) { hs.selectID("job-gen") }, []string{"d"}, nil,
			"only a finished video can be downloaded", true},
		{"d before the video is in", func(hs *harness) { hs.selectID("job-novideo") }, []string{"d"}, nil,
			"the video's details have not arrived yet; press r to ask again", true},
		{"d", func(hs *harness) { hs.selectID("job-finished") }, []string{"d"}, []string{"Start vid-finished"},
			"downloading 1 video into /home/me/videos", false},
		{"d while downloading", func(hs *harness) {
			hs.selectID("job-finished")
			hs.key("d")
			hs.progress(running())
		}, []string{"d"}, []string{"Start vid-finished"},
			"already downloading Quarterly update – Anna-vid-finished.mp4", false},
		{"d after saving fetches again", func(hs *harness) {
			hs.selectID("job-finished")
			hs.key("d")
			p := running()
			p.State = download.StateDone
			hs.progress(p)
		}, []string{"d"}, []string{"Start vid-finished", "Start vid-finished"}, "downloading 1 video into /home/me/videos", false},
		{"D: finished jobs with a video", nil, []string{"D"}, []string{"Start vid-finished", "Start vid-hostile"},
			"downloading 2 videos into /home/me/videos", false},
		{"D leaves out what runs or was saved", func(hs *harness) {
			hs.selectID("job-finished")
			hs.key("d")
			hs.progress(running())
		}, []string{"D"}, []string{"Start vid-finished", "Start vid-hostile"},
			"downloading 2 videos into /home/me/videos", false},
		{"D with nothing new", func(hs *harness) {
			hs.key("D")
			p := running()
			p.State = download.StateDone
			hs.progress(p, download.Progress{VideoID: "vid-hostile", State: download.StateRunning})
		}, []string{"D"}, []string{"Start vid-finished", "Start vid-hostile"},
			"nothing new to download; 1 video already downloading; 1 video already saved", false},
		{"D when the downloader refuses", func(hs *harness) { hs.dl.running["vid-hostile"] = true },
			[]string{"D"}, []string{"Start vid-finished", "Start vid-hostile"},
			"downloading 2 videos into /home/me/videos", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarnessDL(t, 80, 24, append(fixtures(), noVideoYet())...)
			if c.setup != nil {
				c.setup(hs)
			}
			hs.key(c.keys...)
			if got := starts(hs); !slices.Equal(got, c.starts) {
				t.Errorf("starts %q, want %q", got, c.starts)
			}
			if hs.m.message() != c.flash || hs.m.warning() != c.warn {
				t.Errorf("flash %q (warn %v), want %q (warn %v)", hs.m.message(), hs.m.warning(), c.flash, c.warn)
			}
		})
	}

	t.Run("D with no finished video", func(t *testing.T) {
		var jobs []track.Job
		for _, j := range fixtures() {
			if j.Status != api.StatusFinished {
				jobs = append(jobs, j)
			}
		}
		hs := newHarnessDL(t, 80, 24, append(jobs, noVideoYet())...)
		hs.key("D")
		if hs.m.message() != "no finished video to download yet" || len(starts(hs)) > 0 {
			t.Errorf("flash %q, starts %q", hs.m.message(), starts(hs))
		}
	})
}

// TestDownloadProgress: a running download shows in its row, the detail
// pane and the status line, and each update redraws the row.
func TestDownloadProgress(t *testing.T) {
	hs := newHarnessDL(t, 80, 24, fixtures()...)
	hs.selectID("job-finished")
	hs.key("d", "enter")
	before := ansi.Strip(hs.view())

	hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, Total: 30_000_000, State: download.StateQueued})
	queued := ansi.Strip(hs.view())
	if !strings.Contains(queued, "✓ finished       ↓ queued ") || queued == before {
		t.Errorf("queued download not in its row:\n%s", queued)
	}

	hs.progress(running())
	out := hs.view()
	checkFrame(t, out, 80, 24)
	plain := ansi.Strip(out)
	for _, want := range []string{
		"✓ finished       ↓ 45% 12MB/s       ~8s left", // the row: progress area and time
		"download  ↓ 45% · 13.5 MB of 30.0 MB · 12.0 MB/s · ~8s left",
		"file      " + savedPath,
		"↓ 1 download · 13 jobs",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q:\n%s", want, plain)
		}
	}
	if hs.parked == nil || hs.dlWait == nil {
		t.Error("the waits for engine events and download progress were not issued again")
	}

	// Only the download moved: the row's cache must not hide it.
	p := running()
	p.Done, p.ETA = 27_000_000, time.Second
	hs.progress(p)
	if plain := ansi.Strip(hs.view()); !strings.Contains(plain, "↓ 90% 12MB/s       ~1s left") {
		t.Errorf("row not redrawn for new progress:\n%s", plain)
	}

	// A new snapshot of the job keeps its download.
	j := hs.m.job("job-finished").job
	j.Version++
	j.CallbackAt = fixedNow
	hs.events(track.Event{Job: &j})
	if c := rowCells(hs.m.job("job-finished"), hs.m.draw.lay, fixedNow); c.dl != "↓ 90% 12MB/s" {
		t.Errorf("after a new snapshot the row shows %q", c.dl)
	}
}

// osc8 matches the dashboard's own hyperlinks, which end in a BEL.
var osc8 = regexp.MustCompile("\x1b\\]8;[^\x07\x1b]*\x07")

func TestDownloadEnds(t *testing.T) {
	hostile := errors.New("GET https://cdn.example.com/x: 403 \x1b]0;pwned\x07\x1b[31mForbidden\x1b[0m")
	cases := []struct {
		name   string
		p      download.Progress
		flash  string
		warn   bool
		row    string
		detail []string
	}{
		{"saved", download.Progress{Path: savedPath, Done: 30e6, Total: 30e6, State: download.StateDone},
			"saved Quarterly update – Anna-vid-finished.mp4 into /home/me/videos", false, "✓ saved",
			[]string{"download  ✓ saved", "file      " + savedPath}},
		{"already there", download.Progress{Path: savedPath, Done: 30e6, Total: 30e6, State: download.StateSkipped},
			"already saved: Quarterly update…vid-finished.mp4 is in /home/me/videos", false, "✓ saved", // the folder fits at 80
			[]string{"download  ✓ already saved", "file      " + savedPath}},
		{"failed", download.Progress{Path: savedPath, Done: 1e6, Total: 30e6, State: download.StateFailed, Err: hostile},
			"could not save Quart…ed.mp4: GET https://cdn.example.com/x: 403 Forbidden", true, // the name gives way to the reason at 80 columns
			"✗ save failed", []string{"download  ✗ failed", "error     GET https://cdn.example.com/x: 403 Forbidden"}},
		{"canceled", download.Progress{Path: savedPath, State: download.StateFailed, Err: fmt.Errorf("download: %w", context.Canceled)},
			"download canceled: Quarterly update – Anna-vid-finished.mp4", true, "✗ canceled", []string{"download  ✗ canceled"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarnessDL(t, 80, 24, fixtures()...)
			hs.selectID("job-finished")
			hs.key("d", "enter")
			hs.progress(running())
			c.p.VideoID = "vid-finished"
			hs.progress(c.p)
			if hs.m.message() != c.flash || hs.m.warning() != c.warn {
				t.Errorf("flash %q (warn %v), want %q (warn %v)", hs.m.message(), hs.m.warning(), c.flash, c.warn)
			}
			out := hs.view()
			checkFrame(t, out, 80, 24)
			for _, bad := range []string{"pwned", "\x1b]0;", "\x07"} {
				if strings.Contains(osc8.ReplaceAllString(out, ""), bad) {
					t.Errorf("view holds %q", bad)
				}
			}
			plain := ansi.Strip(out)
			for _, want := range append(c.detail, "✓ finished       "+c.row) {
				if !strings.Contains(plain, want) {
					t.Errorf("view lacks %q:\n%s", want, plain)
				}
			}
			if strings.Contains(plain, "↓ 1 download") || hs.m.dlActive != 0 {
				t.Error("an ended download still counts as running")
			}
			if c.p.State == download.StateFailed && strings.Contains(plain, "file      ") {
				t.Error("a failed download shows a file")
			}
			// Only the change to ended says so; the next key clears it.
			hs.key("j")
			hs.progress(c.p)
			if hs.m.message() != "" {
				t.Errorf("an ended download's repeat flashed %q", hs.m.message())
			}
		})
	}

	t.Run("several at once", func(t *testing.T) {
		hs := newHarnessDL(t, 80, 24, fixtures()...)
		hs.key("D")
		hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, State: download.StateDone},
			download.Progress{VideoID: "vid-hostile", Path: "/x/video-vid-hostile.mp4", State: download.StateFailed, Err: errors.New("disk full")})
		// At 80 columns the name gives way, in its middle, to the reason.
		if want := "saved 1 video into /home/me/videos; 1 download failed (video…le.mp4: disk full)"; hs.m.message() != want || !hs.m.warning() {
			t.Errorf("flash %q, want %q", hs.m.message(), want)
		}
	})
}

// TestDownloadCells: a download's text fits the progress area at each
// width the layout gives it.
func TestDownloadCells(t *testing.T) {
	unknown := running()
	unknown.Total, unknown.Rate = -1, 0
	slow := running()
	slow.Rate = 850_000
	cases := []struct {
		p          download.Progress
		wide, thin string
	}{
		{download.Progress{State: download.StateQueued}, "↓ queued", "↓"},
		{running(), "↓ 45% 12MB/s", "↓45%"},
		{slow, "↓ 45% 850kB/s", "↓45%"},
		{unknown, "↓ 13.5MB", "↓13.5MB"},
		{download.Progress{State: download.StateDone}, "✓ saved", "✓"},
		{download.Progress{State: download.StateFailed, Err: errors.New("x")}, "✗ save failed", "✗"},
		{download.Progress{State: download.StateFailed, Err: context.Canceled}, "✗ canceled", "✗"},
	}
	for _, c := range cases {
		if got := dlCell(&c.p, dlWideText); got != c.wide || ansi.StringWidth(got) > dlWideText {
			t.Errorf("%s wide: %q, want %q", c.p.State, got, c.wide)
		}
		if got := dlCell(&c.p, 4); got != c.thin {
			t.Errorf("%s thin: %q, want %q", c.p.State, got, c.thin)
		}
	}
	for _, r := range []float64{999, 999.6, 999_999, 9_999_999, 99_999_999, 999_999_999, 5e9} {
		if got := compactRate(r); len(got) > 7 {
			t.Errorf("compactRate(%v) = %q, over 7 cells", r, got)
		}
	}
}
