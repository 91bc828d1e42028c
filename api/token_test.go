package api

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// TestSetTokenReachesLaterRequests: a key read again (R after a rejected
// key) is what the next requests carry, while requests run alongside.
func TestSetTokenReachesLaterRequests(t *testing.T) {
	var mu sync.Mutex
	var last string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		mu.Lock()
		last = auth
		mu.Unlock()
		if auth != "Bearer new-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"id":"j1","status":"finished"}`))
	}))
	if _, err := c.GetJob(context.Background(), "j1"); !IsKeyRejected(err) {
		t.Fatalf("with the old token: err = %v, want the key rejected", err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _, _ = c.GetJob(context.Background(), "j1") })
	}
	c.SetToken("new-token")
	wg.Wait()
	if _, err := c.GetJob(context.Background(), "j1"); err != nil {
		t.Fatalf("with the new token: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if last != "Bearer new-token" {
		t.Errorf("the last request carried %q", last)
	}
}
