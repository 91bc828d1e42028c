package main

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// colorKind says where a colour comes from.
type colorKind uint8

const (
	colorDefault colorKind = iota // the terminal's own foreground or background
	colorIndex                    // one of the 256 palette entries
	colorRGB                      // 24-bit
)

// tcolor is a colour as a terminal program asked for it.
type tcolor struct {
	kind    colorKind
	idx     uint8
	r, g, b uint8
}

// style is what SGR sequences set for the cells that follow.
type style struct {
	fg, bg                                          tcolor
	bold, faint, italic, underline, reverse, strike bool
}

// cell is one place on the screen. A wide character fills its cell and
// the next, which is left with cont set.
type cell struct {
	text string // a character and any combining marks; "" for a blank
	wide bool
	cont bool
	st   style
}

// screen is a grid of cells, rows by columns.
type screen [][]cell

// parse lays out text as `tmux capture-pane -e -p` prints it (lines of
// characters and SGR sequences) on a cols×rows screen. Anything but SGR
// (OSC hyperlinks, cursor moves) is skipped: a capture has none that matter.
func parse(text string, cols, rows int) screen {
	scr := make(screen, rows)
	for y := range scr {
		scr[y] = make([]cell, cols)
	}
	var st style
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for y, line := range lines {
		if y >= rows {
			break
		}
		x := 0
		put := func(s string, w int) {
			if x+w > cols {
				return
			}
			scr[y][x] = cell{text: s, wide: w == 2, st: st}
			if w == 2 {
				scr[y][x+1] = cell{cont: true, st: st}
			}
			x += w
		}
		for i := 0; i < len(line); {
			c := line[i]
			switch {
			case c == 0x1b:
				n, sgr := escape(line[i:])
				if sgr != nil {
					st = apply(st, sgr)
				}
				i += n
				continue
			case c == '\t':
				for x < cols && (x == 0 || x%8 != 0) {
					put(" ", 1)
				}
				i++
				continue
			case c < 0x20 || c == 0x7f:
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(line[i:])
			i += n
			switch w := runeWidth(r); {
			case w == 0 && x > 0: // a combining mark joins the character before it
				prev := x - 1
				if scr[y][prev].cont && prev > 0 {
					prev--
				}
				scr[y][prev].text += string(r)
			case w > 0:
				put(string(r), w)
			}
		}
		// tmux leaves out only trailing blanks in the default style, so the
		// rest of the row stays blank.
	}
	return scr
}

// runeWidth is how many cells r takes: 2 for East Asian wide and emoji,
// 0 for combining marks and zero-width joiners, else 1.
func runeWidth(r rune) int {
	switch {
	case r == 0x200d || (r >= 0xfe00 && r <= 0xfe0f):
		return 0
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// escape measures the escape sequence at the start of s and returns its
// SGR parameters when it is one (an empty slice for a bare reset).
func escape(s string) (n int, sgr []string) {
	if len(s) < 2 {
		return len(s), nil
	}
	switch s[1] {
	case '[': // CSI: parameters, intermediates, a final byte
		j := 2
		for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
			j++
		}
		if j == len(s) {
			return j, nil
		}
		if s[j] != 'm' {
			return j + 1, nil
		}
		params := s[2:j]
		if params == "" {
			return j + 1, []string{}
		}
		return j + 1, strings.Split(strings.ReplaceAll(params, ":", ";"), ";")
	case ']', 'P', '_', '^': // OSC, DCS, APC, PM: up to BEL or ST
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1, nil
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2, nil
			}
		}
		return len(s), nil
	}
	return 2, nil
}

// apply folds SGR parameters into a style.
func apply(st style, ps []string) style {
	if len(ps) == 0 {
		return style{}
	}
	num := func(i int) int {
		if i >= len(ps) {
			return -1
		}
		v, err := strconv.Atoi(ps[i])
		if err != nil {
			return 0 // an empty parameter means 0
		}
		return v
	}
	for i := 0; i < len(ps); i++ {
		switch p := num(i); {
		case p == 0:
			st = style{}
		case p == 1:
			st.bold = true
		case p == 2:
			st.faint = true
		case p == 3:
			st.italic = true
		case p == 4:
			st.underline = true
		case p == 7:
			st.reverse = true
		case p == 9:
			st.strike = true
		case p == 22:
			st.bold, st.faint = false, false
		case p == 23:
			st.italic = false
		case p == 24:
			st.underline = false
		case p == 27:
			st.reverse = false
		case p == 29:
			st.strike = false
		case p >= 30 && p <= 37:
			st.fg = tcolor{kind: colorIndex, idx: uint8(p - 30)}
		case p >= 90 && p <= 97:
			st.fg = tcolor{kind: colorIndex, idx: uint8(p - 90 + 8)}
		case p == 39:
			st.fg = tcolor{}
		case p >= 40 && p <= 47:
			st.bg = tcolor{kind: colorIndex, idx: uint8(p - 40)}
		case p >= 100 && p <= 107:
			st.bg = tcolor{kind: colorIndex, idx: uint8(p - 100 + 8)}
		case p == 49:
			st.bg = tcolor{}
		case p == 38 || p == 48:
			var c tcolor
			switch num(i + 1) {
			case 5:
				c = tcolor{kind: colorIndex, idx: uint8(num(i + 2))}
				i += 2
			case 2:
				c = tcolor{kind: colorRGB, r: uint8(num(i + 2)), g: uint8(num(i + 3)), b: uint8(num(i + 4))}
				i += 4
			default:
				i = len(ps)
				continue
			}
			if p == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
		}
	}
	return st
}
