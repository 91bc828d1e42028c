package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// breakdown sorts raw terminal output into what its bytes do: text drawn,
// cursor moves, colours, erasing, synchronized-output brackets, OSC by
// number, and the rest.
func breakdown(raw []byte) map[string]int {
	out := map[string]int{}
	var state byte
	for len(raw) > 0 {
		seq, width, n, next := ansi.DecodeSequence(raw, state, nil)
		state = next
		out[kind(string(seq), width)] += n
		raw = raw[n:]
	}
	return out
}

// kind names what one decoded sequence is for.
func kind(seq string, width int) string {
	switch {
	case width > 0:
		if len(seq) == 1 && seq[0] == ' ' {
			return "text: spaces"
		}
		return "text"
	case strings.HasPrefix(seq, "\x1b["):
		final := seq[len(seq)-1]
		switch {
		case seq == "\x1b[?2026h" || seq == "\x1b[?2026l":
			return "sync output ?2026h/l"
		case strings.HasPrefix(seq, "\x1b[?"):
			return "CSI ? modes"
		}
		switch final {
		case 'm':
			return "SGR colour/style (m)"
		case 'H', 'f':
			return "cursor position (H)"
		case 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'd', '`', 'a', 'e':
			return "cursor move (A-G,d)"
		case 'K', 'J', 'X':
			return "erase (K,J,X)"
		case 'b':
			return "repeat char (b)"
		case 'S', 'T', 'L', 'M', 'r':
			return "scroll (S,T,L,M,r)"
		}
		return "CSI other (" + string(final) + ")"
	case strings.HasPrefix(seq, "\x1b]"):
		num, _, _ := strings.Cut(strings.TrimPrefix(seq, "\x1b]"), ";")
		num = strings.TrimRight(num, "\x07\x1b\\")
		if num == "9" && strings.HasPrefix(seq, "\x1b]9;4;") {
			return "OSC 9;4 progress"
		}
		return "OSC " + num
	case seq == "\r" || seq == "\n" || seq == "\b" || seq == "\t":
		return "C0 moves (CR LF BS HT)"
	case strings.HasPrefix(seq, "\x1b"):
		return "ESC other"
	}
	return "other"
}

// printBreakdown writes the categories, largest first, with their share.
func printBreakdown(w io.Writer, title string, raw []byte, seconds float64) {
	b := breakdown(raw)
	type row struct {
		k string
		n int
	}
	var rows []row
	for k, n := range b {
		rows = append(rows, row{k, n})
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.k, b.k)) })
	fmt.Fprintf(w, "\n%s: %d bytes\n", title, len(raw))
	fmt.Fprintf(w, "  %-26s %8s %8s %6s\n", "what", "bytes", "bytes/s", "share")
	for _, r := range rows {
		fmt.Fprintf(w, "  %-26s %8d %8.0f %5.1f%%\n", r.k, r.n, float64(r.n)/seconds, 100*float64(r.n)/float64(max(1, len(raw))))
	}
}
