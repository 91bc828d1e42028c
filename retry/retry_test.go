package retry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 8 * time.Second}
	for _, c := range []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{1, 1, time.Second}, {1, 0, 500 * time.Millisecond}, {2, 1, 2 * time.Second}, {3, 0.5, 3 * time.Second},
		{4, 1, 8 * time.Second}, {10, 1, 8 * time.Second}, {100, 0, 4 * time.Second},
		{1, -3, 500 * time.Millisecond}, {1, 7, time.Second}, {0, 1, time.Second},
	} {
		if got := b.Delay(c.n, c.jitter); got != c.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", c.n, c.jitter, got, c.want)
		}
	}
	if got := (Backoff{}).Delay(1, 1); got != Default.Base {
		t.Errorf("zero Backoff: %v, want Default's base %v", got, Default.Base)
	}
	if got := (Backoff{Base: time.Second, Max: time.Millisecond}).Delay(5, 1); got != time.Second {
		t.Errorf("Max under Base: %v, want Base", got)
	}
}

func TestAfter(t *testing.T) {
	for _, c := range []struct{ delay, ra, ceiling, want time.Duration }{
		{time.Second, 0, 0, time.Second},
		{time.Second, 5 * time.Second, 0, 5 * time.Second},
		{time.Second, time.Hour, 5 * time.Minute, 5 * time.Minute},
		{10 * time.Second, time.Second, 5 * time.Second, 10 * time.Second}, // the ceiling caps the server, not the backoff
	} {
		if got := After(c.delay, c.ra, c.ceiling); got != c.want {
			t.Errorf("After(%v, %v, %v) = %v, want %v", c.delay, c.ra, c.ceiling, got, c.want)
		}
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Microsecond); err != nil {
		t.Errorf("a short sleep: %v", err)
	}
	why := errors.New("stopped")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, why) {
		t.Errorf("an ended context: %v, want its cause", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("Sleep outlived its context")
	}
	if err := Sleep(ctx, 0); !errors.Is(err, why) {
		t.Errorf("no wait on an ended context: %v, want its cause", err)
	}
}

// MaxRetryAfter is five minutes, and CapNote names it only when it cut.
func TestMaxRetryAfter(t *testing.T) {
	if MaxRetryAfter != 5*time.Minute {
		t.Errorf("MaxRetryAfter = %v, want 5m", MaxRetryAfter)
	}
	if d, cut := Capped(time.Hour); d != 5*time.Minute || !cut {
		t.Errorf("Capped(1h) = %v, %v", d, cut)
	}
	if d, cut := Capped(time.Minute); d != time.Minute || cut {
		t.Errorf("Capped(1m) = %v, %v", d, cut)
	}
	if n := CapNote(time.Minute); n != "" {
		t.Errorf("CapNote(1m) = %q, want none", n)
	}
	if n := CapNote(2 * time.Hour); !strings.Contains(n, "2h0m0s") || !strings.Contains(n, "5m0s") {
		t.Errorf("CapNote(2h) = %q, want the wait asked and the cap", n)
	}
}
