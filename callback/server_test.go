package callback

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// startTest starts a receiver on a free loopback port and returns its URL
// and its host:port.
func startTest(t *testing.T, o Options) (r *Receiver, url, addr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r = New(o)
	url, err := r.Start(ctx)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { cancel(); r.Close() })
	addr, _, _ = strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	return r, url, addr
}

func TestStartURLAndAddress(t *testing.T) {
	_, url, addr := startTest(t, Options{Secret: testSecret, Engine: &fakeEngine{}})
	host, _, _ := net.SplitHostPort(addr)
	if host != "127.0.0.1" || !strings.HasSuffix(url, "/callback/"+testSecret) {
		t.Errorf("url %q: want loopback and the secret path", url)
	}
	r := New(Options{Engine: &fakeEngine{}})
	if _, err := r.Start(context.Background()); err == nil {
		t.Error("started with no secret")
	}
}

func TestResolveAddr(t *testing.T) {
	tests := []struct {
		in, want string
		exposed  bool
		bad      bool
	}{
		{"", "127.0.0.1:0", false, false},
		{":8080", "127.0.0.1:8080", false, false},
		{"127.0.0.1:9", "127.0.0.1:9", false, false},
		{"localhost:9", "localhost:9", false, false},
		{"[::1]:9", "[::1]:9", false, false},
		{"0.0.0.0:9", "0.0.0.0:9", true, false},
		{"[::]:9", "[::]:9", true, false},
		{"192.168.1.2:9", "192.168.1.2:9", true, false},
		{"example.com:9", "example.com:9", true, false},
		{"8080", "", false, true},
	}
	for _, tt := range tests {
		got, exposed, err := ResolveAddr(tt.in)
		if (err != nil) != tt.bad || got != tt.want || exposed != tt.exposed {
			t.Errorf("ResolveAddr(%q) = %q, %v, %v; want %q, %v, error %v", tt.in, got, exposed, err, tt.want, tt.exposed, tt.bad)
		}
	}
}

