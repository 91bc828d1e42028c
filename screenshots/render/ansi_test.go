package main

import "testing"

func TestParse(t *testing.T) {
	red := tcolor{kind: colorIndex, idx: 1}
	tests := []struct {
		name string
		in   string
		x, y int
		want cell
	}{
		{"plain", "ab", 1, 0, cell{text: "b"}},
		{"second line", "a\nxyz", 2, 1, cell{text: "z"}},
		{"colour", "\x1b[31mr", 0, 0, cell{text: "r", st: style{fg: red}}},
		{"style carries to the next line", "\x1b[1;2ma\nb", 0, 1, cell{text: "b", st: style{bold: true, faint: true}}},
		{"reset", "\x1b[7ma\x1b[0mb", 1, 0, cell{text: "b"}},
		{"bare reset", "\x1b[7ma\x1b[mb", 1, 0, cell{text: "b"}},
		{"22 ends bold and faint", "\x1b[1;2m\x1b[22mb", 0, 0, cell{text: "b"}},
		{"bright", "\x1b[95mb", 0, 0, cell{text: "b", st: style{fg: tcolor{kind: colorIndex, idx: 13}}}},
		{"256 background", "\x1b[48;5;236mb", 0, 0, cell{text: "b", st: style{bg: tcolor{kind: colorIndex, idx: 236}}}},
		{"truecolor", "\x1b[38;2;1;2;3mb", 0, 0, cell{text: "b", st: style{fg: tcolor{kind: colorRGB, r: 1, g: 2, b: 3}}}},
		{"colon form", "\x1b[38:5:9mb", 0, 0, cell{text: "b", st: style{fg: tcolor{kind: colorIndex, idx: 9}}}},
		{"hyperlink skipped", "\x1b]8;id=1;http://x\x1b\\a\x1b]8;;\x07b", 1, 0, cell{text: "b"}},
		{"other CSI skipped", "\x1b[2Ka", 0, 0, cell{text: "a"}},
		{"wide takes two cells", "日b", 2, 0, cell{text: "b"}},
		{"wide continuation", "日b", 1, 0, cell{cont: true}},
		{"combining mark joins", "e\u0301b", 0, 0, cell{text: "e\u0301"}},
		{"past the width", "abc", 2, 0, cell{}},
		{"tab", "a\tb", 8, 0, cell{text: "b"}},
		{"multi-byte", "✓ ok", 2, 0, cell{text: "o"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := 10
			if tt.name == "past the width" {
				cols = 2
			}
			scr := parse(tt.in, cols, 3)
			if tt.x >= cols {
				if len(scr[tt.y]) != cols {
					t.Fatalf("row has %d cells, want %d", len(scr[tt.y]), cols)
				}
				return
			}
			if got := scr[tt.y][tt.x]; got != tt.want {
				t.Errorf("cell %d,%d = %+v, want %+v", tt.x, tt.y, got, tt.want)
			}
		})
	}
}

func TestColors(t *testing.T) {
	c := &canvas{th: oneDark}
	tests := []struct {
		name   string
		st     style
		fg, bg string
	}{
		{"default", style{}, "abb2bf", "282c34"},
		{"reverse swaps", style{reverse: true}, "282c34", "abb2bf"},
		{"palette", style{fg: tcolor{kind: colorIndex, idx: 1}}, "e06c75", "282c34"},
		{"cube", style{fg: tcolor{kind: colorIndex, idx: 196}}, "ff0000", "282c34"},
		{"grey ramp", style{fg: tcolor{kind: colorIndex, idx: 232}}, "080808", "282c34"},
		{"faint is nearer the background", style{faint: true}, "707680", "282c34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fg, bg := c.colors(tt.st)
			hexOf := func(r, g, b uint8) string {
				return string([]byte{digit(r >> 4), digit(r), digit(g >> 4), digit(g), digit(b >> 4), digit(b)})
			}
			if got := hexOf(fg.R, fg.G, fg.B); got != tt.fg {
				t.Errorf("fg = %s, want %s", got, tt.fg)
			}
			if got := hexOf(bg.R, bg.G, bg.B); got != tt.bg {
				t.Errorf("bg = %s, want %s", got, tt.bg)
			}
		})
	}
}

func digit(v uint8) byte { return "0123456789abcdef"[v&15] }
