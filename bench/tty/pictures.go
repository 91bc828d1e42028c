package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/termtest"
)

// (c) Pictures: with every job ended and the details open, the cursor
// walks down the rows and back up, settling on each, and the bytes are
// counted: what a selection's picture costs on the wire, and what coming
// back to one costs (nothing but the text for kitty, whose terminal keeps
// the image; the picture's cells again for half blocks, which are text).

// pictureStep is how long the walk stays on a row: past the settle delay,
// the fetch and the next frame.
const pictureStep = 600 * time.Millisecond

// walk is one pass over the rows.
type walk struct {
	name   string
	moves  int
	bytes  int64
	images int // kitty transmissions, sixel and iTerm2 images written
	raw    []byte
}

// writeThumbnailsSetting forces a thumbnails mode through the config file.
func writeThumbnailsSetting(home, setting string) error {
	if setting == "" {
		return nil
	}
	dir := filepath.Join(home, "config", "reel")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.toml"), []byte("thumbnails = \""+setting+"\"\n"), 0o600)
}

func walkRows(ch *termtest.Term, name, key string, moves int) (walk, error) {
	fmt.Fprintf(os.Stderr, "%s: %d moves\n", name, moves)
	ch.Record(true)
	b0 := ch.Bytes()
	for range moves {
		if err := ch.Press(key); err != nil {
			return walk{}, err
		}
		time.Sleep(pictureStep)
	}
	w := walk{name: name, moves: moves, bytes: ch.Bytes() - b0}
	w.raw = bytes.Join(ch.Record(false), nil)
	w.images = countImages(w.raw)
	return w, nil
}

// countImages counts the pictures sent as images in raw output: kitty
// transmissions (their first chunk), sixel and iTerm2 images.
func countImages(raw []byte) int {
	n := 0
	p := ansi.NewParser()
	state := byte(0)
	for len(raw) > 0 {
		seq, _, read, newState := ansi.DecodeSequence(raw, state, p)
		state = newState
		switch {
		case bytes.HasPrefix(seq, []byte("\x1b_G")) && bytes.Contains(seq, []byte("a=T")):
			n++
		case sixelStart.Match(seq):
			n++
		case bytes.HasPrefix(seq, []byte("\x1b]1337;File=")):
			n++
		}
		raw = raw[read:]
	}
	return n
}

// sixelStart is a sixel image's DCS introducer (not a DCS query such as
// XTGETTCAP's "+q").
var sixelStart = regexp.MustCompile(`^\x1bP[0-9;]*q`)

func pictures(ch *termtest.Term, rows int) (down, back walk, err error) {
	if err = ch.Press("g\r"); err != nil { // the first row, details open
		return
	}
	time.Sleep(2 * pictureStep)
	if down, err = walkRows(ch, "(c) pictures, down", "j", rows-1); err != nil {
		return
	}
	back, err = walkRows(ch, "(c) pictures, back up", "k", rows-1)
	return
}

func reportPictures(out io.Writer, setting string, down, back walk) {
	if setting == "" {
		setting = "auto (half blocks: the emulator answers DA1 without sixel)"
	}
	fmt.Fprintf(out, "\npictures, thumbnails = %s, %d finished or failed rows, %v a row:\n", setting, down.moves+1, pictureStep)
	for _, w := range []walk{down, back} {
		fmt.Fprintf(out, "  %-24s %8d bytes, %6d a move, %d images sent\n", w.name, w.bytes, w.bytes/int64(max(w.moves, 1)), w.images)
	}
}
