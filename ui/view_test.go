package ui

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/vt"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// TestGolden draws the dashboard at 50x12, 80x24 and 160x45 with a fixed clock and
// a job in every state, ANSI stripped. Regenerate with -update.
func TestGolden(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{{"50x12", 50, 12}, {"80x24", 80, 24}, {"160x45", 160, 45}}
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
	for range len(hs.m.rows()) {
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

// TestSelectedBar: the selected row is in reverse video except for its
// bar, which would otherwise read backwards (a full bar looking empty).
// Checked cell by cell through a terminal emulator, with colour and with
// the Ascii profile NO_COLOR gives, where reverse is the only highlight.
func TestSelectedBar(t *testing.T) {
	for _, p := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.Ascii} {
		hs := newHarness(t, 160, 45, fixtures()...)
		hs.selectID("job-failed") // 40%: 5 of 12 cells full
		emu := vt.NewEmulator(160, 45)
		w := &colorprofile.Writer{Forward: emu, Profile: p}
		if _, err := w.Write([]byte(strings.ReplaceAll(hs.view(), "\n", "\r\n"))); err != nil {
			t.Fatal(err)
		}
		cur, _ := hs.m.window()
		y := hs.m.frame().rowsTop + cur
		l := hs.m.draw.lay
		barX := margin + l.id + gap + l.name + gap + l.status + gap
		reversed := func(x int) bool { return emu.CellAt(x, y).Style.Attrs&uv.AttrReverse != 0 }
		var bar strings.Builder
		for x := barX; x < barX+l.bar; x++ {
			bar.WriteString(emu.CellAt(x, y).Content)
			if reversed(x) {
				t.Errorf("%v: bar cell %d is reversed", p, x-barX)
			}
		}
		if got, want := bar.String(), "████░░░░░░░░"; got != want {
			t.Errorf("%v: selected bar %q, want %q", p, got, want)
		}
		for _, x := range []int{0, 1, margin + l.id, barX - 1, barX + l.bar, barX + l.bar + 3, l.w - 1} {
			if !reversed(x) {
				t.Errorf("%v: cell %d of the selected row is not reversed", p, x)
			}
		}
		if reversed(0) && emu.CellAt(0, y+1).Style.Attrs&uv.AttrReverse != 0 {
			t.Errorf("%v: the row below is reversed too", p)
		}
	}
}

// TestNarrowTable: at 80 columns a finished row still shows its size, in
// place of its bar, and the footer keeps the keys that matter.
func TestNarrowTable(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	lines := strings.Split(ansi.Strip(hs.view()), "\n")
	row := func(id string) string {
		for _, l := range lines {
			if strings.HasPrefix(l[min(1, len(l)):], id+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", id, strings.Join(lines, "\n"))
		return ""
	}
	if r := row("job-finished"); !strings.Contains(r, "✓ finished              3.0 MB") {
		t.Errorf("finished row lacks its size: %q", r)
	}
	if r := row("job-gen"); !strings.Contains(r, "████░░░░  61%") {
		t.Errorf("running row lost its bar: %q", r)
	}
	if !strings.Contains(lines[1], "PROGRESS/SIZE") {
		t.Errorf("titles %q do not say the size shows there", lines[1])
	}
	foot := lines[len(lines)-1]
	for _, want := range []string{"enter details", "o open", "d download", "/ filter", "s sort", "r refresh", "? help", "q quit"} {
		if !strings.Contains(foot, want) {
			t.Errorf("80-column footer %q lacks %q", foot, want)
		}
	}
	// Far narrower, help and quit still show.
	hs.send(tea.WindowSizeMsg{Width: 30, Height: 10})
	lines = strings.Split(ansi.Strip(hs.view()), "\n")
	if foot := lines[len(lines)-1]; !strings.Contains(foot, "? help  q quit") {
		t.Errorf("30-column footer %q lacks help and quit", foot)
	}
}

// TestHelpAligned: in the help overlay the descriptions of a column start
// together, two spaces after its longest key.
func TestHelpAligned(t *testing.T) {
	hs := newHarness(t, 160, 45, fixtures()...)
	hs.key("?")
	text := ansi.Strip(hs.view())
	for _, k := range [][3]string{{"pgup pgdn", "page up, down", "pgup pgdn"}, {"↑↓ jk", "move", "pgup pgdn"},
		{"enter", "details", "pgup pgdn"}, {"ctrl+c", "quit now", "ctrl+c"}, {"a", "add IDs", "ctrl+c"}} {
		re := regexp.MustCompile(regexp.QuoteMeta(k[0]) + `( +)` + regexp.QuoteMeta(k[1]))
		m := re.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("help lacks %q … %q:\n%s", k[0], k[1], text)
		}
		if got, want := ansi.StringWidth(k[0])+len(m[1]), ansi.StringWidth(k[2])+2; got != want {
			t.Errorf("%q starts its description at %d, want %d", k[0], got, want)
		}
	}
}
