package download

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dirNames lists a folder, to check nothing but the video is left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestDownloadWhole(t *testing.T) {
	h := newFileHost(t, 3<<20+17)
	f, _ := testFetcher(t, nil)
	var last, total int64
	v := &api.Video{ID: "vid1", Name: "Quarterly update", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(len(h.content))}
	res, err := f.Download(context.Background(), v, func(d, t int64) { last, total = d, t })
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(f.Dir, "Quarterly update-vid1.mp4"); res.Path != want || res.Skipped {
		t.Fatalf("got %+v, want path %s", res, want)
	}
	if !bytes.Equal(readFile(t, res.Path), h.content) {
		t.Fatal("content differs")
	}
	if last != int64(len(h.content)) || total != int64(len(h.content)) {
		t.Fatalf("last report %d/%d", last, total)
	}
	if names := dirNames(t, f.Dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestResumeAfterCut(t *testing.T) {
	const size = 5 << 20
	cut := int64(size * 40 / 100)
	h := newFileHost(t, size)
	h.cutAt = []int64{cut}
	f, sl := testFetcher(t, nil)
	v := &api.Video{ID: "vid2", Name: "cut", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(size)}
	path, err := f.Fetch(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content) {
		t.Fatal("resumed file is not byte-identical")
	}
	reqs := h.seen()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2: %+v", len(reqs), reqs)
	}
	if reqs[0].Range != "" {
		t.Errorf("first request asked for Range %q", reqs[0].Range)
	}
	if want := "bytes=" + strconv.FormatInt(cut, 10) + "-"; reqs[1].Range != want || reqs[1].IfRange != h.etag {
		t.Errorf("resume asked Range %q If-Range %q, want %q and %q", reqs[1].Range, reqs[1].IfRange, want, h.etag)
	}
	if sl.count() != 1 {
		t.Errorf("%d backoff waits, want 1", sl.count())
	}
}

func TestResumeAcrossRuns(t *testing.T) {
	const size = 2 << 20
	h := newFileHost(t, size)
	h.cutAt = []int64{size / 3}
	f, _ := testFetcher(t, nil)
	f.MaxFailures = 1
	v := &api.Video{ID: "vid3", Name: "runs", PublicURL: h.url("a")} // size unknown to the API
	if _, err := f.Fetch(context.Background(), v); err == nil {
		t.Fatal("first run: want an error after the cut")
	}
	part := filepath.Join(f.Dir, "runs-vid3.mp4.part")
	if fi, err := os.Stat(part); err != nil || fi.Size() != size/3 {
		t.Fatalf("part after first run: %v %v", fi, err)
	}
	// A new process: a new Fetcher, the same folder.
	g, _ := testFetcher(t, nil)
	g.Dir = f.Dir
	path, err := g.Fetch(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content) {
		t.Fatal("content differs")
	}
	if r := h.seen()[1]; r.Range != "bytes="+strconv.Itoa(size/3)+"-" || r.IfRange != h.etag {
		t.Fatalf("second run asked %+v", r)
	}
	if names := dirNames(t, f.Dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestChangedFileStartsOver(t *testing.T) {
	const size = 1 << 20
	h := newFileHost(t, size)
	h.cutAt = []int64{size / 2}
	f, _ := testFetcher(t, nil)
	f.MaxFailures = 1
	v := &api.Video{ID: "vid4", Name: "changed", PublicURL: h.url("a")}
	if _, err := f.Fetch(context.Background(), v); err == nil {
		t.Fatal("want an error after the cut")
	}
	// The file is replaced on the host: If-Range no longer matches, the
	// host sends all of it with 200, and the part must be truncated.
	h.mu.Lock()
	h.content = bytes.Repeat([]byte("new!"), size/4)
	h.etag = `"v2"`
	h.mu.Unlock()
	f.MaxFailures = 0
	path, err := f.Fetch(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content) {
		t.Fatal("old and new bytes mixed")
	}
}

func TestExpiredLinkRefreshed(t *testing.T) {
	const size = 4 << 20
	h := newFileHost(t, size)
	h.cutAt = []int64{size * 40 / 100}
	h.valid = map[string]bool{"old": true}
	g := &videos{links: []string{h.url("new")}, size: sizePtr(size)}
	f, _ := testFetcher(t, g)
	v := &api.Video{ID: "vid5", Name: "expiring", PublicURL: h.url("old"), VideoSizeBytes: sizePtr(size)}
	// The link expires while the first response is under way.
	expire := func() {
		h.mu.Lock()
		h.valid = map[string]bool{"new": true}
		h.mu.Unlock()
	}
	var once bool
	res, err := f.Download(context.Background(), v, func(done, _ int64) {
		if !once && done > 0 {
			once = true
			expire()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, res.Path), h.content) {
		t.Fatal("content differs")
	}
	if g.calls != 1 {
		t.Fatalf("%d refreshes, want 1", g.calls)
	}
	reqs := h.seen()
	last := reqs[len(reqs)-1]
	if last.Sig != "new" || last.Range != "bytes="+strconv.Itoa(size*40/100)+"-" {
		t.Fatalf("last request %+v: want the new link, resumed", last)
	}
	if len(reqs) != 3 || reqs[1].Sig != "old" {
		t.Fatalf("requests %+v: want old (cut), old (403), new", reqs)
	}
}

func TestRetriesThenGivesUp(t *testing.T) {
	h := newFileHost(t, 1000)
	h.statuses = []int{503, 500, 502, 503, 503, 503, 503, 503}
	f, sl := testFetcher(t, nil)
	f.MaxFailures = 4
	v := &api.Video{ID: "vid6", PublicURL: h.url("a")}
	_, err := f.Fetch(context.Background(), v)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 503 {
		t.Fatalf("got %v, want the last 503", err)
	}
	if len(h.seen()) != 4 || sl.count() != 3 {
		t.Fatalf("%d requests, %d waits; want 4 and 3", len(h.seen()), sl.count())
	}
	// Waits grow: 250ms, 500ms, 1s at jitter 0.5 of 500ms base... capped.
	for i := 1; i < len(sl.d); i++ {
		if sl.d[i] <= sl.d[i-1] {
			t.Fatalf("waits do not grow: %v", sl.d)
		}
	}
	if _, err := os.Stat(filepath.Join(f.Dir, "video-vid6.mp4")); err == nil {
		t.Fatal("a failed download left a final file")
	}
}

func TestTransientThenSuccess(t *testing.T) {
	h := newFileHost(t, 1000)
	h.statuses = []int{503, 429}
	f, sl := testFetcher(t, nil)
	path, err := f.Fetch(context.Background(), &api.Video{ID: "vid7", PublicURL: h.url("a")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content) || sl.count() != 2 {
		t.Fatalf("content or waits wrong (%d waits)", sl.count())
	}
}

// A server's Retry-After is honoured up to retry.MaxRetryAfter, the one
// cap every retry in reel keeps to, and no longer; the error says so.
func TestRetryAfterCapped(t *testing.T) {
	h := newFileHost(t, 1000)
	h.statuses = []int{503}
	h.retryAfter = "3600"
	f, sl := testFetcher(t, nil)
	if _, err := f.Fetch(context.Background(), &api.Video{ID: "vid7", PublicURL: h.url("a")}); err != nil {
		t.Fatal(err)
	}
	if sl.count() != 1 || sl.d[0] != retry.MaxRetryAfter {
		t.Fatalf("waits %v after a 503 asking for an hour, want one of %v", sl.d, retry.MaxRetryAfter)
	}
	msg := (&transientError{err: errors.New("503"), retryAfter: time.Hour}).Error()
	if !strings.Contains(msg, "1h0m0s") || !strings.Contains(msg, "at most 5m0s") {
		t.Errorf("the error for an hour's Retry-After: %q, want the hour asked and the 5m cap", msg)
	}
}

func TestFatalStatus(t *testing.T) {
	h := newFileHost(t, 1000)
	h.statuses = []int{http.StatusUnauthorized}
	f, sl := testFetcher(t, &videos{links: []string{h.url("b")}})
	_, err := f.Fetch(context.Background(), &api.Video{ID: "vid8", PublicURL: h.url("a")})
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 401 || sl.count() != 0 {
		t.Fatalf("got %v after %d waits, want HTTP 401 at once", err, sl.count())
	}
}

func TestSizeMismatch(t *testing.T) {
	h := newFileHost(t, 1000)
	f, _ := testFetcher(t, nil)
	_, err := f.Fetch(context.Background(), &api.Video{ID: "vid9", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(999)})
	var se *SizeError
	if !errors.As(err, &se) || se.Got != 1000 || se.Want != 999 {
		t.Fatalf("got %v, want a size error", err)
	}
	if names := dirNames(t, f.Dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestExistingFile(t *testing.T) {
	tests := []struct {
		name      string
		existing  []byte // at the plain name
		apiSize   bool   // the API announces the size
		wantName  string
		skipped   bool
		wantCalls int
	}{
		{"same size, known", nil, true, "x-v.mp4", true, 0},
		{"same size, learnt from the host", nil, false, "x-v.mp4", true, 1},
		{"different size", []byte("old"), true, "x-v (2).mp4", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFileHost(t, 4096)
			f, _ := testFetcher(t, nil)
			existing := tt.existing
			if existing == nil {
				existing = bytes.Repeat([]byte{1}, 4096) // same size, other bytes: kept
			}
			plain := filepath.Join(f.Dir, "x-v.mp4")
			if err := os.WriteFile(plain, existing, 0o644); err != nil {
				t.Fatal(err)
			}
			v := &api.Video{ID: "v", Name: "x", PublicURL: h.url("a")}
			if tt.apiSize {
				v.VideoSizeBytes = sizePtr(4096)
			}
			res, err := f.Download(context.Background(), v, nil)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(res.Path) != tt.wantName || res.Skipped != tt.skipped || len(h.seen()) != tt.wantCalls {
				t.Fatalf("got %+v after %d requests", res, len(h.seen()))
			}
			if !bytes.Equal(readFile(t, plain), existing) {
				t.Fatal("the existing file was overwritten")
			}
			if !tt.skipped && !bytes.Equal(readFile(t, res.Path), h.content) {
				t.Fatal("new file content differs")
			}
			// A second run finds the copy and skips.
			again, err := f.Download(context.Background(), v, nil)
			if err != nil || again.Path != res.Path || !again.Skipped {
				t.Fatalf("second run: %+v, %v", again, err)
			}
		})
	}
}

func TestCompletePartNotRenamed(t *testing.T) {
	h := newFileHost(t, 2048)
	f, _ := testFetcher(t, nil)
	v := &api.Video{ID: "v", Name: "crash", PublicURL: h.url("a")}
	final := filepath.Join(f.Dir, FileName(v))
	if err := os.WriteFile(final+".part", h.content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeMeta(final+".part.meta", partMeta{ETag: h.etag, Size: 2048}); err != nil {
		t.Fatal(err)
	}
	path, err := f.Fetch(context.Background(), v)
	if err != nil || path != final || !bytes.Equal(readFile(t, path), h.content) {
		t.Fatalf("got %s, %v", path, err)
	}
	if names := dirNames(t, f.Dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestPartWithoutMetaStartsOver(t *testing.T) {
	h := newFileHost(t, 2048)
	f, _ := testFetcher(t, nil)
	v := &api.Video{ID: "v", Name: "orphan", PublicURL: h.url("a")}
	final := filepath.Join(f.Dir, FileName(v))
	if err := os.WriteFile(final+".part", []byte("garbage of unknown origin"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := f.Fetch(context.Background(), v)
	if err != nil || !bytes.Equal(readFile(t, path), h.content) {
		t.Fatalf("got %s, %v", path, err)
	}
	if r := h.seen()[0]; r.Range != "" {
		t.Fatalf("resumed bytes of unknown origin: %+v", r)
	}
}

func TestOnlyHTTPLinks(t *testing.T) {
	for _, link := range []string{"file:///etc/passwd", "ftp://example.com/x.mp4", "javascript:alert(1)", "//no-scheme/x", ""} {
		t.Run(link, func(t *testing.T) {
			f, _ := testFetcher(t, nil)
			_, err := f.Fetch(context.Background(), &api.Video{ID: "v", PublicURL: link})
			if err == nil {
				t.Fatal("want an error")
			}
			if names := dirNames(t, f.Dir); len(names) != 0 {
				t.Fatalf("left behind: %v", names)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	// The host sends half the file, then holds until the client leaves.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2000")
		_, _ = w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	f, sl := testFetcher(t, nil)
	_, err := f.Download(ctx, &api.Video{ID: "v", PublicURL: srv.URL}, func(done, _ int64) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || sl.count() != 0 {
		t.Fatalf("got %v after %d waits, want context.Canceled at once", err, sl.count())
	}
	if fi, err := os.Stat(filepath.Join(f.Dir, "video-v.mp4.part")); err != nil || fi.Size() != 1000 {
		t.Fatalf("the part should stay for a resume: %v %v", fi, err)
	}
}
