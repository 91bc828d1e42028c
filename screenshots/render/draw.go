package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// theme is the terminal the screenshots pretend to be.
type theme struct {
	fg, bg  color.RGBA
	palette [16]color.RGBA
}

// oneDark is Atom's One Dark: a common dark theme whose 16 colours are easy
// to tell apart.
var oneDark = theme{
	fg: hex(0xabb2bf), bg: hex(0x282c34),
	palette: [16]color.RGBA{
		hex(0x3f4451), hex(0xe06c75), hex(0x98c379), hex(0xe5c07b),
		hex(0x61afef), hex(0xc678dd), hex(0x56b6c2), hex(0xd7dae0),
		hex(0x5c6370), hex(0xef7b84), hex(0xa9d48a), hex(0xf0d197),
		hex(0x74bdf7), hex(0xd390e7), hex(0x6ccbd6), hex(0xffffff),
	},
}

func hex(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// face is a loaded font at the size drawn.
type face struct {
	f    *sfnt.Font
	face font.Face
	buf  sfnt.Buffer
}

func loadFace(path string, size float64) (*face, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the font (install fonts-dejavu-core, or pass -font): %w", err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse the font %s: %w", path, err)
	}
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("size the font %s: %w", path, err)
	}
	return &face{f: f, face: fc}, nil
}

// has reports whether the font has a glyph for r.
func (f *face) has(r rune) bool {
	i, err := f.f.GlyphIndex(&f.buf, r)
	return err == nil && i != 0
}

// canvas draws a screen's cells as a terminal would.
type canvas struct {
	img           *image.RGBA
	th            theme
	regular, bold *face
	cw            float64 // cell width, px
	ch, ascent    int     // cell height and baseline, px
	left, top     int     // where the grid starts
}

// render draws scr with a padding of pad px around it.
func render(scr screen, th theme, regular, bold *face, pad int) *image.RGBA {
	m := regular.face.Metrics()
	adv, _ := regular.face.GlyphAdvance('0')
	c := &canvas{
		th: th, regular: regular, bold: bold,
		cw:     float64(adv) / 64,
		ascent: m.Ascent.Ceil(),
		ch:     m.Ascent.Ceil() + m.Descent.Ceil(),
		left:   pad, top: pad,
	}
	cols, rows := 0, len(scr)
	if rows > 0 {
		cols = len(scr[0])
	}
	w := pad*2 + int(math.Round(float64(cols)*c.cw))
	h := pad*2 + rows*c.ch
	c.img = image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(th.bg), image.Point{}, draw.Src)
	for y, row := range scr {
		for x, cl := range row {
			if !cl.cont {
				c.cell(x, y, cl)
			}
		}
	}
	return c.img
}

// colors resolves a style to the colours drawn: reverse swaps them, faint
// takes the foreground half way to the background.
func (c *canvas) colors(st style) (fg, bg color.RGBA) {
	fg, bg = c.resolve(st.fg, c.th.fg), c.resolve(st.bg, c.th.bg)
	if st.reverse {
		fg, bg = bg, fg
	}
	if st.faint {
		fg = mix(fg, bg, 0.45)
	}
	return fg, bg
}

func (c *canvas) resolve(t tcolor, def color.RGBA) color.RGBA {
	switch t.kind {
	case colorRGB:
		return color.RGBA{t.r, t.g, t.b, 0xff}
	case colorIndex:
		return xterm256(c.th, t.idx)
	}
	return def
}

// xterm256 is the colour of a 256-colour palette index: the theme's 16,
// then xterm's 6×6×6 cube and grey ramp.
func xterm256(th theme, i uint8) color.RGBA {
	switch {
	case i < 16:
		return th.palette[i]
	case i < 232:
		i -= 16
		level := func(v uint8) uint8 {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return color.RGBA{level(i / 36), level(i / 6 % 6), level(i % 6), 0xff}
	}
	g := 8 + 10*(i-232)
	return color.RGBA{g, g, g, 0xff}
}

// mix is a blended k of the way from a to b.
func mix(a, b color.RGBA, k float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-k) + float64(y)*k)) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 0xff}
}

// box is the pixel rectangle of cells x..x+n-1 on row y.
func (c *canvas) box(x, y, n int) image.Rectangle {
	x0 := c.left + int(math.Round(float64(x)*c.cw))
	x1 := c.left + int(math.Round(float64(x+n)*c.cw))
	y0 := c.top + y*c.ch
	return image.Rect(x0, y0, x1, y0+c.ch)
}

func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Src)
}

// cell draws one cell: its background, then its character. Block elements
// are drawn as rectangles, as terminals do, so bars join without seams.
func (c *canvas) cell(x, y int, cl cell) {
	n := 1
	if cl.wide {
		n = 2
	}
	fg, bg := c.colors(cl.st)
	r := c.box(x, y, n)
	if bg != c.th.bg {
		c.fill(r, bg)
	}
	if cl.text == "" || cl.text == " " {
		return
	}
	if c.block(r, cl.text, fg, bg) {
		return
	}
	f := c.regular
	if cl.st.bold {
		f = c.bold
	}
	first := []rune(cl.text)[0]
	if !f.has(first) {
		// No glyph: a hollow box, as terminals show, rather than nothing.
		in := r.Inset(max(1, r.Dx()/6))
		c.fill(image.Rect(in.Min.X, in.Min.Y, in.Max.X, in.Min.Y+1), fg)
		c.fill(image.Rect(in.Min.X, in.Max.Y-1, in.Max.X, in.Max.Y), fg)
		c.fill(image.Rect(in.Min.X, in.Min.Y, in.Min.X+1, in.Max.Y), fg)
		c.fill(image.Rect(in.Max.X-1, in.Min.Y, in.Max.X, in.Max.Y), fg)
		return
	}
	d := font.Drawer{
		Dst: c.img, Src: image.NewUniform(fg), Face: f.face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round((float64(c.left) + float64(x)*c.cw) * 64)), Y: fixed.I(r.Min.Y + c.ascent)},
	}
	d.DrawString(cl.text)
	thick := max(1, c.ch/16)
	if cl.st.underline {
		yy := r.Min.Y + c.ascent + thick*2
		c.fill(image.Rect(r.Min.X, yy, r.Max.X, yy+thick), fg)
	}
	if cl.st.strike {
		yy := r.Min.Y + c.ch/2
		c.fill(image.Rect(r.Min.X, yy, r.Max.X, yy+thick), fg)
	}
}

// block draws the block elements progress bars are made of, and reports
// whether s was one.
func (c *canvas) block(r image.Rectangle, s string, fg, bg color.RGBA) bool {
	rs := []rune(s)
	if len(rs) != 1 {
		return false
	}
	switch ch := rs[0]; {
	case ch == '█':
		c.fill(r, fg)
	case ch == '░', ch == '▒', ch == '▓':
		k := map[rune]float64{'░': 0.25, '▒': 0.5, '▓': 0.75}[ch]
		c.fill(r, mix(bg, fg, k))
	case ch == '▀':
		c.fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+r.Dy()/2), fg)
	case ch == '▄':
		c.fill(image.Rect(r.Min.X, r.Min.Y+r.Dy()/2, r.Max.X, r.Max.Y), fg)
	case ch >= '▉' && ch <= '▏': // left seven eighths down to one eighth
		eighths := int('▏'-ch) + 1
		c.fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+r.Dx()*eighths/8, r.Max.Y), fg)
	case ch == '▐':
		c.fill(image.Rect(r.Min.X+r.Dx()/2, r.Min.Y, r.Max.X, r.Max.Y), fg)
	default:
		return false
	}
	return true
}
