package callback

import (
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Slow senders that open connections and say nothing hold at most the
// per-address cap of the receiver's connections (plus those being told
// "busy"); the same address is told to come back, and another address is
// served.
func TestConnectionCapsHoldAgainstSlowSenders(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs 127.0.0.2 on loopback")
	}
	r, url, addr := startTest(t, Options{Secret: testSecret, Engine: &fakeEngine{jobs: tracked}, MaxConns: 8, MaxConnsPerAddr: 4})
	var idle []net.Conn
	t.Cleanup(func() {
		for _, c := range idle {
			_ = c.Close()
		}
	})
	for range 40 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	ln := r.listener()
	deadline := time.Now().Add(10 * time.Second) // a guard, not a timing assertion
	for len(ln.refusing) < 40-4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ln.mu.Lock()
	open := ln.open["127.0.0.1"]
	ln.mu.Unlock()
	// One slot more is taken by the Accept waiting for the next sender.
	if open != 4 || len(ln.slots) > 5 || len(ln.refusing) != 36 {
		t.Fatalf("loopback holds %d connections, %d slots, %d being refused; want 4, at most 5, 36", open, len(ln.slots), len(ln.refusing))
	}

	body := `{"status":"finished","url":"http://h/files/vid-aaa111.mp4"}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("over the address's cap: %d (Retry-After %q), want 503 with Retry-After: 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	other := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	resp, err = other.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("another address: %d, want 202", resp.StatusCode)
	}
}

func TestUsableHostPort(t *testing.T) {
	// Go reports 0.0.0.0 bound as [::]: the family asked for decides.
	for _, c := range []struct{ asked, bound string }{
		{"0.0.0.0:1234", "[::]:1234"}, {"0.0.0.0:1234", "0.0.0.0:1234"}, {"[::]:1234", "[::]:1234"},
	} {
		got := usableHostPort(c.asked, c.bound)
		host, port, err := net.SplitHostPort(got)
		ip := net.ParseIP(host)
		if err != nil || port != "1234" || ip == nil || ip.IsUnspecified() {
			t.Errorf("%s bound as %s → %s, want a usable host with port 1234", c.asked, c.bound, got)
		}
		if strings.HasPrefix(c.asked, "0.0.0.0") && ip != nil && ip.To4() == nil && hasOutsideIPv4() {
			t.Errorf("%s → %s: an IPv6 address where IPv4 was asked for", c.asked, got)
		}
	}
	if got := usableHostPort("127.0.0.1:5", "127.0.0.1:5"); got != "127.0.0.1:5" {
		t.Errorf("loopback changed to %s", got)
	}
}

// hasOutsideIPv4 reports whether this machine has an IPv4 address outside
// loopback, which 0.0.0.0 should then be shown as.
func hasOutsideIPv4() bool {
	ip := net.ParseIP(outsideAddr(true))
	return ip != nil && ip.To4() != nil && !ip.IsLoopback()
}
