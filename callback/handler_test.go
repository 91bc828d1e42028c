package callback

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/track/tracktest"
)

const testSecret = "s3cret-for-tests-0123456789"

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newTestReceiver(eng Engine, mod func(*Options)) (*Receiver, *tracktest.Clock) {
	clock := tracktest.NewClock(t0)
	o := Options{Secret: testSecret, Engine: eng, Now: clock.Now, Clock: clock, APIBase: "http://h/api/v1"}
	if mod != nil {
		mod(&o)
	}
	return New(o), clock
}

func TestHandler(t *testing.T) {
	good := "/callback/" + testSecret
	finished := `{"status":"finished","url":"http://h/files/vid-aaa111.mp4?sig=1","shareUrl":"http://h/share/vid-aaa111"}`
	tests := []struct {
		name      string
		method    string
		path      string
		body      string
		code      int
		callbacks []callbackCall
		nudges    []string
	}{
		{"matching callback", "POST", good, finished, 202,
			[]callbackCall{{"job-aaa111", "http://h/share/vid-aaa111", t0}}, nil},
		{"query string is ignored", "POST", good + "?from=colossyan", finished, 202,
			[]callbackCall{{"job-aaa111", "http://h/share/vid-aaa111", t0}}, nil},
		{"no match nudges every running job", "POST", good, `{"status":"failed","url":null}`, 202, nil, []string{""}},
		{"wrong secret", "POST", "/callback/" + testSecret + "x", finished, 404, nil, nil},
		{"secret's prefix", "POST", "/callback/" + testSecret[:10], finished, 404, nil, nil},
		{"no secret", "POST", "/callback/", finished, 404, nil, nil},
		{"no trailing part", "POST", "/callback", finished, 404, nil, nil},
		{"secret as a deeper path", "POST", good + "/x", finished, 404, nil, nil},
		{"other path", "POST", "/", finished, 404, nil, nil},
		{"wrong method on the right path", "GET", good, "", 405, nil, nil},
		{"PUT on the right path", "PUT", good, finished, 405, nil, nil},
		{"wrong method, wrong path", "GET", "/callback/nope", "", 404, nil, nil},
		{"not JSON", "POST", good, "status=finished", 400, nil, nil},
		{"JSON but no object", "POST", good, `["vid-aaa111"]`, 400, nil, nil},
		{"empty body", "POST", good, "", 400, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{jobs: tracked}
			var events []Event
			r, _ := newTestReceiver(eng, func(o *Options) { o.OnCallback = func(e Event) { events = append(events, e) } })
			rec := httptest.NewRecorder()
			r.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			if rec.Code != tt.code {
				t.Fatalf("code %d, want %d (%s)", rec.Code, tt.code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.code == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("405 without Allow: POST")
			}
			if strings.Contains(rec.Body.String(), testSecret) {
				t.Errorf("answer holds the secret: %s", rec.Body)
			}
			cbs, nudges := eng.calls()
			if !slices.Equal(cbs, tt.callbacks) || !slices.Equal(nudges, tt.nudges) {
				t.Errorf("engine got callbacks %v nudges %q; want %v %q", cbs, nudges, tt.callbacks, tt.nudges)
			}
			if (tt.code == 202) != (len(events) == 1) {
				t.Errorf("events %v for code %d", events, tt.code)
			}
		})
	}
}

func TestHandlerEvent(t *testing.T) {
	eng := &fakeEngine{jobs: tracked}
	var got Event
	r, _ := newTestReceiver(eng, func(o *Options) { o.OnCallback = func(e Event) { got = e } })
	body := `{"status":"finished\u001b[31m","url":"http://h/files/vid-aaa111.mp4","shareUrl":"http://h/share/vid-aaa111"}`
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(body)))
	want := Event{At: t0, IDs: []string{"job-aaa111"}, ShareURL: "http://h/share/vid-aaa111", Status: "finished"}
	if !got.At.Equal(want.At) || !slices.Equal(got.IDs, want.IDs) || got.ShareURL != want.ShareURL || got.Status != want.Status {
		t.Errorf("event %+v, want %+v", got, want)
	}
}

// An oversized body is refused whether it says its length up front or
// streams it chunked, and the engine hears nothing of it.
func TestHandlerOversized(t *testing.T) {
	big := `{"url":"http://h/files/vid-aaa111.mp4","pad":"` + strings.Repeat("x", DefaultMaxBody) + `"}`
	for _, chunked := range []bool{false, true} {
		eng := &fakeEngine{jobs: tracked}
		r, _ := newTestReceiver(eng, nil)
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req := httptest.NewRequest("POST", "/callback/"+testSecret, body)
		if chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %v: code %d, want 413", chunked, rec.Code)
		}
		if cbs, nudges := eng.calls(); len(cbs)+len(nudges) != 0 {
			t.Errorf("chunked %v: engine got %v %q", chunked, cbs, nudges)
		}
	}
	// Just under the cap is fine.
	eng := &fakeEngine{jobs: tracked}
	r, _ := newTestReceiver(eng, func(o *Options) { o.MaxBody = 64 })
	head := `{"u":"/files/vid-aaa111.mp4","p":"`
	exact := []byte(head + strings.Repeat("y", 64-len(head)-2) + `"}`)
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, bytes.NewReader(exact)))
	if rec.Code != 202 || len(exact) != 64 {
		t.Errorf("%d-byte body under a 64-byte cap: %d", len(exact), rec.Code)
	}
}

// Past MaxConcurrent requests under way, the next is told to come back.
func TestHandlerBusy(t *testing.T) {
	eng := &fakeEngine{jobs: tracked}
	inside, release := make(chan struct{}), make(chan struct{})
	r, _ := newTestReceiver(eng, func(o *Options) {
		o.MaxConcurrent = 1
		var once sync.Once
		o.OnCallback = func(Event) { once.Do(func() { close(inside); <-release }) }
	})
	h := r.Handler()
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(`{}`)))
		done <- rec.Code
	}()
	<-inside
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(`{}`)))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("second request: %d, Retry-After %q; want 503, 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(release)
	if code := <-done; code != 202 {
		t.Errorf("first request: %d", code)
	}
	// The slot is free again.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(`{}`)))
	if rec.Code != 202 {
		t.Errorf("after release: %d", rec.Code)
	}
}
