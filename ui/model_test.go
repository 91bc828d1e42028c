package ui

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// TestUpdateDoesNoEngineIO presses every key and feeds every message kind
// through Update. The fake engine fails the test if Update itself calls it;
// the calls it records come from commands only.
func TestUpdateDoesNoEngineIO(t *testing.T) {
	hs := newHarnessDL(t, 80, 24, fixtures()...)
	hs.selectID("job-finished")
	for _, k := range []string{"j", "k", "down", "up", "G", "g", "pgdown", "pgup", "enter", "enter",
		"r", "R", "d", "D", "s", "s", "s", "s", "?", "esc", "/", "x", "esc", "y", "o", "ctrl+l"} {
		hs.key(k)
	}
	hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	hs.send(tea.MouseClickMsg{Button: tea.MouseLeft, X: 3, Y: 4})
	hs.send(tea.BlurMsg{})
	j := fixtures()[3]
	j.Status, j.Version = api.StatusFinished, 2
	hs.events(track.Event{Job: &j})
	hs.key("x", "u", "q")

	calls := strings.Join(append(hs.eng.Calls(), hs.dl.Calls()...), "\n") + "\n"
	for _, want := range []string{"Jobs\n", "Conn\n", "Refresh job-", "Refresh \n", "Start vid-finished\n", "Start vid-hostile\n", "Next\n", "Remove job-", "Restore\n", "Active\n"} {
		if !strings.Contains(calls, want) {
			t.Errorf("calls %q lack %q", calls, want)
		}
	}
}

// TestEvents folds engine events into rows, header and connection state.
func TestEvents(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	if got := hs.m.countOf(catGenerating); got != 2 {
		t.Fatalf("generating = %d, want 2", got)
	}
	j := fixtures()[3] // job-gen
	j.Status, j.Progress, j.Version = api.StatusFinished, 200, 3
	old := fixtures()[3]
	old.Version = 2 // arrives late: must not undo the newer snapshot
	conn := track.Conn{Retrying: true, LastError: "dial tcp: connection refused"}
	hs.events(track.Event{Job: &j}, track.Event{Job: &old}, track.Event{Removed: "job-queued"}, track.Event{Conn: &conn})

	if e := hs.m.job("job-gen"); e.cat != catFinished {
		t.Errorf("job-gen is %v, want finished", e.word)
	}
	if hs.m.job("job-queued") != nil {
		t.Error("job-queued still shown after Removed")
	}
	if got := hs.m.countOf(catGenerating); got != 1 {
		t.Errorf("generating = %d, want 1", got)
	}
	head := ansi.Strip(hs.m.header())
	if !strings.Contains(head, "retrying: dial tcp: connection refused") {
		t.Errorf("header %q does not say it is retrying", head)
	}
	if hs.parked == nil {
		t.Error("no command waits for the next events")
	}
}

func TestRemoveAndUndo(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.selectID("job-failed")
	hs.key("x")
	if hs.m.job("job-failed") != nil {
		t.Fatal("job-failed still shown after x")
	}
	if !strings.Contains(hs.m.message(), "removed job-failed — u to undo") {
		t.Errorf("flash = %q", hs.m.message())
	}
	if !strings.Contains(ansi.Strip(hs.view()), "u undo") {
		t.Error("footer does not offer undo")
	}
	hs.key("u")
	hs.events() // the engine's restore event
	if hs.m.job("job-failed") == nil {
		t.Fatal("job-failed not back after u")
	}
	if got, want := hs.m.rows()[6].job.ID, "job-failed"; got != want {
		t.Errorf("restored job at position 6 is %s, want %s (its old place)", got, want)
	}

	// The undo expires.
	hs.selectID("job-deleted")
	hs.key("x")
	hs.fire(undoWindow)
	hs.key("u")
	if hs.m.message() != "nothing to undo" {
		t.Errorf("after the undo window, u says %q", hs.m.message())
	}
	if n := strings.Count(strings.Join(hs.eng.Calls(), "\n"), "Restore"); n != 1 {
		t.Errorf("Restore called %d times, want 1", n)
	}
}

