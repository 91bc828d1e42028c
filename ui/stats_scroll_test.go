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

// The charts are rendered again only when the summary, the span or the
// width changes: Update settles the scroll after every message (a tick, a
// poll answer, a download's progress), and in reel serve every session in
// the statistics view would otherwise render them all each time.
func TestStatsBodyKeptBetweenMessages(t *testing.T) {
	hs, _ := newHarnessHistory(t, 100, 20, fixtures()...)
	hs.key("S")
	first := hs.m.statsBody(hs.m.width)
	if len(first) < 2 {
		t.Fatalf("the statistics are %d lines: no summary yet", len(first))
	}
	hs.key("j")
	hs.view()
	if again := hs.m.statsBody(hs.m.width); &again[0] != &first[0] {
		t.Error("a key that only scrolls rendered the charts again")
	}
	hs.send(tea.WindowSizeMsg{Width: 120, Height: 20})
	wider := hs.m.statsBody(hs.m.width)
	if &wider[0] == &first[0] {
		t.Error("a wider screen kept the narrower charts")
	}
	if w := len([]rune(first[0])); w > 100 {
		t.Errorf("first line %d cells at width 100", w)
	}
}
