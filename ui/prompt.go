package ui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/ids"
	"github.com/reel-dev/reel/termsafe"
)

// lineEditor is the text being typed into the filter or the add prompt.
// The add prompt takes pastes of thousands of IDs with their line breaks,
// which a one-line text input would flatten, so it is kept this simple:
// typing and pasting append, backspace and ctrl+w/ctrl+u delete.
type lineEditor struct {
	buf []rune
	rev int // bumps on every change, so the parse below is done once a change

	parsedRev int
	ids       []string
	problems  []*ids.LineError
}

func (l *lineEditor) set(s string)    { l.buf = []rune(s); l.rev++ }
func (l *lineEditor) value() string   { return string(l.buf) }
func (l *lineEditor) insert(s string) { l.buf = append(l.buf, []rune(s)...); l.rev++ }
func (l *lineEditor) empty() bool     { return len(l.buf) == 0 }

// key applies an editing key and reports whether the text changed.
func (l *lineEditor) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if len(l.buf) == 0 {
			return false
		}
		l.buf = l.buf[:len(l.buf)-1]
		l.rev++
		return true
	case "ctrl+u":
		l.buf = l.buf[:0]
		l.rev++
		return true
	case "ctrl+w", "alt+backspace":
		i := len(l.buf)
		for i > 0 && unicode.IsSpace(l.buf[i-1]) {
			i--
		}
		for i > 0 && !unicode.IsSpace(l.buf[i-1]) {
			i--
		}
		l.buf = l.buf[:i]
		l.rev++
		return true
	}
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return false
	}
	l.insert(msg.Text)
	return true
}

// tail is the end of the text as one line of at most w cells, for showing
// where the user is typing. Only the end is looked at: a paste may be
// megabytes.
func (l *lineEditor) tail(w int) string {
	r := l.buf[max(0, len(l.buf)-4*w-4):]
	s := []rune(termsafe.Clean(strings.Join(strings.Fields(string(r)), " ")))
	if len(s) > w && w > 1 {
		return "…" + string(s[len(s)-w+1:])
	}
	return string(s)
}

// parse reads the text as a list of IDs, in any form the command line
// takes (lines, words, JSON, CSV), once per change.
func (l *lineEditor) parse() ([]string, []*ids.LineError) {
	if l.parsedRev != l.rev {
		l.parsedRev = l.rev
		l.ids, l.problems = ids.ParsePaste(string(l.buf))
	}
	return l.ids, l.problems
}

// problemSuffix says what in a paste gave no ID, for the status line.
func problemSuffix(problems []*ids.LineError) string {
	switch len(problems) {
	case 0:
		return ""
	case 1:
		return " (" + termsafe.Clean(problems[0].Error()) + ")"
	}
	return " (" + plural(len(problems), "line") + " gave no ID; first " + termsafe.Clean(problems[0].Error()) + ")"
}

// cutWords fits s into w cells, cutting at a space so no word is left half
// shown ("2 lines gave no ID; first paste:2: \"name\" is…"), and marks the cut
// with "…". A single word wider than w is cut where it must be.
func cutWords(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	cut := ansi.Truncate(s, max(w-1, 0), "")
	if i := strings.LastIndexByte(strings.TrimRight(cut, " "), ' '); i > 0 && ansi.StringWidth(cut[:i]) >= w/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:(") + "…"
}
