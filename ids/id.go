// Package ids reads lists of Colossyan job and video IDs in whatever shape
// people have them: arguments, files, standard input or a paste, as plain
// lines, words, JSON, JSON lines or CSV.
package ids

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxLen is the longest ID accepted.
const MaxLen = 128

// charsHint says what an ID may hold, for error messages.
const charsHint = "IDs are letters, digits, '-', '_', '.', ':'"

// Valid reports whether s can be an ID: 1 to MaxLen letters, digits, '-',
// '_', '.' or ':'. Such a string is safe in a URL path and on a terminal.
func Valid(s string) bool { return check(s) == "" }

// check returns why s is not an ID, or "" when it is one.
func check(s string) string {
	if s == "" {
		return "empty ID"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':') {
			return quote(s) + " is not an ID (" + charsHint + ")"
		}
	}
	if len(s) > MaxLen {
		return quote(s) + " is too long for an ID (at most " + strconv.Itoa(MaxLen) + " characters)"
	}
	if s == "." || s == ".." {
		return quote(s) + " is not an ID"
	}
	return ""
}

// quote shows s in an error message: quoted with every control and
// invisible character escaped, and cut to a readable length.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == max {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}

// LineError is a line (or an argument) of input that gave no ID. Parsing
// goes on past it: it is reported, not fatal.
type LineError struct {
	Source string // file name, "stdin", "paste" or "argument 3"
	Line   int    // 1-based; 0 when the whole source is meant
	Reason string // why, and what an ID looks like
}

func (e *LineError) Error() string {
	switch {
	case e.Source == "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	case e.Line == 0:
		return e.Source + ": " + e.Reason
	}
	return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Reason)
}
