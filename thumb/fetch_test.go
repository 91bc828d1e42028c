package thumb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 80, 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// hugePNG is a valid PNG header (signature and IHDR) claiming w×h pixels,
// followed by nothing: a few dozen bytes that would decode into gigabytes.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// endless is a body of n bytes made on the fly, so the test itself holds
// none of it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	e.n -= k
	return int(k), nil
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// fileHost answers every request in process with one reply, so that the
// memory a fetch takes is measured without a server's.
type fileHost struct {
	status int
	length int64 // -1: not announced
	body   func() io.Reader
}

func (h fileHost) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: h.status, ContentLength: h.length, Header: http.Header{},
		Body: io.NopCloser(h.body()), Request: r}, nil
}

func TestHostileImagesGiveAReasonAndFlatMemory(t *testing.T) {
	good := testPNG(64, 36)
	var jpg bytes.Buffer
	_ = jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 32, 18)), nil)
	bytesOf := func(b []byte) fileHost {
		return fileHost{200, int64(len(b)), func() io.Reader { return bytes.NewReader(b) }}
	}
	cases := []struct {
		name string
		host fileHost
		want string // in the reason; "" means success
	}{
		{"a PNG", bytesOf(good), ""},
		{"a JPEG", bytesOf(jpg.Bytes()), ""},
		{"30000×30000 PNG", bytesOf(hugePNG(30000, 30000)), "30000×30000 pixels is over the 4 MP pixel cap"},
		{"1×2^31 PNG", bytesOf(hugePNG(1, 1<<31-1)), "pixel cap"},
		{"truncated PNG", bytesOf(good[:len(good)/2]), "truncated or broken png"},
		{"not an image", bytesOf([]byte("<html>nope</html>")), "not a PNG or JPEG"},
		{"50 MB, length announced", fileHost{200, 50 << 20, func() io.Reader { return &endless{50 << 20} }}, "50.0 MB is over the 4.0 MB byte cap"},
		{"50 MB, no length", fileHost{200, -1, func() io.Reader { return &endless{50 << 20} }}, "over the 4.0 MB byte cap"},
		{"500 MB, no length", fileHost{200, -1, func() io.Reader { return &endless{500 << 20} }}, "over the 4.0 MB byte cap"},
		{"cut short", fileHost{200, 1000, func() io.Reader { return bytes.NewReader(good[:10]) }}, "the transfer broke off after 10 B"},
		{"server error", fileHost{502, 0, func() io.Reader { return strings.NewReader("") }}, "HTTP 502"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &Fetcher{Client: &http.Client{Transport: c.host}}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			img, err := f.Get(context.Background(), "v1", "https://cdn.example/t.png")
			runtime.ReadMemStats(&after)
			grew := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.1f MB", float64(grew)/(1<<20))
			// At most the 4 MB cap, read in pieces: the same for
			// 50 MB as for 500.
			if grew > 5<<20 {
				t.Errorf("allocated %d MB for one thumbnail", grew>>20)
			}
			if c.want == "" {
				if err != nil || img == nil {
					t.Fatalf("Get = %v, %v; want the image", img, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, c.want) {
				t.Fatalf("Get error = %v, want a reason with %q", err, c.want)
			}
			if len(e.Reason) > 60 {
				t.Errorf("reason %q is too long for the pane", e.Reason)
			}
		})
	}
}

func TestTimeCap(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	f := &Fetcher{Client: srv.Client(), Timeout: 50 * time.Millisecond}
	_, err := f.Get(context.Background(), "v1", srv.URL)
	if err == nil || !strings.Contains(err.Error(), "within 50ms (time cap)") {
		t.Fatalf("Get = %v, want the time cap", err)
	}
}

func TestExpiredLinkIsRenewedThroughTheVideo(t *testing.T) {
	good := testPNG(16, 9)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sig") != "new" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("a token reached the file host")
		}
		w.Write(good)
	})
	var asked atomic.Int32
	f := &Fetcher{Client: srv.Client(), Refresh: func(ctx context.Context, id string) (string, error) {
		asked.Add(1)
		if id != "vid" {
			t.Errorf("refreshed %q", id)
		}
		return srv.URL + "/t.png?sig=new", nil
	}}
	if _, err := f.Get(context.Background(), "vid", srv.URL+"/t.png?sig=old"); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 1 {
		t.Errorf("the video was asked for %d times, want 1", asked.Load())
	}
	f.Refresh = func(context.Context, string) (string, error) { return "", errors.New("API key rejected") }
	if _, err := f.Get(context.Background(), "vid", srv.URL+"/t.png?sig=old"); err == nil || !strings.Contains(err.Error(), "not renewed: API key rejected") {
		t.Errorf("Get = %v, want why it was not renewed", err)
	}
}

