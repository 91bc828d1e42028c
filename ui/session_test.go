package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// newSessionHarness is a dashboard shown to a remote viewer, with a fake
// downloader behind d and D.
func newSessionHarness(t *testing.T, s Session) *harness {
	t.Helper()
	hs := &harness{t: t, now: fixedNow, env: map[string]string{"DISPLAY": ":0"}}
	hs.eng = newFakeEngine(t, finishedJobs(3)...)
	hs.eng.conn = fixtureConn()
	o := hs.options()
	hs.dl = newFakeDownloader(t, &hs.eng.inCmd)
	o.Downloader = hs.dl
	o.Session = s
	hs.m = newModel(o)
	hs.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	hs.run(hs.m.Init())
	return hs
}

// clipboard is what the effects wrote to the clipboard.
func (hs *harness) clipboard() []string {
	var out []string
	for _, m := range hs.effects {
		if fmt.Sprintf("%T", m) == "tea.setClipboardMsg" {
			out = append(out, fmt.Sprint(m))
		}
	}
	return out
}

func TestReadOnlySessionChangesNothing(t *testing.T) {
	hs := newSessionHarness(t, Session{Remote: true, ReadOnly: true, Label: "bob@phone"})
	head, _, _ := strings.Cut(hs.view(), "\n")
	if !strings.Contains(head, "read-only · bob@phone") {
		t.Errorf("header %q does not say read-only and whose key", head)
	}
	lines := strings.Split(hs.view(), "\n")
	if foot := lines[len(lines)-1]; strings.Contains(foot, "add") || strings.Contains(foot, "remove") {
		t.Errorf("the footer offers what a read-only key may not do: %q", foot)
	}
	hs.key("?")
	if help := hs.view(); strings.Contains(help, "stop tracking") || strings.Contains(help, "download all") {
		t.Errorf("the help offers what a read-only key may not do:\n%s", help)
	}
	hs.key("?")
	for _, c := range []struct{ key, want string }{
		{"a", "may not add jobs"},
		{"x", "may not stop tracking"},
		{"u", "may not undo"},
		{"D", "may not save videos on the server"},
		{"R", "may not refresh every job"},
	} {
		hs.key(c.key)
		if !strings.Contains(hs.m.message(), c.want) || hs.m.mode != modeNormal {
			t.Errorf("%s: flash %q, mode %v; want %q and the table", c.key, hs.m.message(), hs.m.mode, c.want)
		}
	}
	hs.send(tea.PasteMsg{Content: "job-new"})
	if hs.m.mode != modeNormal {
		t.Error("a paste opened the add prompt for a read-only key")
	}
	// d gives the video's file link instead of saving it.
	hs.key("d")
	if got, want := hs.clipboard(), []string{"https://cdn.example/vid-00.mp4"}; !slices.Equal(got, want) {
		t.Errorf("d copied %q, want %q", got, want)
	}
	if !strings.Contains(hs.m.message(), "not saved on the server") || hs.m.flash.Link() == "" {
		t.Errorf("d: flash %q, link %q; want the link shown", hs.m.message(), hs.m.flash.Link())
	}
	for _, call := range append(hs.eng.Calls(), hs.dl.Calls()...) {
		if strings.HasPrefix(call, "Add") || strings.HasPrefix(call, "Remove") || strings.HasPrefix(call, "Restore") || strings.HasPrefix(call, "Start") ||
			call == "Refresh " {
			t.Errorf("a read-only session called %s", call)
		}
	}
	// Filtering is only looking: it works.
	hs.key("/", "0", "1", "enter")
	if hs.m.list.Filter() != "01" {
		t.Errorf("filter %q, want 01", hs.m.list.Filter())
	}
}

func TestRemoteSessionCopiesInsteadOfOpeningABrowser(t *testing.T) {
	hs := newSessionHarness(t, Session{Remote: true})
	hs.key("o")
	if len(hs.opened) != 0 {
		t.Errorf("o opened %q on the server", hs.opened)
	}
	if got := hs.clipboard(); len(got) != 1 || got[0] != "https://cdn.example/vid-00.mp4" {
		t.Errorf("o copied %q, want the video's link", got)
	}
	if !strings.Contains(hs.m.message(), "the server opens no browser") {
		t.Errorf("flash %q", hs.m.message())
	}
	// A full key's d saves on the server.
	hs.key("d")
	if !slices.ContainsFunc(hs.dl.Calls(), func(c string) bool { return strings.HasPrefix(c, "Start") }) {
		t.Errorf("a full key's d did not start a download: %q", hs.dl.Calls())
	}
}

func TestSessionSizesReachTheDashboard(t *testing.T) {
	sizes := make(chan tea.WindowSizeMsg, 1)
	sizes <- tea.WindowSizeMsg{Width: 70, Height: 18}
	close(sizes)
	hs := newSessionHarness(t, Session{Remote: true, Sizes: sizes})
	var got []tea.Msg
	for _, m := range hs.effects {
		if r, ok := m.(resizedMsg); ok {
			got = append(got, r)
			hs.effects = nil
			hs.send(r)
			break
		}
	}
	if len(got) != 1 {
		t.Fatalf("no size came from the session: effects %#v", hs.effects)
	}
	// The size goes on as a WindowSizeMsg, so the renderer sees it too.
	i := slices.IndexFunc(hs.effects, func(m tea.Msg) bool { _, ok := m.(tea.WindowSizeMsg); return ok })
	if i < 0 {
		t.Fatalf("no WindowSizeMsg after the session's size: %#v", hs.effects)
	}
	hs.send(hs.effects[i])
	if hs.m.width != 70 || hs.m.height != 18 {
		t.Errorf("size %dx%d, want 70x18", hs.m.width, hs.m.height)
	}
}