func TestAddPrompt(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.key("a")
	hs.send(tea.PasteMsg{Content: "new-1, new-2\nnew-3\tjob-gen\n\nbad/id new-1\n"})
	if got := ansi.Strip(strings.Join(hs.m.statusLines(1), "")); !strings.Contains(got, "4 IDs") {
		t.Errorf("prompt = %q, want it to count 4 IDs", got)
	}
	hs.key("enter")
	if !slices.Contains(hs.eng.Calls(), "Add new-1,new-2,new-3,job-gen") {
		t.Errorf("calls = %q", hs.eng.Calls())
	}
	for _, id := range []string{"new-1", "new-2", "new-3"} {
		if hs.m.job(id) == nil {
			t.Errorf("%s not shown after adding", id)
		}
	}
	if want := "3 jobs added; 1 ID already tracked; 1 line gave no ID"; hs.m.message() != want {
		t.Errorf("flash = %q, want %q", hs.m.message(), want)
	}

	// A paste at the table opens the prompt; esc drops it.
	hs.send(tea.PasteMsg{Content: "zzz"})
	if hs.m.mode != modeAdd || hs.m.input.value() != "zzz" {
		t.Errorf("paste at the table: mode %v, input %q", hs.m.mode, hs.m.input.value())
	}
	hs.key("esc")
	if hs.m.mode != modeNormal {
		t.Error("esc did not close the prompt")
	}
	// JSON, as the create endpoint answers, works as on the command line.
	hs.key("a")
	hs.send(tea.PasteMsg{Content: `[{"id":"j-1","videoId":"v-1"},{"id":"j-2"}]`})
	hs.key("enter")
	if !slices.Contains(hs.eng.Calls(), "Add j-1,j-2") {
		t.Errorf("JSON paste: calls %q", hs.eng.Calls())
	}
	// Typing works too, with backspace.
	hs.key("a", "q", "x", "backspace", "enter")
	if !slices.Contains(hs.eng.Calls(), "Add q") {
		t.Errorf("typed ID not added: %q", hs.eng.Calls())
	}
}

func TestFilterAndSort(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	ids := func() []string {
		var out []string
		for _, e := range hs.m.rows() {
			out = append(out, e.job.ID)
		}
		return out
	}
	hs.key("/", "f", "i", "n")
	// By status too: preprocessing_finished is the API's word for job-prepdone.
	if got, want := ids(), []string{"job-prepdone", "job-finished", "job-hostile"}; !slices.Equal(got, want) {
		t.Errorf("filter fin: %v, want %v", got, want)
	}
	hs.key("enter")
	hs.key("esc") // clears the filter
	if len(ids()) != len(fixtures()) {
		t.Errorf("esc left %d rows", len(ids()))
	}
	hs.key("/", "Q", "u", "a", "r") // by name, any case
	if got := ids(); !slices.Equal(got, []string{"job-finished"}) {
		t.Errorf("filter by name: %v", got)
	}
	hs.key("esc")

	hs.key("s") // status: trouble first, then failed, ...
	if got := ids()[:3]; !slices.Equal(got, []string{"job-trouble", "job-failed", "job-missing"}) {
		t.Errorf("by status: %v", got)
	}
	hs.key("s") // progress, highest first
	if got := ids()[:2]; !slices.Equal(got, []string{"job-finished", "job-hostile"}) {
		t.Errorf("by progress: %v", got)
	}
	hs.key("s", "s") // name, then back to added
	if got := ids(); got[0] != "job-queued" || hs.m.sortBy != sortAdded {
		t.Errorf("back to added: %v", got)
	}
}

// TestSelectionFollowsJob keeps the cursor on the same job when a sort moves
// it.
func TestSelectionFollowsJob(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.selectID("job-missing")
	hs.key("s")
	if e, _ := hs.m.selected(); e.job.ID != "job-missing" {
		t.Errorf("selected %s after sorting, want job-missing", e.job.ID)
	}
}

