package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A request under Pace's context goes without taking a second turn; one
// without it waits its turn. A rate of one a minute makes "waits" certain:
// the limiter refuses at once a wait that would outlast the deadline.
func TestPaceTakesTheTurnAhead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"id":"j","status":"in_queue"}`))
	}))
	defer srv.Close()
	c, err := New(srv.URL, "tok", WithPacing(1.0/60))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute/2)
	defer cancel()
	paced, err := c.Pace(ctx)
	if err != nil {
		t.Fatalf("the first turn: %v", err)
	}
	if _, err := c.GetJob(paced, "j"); err != nil {
		t.Fatalf("a paced request waited for a second turn: %v", err)
	}
	if _, err := c.GetJob(ctx, "j"); err == nil {
		t.Fatal("an unpaced request went without its turn")
	}
	if _, err := c.Pace(ctx); err == nil {
		t.Fatal("a second Pace within the minute got a turn")
	}
	plain, _ := New(srv.URL, "tok")
	if got, err := plain.Pace(ctx); err != nil || got != ctx {
		t.Fatal("without WithPacing, Pace must be a no-op")
	}
}
