package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The statistics view's scroll is settled in Update, within the text the
// screen has, so that drawing changes nothing: after G the offset is
// already the last page's, and k moves up from there at once; a taller
// screen lowers it.
func TestStatsScrollSettledInUpdate(t *testing.T) {
	hs, _ := newHarnessHistory(t, 100, 20, fixtures()...)
	hs.key("S")
	body := len(hs.m.statsBody(hs.m.width))
	page := hs.m.statsPage()
	if body <= page {
		t.Fatalf("%d lines fit a page of %d: nothing to scroll", body, page)
	}
	hs.key("G")
	last := body - page
	if hs.m.stats.off != last {
		t.Fatalf("after G the offset is %d; want %d, the last page's", hs.m.stats.off, last)
	}
	first := hs.view()
	if hs.m.stats.off != last || hs.view() != first {
		t.Fatalf("drawing moved the offset to %d", hs.m.stats.off)
	}
	hs.key("k")
	if hs.m.stats.off != last-1 {
		t.Errorf("k after G: offset %d; want %d", hs.m.stats.off, last-1)
	}
	hs.key("pgdown", "pgdown")
	if hs.m.stats.off != last {
		t.Errorf("pgdown past the end: offset %d; want %d", hs.m.stats.off, last)
	}
	hs.send(tea.WindowSizeMsg{Width: 100, Height: 200})
	if hs.m.stats.off != 0 {
		t.Errorf("everything fits a tall screen, yet the offset is %d", hs.m.stats.off)
	}
}
