package thumb

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/iterm2"
	"github.com/charmbracelet/x/ansi/kitty"
	"github.com/charmbracelet/x/ansi/sixel"
)

// CellW and CellH are the pixels a cell is taken to have when a picture is
// scaled before it is sent: the terminal scales it into the cells it is
// given (kitty, iTerm2), so this only bounds the bytes. Sixel is drawn
// pixel for pixel: SixelImage takes the terminal's own cell size when it
// answered the probe, and these otherwise.
const CellW, CellH = 10, 20

// KittyTransmit is the kitty graphics sequence that sends img as image id,
// to be shown in cols×rows cells by Unicode placeholders (a virtual
// placement). It is sent once; KittyPlaceholders then draws it as text.
func KittyTransmit(img image.Image, id, cols, rows int, tmux bool) string {
	// PNG: compressed by its own encoder, much faster than the kitty
	// package's pixel-by-pixel RGBA through zlib.
	px := fitPixels(img, cols*CellW, rows*CellH)
	var b strings.Builder
	o := &kitty.Options{
		Action: kitty.TransmitAndPut, Transmission: kitty.Direct, Format: kitty.PNG,
		ID: id, Columns: cols, Rows: rows, VirtualPlacement: true, Quiet: 2, Chunk: true,
	}
	if tmux {
		o.ChunkFormatter = ansi.TmuxPassthrough
	}
	if err := kitty.EncodeGraphics(&b, px, o); err != nil {
		return "" // encoding an in-memory RGBA image into a builder cannot fail
	}
	return b.String()
}

// fitPixels is img at w×h pixels, or at its own size when that is smaller:
// the terminal scales it into its cells, and sending more pixels than the
// picture has only costs bytes.
func fitPixels(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Dx() <= w && b.Dy() <= h {
		return img
	}
	return Scale(img, w, h)
}

// KittyPlaceholders are the cols×rows lines of text that show image id:
// each cell the placeholder character, its row and column as diacritics,
// and the image id as the foreground colour (id must be 1..255).
func KittyPlaceholders(id, cols, rows int) []string {
	lines := make([]string, rows)
	fg := "\x1b[38;5;" + strconv.Itoa(id) + "m"
	for r := range rows {
		var b strings.Builder
		b.WriteString(fg)
		for c := range cols {
			b.WriteRune(kitty.Placeholder)
			b.WriteRune(kitty.Diacritic(r))
			b.WriteRune(kitty.Diacritic(c))
		}
		b.WriteString("\x1b[m")
		lines[r] = b.String()
	}
	return lines
}

// ITerm2Image is the iTerm2 inline image sequence showing img in cols×rows
// cells at the cursor, which it leaves where it was.
func ITerm2Image(img image.Image, cols, rows int, tmux bool) string {
	var p bytes.Buffer
	_ = png.Encode(&p, fitPixels(img, cols*CellW, rows*CellH)) // cannot fail into a buffer
	s := ansi.ITerm2(iterm2.File{
		Name: "dGh1bWJuYWlsLnBuZw==", Size: int64(p.Len()), Width: iterm2.Cells(cols), Height: iterm2.Cells(rows),
		Inline: true, DoNotMoveCursor: true, Content: []byte(base64.StdEncoding.EncodeToString(p.Bytes())),
	})
	if tmux {
		s = ansi.TmuxPassthrough(s)
	}
	return s
}

// SixelImage is img as sixel graphics for cols×rows cells of cell pixels
// (zero: CellW×CellH).
func SixelImage(img image.Image, cols, rows int, cell image.Point, tmux bool) string {
	if cell.X <= 0 || cell.Y <= 0 || cell.X > 64 || cell.Y > 128 {
		cell = image.Pt(CellW, CellH)
	}
	var p bytes.Buffer
	if err := (&sixel.Encoder{}).Encode(&p, Scale(img, cols*cell.X, rows*cell.Y)); err != nil {
		return ""
	}
	s := ansi.SixelGraphics(0, 1, 0, p.Bytes())
	if tmux {
		s = ansi.TmuxPassthrough(s)
	}
	return s
}

// At wraps a sequence that draws at the cursor so that it draws at row,
// col (0-based) and leaves the cursor where it was.
func At(row, col int, seq string) string {
	return ansi.SaveCursor + ansi.CursorPosition(col+1, row+1) + seq + ansi.RestoreCursor
}

// KittyDelete is the kitty graphics sequence that deletes images ids and
// frees their data (a=d, d=I): what reel sent leaves the terminal with
// it, and no other program's images go.
func KittyDelete(ids []int, tmux bool) string {
	var b strings.Builder
	for _, id := range ids {
		s := ansi.KittyGraphics(nil, "a=d", "d=I", "i="+strconv.Itoa(id), "q=2")
		if tmux {
			s = ansi.TmuxPassthrough(s)
		}
		b.WriteString(s)
	}
	return b.String()
}
