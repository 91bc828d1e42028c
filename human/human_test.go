package human

import (
	"math"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{-time.Second, "0s"},
		{0, "0s"},
		{42 * time.Second, "42s"},
		{83 * time.Second, "1m 23s"},
		{83*time.Second + 600*time.Millisecond, "1m 24s"},
		{time.Hour + 5*time.Minute + 9*time.Second, "1h 05m"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[float64]string{83: "1m 23s", 82.6: "1m 23s", -1: "", math.NaN(): "", math.Inf(1): ""} {
		if got := Seconds(in); got != want {
			t.Errorf("Seconds(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{-1, ""}, {0, "0 B"}, {999, "999 B"}, {850_000, "850 kB"},
		{3_000_000, "3.0 MB"}, {3_049_999, "3.0 MB"}, {1_200_000_000, "1.2 GB"},
	}
	for _, tt := range tests {
		if got := Size(tt.in); got != tt.want {
			t.Errorf("Size(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