func TestCacheServesAndStaysBounded(t *testing.T) {
	var hits atomic.Int32
	body := testPNG(64, 36)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write(body) })
	now := time.Unix(1e9, 0)
	c := &Cache{Dir: t.TempDir(), MaxBytes: int64(3 * len(body)), Now: func() time.Time { now = now.Add(time.Second); return now }}
	f := &Fetcher{Client: srv.Client(), Cache: c}
	for i, id := range []string{"a", "b", "c", "a", "d", "e"} {
		// A new signature each time: the cache goes by the path.
		if _, err := f.Get(context.Background(), id, fmt.Sprintf("%s/%s.png?sig=%d", srv.URL, id, i)); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != 5 {
		t.Errorf("%d fetches, want 5 (a second time from the cache)", hits.Load())
	}
	ents, _ := os.ReadDir(c.Dir)
	var total int64
	for _, e := range ents {
		i, _ := e.Info()
		total += i.Size()
	}
	if total > c.MaxBytes || len(ents) != 3 {
		t.Errorf("cache holds %d files, %d bytes; bound %d", len(ents), total, c.MaxBytes)
	}
	// "a" was used again after "b" and "c": it outlives them.
	if c.Get(srv.URL+"/a.png", 1<<20) == nil || c.Get(srv.URL+"/b.png", 1<<20) != nil {
		t.Error("the cache dropped the recently used file, not the oldest")
	}
}

func TestNotHTTP(t *testing.T) {
	f := &Fetcher{Client: http.DefaultClient}
	if _, err := f.Get(context.Background(), "v", "file:///etc/passwd"); err == nil || !strings.Contains(err.Error(), "not an http(s) link") {
		t.Errorf("Get(file://) = %v", err)
	}
}

func TestCacheKeyLeavesOutTheSignature(t *testing.T) {
	a := cacheKey("https://cdn.example/v/1.png?Expires=1&Signature=x")
	if b := cacheKey("https://cdn.example/v/1.png?Expires=2&Signature=y"); a != b {
		t.Errorf("a renewed link is another key: %q, %q", a, b)
	}
	if b := cacheKey("http://127.0.0.1:1234/v/1.png"); a == b {
		t.Error("two hosts share a key")
	}
	s3 := cacheKey("https://b.s3.amazonaws.com/t.jpg?X-Amz-Date=1&X-Amz-Signature=a&X-Amz-Credential=k&x-amz-expires=60")
	if b := cacheKey("https://b.s3.amazonaws.com/t.jpg?X-Amz-Signature=b&X-Amz-Date=2&X-Amz-Credential=k&x-amz-expires=60"); s3 != b || s3 != "https://b.s3.amazonaws.com/t.jpg" {
		t.Errorf("a re-signed S3 link is another key: %q, %q", s3, b)
	}
	if a, b := cacheKey("https://cdn.example/thumb?v=a&Policy=p&Key-Pair-Id=k"), cacheKey("https://cdn.example/thumb?v=b&Policy=p&Key-Pair-Id=k"); a == b {
		t.Errorf("two pictures told apart by their query share the key %q", a)
	}
}

// Two pictures that differ only in the query are two pictures: video b
// does not show video a's.
func TestCacheKeepsQueryDistinguishedPicturesApart(t *testing.T) {
	pics := map[string][]byte{"a": testPNG(16, 9), "b": testPNG(32, 18)}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(pics[r.URL.Query().Get("v")]) })
	f := &Fetcher{Client: srv.Client(), Cache: &Cache{Dir: t.TempDir()}}
	for _, v := range []string{"a", "b", "a", "b"} {
		img, err := f.Get(context.Background(), v, srv.URL+"/thumb?v="+v+"&Expires=1&Signature=s")
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"a": 16, "b": 32}[v]; img.Bounds().Dx() != want {
			t.Fatalf("video %s shows a picture %d wide, want %d", v, img.Bounds().Dx(), want)
		}
	}
}

// A temporary file a crash left is removed; one being written now, by
// another reel, is not.
func TestCacheTrimsStaleTempFiles(t *testing.T) {
	now := time.Unix(1e9, 0)
	c := &Cache{Dir: t.TempDir(), Now: func() time.Time { return now }}
	stale, fresh := c.Dir+"/.put-123", c.Dir+"/.put-456"
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("half a picture"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Chtimes(stale, now.Add(-2*time.Minute), now.Add(-2*time.Minute))
	_ = os.Chtimes(fresh, now.Add(-time.Second), now.Add(-time.Second))
	c.Put("https://cdn.example/a.png", testPNG(4, 4))
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temp file is still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the temp file being written was removed: %v", err)
	}
}
