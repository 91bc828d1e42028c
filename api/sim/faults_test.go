package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawGet is a plain client's view of one request: what a client with no
// special handling would meet.
func rawGet(ctx context.Context, url, token string) (resp *http.Response, body []byte, readErr, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err = freshClient().Do(req)
	if err != nil {
		return nil, nil, nil, err
	}
	defer resp.Body.Close()
	body, readErr = io.ReadAll(resp.Body)
	return resp, body, readErr, nil
}

func TestEachFaultAsAPlainClientSeesIt(t *testing.T) {
	tests := []struct {
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, readErr, err error, now time.Time)
	}{
		{FaultInternal, wantStatus(500, "")},
		{FaultBadGateway, wantStatus(502, "")},
		{FaultUnavailable, wantStatus(503, "")},
		{FaultUnavailableRetry, wantStatus(503, "2")},
		{FaultRateLimited, wantStatus(429, "1")},
		{FaultRateLimitedDate, func(t *testing.T, resp *http.Response, _ []byte, _, err error, now time.Time) {
			if err != nil || resp.StatusCode != 429 {
				t.Fatalf("got %v %v, want 429", resp, err)
			}
			at, perr := http.ParseTime(resp.Header.Get("Retry-After"))
			if perr != nil || !at.Equal(now.Add(3*time.Second)) {
				t.Fatalf("Retry-After %q, want the HTTP date of now+3s", resp.Header.Get("Retry-After"))
			}
		}},
		{FaultReset, func(t *testing.T, resp *http.Response, _ []byte, _, err error, _ time.Time) {
			if err == nil {
				t.Fatalf("reset: got HTTP %d, want a connection error", resp.StatusCode)
			}
		}},
		{FaultTruncated, func(t *testing.T, resp *http.Response, body []byte, readErr, err error, _ time.Time) {
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("truncated: %v %v", resp, err)
			}
			if !errors.Is(readErr, io.ErrUnexpectedEOF) || resp.ContentLength <= int64(len(body)) || len(body) == 0 {
				t.Fatalf("truncated: read %d of %d bytes, err %v; want half and an unexpected EOF", len(body), resp.ContentLength, readErr)
			}
		}},
		{FaultHTML, wantHTML(200)},
		{FaultHTMLBadGateway, wantHTML(502)},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			h := newHarness(t, Options{})
			id, _ := h.sim.AddJob(JobSpec{})
			url := h.base + "/video-generation-jobs/" + id
			h.sim.InjectFaults(tt.fault)
			resp, body, readErr, err := rawGet(context.Background(), url, h.sim.Token())
			tt.check(t, resp, body, readErr, err, h.clock.Now())
			// One fault, one request: the next one is answered.
			if resp, _, _, err := rawGet(context.Background(), url, h.sim.Token()); err != nil || resp.StatusCode != 200 {
				t.Fatalf("the request after the fault: %v %v", resp, err)
			}
			if n := h.sim.Requests().Faults[tt.fault]; n != 1 {
				t.Fatalf("fault counted %d times", n)
			}
		})
	}
}

func wantStatus(code int, retryAfter string) func(*testing.T, *http.Response, []byte, error, error, time.Time) {
	return func(t *testing.T, resp *http.Response, _ []byte, _, err error, _ time.Time) {
		t.Helper()
		if err != nil || resp.StatusCode != code {
			t.Fatalf("got %v %v, want %d", resp, err, code)
		}
		if got := resp.Header.Get("Retry-After"); got != retryAfter {
			t.Fatalf("Retry-After %q, want %q", got, retryAfter)
		}
	}
}

func wantHTML(code int) func(*testing.T, *http.Response, []byte, error, error, time.Time) {
	return func(t *testing.T, resp *http.Response, body []byte, _, err error, _ time.Time) {
		t.Helper()
		if err != nil || resp.StatusCode != code {
			t.Fatalf("got %v %v, want %d", resp, err, code)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html>") {
			t.Fatalf("want an HTML page, got %q %q", resp.Header.Get("Content-Type"), body)
		}
	}
}

func TestStallHonoursTheClientContext(t *testing.T) {
	h := newHarness(t, Options{StallFor: time.Hour})
	id, _ := h.sim.AddJob(JobSpec{})
	h.sim.InjectFaults(FaultStall)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, _, err := rawGet(ctx, h.base+"/video-generation-jobs/"+id, h.sim.Token())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled request: %v, want the client's deadline", err)
	}
	// The handler must let go once the client has: an hour-long stall that
	// outlived its client would pile up goroutines.
	waitIdle(t, h.sim)
}

func TestStallThenAnswers(t *testing.T) {
	h := newHarness(t, Options{StallFor: 20 * time.Millisecond})
	id, _ := h.sim.AddJob(JobSpec{})
	h.sim.InjectFaults(FaultStall)
	start := time.Now()
	resp, _, _, err := rawGet(context.Background(), h.base+"/video-generation-jobs/"+id, h.sim.Token())
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after a short stall: %v %v", resp, err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("answered without stalling")
	}
}

func TestFaultRate(t *testing.T) {
	tests := []struct {
		rate     float64
		min, max int
	}{
		{0, 0, 0},
		{0.25, 25, 75},
		{1, 200, 200},
	}
	for _, tt := range tests {
		h := newHarness(t, Options{Seed: 9, Faults: tt.rate, FaultKinds: []Fault{FaultInternal, FaultRateLimited}})
		id, _ := h.sim.AddJob(JobSpec{})
		for range 200 {
			h.do("GET", "/video-generation-jobs/"+id, nil)
		}
		f := h.sim.Requests().Faults
		n := f[FaultInternal] + f[FaultRateLimited]
		if n < tt.min || n > tt.max {
			t.Errorf("rate %v: %d faults in 200 requests, want %d..%d", tt.rate, n, tt.min, tt.max)
		}
		if tt.rate == 1 && (f[FaultInternal] == 0 || f[FaultRateLimited] == 0) {
			t.Errorf("rate 1: kinds not mixed: %v", f)
		}
	}
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 2, Burst: 3})
	id, _ := h.sim.AddJob(JobSpec{})
	var codes []int
	for range 5 {
		code, hdr, _ := h.do("GET", "/video-generation-jobs/"+id, nil)
		codes = append(codes, code)
		if code == 429 && hdr.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q", hdr.Get("Retry-After"))
		}
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Fatalf("codes %v: want a burst of 3, then 429", codes)
	}
	h.clock.Advance(time.Second) // two more tokens
	for i, want := range []int{200, 200, 429} {
		if code, _, _ := h.do("GET", "/video-generation-jobs/"+id, nil); code != want {
			t.Fatalf("after a second, request %d: %d, want %d", i, code, want)
		}
	}
	if n := h.sim.Requests().RateLimited; n != 3 {
		t.Fatalf("RateLimited %d", n)
	}
}
