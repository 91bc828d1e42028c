package download

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
)

// simHost is the simulator with its files behind a middleware that can
// cut the next response at a given fraction and records Range headers,
// served on an origin of its own (a CDN).
type simHost struct {
	*sim.Server
	client *api.Client

	mu     sync.Mutex
	cutAt  float64 // fraction of the file; 0: no cut
	ranges []string
	codes  []int
}

func startSim(t *testing.T, opts sim.Options) *simHost {
	t.Helper()
	srv, err := sim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := &simHost{Server: srv}
	files := srv.FileHandler()
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		frac := h.cutAt
		h.cutAt = 0
		h.ranges = append(h.ranges, r.Header.Get("Range"))
		h.mu.Unlock()
		rec := &statusWriter{ResponseWriter: w}
		var ww http.ResponseWriter = rec
		if frac > 0 {
			ww = &fracCutter{ResponseWriter: rec, frac: frac}
		}
		defer func() {
			h.mu.Lock()
			h.codes = append(h.codes, rec.code)
			h.mu.Unlock()
		}()
		files.ServeHTTP(ww, r)
	}))
	t.Cleanup(cdn.Close)
	srv.SetFileOrigin(cdn.URL)
	h.client, err = api.New(srv.URL(), srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *simHost) cutNext(frac float64) {
	h.mu.Lock()
	h.cutAt = frac
	h.mu.Unlock()
}