// TestTicking: the clock ticks once a second only while a job runs.
func TestTicking(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	if len(hs.timers) != 1 {
		t.Fatalf("%d timers while jobs run, want 1", len(hs.timers))
	}
	before := ansi.Strip(hs.view())
	hs.fire(time.Second)
	if len(hs.timers) != 1 {
		t.Fatalf("tick did not re-arm")
	}
	if after := ansi.Strip(hs.view()); after == before || !strings.Contains(after, "5m 01s") {
		t.Errorf("elapsed time did not move on a tick")
	}

	// End every running job: the next tick is the last.
	var evs []track.Event
	for _, j := range hs.eng.jobs {
		if !j.Terminal() {
			j.Status, j.Err, j.Retrying, j.Version = api.StatusFailed, "", false, 9
			evs = append(evs, track.Event{Job: &j})
		}
	}
	hs.events(evs...)
	hs.fire(time.Second)
	if len(hs.timers) != 0 {
		t.Errorf("%d timers with nothing running", len(hs.timers))
	}

	// With the key rejected nothing is polled: the clock stops too.
	hs2 := newHarness(t, 80, 24, fixtures()...)
	rejected := track.Conn{KeyRejected: true}
	hs2.events(track.Event{Conn: &rejected})
	hs2.fire(time.Second)
	if len(hs2.timers) != 0 {
		t.Errorf("%d timers with the key rejected", len(hs2.timers))
	}

	// Nothing running from the start: no timer at all.
	var ended []track.Job
	for _, j := range fixtures() {
		if j.Terminal() {
			ended = append(ended, j)
		}
	}
	if hs := newHarness(t, 80, 24, ended...); len(hs.timers) != 0 {
		t.Errorf("%d timers with only ended jobs", len(hs.timers))
	}
}

// TestNotify sends one notification per batch of ended jobs, only while the
// terminal is unfocused, in the form the terminal understands.
func TestNotify(t *testing.T) {
	finish := func(hs *harness, ids ...string) {
		var evs []track.Event
		for _, id := range ids {
			e := hs.m.job(id)
			j := e.job
			j.Status, j.Err, j.Retrying, j.Version = api.StatusFinished, "", false, j.Version+1
			evs = append(evs, track.Event{Job: &j})
		}
		hs.events(evs...)
	}
	raws := func(hs *harness) []string {
		var out []string
		for _, m := range hs.effects {
			if r, ok := m.(tea.RawMsg); ok {
				out = append(out, fmt.Sprint(r.Msg))
			}
		}
		return out
	}
	cases := []struct {
		name   string
		env    map[string]string
		notify string
		focus  bool
		want   []string
	}{
		{"focused", map[string]string{"TERM": "xterm-kitty"}, "", true, nil},
		{"kitty", map[string]string{"TERM": "xterm-kitty"}, "", false, []string{"\x1b]9;reel: 2 jobs ended: 2 finished\a"}},
		{"rxvt", map[string]string{"TERM": "rxvt-unicode-256color"}, "", false, []string{"\x1b]777;notify;reel;2 jobs ended: 2 finished\a"}},
		{"unknown", map[string]string{"TERM": "xterm-256color"}, "auto", false, []string{"\a"}},
		{"bell", map[string]string{"TERM": "xterm-kitty"}, "bell", false, []string{"\a"}},
		{"off", map[string]string{"TERM": "xterm-kitty"}, "off", false, nil},
		{"tmux", map[string]string{"TERM": "tmux-256color", "LC_TERMINAL": "iTerm2", "TMUX": "/tmp/x"}, "", false,
			[]string{"\x1bPtmux;\x1b\x1b]9;reel: 2 jobs ended: 2 finished\a\x1b\\"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarnessWith(t, 80, 24, func(hs *harness, o *Options) {
				hs.env = c.env
				if c.notify != "" {
					o.Notify = c.notify
				}
			}, fixtures()...)
			if !c.focus {
				hs.send(tea.BlurMsg{})
			}
			finish(hs, "job-gen", "job-prep")
			if got := raws(hs); !slices.Equal(got, c.want) {
				t.Errorf("raw writes = %q, want %q", got, c.want)
			}
		})
	}

	t.Run("one job names it, focus back stops it", func(t *testing.T) {
		hs := newHarness(t, 80, 24, fixtures()...)
		hs.env = map[string]string{"TERM_PROGRAM": "WezTerm"}
		hs.send(tea.BlurMsg{})
		finish(hs, "job-gen")
		hs.send(tea.FocusMsg{})
		finish(hs, "job-prep")
		if got, want := raws(hs), []string{"\x1b]9;reel: job-gen finished\a"}; !slices.Equal(got, want) {
			t.Errorf("raw writes = %q, want %q", got, want)
		}
	})
}

