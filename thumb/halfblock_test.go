package thumb

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// quadrants is an 8×8 picture: red, green, blue and white quarters, every
// odd line of pixels half as bright, so a cell's two halves differ.
func quadrants() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	cs := []color.RGBA{{254, 0, 0, 255}, {0, 254, 0, 255}, {0, 0, 254, 255}, {254, 254, 254, 255}}
	for y := range 8 {
		for x := range 8 {
			c := cs[(y/4)*2+x/4]
			if y%2 == 1 {
				c = color.RGBA{c.R / 2, c.G / 2, c.B / 2, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestBlocksGolden(t *testing.T) {
	lines := Blocks(quadrants(), 4, 4)
	var b strings.Builder
	for _, l := range lines {
		if w := ansi.StringWidth(l); w != 4 {
			t.Errorf("line is %d cells wide, want 4", w)
		}
		fmt.Fprintf(&b, "%q\n", l)
	}
	golden.RequireEqual(t, []byte(b.String()))
}

func TestBlocksBlendHalves(t *testing.T) {
	// One cell of a 1×2 picture: top pixel foreground, bottom background.
	img := image.NewRGBA(image.Rect(0, 0, 1, 2))
	img.SetRGBA(0, 0, color.RGBA{10, 20, 30, 255})
	img.SetRGBA(0, 1, color.RGBA{40, 50, 60, 255})
	got := Blocks(img, 1, 1)[0]
	want := "\x1b[38;2;10;20;30m\x1b[48;2;40;50;60m▀\x1b[m"
	if got != want {
		t.Errorf("Blocks = %q, want %q", got, want)
	}
}

func TestFit(t *testing.T) {
	cases := []struct{ w, h, mc, mr, cols, rows int }{
		{320, 180, 40, 20, 40, 11},
		{320, 180, 40, 10, 36, 10},
		{320, 180, 30, 20, 30, 8},
		{180, 320, 40, 10, 11, 10},
		{0, 10, 10, 10, 0, 0},
	}
	for _, c := range cases {
		if cols, rows := Fit(c.w, c.h, c.mc, c.mr); cols != c.cols || rows != c.rows {
			// 320×180 at 40 cols wants 11.25 rows; 10 rows fit 35.6 cols.
			t.Errorf("Fit(%d×%d in %d×%d) = %d×%d, want %d×%d", c.w, c.h, c.mc, c.mr, cols, rows, c.cols, c.rows)
		}
	}
}

func TestKittyPlaceholders(t *testing.T) {
	lines := KittyPlaceholders(7, 3, 2)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "\x1b[38;5;7m") {
		t.Fatalf("placeholders = %q", lines)
	}
	if n := strings.Count(lines[1], "\U0010EEEE"); n != 3 {
		t.Errorf("%d placeholders in a row, want 3", n)
	}
	tx := KittyTransmit(quadrants(), 7, 3, 2, true)
	if !strings.Contains(tx, "i=7") || !strings.Contains(tx, "U=1") || !strings.HasPrefix(tx, "\x1bPtmux;") {
		t.Errorf("transmit = %.80q: want id 7, a virtual placement, wrapped for tmux", tx)
	}
}

func TestSixelAndITerm2(t *testing.T) {
	s := SixelImage(quadrants(), 3, 2, image.Pt(8, 16), false)
	if !strings.HasPrefix(s, "\x1bP0;1q\"1;1;24;32") || !strings.HasSuffix(s, "\x1b\\") {
		t.Errorf("sixel = %.40q…: want a 24×32-pixel image (3×2 cells of 8×16)", s)
	}
	if d := SixelImage(quadrants(), 3, 2, image.Point{}, true); !strings.HasPrefix(d, "\x1bPtmux;\x1b\x1bP0;1q\"1;1;30;40") {
		t.Errorf("sixel in tmux, no cell size = %.40q…: want passthrough and 10×20 cells", d)
	}
	i := ITerm2Image(quadrants(), 3, 2, false)
	for _, want := range []string{"\x1b]1337;File=", "width=3", "height=2", "inline=1", "doNotMoveCursor=1"} {
		if !strings.Contains(i, want) {
			t.Errorf("iTerm2 image %.80q… lacks %q", i, want)
		}
	}
	if at := At(4, 9, "X"); at != "\x1b7\x1b[5;10HX\x1b8" {
		t.Errorf("At = %q", at)
	}
}

// BenchmarkBlocks: a simulator thumbnail (320×180, decoded PNG) drawn in
// the largest box the pane gives (36×10 cells), as on each new selection.
func BenchmarkBlocks(b *testing.B) {
	img, err := png.Decode(bytes.NewReader(testPNG(320, 180)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Blocks(img, 36, 10)
	}
}

// BenchmarkKittyTransmit: the same picture encoded for kitty.
func BenchmarkKittyTransmit(b *testing.B) {
	img, err := png.Decode(bytes.NewReader(testPNG(320, 180)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		KittyTransmit(img, 1, 36, 10, false)
	}
}
