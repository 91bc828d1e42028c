package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The add prompt's note on a paste's problems is cut between words.
func TestCutWords(t *testing.T) {
	s := " 2 IDs (2 lines gave no ID; first paste:2: \"bad!\" is not an ID)"
	for w := 12; w < len(s)+2; w++ {
		got := cutWords(s, w)
		if ansi.StringWidth(got) > w {
			t.Errorf("w=%d: %q is %d wide", w, got, ansi.StringWidth(got))
		}
		if got == s {
			continue
		}
		body := strings.TrimSuffix(got, "…")
		if !strings.HasPrefix(s, body) {
			t.Fatalf("w=%d: %q is not the start of the text", w, got)
		}
		if next := s[len(body)]; next != ' ' && next != ',' && next != ';' && next != ':' && next != '(' {
			t.Errorf("w=%d: %q cuts a word (next %q)", w, got, next)
		}
	}
	if got := cutWords("abcdefghijkl", 5); got != "abcd…" {
		t.Errorf("one long word: %q", got)
	}
}
