package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newTestClient(t *testing.T, h http.Handler, opts ...Option) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithClock(func() time.Time { return fixedNow }), WithTimeout(2 * time.Second)}, opts...)
	c, err := New(srv.URL+"/api/v1", "secret-token", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestGetJobDecodesAndKeepsUnknownFields(t *testing.T) {
	body := `{"id":"j1","videoId":"v1","status":"generating","progress":"40","maximumProgress":250,"creationDate":"2026-11-27T11:00:00Z","extra":{"nested":true}}`
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/video-generation-jobs/j1" {
			t.Errorf("path = %q", r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer secret-token" {
			t.Errorf("Authorization = %q", got)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "reel/1.2") {
			t.Errorf("User-Agent = %q", ua)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}), WithUserAgent("reel/1.2"))
	j, err := c.GetJob(context.Background(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	if j.ID != "j1" || j.VideoID != "v1" || j.Status != StatusGenerating || j.Progress != 40 || j.MaximumProgress != 250 {
		t.Fatalf("decoded %+v", j)
	}
	if got := j.Fraction(); got != 0.16 {
		t.Errorf("Fraction = %v, want 0.16", got)
	}
	if string(j.Raw) != body {
		t.Errorf("Raw = %s", j.Raw)
	}
	out, _ := j.MarshalJSON()
	if !strings.Contains(string(out), `"extra":{"nested":true}`) {
		t.Errorf("unknown field lost: %s", out)
	}
}

func TestGetVideoNullableNumbers(t *testing.T) {
	tests := []struct {
		body         string
		wantSize     *int64
		wantDuration *float64
	}{
		{`{"id":"v","videoSizeBytes":null,"videoDurationSeconds":null}`, nil, nil},
		{`{"id":"v"}`, nil, nil},
		{`{"id":"v","videoSizeBytes":3000000,"videoDurationSeconds":83.5}`, ptr(int64(3000000)), ptr(83.5)},
	}
	for _, tt := range tests {
		var v Video
		if err := v.UnmarshalJSON([]byte(tt.body)); err != nil {
			t.Fatal(err)
		}
		if (v.VideoSizeBytes == nil) != (tt.wantSize == nil) || (v.VideoSizeBytes != nil && *v.VideoSizeBytes != *tt.wantSize) {
			t.Errorf("%s: size = %v", tt.body, v.VideoSizeBytes)
		}
		if (v.VideoDurationSeconds == nil) != (tt.wantDuration == nil) || (v.VideoDurationSeconds != nil && *v.VideoDurationSeconds != *tt.wantDuration) {
			t.Errorf("%s: duration = %v", tt.body, v.VideoDurationSeconds)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(error) bool
	}{
		{"401", status(401, ""), func(err error) bool { return IsKeyRejected(err) }},
		{"403", status(403, ""), func(err error) bool { return IsKeyRejected(err) }},
		{"404", status(404, ""), func(err error) bool { return IsNotFound(err) }},
		{"400", status(400, `{"message":"malformed id"}`), func(err error) bool {
			var e *BadRequestError
			return errors.As(err, &e) && e.Message == "malformed id" && !IsRetryable(err)
		}},
		{"429", status(429, ""), func(err error) bool {
			var e *RateLimitedError
			return errors.As(err, &e) && IsRetryable(err)
		}},
		{"500", status(500, "oops"), transient(500)},
		{"502", status(502, "<html>bad gateway</html>"), transient(502)},
		{"503", status(503, ""), transient(503)},
		{"html with 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>maintenance</body></html>"))
		}, transient(200)},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write([]byte(`{"id":"j1","sta`))
		}, func(err error) bool { return IsRetryable(err) }},
		{"reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, transient(0)},
		{"418", status(418, ""), func(err error) bool {
			var e *StatusError
			return errors.As(err, &e) && e.StatusCode == 418 && !IsRetryable(err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, tt.handler)
			_, err := c.GetJob(context.Background(), "j1")
			if err == nil || !tt.check(err) {
				t.Fatalf("error %T %v does not match the class", err, err)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	release := make(chan struct{})
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), WithTimeout(50*time.Millisecond))
	defer close(release)
	_, err := c.GetJob(context.Background(), "j1")
	var te *TransientError
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v, want TransientError", err, err)
	}
}

