package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A 404 with the API's JSON (or nothing) is "not found"; a 404 with a web
// page means the base URL is not the API's, and the error names the URL.
func TestNotFoundOrWrongURL(t *testing.T) {
	for _, tt := range []struct {
		name, ctype, body string
		wrong             bool
	}{
		{"API JSON", "application/json", `{"message":"Video generation job not found"}`, false},
		{"empty", "", "", false},
		{"API JSON cut short", "", `{"message":"Video gen`, false},
		{"Go's mux", "text/plain; charset=utf-8", "404 page not found\n", true},
		{"HTML", "text/html", "<!doctype html><title>Not Found</title><h1>Not Found</h1>", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tt.body))
			}))
			_, err := c.Lookup(context.Background(), "j1")
			if IsWrongURL(err) != tt.wrong || IsNotFound(err) == tt.wrong {
				t.Fatalf("err = %v, want wrong URL %v", err, tt.wrong)
			}
			if tt.wrong {
				msg := err.Error()
				if !strings.Contains(msg, srv.URL+"/api/v1") || strings.Contains(msg, "secret-token") {
					t.Errorf("message %q: want the base URL named, and no key", msg)
				}
			}
		})
	}
}
