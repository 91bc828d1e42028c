package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSimServesUntilCancelled(t *testing.T) {
	outR, outW := io.Pipe()
	var errBuf strings.Builder
	sio := IO{In: strings.NewReader(""), Out: outW, Err: &errBuf, Getenv: func(string) string { return "" }, Now: time.Now}
	root := NewRoot(sio, "test")
	root.SetArgs([]string{"sim", "--addr", "127.0.0.1:0", "--seed", "3", "--jobs", "8", "--quiet", "--token", "tok"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); _ = outW.Close() }()

	var banner []string
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		banner = append(banner, sc.Text())
		if strings.Contains(sc.Text(), "Ctrl+C") {
			break
		}
	}
	text := strings.Join(banner, "\n")
	var base string
	for _, l := range banner {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "export COLOSSYAN_BASE_URL="); ok {
			base = v
		}
	}
	for _, want := range []string{"export COLOSSYAN_API_KEY=tok", "--seed 3", "fails", "no job", "reel "} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/api/v1") {
		t.Fatalf("base URL %q in:\n%s", base, text)
	}

	// The first example is a job id the simulator knows.
	var firstID string
	for i, l := range banner {
		if strings.HasPrefix(l, "IDs to try:") && i+1 < len(banner) {
			firstID = strings.Fields(banner[i+1])[0]
		}
	}
	req, _ := http.NewRequest("GET", base+"/video-generation-jobs/"+firstID, nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET an example job: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sim ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sim did not stop when its context ended")
	}
}

func TestSimRejectsBadFlags(t *testing.T) {
	tests := [][]string{
		{"--speed", "0"},
		{"--faults", "1.5"},
		{"--file-faults", "-0.1"},
		{"--jobs", "-1"},
		{"--token", " "},
		{"--addr", "256.0.0.1:99999"},
		{"--fault-kinds", "500,teapot"},
	}
	for _, args := range tests {
		sio := IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }, Now: time.Now}
		root := NewRoot(sio, "test")
		root.SetArgs(append([]string{"sim", "--quiet"}, args...))
		err := root.ExecuteContext(context.Background())
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != ExitUsage {
			t.Errorf("reel sim %v: %v, want a usage error", args, err)
		}
	}
}

func TestLoopback(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:0": true,
		":8080": false, "0.0.0.0:80": false, "192.168.1.2:80": false, "nonsense": false,
	}
	for addr, want := range tests {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
