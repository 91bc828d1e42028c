package main

import (
	"image"
	"testing"

	"github.com/reel-dev/reel/thumb"
)

func TestCountImages(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	raw := "\x1b[3;4Htext" +
		thumb.KittyTransmit(img, 3, 4, 2, false) + // one image, maybe in several chunks
		string(thumb.KittyPlaceholders(3, 4, 2)[0]) +
		thumb.At(2, 3, thumb.SixelImage(img, 4, 2, image.Point{}, false)) +
		thumb.ITerm2Image(img, 4, 2, false) +
		"\x1bP+q544e\x1b\\" + // XTGETTCAP: a DCS, not a sixel image
		"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\" // the probe: a query, not an image
	if n := countImages([]byte(raw)); n != 3 {
		t.Errorf("countImages = %d, want 3 (kitty, sixel, iTerm2)", n)
	}
}
