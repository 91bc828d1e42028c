package thumb

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// progressiveJPEG is a grey side×side progressive JPEG of scans AC scans,
// built by hand (image/jpeg writes only baseline): each scan ends every
// block with up to four 16384-block end-of-band runs, 18 bytes that make
// the decoder visit every block again (65,536 of them at 2048×2048).
func progressiveJPEG(side, scans int) []byte {
	var b bytes.Buffer
	seg := func(marker byte, body ...byte) {
		b.Write([]byte{0xFF, marker, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
		b.Write(body)
	}
	b.Write([]byte{0xFF, 0xD8}) // SOI
	dqt := make([]byte, 65)     // table 0, 8-bit, all ones
	for i := 1; i < len(dqt); i++ {
		dqt[i] = 1
	}
	seg(0xDB, dqt...)
	// SOF2: 8-bit, side×side, one component (id 1, 1×1, table 0).
	seg(0xC2, 8, byte(side>>8), byte(side), byte(side>>8), byte(side), 1, 1, 0x11, 0)
	// DHT, AC table 0: one code of length 1 for 0xE0, an EOB run of 2^14.
	counts := make([]byte, 16)
	counts[0] = 1
	seg(0xC4, append(append([]byte{0x10}, counts...), 0xE0)...)
	for range scans {
		// SOS: component 1 with AC table 0, bands 1..63, first pass.
		seg(0xDA, 1, 1, 0x00, 1, 63, 0x00)
		b.Write(make([]byte, 8)) // code 0 and 14 zero bits, four times
	}
	b.Write([]byte{0xFF, 0xD9}) // EOI
	return b.Bytes()
}

func TestProgressiveJPEGScanCap(t *testing.T) {
	for _, c := range []struct {
		scans int
		want  string // "" means decoded
	}{
		{10, ""},
		{MaxJPEGScans, ""},
		{MaxJPEGScans + 1, "over 64 scans (scan cap)"},
		{1000, "over 64 scans (scan cap)"},
	} {
		side := 2048
		if c.want == "" {
			side = 256 // the same scans, fewer blocks: quick to decode
		}
		b := progressiveJPEG(side, c.scans)
		if c.scans == 1000 && len(b) > 30<<10 {
			t.Fatalf("the hostile JPEG is %d bytes, want it small", len(b))
		}
		img, err := (&Fetcher{}).decode(b)
		if c.want == "" {
			if err != nil || img.Bounds().Dx() != side {
				t.Errorf("%d scans: decode = %v, want the picture", c.scans, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Reason, c.want) {
			t.Errorf("%d scans: decode = %v, want a reason with %q", c.scans, err, c.want)
		}
	}
}

func TestJPEGScansWalksRealFiles(t *testing.T) {
	var b bytes.Buffer
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 300, 200)), nil)
	if n := jpegScans(b.Bytes(), MaxJPEGScans); n != 1 {
		t.Errorf("a baseline JPEG has %d scans, want 1", n)
	}
	if n := jpegScans(progressiveJPEG(2048, 500), MaxJPEGScans); n != MaxJPEGScans+1 {
		t.Errorf("counted %d scans, want to stop at %d", n, MaxJPEGScans+1)
	}
}

// A cached file that no longer decodes is dropped and fetched anew, not
// refused on every selection.
func TestCachedFileThatFailsIsDropped(t *testing.T) {
	var hits atomic.Int32
	good := testPNG(16, 9)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write(good) })
	c := &Cache{Dir: t.TempDir()}
	url := srv.URL + "/t.png"
	c.Put(cacheKey(url), progressiveJPEG(2048, 1000))
	f := &Fetcher{Client: srv.Client(), Cache: c}
	if _, err := f.Get(context.Background(), "v", url); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d fetches, want the spoilt entry fetched anew", hits.Load())
	}
	if b := c.Get(cacheKey(url), 1<<20); !bytes.Equal(b, good) {
		t.Error("the cache still holds the spoilt file")
	}
	ents, _ := os.ReadDir(c.Dir)
	if len(ents) != 1 {
		t.Errorf("cache holds %d files, want 1", len(ents))
	}
}

// BenchmarkHostileProgressiveJPEG: refused in microseconds, where the
// decoder took seconds for 1000 scans.
func BenchmarkHostileProgressiveJPEG(b *testing.B) {
	j := progressiveJPEG(2048, 1000)
	f := &Fetcher{}
	for b.Loop() {
		if _, err := f.decode(j); err == nil {
			b.Fatal("decoded")
		}
	}
}
