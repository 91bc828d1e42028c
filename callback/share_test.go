package callback

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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
