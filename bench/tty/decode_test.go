package main

import (
	"maps"
	"testing"
)

func TestBreakdown(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want map[string]int
	}{
		{"a clock tick", "\x1b[3;134H\x1b[7m8\x1b[m\n\b0s", map[string]int{
			"cursor position (H)": 8, "SGR colour/style (m)": 7, "text": 3, "C0 moves (CR LF BS HT)": 2,
		}},
		{"a progress step", "\x1b]9;4;1;13\a\x1b[7;110H\x1b[36m██\x1b[39;2m░ \x1b[6D", map[string]int{
			"OSC 9;4 progress": 11, "cursor position (H)": 8, "SGR colour/style (m)": 12,
			"text": 9, "text: spaces": 1, "cursor move (A-G,d)": 4,
		}},
		{"modes, erase and a title", "\x1b[?2026h\x1b[?25l\x1b[K\x1b]2;reel\a\x1b[?2026l", map[string]int{
			"sync output ?2026h/l": 16, "CSI ? modes": 6, "erase (K,J,X)": 3, "OSC 2": 9,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := breakdown([]byte(tt.raw)); !maps.Equal(got, tt.want) {
				t.Errorf("breakdown(%q) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}
