// Package termsafe makes text that came from a server harmless to print on a
// terminal: no escape sequences, no control characters, no invalid UTF-8 and
// no invisible characters that reorder or hide what the user reads.
package termsafe

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns s made safe to show on a terminal as one line of text:
//
//   - Escape sequences (CSI, OSC such as titles, hyperlinks and clipboard
//     writes, DCS, SOS, PM, APC, and two-byte ESC sequences), introduced by
//     ESC or by their C1 forms encoded as UTF-8, are removed whole: they were
//     meant to be invisible, and their text is not the user's business. A
//     string sequence with no terminator loses only its introducer, so no
//     text disappears.
//   - Line breaks (LF, CR, CR LF, VT, FF, NEL, U+2028, U+2029) and TAB become
//     one space each, so that a name stays on its row and CR cannot
//     overwrite what came before it.
//   - Other C0 controls (BEL, BS, NUL, ...), DEL and other C1 controls become
//     U+FFFD, so the user sees that something was there.
//   - Invalid UTF-8 becomes U+FFFD, byte by byte.
//   - Format characters (Unicode category Cf: bidi controls, zero-width
//     space and joiners, word joiner, BOM, soft hyphen, tag characters) and
//     the blank Hangul fillers are removed: they are invisible and serve to
//     spoof what the text says or how wide it is.
//
// Text that is already clean is returned as it is, without allocating.
// Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	clean(&b, s[i:])
	return b.String()
}

// IsClean reports whether Clean would return s unchanged.
func IsClean(s string) bool { return firstUnsafe(s) < 0 }

// CleanURL returns s if it is an absolute http or https URL with a host, no
// user info (https://app.colossyan.com@evil.example/ reads as the wrong
// host) and nothing Clean would change or a URL may not hold (spaces,
// non-ASCII); otherwise it returns "". Use it for anything that goes to a
// browser, the clipboard or an OSC 8 hyperlink; show a refused URL with
// Clean instead.
func CleanURL(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return ""
	}
	return s
}

// firstUnsafe returns the index of the first byte of s that Clean would
// change, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether a non-ASCII rune must not reach the terminal
// as it is.
func unsafeRune(r rune) bool {
	switch {
	case r <= 0x9f: // C1 controls
		return true
	case r < 0xad: // the common Latin-1 letters: skip the table look-up
		return false
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0: // Hangul fillers
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// clean writes the cleaned form of s to b.
func clean(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != 0x7f && c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case 0x1b:
				i = skipEscape(s, i)
			case '\r':
				b.WriteByte(' ')
				i++
				if i < len(s) && s[i] == '\n' {
					i++
				}
			case '\t', '\n', '\v', '\f':
				b.WriteByte(' ')
				i++
			default:
				b.WriteRune(utf8.RuneError)
				i++
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == 0x85, r == 0x2028, r == 0x2029:
			b.WriteByte(' ')
			i += n
		case r == 0x9b: // CSI
			i = skipCSI(s, i+n)
		case r == 0x90, r == 0x98, r == 0x9d, r == 0x9e, r == 0x9f: // DCS, SOS, OSC, PM, APC
			i = skipString(s, i+n)
		case r <= 0x9f:
			b.WriteRune(utf8.RuneError)
			i += n
		case unsafeRune(r):
			i += n
		default:
			b.WriteString(s[i : i+n])
			i += n
		}
	}
}

// skipEscape returns the index just past the escape sequence whose ESC is
// at s[i].
func skipEscape(s string, i int) int {
	j := i + 1
	if j >= len(s) {
		return j
	}
	switch c := s[j]; {
	case c == '[':
		return skipCSI(s, j+1)
	case c == ']', c == 'P', c == 'X', c == '^', c == '_':
		return skipString(s, j+1)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
			j++
		}
		return j
	case c >= 0x30 && c <= 0x7e:
		return j + 1
	}
	return j // a lone ESC
}

// skipCSI returns the index past a control sequence whose parameters start
// at s[j]. A malformed sequence ends before the offending byte, as a
// terminal would abort it there.
func skipCSI(s string, j int) int {
	for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
		j++
	}
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
		j++
	}
	return j
}

// skipString returns the index past a string sequence (OSC, DCS, ...) whose
// body starts at s[body]. It ends at BEL, ESC \ or ST; an ESC
// starting anything else also ends it, as in xterm. Without an end, only the
// introducer is dropped, so that no text vanishes.
func skipString(s string, body int) int {
	for j := body; j < len(s); j++ {
		switch s[j] {
		case 0x07:
			return j + 1
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
			return j
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x9c {
				return j + 2
			}
		}
	}
	return body
}
