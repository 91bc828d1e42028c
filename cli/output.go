package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// marshalJSON encodes v for standard output. The values stay exactly as the
// server sent them, but DEL and the C1 controls (U+0080–U+009F), which
// encoding/json leaves raw and some terminals obey, are written as \u
// escapes: a reader of the JSON gets the same string, a terminal that shows
// it gets nothing to act on. (C0 controls are escaped by encoding/json.)
func marshalJSON(v any, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // URLs keep their & as the server sent them
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeControls(buf.Bytes()), nil
}

// escapeControls rewrites, in encoded JSON, what a terminal could act on
// or a strict parser refuse: DEL, C1 controls and Unicode format characters
// (bidi overrides, zero-width spaces) become \u escapes, and bytes that are
// not UTF-8 (which a raw server object may carry) become \ufffd, as
// encoding/json does for its own strings. Outside strings JSON is ASCII, so
// only string contents change, and only in form.
func escapeControls(b []byte) []byte {
	if !needsEscape(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, `\ufffd`...)
		case escaped(r):
			for _, u := range utf16.AppendRune(nil, r) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func needsEscape(b []byte) bool {
	if !utf8.Valid(b) {
		return true
	}
	return bytes.ContainsFunc(b, escaped)
}

func escaped(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r > 0x7f && unicode.Is(unicode.Cf, r))
}

// writeTable aligns rows in columns two spaces apart, measuring cells as
// the terminal shows them (wide runes, escape sequences). With a positive
// width, the last column is cut so no line wraps.
func writeTable(w io.Writer, rows [][]string, width int) error {
	if len(rows) == 0 {
		return nil
	}
	cols := len(rows[0])
	widths := make([]int, cols)
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		used := 0
		for i, c := range row {
			if i == cols-1 {
				if width > 0 && used+ansi.StringWidth(c) > width {
					c = ansi.Truncate(c, max(width-used, 1)-1, "…")
				}
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			pad := widths[i] - ansi.StringWidth(c) + 2
			b.WriteString(strings.Repeat(" ", pad))
			used += widths[i] + 2
		}
		line := strings.TrimRight(b.String(), " ")
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}
