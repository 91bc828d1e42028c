package ui

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/ids"
	"github.com/reel-dev/reel/termsafe"
)

// lineEditor is the text being typed into the filter or the add prompt.
// The add prompt takes pastes of thousands of IDs with their line breaks,
// which a one-line text input would flatten, so it is kept this simple:
// typing and pasting append, backspace and ctrl+w/ctrl+u delete.
type lineEditor struct {
	buf []rune
}

func (l *lineEditor) set(s string)    { l.buf = []rune(s) }
func (l *lineEditor) value() string   { return string(l.buf) }
func (l *lineEditor) insert(s string) { l.buf = append(l.buf, []rune(s)...) }
func (l *lineEditor) empty() bool     { return len(l.buf) == 0 }

// key applies an editing key and reports whether the text changed.
func (l *lineEditor) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if len(l.buf) == 0 {
			return false
		}
		l.buf = l.buf[:len(l.buf)-1]
		return true
	case "ctrl+u":
		l.buf = l.buf[:0]
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
		return true
	}
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return false
	}
	l.insert(msg.Text)
	return true
}

// tail is the end of the text as one line of at most w cells, for showing
// where the user is typing.
func (l *lineEditor) tail(w int) string {
	s := strings.Join(strings.Fields(string(l.buf)), " ")
	r := []rune(s)
	if len(r) > w && w > 1 {
		return "…" + string(r[len(r)-w+1:])
	}
	return s
}

// parseIDs reads a paste of IDs: words separated by spaces, commas,
// semicolons or line breaks. It returns the IDs in order, without
// repeats, and the words that cannot be IDs.
//
// TODO(lead): use ids.ParsePaste once it exists, so the prompt takes JSON
// and CSV as the command line does.
func parseIDs(text string) (list []string, problems []string) {
	seen := map[string]bool{}
	words := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';'
	})
	for _, w := range words {
		w = strings.Trim(w, `"'`)
		switch {
		case w == "":
		case !ids.Valid(w):
			problems = append(problems, w)
		case !seen[w]:
			seen[w] = true
			list = append(list, w)
		}
	}
	return list, problems
}

// problemSuffix says how many words were not IDs, for the status line.
func problemSuffix(problems []string) string {
	if len(problems) == 0 {
		return ""
	}
	return " (" + plural(len(problems), "word") + " not an ID: " + termsafe.Clean(ansi.Truncate(problems[0], 20, "…")) + ")"
}
