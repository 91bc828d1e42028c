package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAnswerOverTheCapIsRefused(t *testing.T) {
	big := `{"id":"j1","status":"generating","name":"` + strings.Repeat("x", MaxAnswerBytes) + `"}`
	for _, chunked := range []bool{false, true} {
		c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if chunked {
				// No Content-Length: the cap must hold while reading.
				_, _ = w.Write([]byte(big[:10]))
				w.(http.Flusher).Flush()
				_, _ = w.Write([]byte(big[10:]))
				return
			}
			_, _ = w.Write([]byte(big))
		}))
		_, err := c.GetJob(context.Background(), "j1")
		if err == nil || !strings.Contains(err.Error(), "limit of 1 MiB for one API answer") {
			t.Errorf("chunked=%v: err = %v, want the answer refused, naming the 1 MiB limit", chunked, err)
		}
		if !IsRetryable(err) {
			t.Errorf("chunked=%v: %v is not retryable", chunked, err)
		}
	}
}

func TestLongTextIsCutSayingSo(t *testing.T) {
	reason := strings.Repeat("é", 40<<10) // 80 KiB: over both caps
	body, _ := json.Marshal(map[string]any{"id": "j1", "videoId": "v1", "status": "failed", "progress": 10,
		"failureReason": reason, "padding": strings.Repeat("p", MaxRawBytes)})
	var j Job
	if err := json.Unmarshal(body, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Raw) > MaxRawBytes {
		t.Errorf("raw kept %d bytes, over MaxRawBytes", len(j.Raw))
	}
	var raw map[string]any
	if err := json.Unmarshal(j.Raw, &raw); err != nil {
		t.Fatalf("cut raw is not JSON: %v", err)
	}
	if s, _ := raw[RawCutKey].(string); !strings.Contains(s, "reel keeps 64 KiB") {
		t.Errorf("cut raw does not say so: %s", j.Raw[:min(len(j.Raw), 300)])
	}
	if j.ID != "j1" || j.Status != StatusFailed || j.Progress != 10 {
		t.Errorf("fields lost in the cut: %+v", j)
	}
	got := j.Reason()
	if len(got) > MaxTextBytes || !strings.HasSuffix(got, "[cut by reel at 2 KiB of 81920 bytes]") || !strings.HasPrefix(got, "éé") {
		t.Errorf("reason = %d bytes ending %q", len(got), got[max(0, len(got)-60):])
	}

	vb, _ := json.Marshal(map[string]any{"id": "v1", "name": reason, "publicUrl": "https://files.example/v1.mp4", "videoSizeBytes": 5})
	var v Video
	if err := json.Unmarshal(vb, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Name) > MaxTextBytes || !strings.Contains(v.Name, "cut by reel") {
		t.Errorf("name = %d bytes: %q…", len(v.Name), v.Name[:40])
	}
	if len(v.Raw) > MaxRawBytes || !strings.Contains(string(v.Raw), `"publicUrl":"https://files.example/v1.mp4"`) {
		t.Errorf("video raw = %d bytes, without its link", len(v.Raw))
	}
	if v.VideoSizeBytes == nil || *v.VideoSizeBytes != 5 {
		t.Errorf("size lost")
	}
}

func TestRedirectToAnotherOriginIsRefused(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`{"id":"j1","status":"finished","progress":100}`))
	}))
	t.Cleanup(other.Close)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/video-generation-jobs/here":
			http.Redirect(w, r, "/api/v1/video-generation-jobs/moved", http.StatusFound)
		case "/api/v1/video-generation-jobs/moved":
			_, _ = w.Write([]byte(`{"id":"moved","status":"generating"}`))
		default:
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		}
	}))
	_, err := c.GetJob(context.Background(), "j1")
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), other.URL) {
		t.Errorf("err = %v, want a RedirectError naming %s", err, other.URL)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
	// Within the API's own origin a redirect is still followed.
	if j, err := c.GetJob(context.Background(), "here"); err != nil || j.ID != "moved" {
		t.Errorf("same-origin redirect: %+v, %v", j, err)
	}
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	f := sameOriginRedirects(nil)
	from, _ := http.NewRequest("GET", "https://api.example/api/v1/x", nil)
	to, _ := http.NewRequest("GET", "http://api.example/api/v1/x", nil)
	if err := f(to, []*http.Request{from}); err == nil {
		t.Error("https → http followed")
	}
	port, _ := http.NewRequest("GET", "https://api.example:8443/api/v1/x", nil)
	if err := f(port, []*http.Request{from}); err == nil {
		t.Error("another port followed")
	}
	same, _ := http.NewRequest("GET", "https://API.example:443/api/v1/y", nil)
	if err := f(same, []*http.Request{from}); err != nil {
		t.Errorf("same origin refused: %v", err)
	}
}
