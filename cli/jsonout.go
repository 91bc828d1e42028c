package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
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

// escapeControls rewrites DEL and C1 runes in encoded JSON as \u escapes.
// They can only occur inside strings, where the escape means the same rune.
func escapeControls(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r == 0x7f || (r >= 0x80 && r <= 0x9f) }) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
