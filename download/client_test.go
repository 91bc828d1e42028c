package download

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/reel-dev/reel/api"
)

// TestTokenNeverReachesFileHost runs a download through the real API
// client: the video's first link has expired, so the link is refreshed
// through the API (with the token); the fresh link redirects, once to the
// API host itself and then to the file host. No request outside the API's
// JSON endpoints may carry the token.
func TestTokenNeverReachesFileHost(t *testing.T) {
	const token = "secret-token-123"
	files := newFileHost(t, 256<<10)
	files.valid = map[string]bool{"fresh": true}

	var mu sync.Mutex
	apiAuth := map[string]string{} // path -> Authorization seen
	var apiSrv *httptest.Server
	apiSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		apiAuth[r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v1/generated-videos/"):
			if r.Header.Get("Authorization") != "Bearer "+token {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{
				"id": "vid", "name": "n", "publicUrl": apiSrv.URL + "/hop1", "videoSizeBytes": len(files.content)})
		case r.URL.Path == "/hop1": // a redirect on the API's own origin
			http.Redirect(w, r, files.url("fresh"), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(apiSrv.Close)

	client, err := api.New(apiSrv.URL+"/api/v1", token)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := testFetcher(t, client)
	v := &api.Video{ID: "vid", Name: "n", PublicURL: files.url("stale")}
	path, err := f.Fetch(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, path), files.content) {
		t.Fatal("content differs")
	}
	for _, r := range files.seen() {
		if r.Authorization != "" {
			t.Errorf("file host saw Authorization %q on %+v", r.Authorization, r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if apiAuth["/api/v1/generated-videos/vid"] != "Bearer "+token {
		t.Errorf("the refresh did not authenticate: %q", apiAuth["/api/v1/generated-videos/vid"])
	}
	if a, ok := apiAuth["/hop1"]; !ok || a != "" {
		t.Errorf("the download's request to the API host carried %q (seen: %v)", a, ok)
	}
}

func TestCheckRedirect(t *testing.T) {
	files := newFileHost(t, 10)
	tests := []struct {
		name    string
		target  string
		wantErr bool
	}{
		{"to http", files.url("a"), false},
		{"to file", "file:///etc/passwd", true},
		{"to ftp", "ftp://example.com/x", true},
		{"to data", "data:text/plain,hi", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tt.target)
				w.WriteHeader(http.StatusFound)
			}))
			defer redir.Close()
			req, _ := http.NewRequest(http.MethodGet, redir.URL, nil)
			// Even a header someone set by mistake must not travel on.
			req.Header.Set("Authorization", "Bearer leaked")
			req.Header.Set("Cookie", "session=leaked")
			resp, err := NewHTTPClient().Do(req)
			if tt.wantErr {
				if err == nil {
					resp.Body.Close()
					t.Fatal("followed a redirect to a non-http scheme")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			s := files.seen()
			if last := s[len(s)-1]; last.Authorization != "" || last.Cookie != "" {
				t.Fatalf("redirect carried %+v", last)
			}
		})
	}
}

func TestTooManyRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	defer srv.Close()
	f, _ := testFetcher(t, nil)
	if _, err := f.Fetch(context.Background(), &api.Video{ID: "v", PublicURL: srv.URL + "/"}); !errors.Is(err, errRedirects) {
		t.Fatalf("got %v, want a redirect error at once", err)
	}
}
