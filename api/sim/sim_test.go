package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a Sim behind an httptest server, on a fake clock.
type harness struct {
	t     *testing.T
	sim   *Sim
	clock *fakeClock
	srv   *httptest.Server
	base  string
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s := New(opts)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, sim: s, clock: c, srv: srv, base: srv.URL + APIPrefix}
}

// do sends a request with the sim's token and returns status, headers and
// body. A fresh connection each time, so a reset is never retried by the
// transport on a reused one.
func (h *harness) do(method, path string, body any) (int, http.Header, []byte) {
	h.t.Helper()
	return h.doAuth(method, path, body, "Bearer "+h.sim.Token())
}

func (h *harness) doAuth(method, path string, body any, auth string) (int, http.Header, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = h.base + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := freshClient().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func freshClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

// job fetches a job object as a map.
func (h *harness) job(id string) map[string]any {
	h.t.Helper()
	code, _, b := h.do("GET", "/video-generation-jobs/"+id, nil)
	if code != http.StatusOK {
		h.t.Fatalf("GET job %s: %d %s", id, code, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		h.t.Fatalf("job JSON: %v: %s", err, b)
	}
	return m
}

func (h *harness) video(id string) (int, map[string]any) {
	h.t.Helper()
	code, _, b := h.do("GET", "/generated-videos/"+id, nil)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return code, m
}

func TestLifecycle(t *testing.T) {
	spec := JobSpec{Queued: 10 * time.Second, Preprocessing: 20 * time.Second,
		Handoff: 5 * time.Second, Generating: 100 * time.Second, MaximumProgress: 250}
	failing := spec
	failing.Fail, failing.FailAt, failing.FailReason = true, 0.4, "Avatar rendering failed"
	tests := []struct {
		name      string
		spec      JobSpec
		speed     float64
		final     string
		finalProg float64
	}{
		{"finished", spec, 1, "finished", 250},
		{"failed", failing, 1, "failed", 100},
		{"finished at speed 10", spec, 10, "finished", 250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{Speed: tt.speed})
			id, vid := h.sim.AddJob(tt.spec)
			if id == vid {
				t.Fatalf("job id and video id are the same: %s", id)
			}
			step := time.Duration(float64(time.Second) / tt.speed)
			var seen []string
			lastProg := -1.0
			for i := 0; i <= 140; i++ {
				j := h.job(id)
				st := j["status"].(string)
				prog := j["progress"].(float64)
				if j["maximumProgress"].(float64) != 250 || j["id"] != id || j["videoId"] != vid {
					t.Fatalf("t=%ds: job object %v", i, j)
				}
				if _, ok := j["creationDate"].(string); !ok {
					t.Fatalf("no creationDate: %v", j)
				}
				if prog < lastProg {
					t.Fatalf("t=%ds: progress went back from %v to %v", i, lastProg, prog)
				}
				if st == "generating" && prog >= 250 {
					t.Fatalf("t=%ds: progress %v reached the maximum while generating", i, prog)
				}
				lastProg = prog
				if len(seen) == 0 || seen[len(seen)-1] != st {
					seen = append(seen, st)
				}
				h.clock.Advance(step)
			}
			want := []string{"in_queue", "preprocessing", "preprocessing_finished", "generating", tt.final}
			if strings.Join(seen, " ") != strings.Join(want, " ") {
				t.Fatalf("statuses %v, want %v", seen, want)
			}
			j := h.job(id)
			if j["progress"].(float64) != tt.finalProg {
				t.Errorf("final progress %v, want %v", j["progress"], tt.finalProg)
			}
			if tt.final == "failed" {
				if j["failureReason"] != "Avatar rendering failed" {
					t.Errorf("failed job carries no reason: %v", j)
				}
				if code, v := h.video(vid); code != 200 || v["publicUrl"] != nil {
					t.Errorf("failed job's video: %d %v, want 200 with a null publicUrl", code, v)
				}
			}
			if tt.final == "finished" {
				code, v := h.video(vid)
				if code != 200 || v["jobId"] != id || v["publicUrl"] == nil {
					t.Errorf("finished job's video: %d %v", code, v)
				}
			}
		})
	}
}

func TestProgressClimbsWhileGenerating(t *testing.T) {
	h := newHarness(t, Options{})
	id, _ := h.sim.AddJob(JobSpec{Generating: 100 * time.Second, MaximumProgress: 1000})
	h.clock.Advance(50 * time.Second)
	if p := h.job(id)["progress"].(float64); p != 500 {
		t.Fatalf("halfway progress %v, want 500 of 1000", p)
	}
}