func TestOpenAndCopy(t *testing.T) {
	share := "https://share.colossyan.com/v/abc123"
	cases := []struct {
		name     string
		env      map[string]string
		key      string
		opened   bool
		wantRaws []string
	}{
		{"local opens", map[string]string{"DISPLAY": ":0"}, "o", true, nil},
		{"ssh copies", map[string]string{"SSH_TTY": "/dev/pts/1", "DISPLAY": ":0"}, "o", false, nil},
		{"no display copies", map[string]string{}, "o", false, nil},
		{"opener fails, copies", map[string]string{"DISPLAY": ":0", "FAIL_OPEN": "1"}, "o", true, nil},
		{"y in tmux", map[string]string{"TMUX": "/tmp/t"}, "y", false,
			[]string{ansi.TmuxPassthrough(ansi.SetSystemClipboard(share))}},
		{"y in screen", map[string]string{"TERM": "screen-256color"}, "y", false,
			[]string{ansi.ScreenPassthrough(ansi.SetSystemClipboard(share), screenChunk)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarness(t, 80, 24, fixtures()...)
			hs.env = c.env
			hs.selectID("job-finished")
			hs.key(c.key)
			if c.opened {
				// A callback's link: the first o only shows its host.
				if len(hs.opened) > 0 || !strings.Contains(ansi.Strip(hs.view()), "link, to share.colossyan.com: o again opens it") {
					t.Fatalf("first o opened %q or did not show the host:\n%s", hs.opened, ansi.Strip(hs.view()))
				}
				hs.key(c.key)
			}
			if got := len(hs.opened) > 0; got != c.opened {
				t.Errorf("opener called = %v, want %v", got, c.opened)
			}
			if c.opened && hs.opened[0] != share {
				t.Errorf("opened %q, want the share link", hs.opened[0])
			}
			copied := c.key == "y" || !c.opened || c.env["FAIL_OPEN"] != ""
			var raws []string
			sawClipboard := false
			for _, m := range hs.effects {
				switch m := m.(type) {
				case tea.RawMsg:
					raws = append(raws, fmt.Sprint(m.Msg))
				default:
					if fmt.Sprintf("%T", m) == "tea.setClipboardMsg" && fmt.Sprint(m) == share {
						sawClipboard = true
					}
				}
			}
			if sawClipboard != copied {
				t.Errorf("clipboard written = %v, want %v (effects %#v)", sawClipboard, copied, hs.effects)
			}
			if !slices.Equal(raws, c.wantRaws) {
				t.Errorf("raw writes = %q, want %q", raws, c.wantRaws)
			}
			if copied && !strings.Contains(ansi.Strip(hs.view()), share) {
				t.Error("the copied link is not shown on screen")
			}
		})
	}

	t.Run("video link when no share link", func(t *testing.T) {
		hs := newHarness(t, 80, 24, fixtures()...)
		j := hs.m.job("job-finished").job
		j.ShareURL, j.Version = "", j.Version+1
		hs.events(track.Event{Job: &j})
		hs.selectID("job-finished")
		hs.key("o")
		if want := "https://cdn.example.com/videos/vid-finished.mp4?sig=xyz"; !slices.Equal(hs.opened, []string{want}) {
			t.Errorf("opened %q, want %q", hs.opened, want)
		}
	})
	t.Run("unsafe link refused", func(t *testing.T) {
		hs := newHarness(t, 80, 24, fixtures()...)
		hs.selectID("job-hostile")
		hs.key("o", "y")
		if len(hs.opened) > 0 || len(hs.effects) > 0 {
			t.Errorf("a javascript: URL went out: opened %q, effects %v", hs.opened, hs.effects)
		}
	})
	t.Run("too long for the clipboard", func(t *testing.T) {
		if cmds := clipboardCmds("https://x/"+strings.Repeat("a", maxClipboard), func(string) string { return "" }); cmds != nil {
			t.Errorf("%d clipboard writes for an oversized link", len(cmds))
		}
	})
}

