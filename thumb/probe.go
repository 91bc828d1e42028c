package thumb

import (
	"bytes"

	"github.com/charmbracelet/x/ansi"
)

// ProbeID is the image ID of the kitty query in Probe.
const ProbeID = 31

// Probe is what to write to a terminal to learn what it can draw: a kitty
// graphics query for a 1×1 image (wrapped for tmux when in it, so that
// an answer proves passthrough works), a request for the cell size in
// pixels (CSI 16 t, for sixel), and then the primary device attributes
// request, which every terminal answers. Terminals answer in order, so
// when the DA1 answer comes, the others would have come before it.
func Probe(tmux bool) string {
	q := ansi.KittyGraphics([]byte("AAAA"), "i=31", "s=1", "v=1", "a=q", "t=d", "f=24")
	if tmux {
		q = ansi.TmuxPassthrough(q)
	}
	return q + ansi.WindowOp(ansi.RequestCellSizeWinOp) + ansi.RequestPrimaryDeviceAttributes
}

// KittyAnswerOK reports whether a kitty graphics answer to the probe says
// the terminal can draw (payload "OK").
func KittyAnswerOK(id int, payload []byte) bool {
	return id == ProbeID && bytes.Equal(bytes.TrimSpace(payload), []byte("OK"))
}