func TestZeroSpecIsFinishedAtOnce(t *testing.T) {
	h := newHarness(t, Options{})
	id, _ := h.sim.AddJob(JobSpec{})
	if st := h.job(id)["status"]; st != "finished" {
		t.Fatalf("status %v, want finished", st)
	}
}

// TestPresetsShowEveryStatus is reel demo's promise: eight preset jobs at
// speed 1 show every status within a minute.
func TestPresetsShowEveryStatus(t *testing.T) {
	h := newHarness(t, Options{Jobs: 8, BareVideos: 1, Seed: 1})
	seen := map[string]bool{}
	maxima := map[float64]bool{}
	for range 60 {
		for _, id := range h.sim.JobIDs() {
			h.sim.mu.Lock()
			j := h.sim.jobObject(h.sim.jobs[id], h.clock.Now())
			h.sim.mu.Unlock()
			seen[j.Status] = true
			maxima[float64(j.MaximumProgress)] = true
		}
		h.clock.Advance(time.Second)
	}
	for _, st := range []string{"in_queue", "preprocessing", "preprocessing_finished", "generating", "finished", "failed", "deleted"} {
		if !seen[st] {
			t.Errorf("status %s never seen in a minute; saw %v", st, seen)
		}
	}
	if len(maxima) < 3 {
		t.Errorf("maximumProgress values %v: want variety", maxima)
	}
	ex := h.sim.Examples()
	if len(ex) != 5 {
		t.Fatalf("examples %v", ex)
	}
	if code, v := h.video(ex[4].ID); code != 200 || v["jobId"] != nil || v["publicUrl"] == nil {
		t.Errorf("bare video: %d %v", code, v)
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{Token: "s3cret"})
	id, _ := h.sim.AddJob(JobSpec{})
	tests := []struct {
		auth string
		want int
	}{
		{"", 401},
		{"Bearer wrong", 401},
		{"Basic s3cret", 401},
		{"Bearer s3cret", 200},
		{"bearer s3cret", 200},
	}
	for _, tt := range tests {
		code, hdr, _ := h.doAuth("GET", "/video-generation-jobs/"+id, nil, tt.auth)
		if code != tt.want {
			t.Errorf("Authorization %q: %d, want %d", tt.auth, code, tt.want)
		}
		if code == 401 && hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
	if n := h.sim.Requests().Unauthorized; n != 3 {
		t.Errorf("Unauthorized count %d, want 3", n)
	}
}

func TestNotFoundAndMalformed(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/video-generation-jobs/0e0e0e0e-0000-4000-8000-000000000000", 404},
		{"GET", "/generated-videos/0e0e0e0e-0000-4000-8000-000000000000", 404},
		{"DELETE", "/video-generation-jobs/nope", 404},
		{"DELETE", "/generated-videos/nope", 404},
		{"GET", "/video-generation-jobs/bad%20id", 400},
		{"GET", "/generated-videos/a.b", 400},
		{"DELETE", "/video-generation-jobs/" + strings.Repeat("x", 129), 400},
	}
	for _, tt := range tests {
		code, hdr, b := h.do(tt.method, tt.path, nil)
		if code != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, code, tt.want)
		}
		if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || !json.Valid(b) {
			t.Errorf("%s %s: error body not JSON: %q", tt.method, tt.path, b)
		}
	}
}