func TestMouse(t *testing.T) {
	jobs := manyJobs(100)
	hs := newHarness(t, 80, 24, jobs...)
	f := hs.m.frame()
	hs.send(tea.MouseClickMsg{Button: tea.MouseLeft, X: 5, Y: f.rowsTop + 4})
	if e, _ := hs.m.selected(); e.job.ID != jobs[4].ID {
		t.Errorf("click selected %s, want %s", e.job.ID, jobs[4].ID)
	}
	for range 5 {
		hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	}
	cur, off := hs.m.window()
	if off != 5*wheelStep {
		t.Errorf("offset %d after 5 wheel notches, want %d", off, 5*wheelStep)
	}
	if cur < off {
		t.Errorf("cursor %d left above the window at %d", cur, off)
	}
	hs.send(tea.MouseClickMsg{Button: tea.MouseLeft, X: 5, Y: f.rowsTop})
	if e, _ := hs.m.selected(); e.job.ID != jobs[15].ID {
		t.Errorf("click after scrolling selected %s, want %s", e.job.ID, jobs[15].ID)
	}
	hs.send(tea.MouseClickMsg{Button: tea.MouseLeft, X: 5, Y: 0}) // the header: nothing
	if e, _ := hs.m.selected(); e.job.ID != jobs[15].ID {
		t.Errorf("click on the header moved the selection to %s", e.job.ID)
	}
	if v := hs.m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Errorf("mouse mode %v, want cell motion", v.MouseMode)
	}
	hs = newHarnessWith(t, 80, 24, func(_ *harness, o *Options) { o.NoMouse = true }, jobs...)
	if v := hs.m.View(); v.MouseMode != tea.MouseModeNone {
		t.Errorf("mouse off: mode %v", v.MouseMode)
	}
}

func TestQuitAndDownloads(t *testing.T) {
	t.Run("no downloader", func(t *testing.T) {
		hs := newHarness(t, 80, 24, fixtures()...)
		hs.selectID("job-finished")
		hs.key("d")
		if hs.m.message() != "downloads not available" {
			t.Errorf("d says %q", hs.m.message())
		}
		hs.key("q")
		if !hs.quit {
			t.Error("q did not quit")
		}
	})
	t.Run("asks while downloading", func(t *testing.T) {
		hs := newHarnessDL(t, 80, 24, fixtures()...)
		hs.selectID("job-finished")
		hs.key("d")
		hs.key("q")
		if hs.quit || hs.m.mode != modeConfirmQuit {
			t.Fatalf("q quit at once with downloads running")
		}
		hs.key("n")
		if hs.quit || hs.m.mode != modeNormal {
			t.Fatal("n did not cancel")
		}
		hs.key("q", "y")
		if !hs.quit {
			t.Error("y did not quit")
		}
	})
	t.Run("ctrl+c always quits", func(t *testing.T) {
		hs := newHarness(t, 80, 24, fixtures()...)
		hs.key("a", "ctrl+c")
		if !hs.quit {
			t.Error("ctrl+c did not quit from the prompt")
		}
	})
}

