package download

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// fileHost is a test file server: it serves content with Range, ETag and
// If-Range (through http.ServeContent), records every request, and can
// cut responses short or expire links.
type fileHost struct {
	t       *testing.T
	srv     *httptest.Server
	content []byte
	etag    string

	mu         sync.Mutex
	requests   []seen
	cutAt      []int64         // per response, in order: abort after this many body bytes
	statuses   []int           // per request, in order: answer this status instead
	retryAfter string          // the Retry-After header sent with each status answer
	valid      map[string]bool // accepted ?sig= values; nil: any
}

// seen is what the host recorded of one request.
type seen struct {
	Path, Sig, Range, IfRange, Authorization, Cookie string
}

func newFileHost(t *testing.T, size int) *fileHost {
	t.Helper()
	content := make([]byte, size)
	var seed [32]byte
	seed[0] = byte(size)
	_, _ = rand.NewChaCha8(seed).Read(content)
	h := &fileHost{t: t, content: content, etag: `"v1"`}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fileHost) url(sig string) string { return h.srv.URL + "/files/video.mp4?sig=" + sig }

func (h *fileHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, seen{Path: r.URL.Path, Sig: r.URL.Query().Get("sig"),
		Range: r.Header.Get("Range"), IfRange: r.Header.Get("If-Range"),
		Authorization: r.Header.Get("Authorization"), Cookie: r.Header.Get("Cookie")})
	status := 0
	if len(h.statuses) > 0 {
		status, h.statuses = h.statuses[0], h.statuses[1:]
	}
	valid := h.valid == nil || h.valid[r.URL.Query().Get("sig")]
	cut := int64(-1)
	if status == 0 && valid && len(h.cutAt) > 0 {
		cut, h.cutAt = h.cutAt[0], h.cutAt[1:]
	}
	content, etag, ra := h.content, h.etag, h.retryAfter
	h.mu.Unlock()

	switch {
	case status != 0:
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, http.StatusText(status), status)
		return
	case !valid:
		http.Error(w, "link expired", http.StatusForbidden)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "video/mp4")
	if cut >= 0 {
		w = &cutWriter{ResponseWriter: w, left: cut}
	}
	http.ServeContent(w, r, "video.mp4", time.Time{}, bytes.NewReader(content))
}

func (h *fileHost) seen() []seen {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]seen(nil), h.requests...)
}

// cutWriter aborts the connection once left body bytes are written, as a
// reset connection would.
type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		n, _ := c.ResponseWriter.Write(p[:c.left])
		c.left = 0
		c.ResponseWriter.(http.Flusher).Flush()
		_ = n
		panic(http.ErrAbortHandler)
	}
	c.left -= int64(len(p))
	return c.ResponseWriter.Write(p)
}

// videos is a VideoGetter that hands out links in order, counting calls.
type videos struct {
	mu    sync.Mutex
	links []string
	calls int
	size  *int64
	err   error
}

func (v *videos) GetVideo(_ context.Context, id string) (*api.Video, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	if v.err != nil {
		return nil, v.err
	}
	if len(v.links) == 0 {
		return nil, fmt.Errorf("test: no more links")
	}
	l := v.links[0]
	if len(v.links) > 1 {
		v.links = v.links[1:]
	}
	return &api.Video{ID: id, PublicURL: l, VideoSizeBytes: v.size}, nil
}

// sleeps records the waits a Fetcher asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d)
}

// testFetcher is a Fetcher into a temp folder that never really sleeps.
func testFetcher(t *testing.T, g VideoGetter) (*Fetcher, *sleeps) {
	t.Helper()
	s := &sleeps{}
	return &Fetcher{
		Dir:          t.TempDir(),
		HTTP:         NewHTTPClient(),
		Videos:       g,
		Sleep:        s.sleep,
		Jitter:       func() float64 { return 0.5 },
		StallTimeout: 10 * time.Second,
	}, s
}

func sizePtr(n int) *int64 { v := int64(n); return &v }
