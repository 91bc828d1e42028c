package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/track"
)

// The header says whether this dashboard polls or watches another process
// poll, after the connection's own words, and nothing when no store is
// shared.
func TestHeaderShowsTheRole(t *testing.T) {
	hs := newHarness(t, 120, 24, fixtures()...)
	for _, c := range []struct {
		conn track.Conn
		want string
	}{
		{track.Conn{Role: "polling"}, "polling "},
		{track.Conn{Role: "watching host-a:4242", LastGood: time.Now()}, " · watching host-a:4242 "},
		{track.Conn{Role: "watching evil\x1b]0;x\x07:1"}, "watching evil"},
		{track.Conn{}, ""},
	} {
		conn := c.conn
		hs.events(track.Event{Conn: &conn})
		head := ansi.Strip(hs.m.header())
		if c.want == "" {
			if strings.Contains(head, "polling") || strings.Contains(head, "watching") {
				t.Errorf("no role, yet the header says %q", head)
			}
			continue
		}
		if !strings.HasSuffix(head, c.want) && !strings.Contains(head, c.want) {
			t.Errorf("role %q: header %q lacks %q", conn.Role, head, c.want)
		}
		if strings.ContainsRune(hs.m.header(), '\a') {
			t.Errorf("role %q reached the terminal unclean", conn.Role)
		}
	}
}
