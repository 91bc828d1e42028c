package sim

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fileGet fetches a file URL with extra headers and no token.
func fileGet(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := freshClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, rerr := io.ReadAll(resp.Body)
	return resp, b, rerr
}

func contentBytes(s *Sim, id string) []byte {
	b, _ := io.ReadAll(s.NewContent(id))
	return b
}

func TestFileRangeETagIfRange(t *testing.T) {
	h := newHarness(t, Options{Seed: 5})
	_, vid := h.sim.AddJob(JobSpec{VideoSize: 100_000})
	_, v := h.video(vid)
	url := v["publicUrl"].(string)
	if !strings.HasPrefix(url, h.srv.URL+"/files/") {
		t.Fatalf("publicUrl %s not on the sim's file path", url)
	}
	want := contentBytes(h.sim, vid)

	resp, body, err := fileGet(t, "GET", url, nil)
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, want) || resp.ContentLength != 100_000 {
		t.Fatalf("full GET: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	if !bytes.HasPrefix(body, []byte("\x00\x00\x00\x20ftyp")) || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("not an MP4 by its first bytes and type: %q %q", body[:8], resp.Header.Get("Content-Type"))
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("headers: %v", resp.Header)
	}

	tests := []struct {
		name     string
		hdr      map[string]string
		code     int
		from, to int
	}{
		{"range", map[string]string{"Range": "bytes=1000-1999"}, 206, 1000, 2000},
		{"open range", map[string]string{"Range": "bytes=99990-"}, 206, 99990, 100_000},
		{"If-Range current", map[string]string{"Range": "bytes=50000-", "If-Range": etag}, 206, 50000, 100_000},
		{"If-Range stale", map[string]string{"Range": "bytes=50000-", "If-Range": `"stale"`}, 200, 0, 100_000},
		{"If-None-Match", map[string]string{"If-None-Match": etag}, 304, 0, 0},
		{"unsatisfiable", map[string]string{"Range": "bytes=200000-"}, 416, 0, 0},
	}
	for _, tt := range tests {
		resp, body, err := fileGet(t, "GET", url, tt.hdr)
		if err != nil || resp.StatusCode != tt.code {
			t.Errorf("%s: %d %v, want %d", tt.name, resp.StatusCode, err, tt.code)
			continue
		}
		if tt.code < 300 && !bytes.Equal(body, want[tt.from:tt.to]) {
			t.Errorf("%s: wrong bytes (%d of them)", tt.name, len(body))
		}
		if tt.code == 206 && resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/100000", tt.from, tt.to-1) {
			t.Errorf("%s: Content-Range %q", tt.name, resp.Header.Get("Content-Range"))
		}
	}
	if resp, _, _ := fileGet(t, "HEAD", url, nil); resp.ContentLength != 100_000 {
		t.Errorf("HEAD Content-Length %d", resp.ContentLength)
	}
}

func TestThumbnailIsAPNG(t *testing.T) {
	h := newHarness(t, Options{})
	vid := h.sim.AddVideo(VideoSpec{})
	_, v := h.video(vid)
	resp, body, err := fileGet(t, "GET", v["thumbnailUrl"].(string), nil)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("thumbnail: %d %v", resp.StatusCode, err)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 180 {
		t.Fatalf("thumbnail does not decode as a 320x180 PNG: %v", err)
	}
}

func TestLinksExpire(t *testing.T) {
	h := newHarness(t, Options{LinkTTL: 10 * time.Minute})
	vid := h.sim.AddVideo(VideoSpec{Size: 1000})
	_, v := h.video(vid)
	old := v["publicUrl"].(string)

	h.clock.Advance(9 * time.Minute)
	if resp, _, _ := fileGet(t, "GET", old, nil); resp.StatusCode != 200 {
		t.Fatalf("link within its TTL: %d", resp.StatusCode)
	}
	h.clock.Advance(2 * time.Minute)
	resp, body, _ := fileGet(t, "GET", old, nil)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "expired") {
		t.Fatalf("expired link: %d %s, want 403", resp.StatusCode, body)
	}
	_, v = h.video(vid)
	fresh := v["publicUrl"].(string)
	if resp, _, _ := fileGet(t, "GET", fresh, nil); resp.StatusCode != 200 {
		t.Fatalf("fresh link: %d", resp.StatusCode)
	}

	h.sim.ExpireLinks()
	if resp, _, _ := fileGet(t, "GET", fresh, nil); resp.StatusCode != 403 {
		t.Fatalf("link after ExpireLinks: %d, want 403", resp.StatusCode)
	}
	_, v = h.video(vid)
	if resp, _, _ := fileGet(t, "GET", v["publicUrl"].(string), nil); resp.StatusCode != 200 {
		t.Fatalf("link fetched after ExpireLinks: %d", resp.StatusCode)
	}

	tampered := strings.Replace(fresh, "Expires=", "Expires=9", 1)
	if resp, _, _ := fileGet(t, "GET", tampered, nil); resp.StatusCode != 403 {
		t.Fatalf("tampered link: %d, want 403", resp.StatusCode)
	}
	h.do("DELETE", "/generated-videos/"+vid, nil)
	if resp, _, _ := fileGet(t, "GET", v["publicUrl"].(string), nil); resp.StatusCode != 404 {
		t.Fatalf("deleted video's file: %d, want 404", resp.StatusCode)
	}
}