// Slow clients are cut by the server's timeouts, and the engine never
// hears of them.
func TestSlowClientsAreCut(t *testing.T) {
	// Padded to 200 bytes: sent a byte per 25 ms it takes 5 s, so the cut
	// can be given 3 s (for a loaded machine) and still be the timeouts'.
	body := `{"url":"http://h/files/vid-aaa111.mp4"}`
	body += strings.Repeat(" ", 200-len(body))
	head := fmt.Sprintf("POST /callback/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", testSecret, len(body))
	tests := []struct {
		name       string
		fast, slow string // sent at once, then a byte per tick
	}{
		{"headers byte by byte (slowloris)", "", head + body},
		{"body byte by byte", head, body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{jobs: tracked}
			_, _, addr := startTest(t, Options{Secret: testSecret, Engine: eng,
				ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond, WriteTimeout: time.Second})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			// At 25 ms a byte the request would take over 5 s to send:
			// far past the timeouts (200 and 400 ms).
			writer := make(chan struct{})
			go func() {
				defer close(writer)
				if _, err := io.WriteString(conn, tt.fast); err != nil {
					return
				}
				tick := time.NewTicker(25 * time.Millisecond)
				defer tick.Stop()
				for i := range len(tt.slow) {
					<-tick.C
					if _, err := conn.Write([]byte{tt.slow[i]}); err != nil {
						return
					}
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			answer, err := io.ReadAll(conn) // until the server hangs up
			cut := time.Since(start)
			if err != nil {
				t.Logf("read: %v", err) // a reset is as good as a close
			}
			if cut > 3*time.Second {
				t.Errorf("connection held %v: the timeouts did not cut it", cut)
			}
			if strings.HasPrefix(string(answer), "HTTP/1.1 2") {
				t.Errorf("slow request accepted: %q", answer)
			}
			_ = conn.Close()
			<-writer
			if cbs, nudges := eng.calls(); len(cbs)+len(nudges) != 0 {
				t.Errorf("engine got %v %q", cbs, nudges)
			}
			t.Logf("cut after %v; answer %q", cut.Round(time.Millisecond), firstLine(answer))
		})
	}
}

func firstLine(b []byte) string {
	l, _ := bufio.NewReader(strings.NewReader(string(b))).ReadString('\n')
	return strings.TrimSpace(l)
}

// Refusals over a real socket: a wrong secret, an oversized body, and
// headers past MaxHeaderBytes. The engine hears of none.
func TestRefusedOverTheWire(t *testing.T) {
	eng := &fakeEngine{jobs: tracked}
	_, url, _ := startTest(t, Options{Secret: testSecret, Engine: eng, MaxHeaderBytes: 1 << 10})
	tests := []struct {
		name   string
		url    string
		body   string
		header string
		code   int
	}{
		{"wrong secret", strings.TrimSuffix(url, testSecret) + "guess-guess-guess-guess", `{"url":"/files/vid-aaa111.mp4"}`, "", 404},
		{"oversized body", url, `{"p":"` + strings.Repeat("x", DefaultMaxBody) + `"}`, "", 413},
		{"huge header", url, `{}`, strings.Repeat("h", 8<<10), 431},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", tt.url, strings.NewReader(tt.body))
		if tt.header != "" {
			req.Header.Set("X-Pad", tt.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.code)
		}
	}
	if cbs, nudges := eng.calls(); len(cbs)+len(nudges) != 0 {
		t.Errorf("engine got %v %q", cbs, nudges)
	}
}

// A flood of 1,000 requests at once from loopback: every one is answered
// (202, or 503 past the cap), the engine is nudged a bounded number of
// times, and Close leaves no goroutine behind.
func TestFlood(t *testing.T) {
	const n = 1000
	before := runtime.NumGoroutine()
	eng := &fakeEngine{jobs: tracked}
	r := New(Options{Secret: testSecret, Engine: eng})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, err := r.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	bodies := []string{
		`{"status":"finished","url":"http://h/files/vid-aaa111.mp4","shareUrl":"http://h/share/vid-aaa111"}`,
		`{"status":"failed","url":null}`,
	}
	var accepted, busy atomic.Int64
	var wg sync.WaitGroup
	startGun := make(chan struct{})
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			<-startGun
			resp, err := client.Post(url, "application/json", strings.NewReader(bodies[i%2]))
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusAccepted:
				accepted.Add(1)
			case http.StatusServiceUnavailable:
				if resp.Header.Get("Retry-After") != "1" {
					t.Errorf("503 without Retry-After")
				}
				busy.Add(1)
			default:
				t.Errorf("request %d: %d", i, resp.StatusCode)
			}
		})
	}
	close(startGun)
	wg.Wait()
	elapsed := time.Since(start)
	r.Close()
	tr.CloseIdleConnections()

	cbs, nudges := eng.calls()
	windows := int(elapsed/DefaultNudgeEvery) + 2
	t.Logf("%d requests in %v: %d accepted, %d busy; engine: %d Callback, %d Nudge (bound %d each)",
		n, elapsed.Round(time.Millisecond), accepted.Load(), busy.Load(), len(cbs), len(nudges), windows)
	if accepted.Load()+busy.Load() != n || accepted.Load() == 0 {
		t.Errorf("answered %d accepted + %d busy of %d", accepted.Load(), busy.Load(), n)
	}
	if len(nudges) > windows || len(cbs) > windows {
		t.Errorf("engine flooded: %d Callback, %d Nudge in %v", len(cbs), len(nudges), elapsed)
	}
	for _, c := range cbs {
		if c.id != "job-aaa111" {
			t.Errorf("callback for %q", c.id)
		}
	}
	waitGoroutines(t, before)
}

// waitGoroutines waits (bounded) for goroutines to wind down to the count
// before the test: connections close asynchronously after Close.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d, before %d\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond)
	}
}

// Close ends everything Start began, and a context's end does too.
func TestCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	r := New(Options{Secret: testSecret, Engine: &fakeEngine{}})
	url, err := r.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the context's end closes it
	waitGoroutines(t, before)
	if _, err := http.Post(url, "application/json", strings.NewReader(`{}`)); err == nil {
		t.Error("still answering after its context ended")
	}
	r.Close() // again: harmless
}