// content is the bytes the simulator serves for a video.
func (h *simHost) content(t *testing.T, id string) []byte {
	t.Helper()
	b, err := io.ReadAll(h.NewContent(id))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *simHost) video(t *testing.T, id string) *api.Video {
	t.Helper()
	v, err := h.client.GetVideo(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }
func (s *statusWriter) Unwrap() http.ResponseWriter {
	return s.ResponseWriter
}

// fracCutter aborts the connection once frac of the whole file (by
// Content-Range or Content-Length) has gone out.
type fracCutter struct {
	http.ResponseWriter
	frac        float64
	limit, sent int64
	started     bool
}

func (c *fracCutter) WriteHeader(code int) {
	c.started = true
	size, _ := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
	if _, total, ok := parseContentRange(c.Header().Get("Content-Range")); ok {
		size = total
	}
	c.limit = int64(float64(size) * c.frac)
	c.ResponseWriter.WriteHeader(code)
}

func (c *fracCutter) Write(p []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if room := c.limit - c.sent; int64(len(p)) >= room {
		n, _ := c.ResponseWriter.Write(p[:room])
		c.sent += int64(n)
		_ = http.NewResponseController(c.ResponseWriter).Flush()
		panic(http.ErrAbortHandler)
	}
	n, err := c.ResponseWriter.Write(p)
	c.sent += int64(n)
	return n, err
}

func (c *fracCutter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func TestSimResumeAfterCutAt40(t *testing.T) {
	const size = 8 << 20
	h := startSim(t, sim.Options{Seed: 1})
	id := h.AddVideo(sim.VideoSpec{Name: "Onboarding", Size: size})
	h.cutNext(0.40)
	f, _ := testFetcher(t, h.client)
	path, err := f.Fetch(context.Background(), h.video(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content(t, id)) {
		t.Fatal("not byte-identical to what the simulator serves")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	want := []string{"", "bytes=" + strconv.Itoa(size*40/100) + "-"}
	if len(h.ranges) != 2 || h.ranges[0] != want[0] || h.ranges[1] != want[1] {
		t.Fatalf("ranges asked %q, want %q", h.ranges, want)
	}
	if h.codes[1] != http.StatusPartialContent {
		t.Fatalf("resume answered %d, want 206", h.codes[1])
	}
}

func TestSimLinkExpiresMidway(t *testing.T) {
	const size = 6 << 20
	h := startSim(t, sim.Options{Seed: 2})
	id := h.AddVideo(sim.VideoSpec{Name: "Expiring", Size: size})
	v := h.video(t, id)
	h.cutNext(0.40)
	h.ResetRequests()
	f, _ := testFetcher(t, h.client)
	var once sync.Once
	res, err := f.Download(context.Background(), v, func(done, _ int64) {
		if done > size/10 {
			once.Do(h.ExpireLinks) // the link runs out during the transfer
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, res.Path), h.content(t, id)) {
		t.Fatal("not byte-identical")
	}
	if got := h.Requests().ByRoute["GET /api/v1/generated-videos/{id}"]; got != 1 {
		t.Fatalf("%d video lookups, want 1 refresh", got)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Cut, refused as expired, resumed on the fresh link where it stopped.
	if len(h.codes) != 3 || h.codes[1] != http.StatusForbidden || h.codes[2] != http.StatusPartialContent ||
		h.ranges[2] != "bytes="+strconv.Itoa(size*40/100)+"-" {
		t.Fatalf("codes %v ranges %q", h.codes, h.ranges)
	}
}

// TestSimFaults downloads through the simulator's own file faults: cuts
// at half, resets, 503s.
func TestSimFaults(t *testing.T) {
	h := startSim(t, sim.Options{Seed: 3})
	id := h.AddVideo(sim.VideoSpec{Name: "faulty", Size: 3 << 20})
	faults := []sim.Fault{sim.FaultTruncated, sim.FaultReset, sim.FaultUnavailableRetry, sim.FaultTruncated,
		sim.FaultHTML, sim.FaultHTMLBadGateway, sim.FaultRateLimited}
	h.InjectFileFaults(faults...)
	f, sl := testFetcher(t, h.client)
	f.MaxFailures = len(faults) + 1
	path, err := f.Fetch(context.Background(), h.video(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content(t, id)) {
		t.Fatal("not byte-identical")
	}
	if sl.count() != len(faults) {
		t.Fatalf("%d waits for %d faults: %v", sl.count(), len(faults), sl.d)
	}
	// The 503 asked for two seconds: the wait honours it.
	if sl.d[2] < 2*time.Second {
		t.Fatalf("wait after a 503 with Retry-After: 2 was %v", sl.d[2])
	}
}

// TestSimStall: the file host holds the request; the watchdog gives up on
// it and the next try goes through. The watchdog's 1 s is far under the
// minute the host holds, and over any gap between two pieces of the good
// try, even under -race on a loaded machine (at 200 ms, such a gap cut
// the good try too and made a second wait).
func TestSimStall(t *testing.T) {
	h := startSim(t, sim.Options{Seed: 6, StallFor: time.Minute})
	id := h.AddVideo(sim.VideoSpec{Name: "stalled", Size: 1 << 20})
	h.InjectFileFaults(sim.FaultStall)
	f, sl := testFetcher(t, h.client)
	f.StallTimeout = time.Second
	path, err := f.Fetch(context.Background(), h.video(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), h.content(t, id)) || sl.count() != 1 {
		t.Fatalf("content or waits (%d) wrong", sl.count())
	}
}

// TestSimTokenStaysHome downloads from the simulator twice: files on the
// API's own origin, and files on a CDN origin, with links that expired so
// the API is asked (with the token) in between. No file request may carry
// an Authorization header.
func TestSimTokenStaysHome(t *testing.T) {
	for _, cdn := range []bool{false, true} {
		t.Run("cdn="+strconv.FormatBool(cdn), func(t *testing.T) {
			opts := sim.Options{Seed: 4}
			if cdn {
				opts.FileAddr = "127.0.0.1:0"
			}
			srv, err := sim.Start(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			client, err := api.New(srv.URL(), srv.Token())
			if err != nil {
				t.Fatal(err)
			}
			id := srv.AddVideo(sim.VideoSpec{Name: "n", Size: 1 << 20})
			v, err := client.GetVideo(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			srv.ExpireLinks()
			f, _ := testFetcher(t, client)
			if _, err := f.Fetch(context.Background(), v); err != nil {
				t.Fatal(err)
			}
			st := srv.Requests()
			if st.FileAuthHeaders != 0 {
				t.Fatalf("%d file requests carried Authorization", st.FileAuthHeaders)
			}
			if st.ByRoute["GET /files/{name}"] != 2 || st.Unauthorized != 0 {
				t.Fatalf("stats %+v: want the expired try and the fresh one", st)
			}
		})
	}
}

func TestSimHostileNames(t *testing.T) {
	h := startSim(t, sim.Options{Seed: 5})
	names := []string{"../../etc/passwd", "CON", "evil\x1b[2Jname", "a/b\\c", "nul\x00byte",
		strings.Repeat("long", 125), "....", ".", ""}
	f, _ := testFetcher(t, h.client)
	for _, name := range names {
		id := h.AddVideo(sim.VideoSpec{Name: name, Size: 1000})
		v := h.video(t, id)
		if name != "" && v.Name != name {
			t.Fatalf("the simulator changed the name %q to %q", name, v.Name)
		}
		p, err := f.Fetch(context.Background(), v)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if filepath.Dir(p) != f.Dir {
			t.Fatalf("%q written outside the folder: %s", name, p)
		}
		checkPlain(t, strings.TrimSuffix(filepath.Base(p), ".mp4"), 255)
	}
	es, _ := os.ReadDir(f.Dir)
	if len(es) != len(names) {
		t.Fatalf("%d files for %d videos", len(es), len(names))
	}
}
