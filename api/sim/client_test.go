package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// start runs a simulator on real sockets and a client of reel's api package
// against it, both on one fake clock.
func start(t *testing.T, opts sim.Options) (*sim.Server, *api.Client, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	opts.Now = c.Now
	opts.CallbackEvery = -1
	srv, err := sim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	// No keep-alive: a reset fault then always meets a fresh connection,
	// which the transport does not retry on its own.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	cl, err := api.New(srv.URL(), srv.Token(), api.WithClock(c.Now), api.WithHTTPClient(hc), api.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return srv, cl, c
}

func TestAPIClientAgainstTheSimulator(t *testing.T) {
	srv, cl, c := start(t, sim.Options{Seed: 11})
	ctx := context.Background()
	if !strings.HasSuffix(srv.URL(), "/api/v1") || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL())
	}
	id, vid := srv.AddJob(sim.JobSpec{Queued: 10 * time.Second, Generating: 100 * time.Second, MaximumProgress: 1000})
	bare := srv.AddVideo(sim.VideoSpec{DurationUnknown: true})

	j, err := cl.GetJob(ctx, id)
	if err != nil || j.Status != api.StatusInQueue || j.VideoID != vid || j.MaximumProgress != 1000 {
		t.Fatalf("GetJob: %+v %v", j, err)
	}
	c.Advance(60 * time.Second)
	j, _ = cl.GetJob(ctx, id)
	if j.Status != api.StatusGenerating || j.Fraction() != 0.5 {
		t.Fatalf("halfway: %s %v", j.Status, j.Fraction())
	}
	c.Advance(time.Minute)

	l, err := cl.Lookup(ctx, id)
	if err != nil || l.Kind != api.KindJob || l.Status() != api.StatusFinished || l.Video == nil || l.Video.VideoSizeBytes == nil {
		t.Fatalf("Lookup(job): %+v %v", l, err)
	}
	l, err = cl.Lookup(ctx, vid)
	if err != nil || l.Kind != api.KindVideo || l.Job == nil || l.Job.ID != id {
		t.Fatalf("Lookup(video of a job): %+v %v", l, err)
	}
	l, err = cl.Lookup(ctx, bare)
	if err != nil || l.Kind != api.KindVideo || l.Job != nil || l.Status() != api.StatusFinished ||
		l.Video.VideoDurationSeconds != nil || l.Video.Created().IsZero() {
		t.Fatalf("Lookup(bare video): %+v %v", l, err)
	}

	// The file is on the sim, and the client's token-guarding transport
	// lets a plain client fetch it.
	resp, err := http.Get(l.Video.PublicURL)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != *l.Video.VideoSizeBytes {
		t.Fatalf("file: %v %v", resp, err)
	}
	resp.Body.Close()

	if _, err := cl.GetJob(ctx, "0e0e0e0e-0000-4000-8000-000000000000"); !api.IsNotFound(err) {
		t.Fatalf("unknown job: %v", err)
	}
	if _, err := cl.Lookup(ctx, "0e0e0e0e-0000-4000-8000-000000000000"); !api.IsNotFound(err) {
		t.Fatalf("Lookup of nothing: %v", err)
	}
	var bad *api.BadRequestError
	if _, err := cl.GetJob(ctx, "not an id"); !errors.As(err, &bad) {
		t.Fatalf("malformed id: %v", err)
	}

	created, err := cl.CreateJob(ctx, api.CreateJobRequest{VideoCreative: json.RawMessage(`{"scenes":[]}`)})
	if err != nil || created.ID == "" || created.VideoID == "" {
		t.Fatalf("CreateJob: %+v %v", created, err)
	}
	if err := cl.DeleteJob(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if j, _ := cl.GetJob(ctx, created.ID); j.Status != api.StatusDeleted {
		t.Fatalf("after DeleteJob: %s", j.Status)
	}
	tj, err := cl.CreateTemplateJob(ctx, api.TemplateJobRequest{TemplateJobID: "t1", DynamicVariables: map[string]any{"a": 1}})
	if err != nil || tj.ID == "" {
		t.Fatalf("CreateTemplateJob: %v", err)
	}
	if err := cl.DeleteVideo(ctx, bare); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.GetVideo(ctx, bare); !api.IsNotFound(err) {
		t.Fatalf("deleted video: %v", err)
	}

	wrong, _ := api.New(srv.URL(), "not-the-token")
	if _, err := wrong.GetJob(ctx, id); !api.IsKeyRejected(err) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestAPIClientMeetsFaults(t *testing.T) {
	tests := []struct {
		fault      sim.Fault
		rateLimit  bool
		retryAfter time.Duration
	}{
		{sim.FaultInternal, false, 0},
		{sim.FaultBadGateway, false, 0},
		{sim.FaultUnavailable, false, 0},
		{sim.FaultUnavailableRetry, false, 2 * time.Second},
		{sim.FaultRateLimited, true, time.Second},
		{sim.FaultRateLimitedDate, true, 3 * time.Second},
		{sim.FaultReset, false, 0},
		{sim.FaultTruncated, false, 0},
		{sim.FaultHTML, false, 0},
		{sim.FaultHTMLBadGateway, false, 0},
		{sim.FaultStall, false, 0},
	}
	srv, cl, _ := start(t, sim.Options{StallFor: time.Hour})
	id, _ := srv.AddJob(sim.JobSpec{})
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			srv.InjectFaults(tt.fault)
			_, err := cl.GetJob(ctx, id)
			var rl *api.RateLimitedError
			var tr *api.TransientError
			switch {
			case tt.rateLimit && !errors.As(err, &rl):
				t.Fatalf("%v: want a RateLimitedError", err)
			case !tt.rateLimit && !errors.As(err, &tr):
				t.Fatalf("%v: want a TransientError", err)
			}
			if got, _ := api.RetryAfter(err); got != tt.retryAfter {
				t.Fatalf("Retry-After %s, want %s", got, tt.retryAfter)
			}
			if !api.IsRetryable(err) {
				t.Fatal("not retryable")
			}
			if _, err := cl.GetJob(ctx, id); err != nil {
				t.Fatalf("the request after: %v", err)
			}
		})
	}
}

