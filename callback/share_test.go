package callback

import (
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/reel-dev/reel/track"
)

func TestShareAllowedOnlyOnTheAPIsDomain(t *testing.T) {
	prod, _ := url.Parse("https://app.colossyan.com/api/v1")
	sim, _ := url.Parse("http://127.0.0.1:18130/api/v1")
	tests := []struct {
		api   *url.URL
		share string
		want  bool
	}{
		{prod, "https://app.colossyan.com/share/v1", true},
		{prod, "https://share.colossyan.com/v1", true},
		{prod, "https://colossyan.com/s/v1", true},
		{prod, "https://evil.example/login", false},
		{prod, "https://colossyan.com.evil.example/login", false},
		{prod, "https://evilcolossyan.com/login", false},
		{prod, "http://app.colossyan.com/share/v1", false}, // https API: no plain http link
		{prod, "https://user@app.colossyan.com/share/v1", false},
		{prod, "https://app.colossyan.com/" + strings.Repeat("a", maxShareURL), false},
		{sim, "http://127.0.0.1:18130/share/v1", true},
		{sim, "http://127.0.0.1:9999/share/v1", true}, // the same host
		{sim, "http://127.0.0.2/share/v1", false},
		{sim, "https://evil.example/share/v1", false},
		{nil, "https://app.colossyan.com/share/v1", false},
	}
	for _, tt := range tests {
		if got := shareAllowed(tt.share, tt.api); got != tt.want {
			t.Errorf("api %v, share %s: %v, want %v", tt.api, tt.share, got, tt.want)
		}
	}
}

// The receiver hands the engine a share link from another domain as no
// link at all: the job is still polled.
func TestHandlerDropsAShareLinkOffTheAPIsDomain(t *testing.T) {
	eng := &fakeEngine{jobs: tracked}
	var got Event
	r, _ := newTestReceiver(eng, func(o *Options) {
		o.APIBase = "https://app.colossyan.com/api/v1"
		o.OnCallback = func(e Event) { got = e }
	})
	body := `{"jobId":"job-aaa111","shareUrl":"https://evil.example/login?v=vid-aaa111"}`
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(body)))
	if rec.Code != 202 || got.ShareURL != "" || len(got.IDs) != 1 {
		t.Fatalf("code %d, event %+v: want the job matched and no link", rec.Code, got)
	}
	cbs, _ := eng.calls()
	if len(cbs) != 1 || cbs[0].id != "job-aaa111" || cbs[0].share != "" {
		t.Errorf("engine got %v, want job-aaa111 polled with no link", cbs)
	}
}

// The chaos suite's four callbacks, as a stranger holding the secret would
// send them: an own-host link for a settled job, then another site's, the
// API's own and another site's again for a running one. The first reaches
// the engine at once; the running job's three are merged into one call
// when the window ends, carrying the own link (the others were dropped to
// none, and none does not undo a link). Until then the engine has heard
// nothing of the running job: a dashboard shows its link only after the
// window, which is what an end-to-end test must wait for.
func TestFourCallbacksGiveTheRunningJobTheOwnLinkOnce(t *testing.T) {
	jobs := []track.Job{{ID: "ok-9", JobID: "ok-9", VideoID: "ok-9-v"}, {ID: "run", JobID: "run", VideoID: "run-v"}}
	eng := &fakeEngine{jobs: jobs}
	r, clock := newTestReceiver(eng, func(o *Options) { o.APIBase = "http://127.0.0.1:18130/api/v1" })
	own := "http://127.0.0.1:18130/share/run"
	for _, body := range []string{
		`{"shareUrl":"http://127.0.0.1:18130/share/hijacked","jobId":"ok-9"}`,
		`{"shareUrl":"https://evil.example/login","jobId":"run"}`,
		`{"shareUrl":"` + own + `","jobId":"run"}`,
		`{"shareUrl":"https://evil.example/login","jobId":"run"}`,
	} {
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/callback/"+testSecret, strings.NewReader(body)))
		if rec.Code != 202 {
			t.Fatalf("%s answered %d", body, rec.Code)
		}
	}
	want := []callbackCall{{"ok-9", "http://127.0.0.1:18130/share/hijacked", t0}}
	if cbs, _ := eng.calls(); !slices.Equal(cbs, want) {
		t.Fatalf("before the window ends the engine heard %v, want only %v", cbs, want)
	}
	clock.Advance(DefaultNudgeEvery)
	want = append(want, callbackCall{"run", own, t0})
	if cbs, n := eng.calls(); !slices.Equal(cbs, want) || len(n) != 0 {
		t.Errorf("after the window the engine heard %v and nudges %q, want %v", cbs, n, want)
	}
}