func TestCreateAndDelete(t *testing.T) {
	h := newHarness(t, Options{Seed: 3})
	code, _, b := h.do("POST", "/video-generation-jobs", map[string]any{
		"videoCreative": map[string]any{"settings": map[string]any{"name": "x"}, "scenes": []any{}},
	})
	var c struct{ ID, VideoID string }
	if err := json.Unmarshal(b, &c); code != 200 || err != nil || c.ID == "" || c.VideoID == "" || c.ID == c.VideoID {
		t.Fatalf("create: %d %s", code, b)
	}
	j := h.job(c.ID)
	if j["status"] != "in_queue" || j["source"] != "api" || j["videoCreative"] == nil {
		t.Fatalf("new job: %v", j)
	}
	if code, v := h.video(c.VideoID); code != 200 || v["publicUrl"] != nil || v["jobId"] != c.ID {
		t.Fatalf("new job's video: %d %v", code, v)
	}
	h.clock.Advance(5 * time.Second)
	if code, _, _ := h.do("DELETE", "/video-generation-jobs/"+c.ID, nil); code != 200 {
		t.Fatalf("DELETE: %d", code)
	}
	h.clock.Advance(time.Hour)
	if st := h.job(c.ID)["status"]; st != "deleted" {
		t.Fatalf("after DELETE, status %v", st)
	}
	if code, _ := h.video(c.VideoID); code != 404 {
		t.Fatalf("video of a job deleted before it finished: %d, want 404", code)
	}

	code, _, b = h.do("POST", "/video-generation-jobs/template-jobs", map[string]any{
		"templateJobId": "tmpl-1", "dynamicVariables": map[string]any{"name": "Ada"},
	})
	if err := json.Unmarshal(b, &c); code != 200 || err != nil || c.ID == "" {
		t.Fatalf("template create: %d %s", code, b)
	}
	if j := h.job(c.ID); j["templateJobId"] != "tmpl-1" || j["source"] != "template" {
		t.Fatalf("template job: %v", j)
	}
	h.clock.Advance(time.Hour)
	if code, _, _ := h.do("DELETE", "/generated-videos/"+c.VideoID, nil); code != 200 {
		t.Fatalf("DELETE video: %d", code)
	}
	if code, _ := h.video(c.VideoID); code != 404 {
		t.Fatalf("deleted video: %d, want 404", code)
	}
	if st := h.job(c.ID)["status"]; st != "finished" && st != "failed" {
		t.Fatalf("a job whose video was deleted: %v", st)
	}

	bad := []struct {
		path string
		body any
	}{
		{"/video-generation-jobs", map[string]any{}},
		{"/video-generation-jobs", map[string]any{"videoCreative": "text"}},
		{"/video-generation-jobs", map[string]any{"videoCreative": map[string]any{}, "callback": "not a url"}},
		{"/video-generation-jobs", []int{1}},
		{"/video-generation-jobs/template-jobs", map[string]any{"dynamicVariables": map[string]any{}}},
		{"/video-generation-jobs/template-jobs", map[string]any{"templateJobId": "t", "callbackUrl": "ftp://x"}},
	}
	for _, tt := range bad {
		if code, _, b := h.do("POST", tt.path, tt.body); code != 400 {
			t.Errorf("POST %s %v: %d %s, want 400", tt.path, tt.body, code, b)
		}
	}
}

func TestDeterministicUnderSeed(t *testing.T) {
	snapshot := func(seed int64) (ids []string, bodies []string, created string) {
		h := newHarness(t, Options{Jobs: 12, BareVideos: 2, Seed: seed, Faults: 0.3, FaultKinds: []Fault{FaultInternal, FaultRateLimited}})
		ids = append(h.sim.JobIDs(), h.sim.VideoIDs()...)
		for range 3 {
			for _, id := range h.sim.JobIDs() {
				code, _, b := h.do("GET", "/video-generation-jobs/"+id, nil)
				bodies = append(bodies, string(b)+http.StatusText(code))
			}
			h.clock.Advance(17 * time.Second)
		}
		h.sim.SetFaults(0)
		_, _, b := h.do("POST", "/video-generation-jobs", map[string]any{"videoCreative": map[string]any{}})
		return ids, bodies, string(b)
	}
	ids1, b1, c1 := snapshot(42)
	ids2, b2, c2 := snapshot(42)
	ids3, _, c3 := snapshot(43)
	if strings.Join(ids1, ",") != strings.Join(ids2, ",") || strings.Join(b1, "\n") != strings.Join(b2, "\n") || c1 != c2 {
		t.Fatal("same seed, different simulators")
	}
	if ids1[0] == ids3[0] || c1 == c3 {
		t.Fatal("different seeds, same ids")
	}
	if !strings.Contains(strings.Join(b1, ""), "Too Many Requests") {
		t.Fatal("a fault rate of 0.3 gave no fault in 36 requests")
	}
}

func TestRequestLog(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	h := newHarness(t, Options{Logf: func(f string, a ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	id, _ := h.sim.AddJob(JobSpec{})
	h.do("GET", "/video-generation-jobs/"+id, nil)
	h.sim.InjectFaults(FaultReset)
	_, _, _, _ = rawGet(context.Background(), h.base+"/video-generation-jobs/"+id, h.sim.Token())
	waitIdle(t, h.sim)
	want := []string{
		"GET /api/v1/video-generation-jobs/" + id + " -> 200",
		"GET /api/v1/video-generation-jobs/" + id + " -> no answer (fault reset)",
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range lines {
		if strings.Contains(l, h.sim.Token()) {
			t.Fatal("the token in the log")
		}
	}
}

// waitIdle waits until no request is being served: a client can have its
// answer before the handler has returned.
func waitIdle(t *testing.T, s *Sim) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Requests().InFlight != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a request is still being served")
		}
		time.Sleep(time.Millisecond)
	}
}