// TestHostileText: server text full of escape sequences reaches the screen
// harmless, in the rows, the detail pane, the title and the summary.
func TestHostileText(t *testing.T) {
	hs := newHarness(t, 160, 45, fixtures()...)
	hs.selectID("job-hostile")
	hs.key("enter")
	v := hs.m.View()
	for name, s := range map[string]string{"view": v.Content, "title": v.WindowTitle, "summary": summary(hs.eng.jobs)} {
		for _, bad := range []string{"\x1b]0;", "pwned", "\x1b[2J", "\x07evil", "evil.example/\x07", "\u202e", "\u200b", "\r", "\x9b", "\x1b]8;;javascript", "\x1b]8;;https://user@"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
	if !strings.Contains(ansi.Strip(v.Content), "evil clickeman second line") {
		t.Error("the hostile row does not show its cleaned name")
	}
}

// TestHyperlinks: links in the detail pane are shown whole, wrapped over
// as many lines as they need, each piece an OSC 8 link to the whole URL
// with one id, in the pane below the table and beside it.
func TestHyperlinks(t *testing.T) {
	long := "https://cdn.example.com/videos/vid-finished.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20250314%2Feu-west-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20250314T120000Z&X-Amz-Expires=86400&X-Amz-Signature=" + strings.Repeat("0123456789abcdef", 4)
	link := regexp.MustCompile(regexp.QuoteMeta("\x1b]8;") + `(id=reel-[0-9a-z]+);([^\x07]*)\x07([^\x1b]*)` + regexp.QuoteMeta(ansi.ResetHyperlink()))
	// 80x40: on 80x24 the pane's 9 lines hold the long link but not the
	// thumbnail's.
	for _, sz := range [][2]int{{80, 40}, {160, 45}} {
		jobs := fixtures()
		jobs[5].Video.PublicURL = long
		hs := newHarness(t, sz[0], sz[1], jobs...)
		hs.selectID("job-finished")
		hs.key("enter")
		out := hs.view()
		checkFrame(t, out, sz[0], sz[1])
		for _, u := range []string{"https://share.colossyan.com/v/abc123", long, "https://cdn.example.com/thumbs/vid-finished.jpg"} {
			var text string
			ids := map[string]bool{}
			pieces := 0
			for _, g := range link.FindAllStringSubmatch(out, -1) {
				if g[2] == u {
					text += g[3]
					ids[g[1]] = true
					pieces++
				}
			}
			if text != u {
				t.Errorf("%dx%d: the linked text reads %q, want the whole URL %q", sz[0], sz[1], text, u)
			}
			if len(ids) != 1 {
				t.Errorf("%dx%d: %s has ids %v, want one", sz[0], sz[1], u, ids)
			}
			if u == long && pieces < 3 {
				t.Errorf("%dx%d: the long URL is in %d pieces, want it wrapped", sz[0], sz[1], pieces)
			}
		}
		if strings.Contains(ansi.Strip(out), "vid-finished.mp4?X…") {
			t.Errorf("%dx%d: the URL is still cut", sz[0], sz[1])
		}
	}
}

func TestChrome(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	v := hs.m.View()
	if want := "reel: 8 running, 2 finished, 1 failed, 1 not found"; v.WindowTitle != want {
		t.Errorf("title %q, want %q", v.WindowTitle, want)
	}
	if v.ProgressBar == nil || v.ProgressBar.State != tea.ProgressBarWarning {
		t.Errorf("progress bar %+v, want a warning bar (a job failed)", v.ProgressBar)
	}
	if !v.ReportFocus || !v.AltScreen {
		t.Error("view must report focus and use the alternate screen")
	}
	// ctrl+l redraws.
	_, cmd := hs.m.Update(keyMsg("ctrl+l"))
	if cmd == nil || fmt.Sprintf("%T", cmd()) != "tea.clearScreenMsg" {
		t.Error("ctrl+l does not clear the screen")
	}

	var ended []track.Job
	for _, j := range fixtures() {
		if j.Terminal() {
			ended = append(ended, j)
		}
	}
	if v := newHarness(t, 80, 24, ended...).m.View(); v.ProgressBar != nil {
		t.Errorf("progress bar %+v with nothing running", v.ProgressBar)
	}
}

func TestSummary(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()[4:8]...)
	want := "● generating  job-gen-noeta\n" +
		"✓ finished    job-finished   Quarterly update – Anna\n" +
		"✗ failed      job-failed     Avatar not available\n" +
		"⊘ deleted     job-deleted\n"
	if got := summary(hs.eng.jobs); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

func TestRowCells(t *testing.T) {
	jobs := fixtures()
	l := computeLayout(200, 13)
	cases := []struct {
		i    int
		want cells
	}{
		{0, cells{id: "job-queued", status: "◌ in queue", bar: "░░░░░░░░░░░░", pct: "0%", time: "2m 00s"}},
		{3, cells{id: "job-gen", status: "● generating", bar: "███████░░░░░", pct: "61%", time: "~1m 05s left"}},
		{5, cells{id: "job-finished", name: "Quarterly update – Anna", status: "✓ finished", bar: "████████████", pct: "100%", time: "9m 00s", dur: "1m 23s", size: "3.0 MB"}},
		// No video, so no name: the reason from the job object, cleaned.
		{6, cells{id: "job-failed", name: "Avatar not available", status: "✗ failed", bar: "████░░░░░░░░", pct: "40%", time: "28m 00s"}}, // from its creationDate
		{8, cells{id: "job-missing", status: "? not found"}},
		{9, cells{id: "job-trouble", name: "GET /video-generation-jobs/job-trouble: 503 Service Unavailable", status: "! trouble", bar: "███░░░░░░░░░", pct: "30%", time: "6m 00s"}},
		{10, cells{id: "job-new", status: "· waiting", time: "5s"}},
	}
	for _, c := range cases {
		if got := rowCells(newEntry(jobs[c.i]), l, fixedNow); got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", jobs[c.i].ID, got, c.want)
		}
	}
}

func TestLayout(t *testing.T) {
	cases := []struct {
		w     int
		maxID int
		cols  string // which optional columns remain
		id    int
		bar   int
	}{
		{200, 36, "bar pct time dur size", 36, 12},
		{139, 36, "bar pct time dur size", 36, 12},
		// Narrower, the ID gives way before the name or any column.
		{138, 36, "bar pct time dur size", 13, 12},
		{102, 36, "bar pct time dur size", 13, 12},
		{101, 36, "bar pct time dur", 13, 12},
		{91, 36, "bar pct time", 13, 12},
		{81, 36, "bar pct time", 13, 8},
		{80, 36, "bar pct time", 13, 8},
		{80, 10, "bar pct time", 10, 12},
		{77, 36, "pct time", 13, 0},
		{60, 36, "pct", 13, 0},
		{40, 36, "", 8, 0},
	}
	for _, c := range cases {
		l := computeLayout(c.w, c.maxID)
		var cols []string
		for _, x := range []struct {
			n string
			w int
		}{{"bar", l.bar}, {"pct", l.pct}, {"time", l.time}, {"dur", l.dur}, {"size", l.size}} {
			if x.w > 0 {
				cols = append(cols, x.n)
			}
		}
		if got := strings.Join(cols, " "); got != c.cols || l.id != c.id || l.bar != c.bar {
			t.Errorf("width %d: columns %q id %d bar %d, want %q id %d bar %d", c.w, got, l.id, l.bar, c.cols, c.id, c.bar)
		}
		if l.bar > 0 && l.bar+1+l.pct < dlWideText {
			t.Errorf("width %d: a download's words do not fit the progress area", c.w)
		}
		if l.fixed()+l.name != c.w {
			t.Errorf("width %d: columns add up to %d", c.w, l.fixed()+l.name)
		}
	}
	// A whole UUID only where the name has room to spare.
	for w := 40; w <= 220; w++ {
		if l := computeLayout(w, 36); l.id > shortID && l.name < roomName {
			t.Errorf("width %d: a whole ID and a name of %d", w, l.name)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		done bool
		want string
	}{{0, false, "0%"}, {0.615, false, "61%"}, {0.999, false, "99%"}, {1, false, "99%"}, {1, true, "100%"}} {
		if got := formatPercent(c.f, c.done); got != c.want {
			t.Errorf("formatPercent(%v, %v) = %q, want %q", c.f, c.done, got, c.want)
		}
	}
	for _, c := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 5, "abc  "}, {"abcdef", 4, "abc…"}, {"abcd", 4, "abcd"}, {"", 2, "  "}, {"x", 0, ""},
		{"héllo", 4, "hél…"}, {"日本語", 4, "日… "}, {"🎬 a", 5, "🎬 a "},
	} {
		if got := fit(c.s, c.w); got != c.want {
			t.Errorf("fit(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{45 * time.Second, "~45s left"}, {9*time.Minute + 59*time.Second, "~9m 59s left"},
		{29*time.Minute + 58*time.Second, "~30m left"}, {time.Hour + 5*time.Minute, "~1h 05m left"},
		{9*time.Hour + 59*time.Minute, "~9h 59m left"}, {12*time.Hour + 20*time.Minute, "~12h left"},
	} {
		if got := leftText(c.d); got != c.want || len(got) > 12 {
			t.Errorf("leftText(%v) = %q, want %q in at most 12 cells", c.d, got, c.want)
		}
	}
	if got := formatClock(fixedNow.Add(-time.Hour), fixedNow, time.UTC); got != "11:00:00" {
		t.Errorf("today: %q", got)
	}
	if got := formatClock(fixedNow.Add(-48*time.Hour), fixedNow, time.UTC); got != "2025-03-12 12:00:00" {
		t.Errorf("other day: %q", got)
	}
}

// manyJobs makes n generating jobs with distinct progress.
func manyJobs(n int) []track.Job {
	jobs := make([]track.Job, n)
	for i := range jobs {
		jobs[i] = track.Job{
			ID: fmt.Sprintf("0f8c2d1e-%04d-4a5b-9c3d-2e1f0a9b8c7d", i), Seq: int64(i + 1), Version: 1,
			Status: api.StatusGenerating, Progress: float64(i % 100), MaximumProgress: 100,
			Added: fixedNow.Add(-time.Hour), Started: fixedNow.Add(-30 * time.Minute),
		}
	}
	return jobs
}

// TestStatusWords: rows, header, help, details and the summary use one set
// of words, and the filter finds a job by that word or by the API's.
func TestStatusWords(t *testing.T) {
	cases := []struct {
		status api.Status
		word   string
	}{
		{api.StatusInQueue, "in queue"},
		{api.StatusPreprocessing, "preprocessing"},
		{api.StatusPreprocessingFinished, "preprocessed"},
		{api.StatusGenerating, "generating"},
		{api.StatusFinished, "finished"},
		{api.StatusFailed, "failed"},
		{api.StatusDeleted, "deleted"},
		{"paused", "paused"},
		{"odd\x1b[31m_state", "odd_state"},
	}
	for _, c := range cases {
		j := track.Job{ID: "j", Status: c.status}
		if got := newEntry(j).word; got != c.word {
			t.Errorf("%q shows as %q, want %q", c.status, got, c.word)
		}
	}
	if got := newEntry(track.Job{ID: "j", NotFound: true}).word; got != "not found" {
		t.Errorf("not found shows as %q", got)
	}

	hs := newHarness(t, 160, 45, fixtures()[:6]...) // few enough kinds for words in the header
	view := ansi.Strip(hs.view())
	if strings.Contains(view, "in_queue") || !strings.Contains(view, "◌ in queue") || !strings.Contains(view, "◌ 1 in queue") {
		t.Errorf("rows and header must both say \"in queue\":\n%s", view)
	}
	hs.key("?")
	if help := strings.ReplaceAll(ansi.Strip(hs.view()), "\u00a0", " "); !strings.Contains(help, "◌ in queue") {
		t.Errorf("help legend lacks \"in queue\":\n%s", help)
	}
	hs.key("esc")
	for _, f := range []string{"in queue", "in_queue", "preprocessing_finished", "preprocessed"} {
		hs.key("/")
		hs.send(tea.PasteMsg{Content: f})
		if n := len(hs.m.rows()); n != 1 {
			t.Errorf("filter %q matches %d rows, want 1", f, n)
		}
		hs.key("esc")
	}
	if s := summary(fixtures()[:1]); s != "◌ in queue  job-queued\n" {
		t.Errorf("summary %q", s)
	}
}

// TestNotice: the start notice shows until another message takes its
// place; moving around does not clear it.
func TestNotice(t *testing.T) {
	hs := &harness{t: t, now: fixedNow, env: map[string]string{}}
	hs.eng = newFakeEngine(t, fixtures()...)
	o := hs.options()
	o.Notice = "callbacks: http://127.0.0.1:8377/callback/0123456789abcdef0123456789abcdef\x1b[2J"
	hs.m = newModel(o)
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.run(hs.m.Init())
	status := func() string {
		lines := strings.Split(ansi.Strip(hs.view()), "\n")
		return lines[len(lines)-2]
	}
	want := " callbacks: http://127.0.0.1:8377/callback/0123456789abcdef0123456789abcdef"
	if got := status(); strings.TrimRight(got, " ") != want {
		t.Errorf("status line %q, want the notice, cleaned, the job count giving way", got)
	}
	hs.key("j", "k", "enter", "esc")
	if got := status(); !strings.Contains(got, "callbacks: http://127.0.0.1:8377/") {
		t.Errorf("keys cleared the notice: %q", got)
	}
	hs.key("s")
	if got := status(); strings.Contains(got, "callbacks") || !strings.Contains(got, "sorted by status") {
		t.Errorf("another message must replace the notice: %q", got)
	}
	hs.key("j")
	if got := status(); strings.Contains(got, "callbacks") {
		t.Errorf("the notice came back: %q", got)
	}
}

// TestSummaryReasons: a failed job's summary line ends with its reason,
// whitespace squeezed, the line capped.
func TestSummaryReasons(t *testing.T) {
	long := strings.Repeat("very long reason ", 30)
	raw := func(reason string) json.RawMessage {
		b, _ := json.Marshal(map[string]string{"failureReason": reason})
		return b
	}
	jobs := []track.Job{
		{ID: "job-a", Status: api.StatusFailed, Video: &api.Video{Name: "Intro"},
			Job: &api.Job{Raw: raw("Avatar\tnot   available\n")}},
		{ID: "job-b", Status: api.StatusFailed, Job: &api.Job{Raw: raw(long)}},
	}
	lines := strings.Split(strings.TrimSuffix(summary(jobs), "\n"), "\n")
	if want := "✗ failed  job-a  Intro — Avatar not available"; lines[0] != want {
		t.Errorf("line %q, want %q", lines[0], want)
	}
	if w := ansi.StringWidth(lines[1]); w != summaryLineW || !strings.HasSuffix(lines[1], "…") ||
		!strings.HasPrefix(lines[1], "✗ failed  job-b  very long reason very") {
		t.Errorf("long line (%d cells): %q", w, lines[1])
	}
}
