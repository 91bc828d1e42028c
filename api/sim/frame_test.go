package sim

import (
	"bytes"
	"image/png"
	"testing"
)

// Each video has a picture of its own, the same on every ask.
func TestThumbnailsAreDistinctAndStable(t *testing.T) {
	s := New(Options{Seed: 1})
	seen := map[string]string{}
	for _, id := range []string{"v1", "v2", "v3", "v4", "v5", "v6"} {
		b := s.thumbnail(id, s.contentKey(id))
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 180 {
			t.Fatalf("%s: not a 320×180 PNG: %v", id, err)
		}
		if other, ok := seen[string(b)]; ok {
			t.Errorf("%s has the same picture as %s", id, other)
		}
		seen[string(b)] = id
		if again := New(Options{Seed: 1}).thumbnail(id, s.contentKey(id)); !bytes.Equal(again, b) {
			t.Errorf("%s: another simulator of the same seed draws another picture", id)
		}
	}
}
