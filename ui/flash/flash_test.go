package flash

import (
	"slices"
	"strings"
	"testing"
)

func TestExpire(t *testing.T) {
	var l Line
	first := l.Set("refreshing job-1", false)
	if l.Text() != "refreshing job-1" || l.Warning() {
		t.Fatalf("Set: %q warn %v", l.Text(), l.Warning())
	}
	second := l.Set("could not open a browser", true)
	if l.Expire(first) {
		t.Error("an older message's timer cleared a newer one")
	}
	if l.Text() != "could not open a browser" || !l.Warning() {
		t.Errorf("after an old timer: %q warn %v", l.Text(), l.Warning())
	}
	l.Append("; here it is")
	if l.Token() != second {
		t.Error("Append made a new message: its timer would not end it")
	}
	if !l.Expire(second) || l.Text() != "" || l.Warning() {
		t.Errorf("the message's own timer left %q warn %v", l.Text(), l.Warning())
	}
	if l.Expire(second) {
		t.Error("a timer fired twice cleared twice")
	}
}

func TestKeysAndNotice(t *testing.T) {
	var l Line
	l.Notice("callbacks: http://127.0.0.1:8377/")
	l.KeyPressed()
	if !l.Kept() || !l.Starts("callbacks:") {
		t.Errorf("a key cleared the notice: %q", l.Text())
	}
	l.Set("sorted by status", false)
	if l.Kept() {
		t.Error("a new message is kept like the notice")
	}
	l.KeyPressed()
	if l.Text() != "" {
		t.Errorf("a key left %q", l.Text())
	}
	l.Set("refreshing all 3 jobs", false)
	l.Prepend("read a new API key; ")
	l.Warn()
	if l.Text() != "read a new API key; refreshing all 3 jobs" || !l.Warning() {
		t.Errorf("Prepend/Warn: %q warn %v", l.Text(), l.Warning())
	}
}

func TestLink(t *testing.T) {
	var l Line
	link := "https://example.com/" + strings.Repeat("a", 80) // 100 cells
	l.Set("link sent to the terminal's clipboard:", false)
	l.ShowLink(link)
	for _, c := range []struct{ w, h int }{{0, 1}, {200, 2}, {100, 2}, {40, 4}, {10, 5}} {
		if got := l.Height(c.w); got != c.h {
			t.Errorf("at width %d the line takes %d lines, want %d", c.w, got, c.h)
		}
	}
	if got := l.LinkLines(40, 3); strings.Join(got, "") != link || len(got) != 3 || len(got[0]) != 40 {
		t.Errorf("LinkLines(40, 3) = %q", got)
	}
	if got := l.LinkLines(10, 4); len(got) != 4 || !slices.Equal(got[:1], []string{"https://ex"}) {
		t.Errorf("LinkLines(10, 4) = %q", got)
	}
	l.Set("opened in the browser", false)
	if l.Link() != "" || l.Height(40) != 1 {
		t.Errorf("a new message kept the link %q", l.Link())
	}
}
