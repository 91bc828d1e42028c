package sim

import (
	"image"
	"image/color"
)

// frame draws a 320×180 still that looks like a frame of an avatar video:
// a wall in two tones, a window, a desk, a presenter (head, hair, shoulders)
// and a lower-third caption bar over a scrubber. Every choice comes from
// the video's key, so each video has its own picture, the same every time.
func frame(key uint64) *image.RGBA {
	const w, h = 320, 180
	r := func(shift uint, n int) int { return int(mix(key+uint64(shift)*0x9e3779b97f4a7c15) % uint64(n)) }
	muted := func(i int) color.RGBA {
		hue := []color.RGBA{{92, 122, 158, 255}, {148, 118, 96, 255}, {96, 140, 118, 255}, {136, 104, 146, 255},
			{160, 150, 110, 255}, {84, 96, 112, 255}, {170, 120, 120, 255}, {100, 150, 160, 255}}
		return hue[i%len(hue)]
	}
	wallTop, wallLow := muted(r(1, 8)), muted(r(2, 8))
	skin := []color.RGBA{{241, 204, 178, 255}, {224, 172, 138, 255}, {198, 140, 100, 255}, {141, 94, 62, 255}, {96, 64, 44, 255}}[r(3, 5)]
	hair := []color.RGBA{{40, 30, 24, 255}, {90, 60, 36, 255}, {200, 170, 110, 255}, {120, 120, 124, 255}, {150, 64, 40, 255}}[r(4, 5)]
	shirt := []color.RGBA{{30, 60, 120, 255}, {200, 200, 205, 255}, {40, 40, 44, 255}, {150, 40, 50, 255}, {50, 110, 80, 255}, {230, 150, 40, 255}}[r(5, 6)]
	accent := []color.RGBA{{255, 90, 60, 255}, {60, 180, 255, 255}, {250, 200, 40, 255}, {120, 220, 120, 255}, {200, 100, 255, 255}}[r(6, 5)]
	cx := 110 + r(7, 100)      // the presenter stands left of centre to right of it
	winLeft := r(8, 2) == 0    // the window is on the side the presenter is not
	captionW := 110 + r(9, 90) // the caption's length
	played := 20 + r(10, w-40) // how far the scrubber is
	headRX, headRY := 28+r(11, 6), 34+r(12, 6)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		wall := blend(wallTop, wallLow, float64(y)/h)
		for x := range w {
			c := wall
			wx := 24
			if !winLeft {
				wx = w - 24 - 70
			}
			switch {
			case x >= wx && x < wx+70 && y >= 22 && y < 92: // a window, its frame, its light
				c = color.RGBA{230, 238, 245, 255}
				if x == wx+35 || y == 57 || x < wx+3 || x >= wx+67 || y < 25 || y >= 89 {
					c = color.RGBA{250, 250, 250, 255}
				}
			case y >= 138: // a desk
				c = blend(color.RGBA{110, 82, 60, 255}, color.RGBA{70, 52, 40, 255}, float64(y-138)/42)
			}
			dx, dy := float64(x-cx), float64(y)
			if in(dx, dy-200, 88, 78) { // shoulders
				c = shirt
			}
			if x >= cx-11 && x < cx+11 && y >= 96 && y < 130 { // neck
				c = shade(skin, 0.85)
			}
			if in(dx, dy-72, float64(headRX), float64(headRY)) { // head, lit from the window
				c = skin
				if (dx < 0) != winLeft {
					c = shade(skin, 0.9)
				}
			}
			if in(dx, dy-58, float64(headRX)+3, float64(headRY)-6) && dy < 58 { // hair
				c = hair
			}
			if y >= 146 && y < 166 && x >= 14 && x < 14+captionW { // the lower third
				c = blend(c, color.RGBA{20, 22, 28, 255}, 0.8)
				if x < 18 {
					c = accent
				} else if y >= 152 && y < 154 && x >= 24 && x < 14+captionW-12 {
					c = color.RGBA{235, 235, 235, 255} // a line of caption text
				} else if y >= 158 && y < 160 && x >= 24 && x < 14+captionW*2/3 {
					c = color.RGBA{160, 160, 165, 255}
				}
			}
			if y >= h-3 { // the scrubber
				c = color.RGBA{60, 60, 60, 255}
				if x < played {
					c = accent
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// in reports whether (x, y) is inside the ellipse of radii rx, ry around 0.
func in(x, y, rx, ry float64) bool { return (x*x)/(rx*rx)+(y*y)/(ry*ry) <= 1 }

func blend(a, b color.RGBA, t float64) color.RGBA {
	return color.RGBA{lerp(a.R, b.R, t), lerp(a.G, b.G, t), lerp(a.B, b.B, t), 255}
}

func shade(c color.RGBA, f float64) color.RGBA {
	return color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), 255}
}