func TestCallerCancelIsNotTransient(t *testing.T) {
	release := make(chan struct{})
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := c.GetJob(ctx, "j1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

func transient(code int) func(error) bool {
	return func(err error) bool {
		var e *TransientError
		return errors.As(err, &e) && e.StatusCode == code && IsRetryable(err)
	}
}

func TestRetryAfterBothForms(t *testing.T) {
	tests := []struct {
		header string
		code   int
		want   time.Duration
	}{
		{"7", 429, 7 * time.Second},
		{fixedNow.Add(90 * time.Second).Format(http.TimeFormat), 429, 90 * time.Second},
		{"", 429, 0},
		{"soon", 429, 0},
		{fixedNow.Add(-time.Minute).Format(http.TimeFormat), 429, 0},
		{"-3", 429, 0},
		{"12", 503, 12 * time.Second},
		{fixedNow.Add(30 * time.Second).Format(http.TimeFormat), 503, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.code)
			}))
			_, err := c.GetJob(context.Background(), "j1")
			got, ok := RetryAfter(err)
			if got != tt.want || ok != (tt.want > 0) {
				t.Fatalf("RetryAfter = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

// recorder is a server that notes the Authorization header of each request.
type recorder struct {
	mu   sync.Mutex
	seen map[string]string
}

func (rc *recorder) note(path, auth string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.seen == nil {
		rc.seen = map[string]string{}
	}
	rc.seen[path] = auth
}

func (rc *recorder) get(path string) (string, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	v, ok := rc.seen[path]
	return v, ok
}

func TestTokenDoesNotFollowRedirectToAnotherOrigin(t *testing.T) {
	other := &recorder{}
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.note(r.URL.Path, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"id":"j1","status":"finished"}`))
	}))
	defer otherSrv.Close()

	same := &recorder{}
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		same.note(r.URL.Path, r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/api/v1/video-generation-jobs/elsewhere":
			http.Redirect(w, r, otherSrv.URL+"/landing", http.StatusFound)
		case "/api/v1/video-generation-jobs/samehost":
			http.Redirect(w, r, "/api/v1/video-generation-jobs/j1", http.StatusFound)
		default:
			_, _ = w.Write([]byte(`{"id":"j1","status":"finished"}`))
		}
	}))
	_ = srv

	// Another origin is not followed at all (TestRedirectToAnotherOriginIsRefused),
	// so it sees neither the token nor anything else.
	var re *RedirectError
	if _, err := c.GetJob(context.Background(), "elsewhere"); !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RedirectError", err)
	}
	if auth, ok := other.get("/landing"); ok {
		t.Fatalf("other origin reached (Authorization %q)", auth)
	}

	if _, err := c.GetJob(context.Background(), "samehost"); err != nil {
		t.Fatal(err)
	}
	if auth, _ := same.get("/api/v1/video-generation-jobs/j1"); auth != "Bearer secret-token" {
		t.Fatalf("same-origin redirect lost the token: %q", auth)
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://app.colossyan.com/api", "https://app.colossyan.com/x", true},
		{"https://app.colossyan.com/api", "https://app.colossyan.com:443/x", true},
		{"https://app.colossyan.com/api", "http://app.colossyan.com/x", false},
		{"https://app.colossyan.com/api", "https://app.colossyan.com:8443/x", false},
		{"https://app.colossyan.com/api", "https://cdn.colossyan.com/x", false},
		{"https://app.colossyan.com/api", "https://evil.app.colossyan.com/x", false},
		{"https://APP.colossyan.com/api", "https://app.colossyan.com/x", true},
	}
	for _, tt := range tests {
		a, b := mustURL(t, tt.a), mustURL(t, tt.b)
		if got := SameOrigin(a, b); got != tt.want {
			t.Errorf("SameOrigin(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestLookupFallsBackToVideo(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/video-generation-jobs/vid-1":
			w.WriteHeader(404)
		case "/api/v1/generated-videos/vid-1":
			_, _ = w.Write([]byte(`{"id":"vid-1","jobId":"job-1","name":"Intro"}`))
		case "/api/v1/video-generation-jobs/job-1":
			_, _ = w.Write([]byte(`{"id":"job-1","videoId":"vid-1","status":"finished","progress":100,"maximumProgress":100}`))
		case "/api/v1/generated-videos/bare":
			_, _ = w.Write([]byte(`{"id":"bare","name":"No job"}`))
		default:
			w.WriteHeader(404)
		}
	}))
	l, err := c.Lookup(context.Background(), "vid-1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Kind != KindVideo || l.Job == nil || l.Job.ID != "job-1" || l.Video.Name != "Intro" || l.Status() != StatusFinished {
		t.Fatalf("lookup = %+v", l)
	}
	l, err = c.Lookup(context.Background(), "bare")
	if err != nil || l.Job != nil || l.Status() != StatusFinished {
		t.Fatalf("bare video: %+v, %v", l, err)
	}
	_, err = c.Lookup(context.Background(), "nothing")
	if !IsNotFound(err) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"ftp://x", "app.colossyan.com", "http://", "::"} {
		if _, err := New(u, "t"); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
