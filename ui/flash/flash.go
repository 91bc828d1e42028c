// Package flash is the dashboard's status-line message: one at a time,
// plain or a warning, perhaps with a link shown whole beneath it so it can
// be selected by hand, and the rules for when it leaves. It draws nothing
// and knows nothing of Bubble Tea: a message that leaves by itself is set,
// its Token kept in a timer, and Expire given the token when the timer
// fires; a newer message makes the old token void.
package flash

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// maxLinkLines is the most lines a link shown whole takes.
const maxLinkLines = 4

// Token names one message, for Expire.
type Token int

// Line is the status line's message. The zero value is empty.
type Line struct {
	text string
	link string
	warn bool
	// keep: the message is the start notice, which key presses do not
	// clear; only another message replaces it.
	keep bool
	gen  Token
}

// Set replaces the message (with nothing when text is ""), and returns
// its token.
func (l *Line) Set(text string, warn bool) Token {
	l.text, l.warn, l.link, l.keep = text, warn, "", false
	l.gen++
	return l.gen
}

// Notice sets a message that stays until another replaces it: key presses
// leave it (see KeyPressed).
func (l *Line) Notice(text string) Token {
	t := l.Set(text, false)
	l.keep = true
	return t
}

// Clear empties the line.
func (l *Line) Clear() { l.Set("", false) }

// Append adds to the message, which stays the same message: its token
// still ends it.
func (l *Line) Append(s string) { l.text += s }

// Prepend puts s before the message, which stays the same message.
func (l *Line) Prepend(s string) { l.text = s + l.text }

// Warn turns the message into a warning.
func (l *Line) Warn() { l.warn = true }

// ShowLink shows link whole beneath the message, until the message goes.
func (l *Line) ShowLink(link string) { l.link = link }

// Token is the current message's.
func (l *Line) Token() Token { return l.gen }

// Expire clears the message if t is still its token, and reports whether
// it did: a timer set for an older message leaves a newer one alone.
func (l *Line) Expire(t Token) bool {
	if t != l.gen {
		return false
	}
	l.Clear()
	return true
}

// KeyPressed is a key read at the table: it clears the message unless the
// message is the start notice.
func (l *Line) KeyPressed() {
	if !l.keep {
		l.Clear()
	}
}

// Text is the message; "" when none.
func (l *Line) Text() string { return l.text }

// Warning tells whether the message is a warning.
func (l *Line) Warning() bool { return l.warn }

// Kept tells whether the message is the start notice.
func (l *Line) Kept() bool { return l.keep }

// Link is the link shown whole; "" when none.
func (l *Line) Link() string { return l.link }

// Height is how many lines the status line takes at width w: one, and
// with a link shown whole as many more as it takes, up to four.
func (l *Line) Height(w int) int {
	if l.link == "" || w <= 0 {
		return 1
	}
	n := (ansi.StringWidth(l.link) + w - 1) / w
	return 1 + max(1, min(n, maxLinkLines))
}

// LinkLines cut the link into at most n lines of at most w cells.
func (l *Line) LinkLines(w, n int) []string {
	var out []string
	link := l.link
	for len(out) < n && w > 0 {
		part := ansi.Truncate(link, w, "")
		if part == "" {
			break
		}
		link = link[len(part):]
		out = append(out, part)
	}
	return out
}

// Starts tells whether the message starts with prefix.
func (l *Line) Starts(prefix string) bool { return strings.HasPrefix(l.text, prefix) }
