package thumb

import (
	"errors"
	"testing"
)

// FuzzDecode: any bytes give an image within the pixel cap or an *Error;
// never a panic, never a decode past the header's promise.
func FuzzDecode(f *testing.F) {
	f.Add(testPNG(4, 3))
	f.Add(hugePNG(30000, 30000))
	f.Add(hugePNG(1, 1))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fe := &Fetcher{MaxPixels: 1 << 16}
		img, err := fe.decode(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("decode error %v is not an *Error", err)
			}
			return
		}
		if r := img.Bounds(); r.Dx()*r.Dy() > 1<<16 {
			t.Fatalf("decoded %v, over the cap", r)
		}
	})
}
