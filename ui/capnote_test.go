package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/track"
)

// When the request cap, not the pace, decides how fresh rows are, the
// header says so and what helps; when it no longer does, the header says
// when the last poll was again.
func TestHeaderSaysWhenTheCapDecides(t *testing.T) {
	hs := newHarness(t, 160, 45, fixtures()...)
	c := track.Conn{LastGood: fixedNow.Add(-time.Second), MaxRPS: 10, CapCycle: 33 * time.Minute}
	hs.events(track.Event{Conn: &c})
	header := strings.SplitN(ansi.Strip(hs.view()), "\n", 2)[0]
	for _, want := range []string{"10 req/s cap", "every ~33m", "callbacks: --listen"} {
		if !strings.Contains(header, want) {
			t.Errorf("header %q does not say %q", header, want)
		}
	}
	c.CapCycle = 0
	hs.events(track.Event{Conn: &c})
	if header := strings.SplitN(ansi.Strip(hs.view()), "\n", 2)[0]; strings.Contains(header, "cap") || !strings.Contains(header, "last poll") {
		t.Errorf("header %q: want the last poll, not the cap", header)
	}
}
