package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// TestGolden draws the dashboard at 80x24 and 160x45 with a fixed clock and
// a job in every state, ANSI stripped. Regenerate with -update.
func TestGolden(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"160x45", 160, 45}}
	scenes := []struct {
		name  string
		setup func(hs *harness)
	}{
		{"table", func(hs *harness) {}},
		{"finished", func(hs *harness) { hs.selectID("job-finished"); hs.key("enter") }},
		{"failed", func(hs *harness) { hs.selectID("job-failed"); hs.key("enter") }},
		{"trouble", func(hs *harness) { hs.selectID("job-trouble"); hs.key("enter") }},
		{"hostile", func(hs *harness) { hs.selectID("job-hostile"); hs.key("enter") }},
		{"help", func(hs *harness) { hs.key("?") }},
		{"keyrejected", func(hs *harness) {
			c := track.Conn{KeyRejected: true, LastError: "401 Unauthorized", LastGood: fixedNow.Add(-time.Minute)}
			hs.events(track.Event{Conn: &c})
		}},
		{"filter", func(hs *harness) { hs.key("/", "g", "e", "n") }},
		{"sorted", func(hs *harness) { hs.key("s") }},
		{"add", func(hs *harness) {
			hs.key("a")
			hs.send(tea.PasteMsg{Content: "0f8c2d1e-0001-4a5b-9c3d-2e1f0a9b8c7d\n0f8c2d1e-0002-4a5b-9c3d-2e1f0a9b8c7d\nnot/an/id\n"})
		}},
		{"downloading", func(hs *harness) {
			hs.key("D")
			hs.progress(running(), download.Progress{VideoID: "vid-hostile", Path: "/home/me/videos/video-vid-hostile.mp4",
				State: download.StateFailed, Err: errors.New("GET https://user@evil.example/x: 404 Not Found")})
			hs.selectID("job-finished")
			hs.key("enter")
		}},
		{"download_failed", func(hs *harness) {
			hs.key("D")
			hs.progress(download.Progress{VideoID: "vid-finished", Path: savedPath, Done: 3_012_345, Total: 3_012_345, State: download.StateDone},
				download.Progress{VideoID: "vid-hostile", Path: "/home/me/videos/video-vid-hostile.mp4",
					State: download.StateFailed, Err: errors.New("GET https://user@evil.example/x: 404 Not Found")})
			hs.selectID("job-hostile")
			hs.key("enter")
		}},
		{"copied", func(hs *harness) {
			hs.env["SSH_TTY"] = "/dev/pts/3"
			hs.selectID("job-finished")
			hs.key("o")
		}},
	}
	for _, sz := range sizes {
		for _, sc := range scenes {
			t.Run(sz.name+"_"+sc.name, func(t *testing.T) {
				hs := newHarnessDL(t, sz.w, sz.h, fixtures()...)
				sc.setup(hs)
				out := hs.view()
				checkFrame(t, out, sz.w, sz.h)
				golden.RequireEqual(t, ansi.Strip(out))
			})
		}
	}
}

// checkFrame asserts the view fills the screen exactly: h lines of w cells.
func checkFrame(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

// selectID moves the cursor to a job by keys, as a user would.
func (hs *harness) selectID(id string) {
	hs.t.Helper()
	hs.key("g")
	for range len(hs.m.all) {
		if e, ok := hs.m.selected(); ok && e.job.ID == id {
			return
		}
		hs.key("j")
	}
	hs.t.Fatalf("job %s not found by moving down", id)
}

// TestTinyTerminals: any size draws without panicking and never more lines
// than the terminal has.
func TestTinyTerminals(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {10, 3}, {20, 5}, {30, 8}, {40, 12}, {300, 100}} {
		hs := newHarnessDL(t, sz[0], sz[1], fixtures()...)
		hs.key("D")
		hs.progress(running(), download.Progress{VideoID: "vid-hostile", State: download.StateFailed, Err: errors.New("no space left on device")})
		for _, keys := range [][]string{nil, {"enter"}, {"?"}, {"?", "esc", "a"}, {"esc", "/"}} {
			hs.key(keys...)
			lines := strings.Split(hs.view(), "\n")
			if len(lines) > max(sz[1], 1) {
				t.Errorf("%dx%d after %v: %d lines", sz[0], sz[1], keys, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > max(sz[0], 0) && sz[0] > 0 {
					t.Errorf("%dx%d after %v: line %d is %d wide", sz[0], sz[1], keys, i, w)
				}
			}
		}
	}
}
