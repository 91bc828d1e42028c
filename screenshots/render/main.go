// Command render turns a terminal screen captured with
// `tmux capture-pane -e -p` into a PNG, drawn cell by cell as a terminal
// would (colours, bold, faint, reverse video, block elements), so the
// screenshots need no browser, no SVG rasterizer and no network.
// screenshots/make.sh runs it; it is not part of reel.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
)

const dejavu = "/usr/share/fonts/truetype/dejavu/"

func main() {
	cols := flag.Int("cols", 140, "screen width in `cells`")
	rows := flag.Int("rows", 36, "screen height in `cells`")
	regular := flag.String("font", dejavu+"DejaVuSansMono.ttf", "monospace TrueType `file`")
	bold := flag.String("bold", dejavu+"DejaVuSansMono-Bold.ttf", "its bold face, TrueType `file`")
	size := flag.Float64("size", 28, "font size in `px` (28 draws at twice a usual 14)")
	pad := flag.Int("pad", 28, "margin around the screen in `px`")
	out := flag.String("o", "", "write the PNG to this `file` (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: tmux capture-pane -e -p | render -o screen.png [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if err := run(os.Stdin, *out, *cols, *rows, *regular, *bold, *size, *pad); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out string, cols, rows int, regular, bold string, size float64, pad int) error {
	text, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("read the capture: %w", err)
	}
	rf, err := loadFace(regular, size)
	if err != nil {
		return err
	}
	bf, err := loadFace(bold, size)
	if err != nil {
		return err
	}
	img := render(parse(string(text), cols, rows), oneDark, rf, bf, pad)

	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("create the PNG: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", out, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	return f.Close()
}