// TestCutDownloadResumes: a download cut mid-transfer leaves half the bytes,
// and a Range request for the rest completes it.
func TestCutDownloadResumes(t *testing.T) {
	h := newHarness(t, Options{Seed: 2})
	vid := h.sim.AddVideo(VideoSpec{Size: 3 << 20})
	_, v := h.video(vid)
	url := v["publicUrl"].(string)
	h.sim.InjectFileFaults(FaultTruncated)
	resp, part, err := fileGet(t, "GET", url, nil)
	if resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || len(part) == 0 || len(part) >= 3<<20 {
		t.Fatalf("cut download: %d, %d bytes, %v", resp.StatusCode, len(part), err)
	}
	resp, rest, err := fileGet(t, "GET", url, map[string]string{"Range": fmt.Sprintf("bytes=%d-", len(part)), "If-Range": resp.Header.Get("ETag")})
	if err != nil || resp.StatusCode != 206 {
		t.Fatalf("resume: %d %v", resp.StatusCode, err)
	}
	if !bytes.Equal(append(part, rest...), contentBytes(h.sim, vid)) {
		t.Fatal("resumed download differs from the file")
	}
}

func TestFileFaultRate(t *testing.T) {
	h := newHarness(t, Options{FileFaults: 1, FileFaultKinds: []Fault{FaultUnavailable}})
	id, vid := h.sim.AddJob(JobSpec{VideoSize: 10})
	h.job(id) // API requests meet no file faults
	_, v := h.video(vid)
	if resp, _, _ := fileGet(t, "GET", v["publicUrl"].(string), nil); resp.StatusCode != 503 {
		t.Fatalf("file at fault rate 1: %d", resp.StatusCode)
	}
}

func TestHugeFileCostsNoMemory(t *testing.T) {
	h := newHarness(t, Options{})
	const size = 1 << 30
	vid := h.sim.AddVideo(VideoSpec{Size: size})
	_, v := h.video(vid)
	url := v["publicUrl"].(string)
	if resp, _, _ := fileGet(t, "HEAD", url, nil); resp.ContentLength != size {
		t.Fatalf("HEAD: Content-Length %d", resp.ContentLength)
	}
	resp, body, err := fileGet(t, "GET", url, map[string]string{"Range": fmt.Sprintf("bytes=%d-", size-4096)})
	want := make([]byte, 4096)
	_, _ = h.sim.NewContent(vid).ReadAt(want, size-4096)
	if err != nil || resp.StatusCode != 206 || !bytes.Equal(body, want) {
		t.Fatalf("last 4 KiB: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
}

// TestContentAnyOffset: bytes depend on their offset alone, whatever the
// alignment and size of the reads.
func TestContentAnyOffset(t *testing.T) {
	c := &Content{key: 77, size: 10_000}
	whole := make([]byte, c.size)
	if _, err := io.ReadFull(c, whole); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		off := r.Int64N(c.size)
		n := r.IntN(70)
		got := make([]byte, n)
		k, _ := c.ReadAt(got, off)
		if !bytes.Equal(got[:k], whole[off:min(off+int64(n), c.size)]) {
			t.Fatalf("ReadAt(%d, %d) differs", off, n)
		}
	}
	if _, err := c.Seek(9_990, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(c)
	if !bytes.Equal(tail, whole[9_990:]) {
		t.Fatal("Seek then Read differs")
	}
}

func BenchmarkContentRead(b *testing.B) {
	c := &Content{key: 1, size: 64 << 20}
	buf := make([]byte, 32<<10)
	b.SetBytes(c.size)
	for b.Loop() {
		_, _ = c.Seek(0, io.SeekStart)
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{c}, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func TestShareAndIndexPages(t *testing.T) {
	h := newHarness(t, Options{})
	vid := h.sim.AddVideo(VideoSpec{Name: `<b>"x"</b>`})
	resp, body, _ := fileGet(t, "GET", h.srv.URL+"/share/"+vid, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "&lt;b&gt;") || !strings.Contains(string(body), "/files/"+vid+".mp4") {
		t.Fatalf("share page: %d %s", resp.StatusCode, body)
	}
	if resp, _, _ := fileGet(t, "GET", h.srv.URL+"/share/nope", nil); resp.StatusCode != 404 {
		t.Fatalf("share page of no video: %d", resp.StatusCode)
	}
	if resp, body, _ := fileGet(t, "GET", h.srv.URL+"/", nil); resp.StatusCode != 200 || !strings.Contains(string(body), APIPrefix) {
		t.Fatalf("index: %d %s", resp.StatusCode, body)
	}
}
