package thumb

import (
	"image"
	"image/color"
	"image/draw"
	"strconv"
	"strings"
)

// Fit is the size in cells that shows a w×h-pixel picture as large as a box
// of maxCols×maxRows allows, keeping its shape: a cell is about twice as
// tall as it is wide.
func Fit(w, h, maxCols, maxRows int) (cols, rows int) {
	if w <= 0 || h <= 0 || maxCols <= 0 || maxRows <= 0 {
		return 0, 0
	}
	cols = maxCols
	rows = (cols*h + w) / (2 * w) // rounded
	if rows > maxRows {
		rows = maxRows
		cols = min(maxCols, (2*rows*w+h/2)/h)
	}
	return max(cols, 1), max(rows, 1)
}

// Scale resizes img to w×h by averaging the source pixels under each
// destination pixel (a box filter): a thumbnail shrinks without the
// speckle that picking single pixels gives.
func Scale(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw == 0 || sh == 0 || w == 0 || h == 0 {
		return dst
	}
	src, ok := img.(*image.RGBA)
	if !ok {
		// One conversion (draw has fast paths for PNG's and JPEG's
		// types), then plain reads of its bytes.
		src = image.NewRGBA(image.Rect(0, 0, sw, sh))
		draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	}
	for y := range h {
		y0, y1 := y*sh/h, max((y+1)*sh/h, y*sh/h+1)
		for x := range w {
			x0, x1 := x*sw/w, max((x+1)*sw/w, x*sw/w+1)
			var r, g, bl, a, n int
			for sy := y0; sy < y1; sy++ {
				row := src.Pix[src.PixOffset(src.Rect.Min.X+x0, src.Rect.Min.Y+sy):]
				for i := 0; i < (x1-x0)*4; i += 4 {
					r, g, bl, a, n = r+int(row[i]), g+int(row[i+1]), bl+int(row[i+2]), a+int(row[i+3]), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), uint8(a / n)})
		}
	}
	return dst
}

// Blocks draws img in cols×rows cells of '▀': each cell is two pixels,
// the top one its foreground colour and the bottom one its background.
// Colours are 24-bit; the terminal renderer lowers them to what the
// terminal shows. Each line ends with a reset, so it can stand beside text.
func Blocks(img image.Image, cols, rows int) []string {
	if cols <= 0 || rows <= 0 {
		return nil
	}
	px := Scale(img, cols, 2*rows)
	lines := make([]string, rows)
	var sb strings.Builder
	for row := range rows {
		sb.Reset()
		var lastFg, lastBg color.RGBA
		for col := range cols {
			fg, bg := opaque(px.RGBAAt(col, 2*row)), opaque(px.RGBAAt(col, 2*row+1))
			if col == 0 || fg != lastFg {
				sgr(&sb, "38", fg)
			}
			if col == 0 || bg != lastBg {
				sgr(&sb, "48", bg)
			}
			sb.WriteString("▀")
			lastFg, lastBg = fg, bg
		}
		sb.WriteString("\x1b[m")
		lines[row] = sb.String()
	}
	return lines
}

// opaque lays a pixel over black: a cell has no transparency.
func opaque(c color.RGBA) color.RGBA {
	c.A = 255 // RGBA is premultiplied: over black, the colour is as it is
	return c
}

func sgr(sb *strings.Builder, kind string, c color.RGBA) {
	sb.WriteString("\x1b[")
	sb.WriteString(kind)
	sb.WriteString(";2;")
	sb.WriteString(strconv.Itoa(int(c.R)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(c.G)))
	sb.WriteByte(';')
	sb.WriteString(strconv.Itoa(int(c.B)))
	sb.WriteByte('m')
}