// TestSeparateFileHost: with a CDN origin, links point there, and a token
// sent there is refused and counted.
func TestSeparateFileHost(t *testing.T) {
	srv, cl, _ := start(t, sim.Options{FileAddr: "127.0.0.1:0"})
	vid := srv.AddVideo(sim.VideoSpec{Size: 1 << 20})
	v, err := cl.GetVideo(context.Background(), vid)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := url.Parse(v.PublicURL)
	thumb, _ := url.Parse(v.ThumbnailURL)
	base, _ := url.Parse(srv.URL())
	if api.SameOrigin(pub, base) || api.SameOrigin(thumb, base) || !strings.HasPrefix(v.PublicURL, srv.FileOrigin()) {
		t.Fatalf("links %s %s on the API origin %s", v.PublicURL, v.ThumbnailURL, srv.Origin())
	}
	resp, err := http.Get(v.PublicURL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("file from the CDN: %v %v", resp, err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != 1<<20 {
		t.Fatalf("read %d bytes", n)
	}
	req, _ := http.NewRequest("GET", v.PublicURL, nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("a token sent to the CDN: %v %v, want 400", resp, err)
	}
	resp.Body.Close()
	if got := srv.Requests().FileAuthHeaders; got != 1 {
		t.Fatalf("FileAuthHeaders %d, want 1", got)
	}
	// The API origin does not serve the share page's file path for the CDN
	// by accident: API routes are absent from the CDN.
	resp, _ = http.Get(srv.FileOrigin() + "/api/v1/generated-videos/" + vid)
	if resp.StatusCode != 404 {
		t.Fatalf("API on the CDN host: %d", resp.StatusCode)
	}
	resp.Body.Close()
}

// TestCloseReleasesStalls: Close ends the server even while a request is
// held by a long stall.
func TestCloseReleasesStalls(t *testing.T) {
	srv, cl, _ := start(t, sim.Options{StallFor: time.Hour})
	id, _ := srv.AddJob(sim.JobSpec{})
	srv.InjectFaults(sim.FaultStall)
	errc := make(chan error, 1)
	go func() { _, err := cl.GetJob(context.Background(), id); errc <- err }()
	for srv.Requests().InFlight == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() { _ = srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a stalled request")
	}
	if err := <-errc; !api.IsRetryable(err) {
		t.Fatalf("the stalled client: %v", err)
	}
}

// TestStartedServerSendsCallbacks: a started Server fires due callbacks on
// its own, with no Flush.
func TestStartedServerSendsCallbacks(t *testing.T) {
	got := make(chan map[string]any, 1)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		got <- m
	}))
	defer rc.Close()
	srv, err := sim.Start(sim.Options{CallbackEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	_, vid := srv.AddJob(sim.JobSpec{Callback: rc.URL, CallbackPayload: map[string]any{"k": "v"}})
	select {
	case m := <-got:
		if m["status"] != "finished" || m["k"] != "v" || m["shareUrl"] != srv.Origin()+"/share/"+vid {
			t.Fatalf("callback body %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no callback from the started server")
	}
}
