package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is an httptest callback receiver that keeps every body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &m) != nil {
			http.Error(w, "bad callback", 400)
			return
		}
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, m)
		rc.paths = append(rc.paths, r.URL.Path)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

func TestCallbackOnFinish(t *testing.T) {
	h := newHarness(t, Options{Seed: 4})
	rc := newReceiver(t)
	code, _, b := h.do("POST", "/video-generation-jobs", map[string]any{
		"videoCreative":    map[string]any{"scenes": []any{}},
		"dynamicVariables": map[string]any{"firstName": "Ada"},
		"callback":         rc.URL + "/callback/s3cret",
		"callbackPayload":  map[string]any{"orderId": 7, "status": "mine"},
	})
	var c struct{ ID, VideoID string }
	if err := json.Unmarshal(b, &c); code != 200 || err != nil {
		t.Fatalf("create: %d %s", code, b)
	}
	if got := h.sim.Flush(context.Background()); len(got) != 0 {
		t.Fatalf("callback before the job ended: %v", got)
	}
	h.clock.Advance(time.Hour)
	recs := h.sim.Flush(context.Background())
	if len(recs) != 1 || recs[0].StatusCode != 200 || recs[0].Err != nil || recs[0].JobID != c.ID {
		t.Fatalf("Flush: %+v", recs)
	}
	if again := h.sim.Flush(context.Background()); len(again) != 0 {
		t.Fatalf("a second callback for one job: %v", again)
	}
	if len(rc.bodies) != 1 || rc.paths[0] != "/callback/s3cret" {
		t.Fatalf("receiver got %v at %v", rc.bodies, rc.paths)
	}
	body := rc.bodies[0]
	status := h.job(c.ID)["status"]
	if body["status"] != status || body["firstName"] != "Ada" || body["orderId"] != float64(7) {
		t.Fatalf("body %v: want status %v and the merged keys", body, status)
	}
	if status == "finished" {
		url, _ := body["url"].(string)
		if url == "" || body["videoUrl"] != url || body["shareUrl"] != h.srv.URL+"/share/"+c.VideoID {
			t.Fatalf("links in the body: %v", body)
		}
		if resp, _, _ := fileGet(t, "HEAD", url, nil); resp.StatusCode != 200 {
			t.Fatalf("the callback's url: %d", resp.StatusCode)
		}
		if resp, _, _ := fileGet(t, "GET", body["shareUrl"].(string), nil); resp.StatusCode != 200 {
			t.Fatalf("the callback's shareUrl: %d", resp.StatusCode)
		}
	}
	if _, ok := body["id"]; ok {
		t.Fatal("the body carries a job id, which Colossyan's does not")
	}
}

func TestCallbackOutcomes(t *testing.T) {
	run := JobSpec{Generating: time.Minute}
	failed := run
	failed.Fail = true
	deleted := run
	deleted.DeleteAfter = 30 * time.Second
	deletedLater := run
	deletedLater.DeleteAfter = 90 * time.Second
	tests := []struct {
		name       string
		spec       JobSpec
		noFailures bool
		want       string // "" for no callback
	}{
		{"finished", run, false, "finished"},
		{"failed", failed, false, "failed"},
		{"failed, failure callbacks off", failed, true, ""},
		{"deleted", deleted, false, ""},
		{"deleted after it finished", deletedLater, false, "finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{NoFailureCallbacks: tt.noFailures})
			rc := newReceiver(t)
			sp := tt.spec
			sp.Callback = rc.URL + "/cb"
			sp.CallbackPayload = map[string]any{"ref": "r1"}
			h.sim.AddJob(sp)
			h.clock.Advance(2 * time.Minute)
			h.sim.Flush(context.Background())
			if tt.want == "" {
				if len(rc.bodies) != 0 {
					t.Fatalf("unexpected callback %v", rc.bodies)
				}
				return
			}
			if len(rc.bodies) != 1 || rc.bodies[0]["status"] != tt.want || rc.bodies[0]["ref"] != "r1" {
				t.Fatalf("callbacks %v, want one with status %s", rc.bodies, tt.want)
			}
			if tt.want == "failed" && rc.bodies[0]["url"] != nil {
				t.Fatalf("a failed job's callback has a url: %v", rc.bodies[0])
			}
			for _, k := range []string{"url", "videoUrl", "shareUrl", "status"} {
				if _, ok := rc.bodies[0][k]; !ok {
					t.Errorf("body lacks %s", k)
				}
			}
		})
	}
}

func TestTemplateJobCallbackAndUnreachableReceiver(t *testing.T) {
	h := newHarness(t, Options{})
	rc := newReceiver(t)
	for _, url := range []string{rc.URL + "/ok", "http://127.0.0.1:1/unreachable"} {
		code, _, b := h.do("POST", "/video-generation-jobs/template-jobs", map[string]any{
			"templateJobId": "tmpl", "dynamicVariables": map[string]any{"who": "Bo"}, "callbackUrl": url,
		})
		if code != 200 {
			t.Fatalf("create: %d %s", code, b)
		}
	}
	h.clock.Advance(time.Hour)
	recs := h.sim.Flush(context.Background())
	if len(recs) != 2 || recs[0].StatusCode != 200 || recs[1].Err == nil {
		t.Fatalf("records %+v", recs)
	}
	if len(rc.bodies) != 1 || rc.bodies[0]["who"] != "Bo" {
		t.Fatalf("receiver got %v", rc.bodies)
	}
	if n := len(h.sim.Callbacks()); n != 2 {
		t.Fatalf("Callbacks() has %d", n)
	}
	if !strings.Contains(recs[1].URL, "unreachable") {
		t.Fatal("records out of order")
	}
}
