package config

import (
	"testing"
	"time"
)

func TestDefault(t *testing.T) {
	for _, c := range []struct{ v, want time.Duration }{{0, time.Second}, {-1, time.Second}, {time.Millisecond, time.Millisecond}} {
		v := c.v
		if Default(&v, time.Second); v != c.want {
			t.Errorf("Default(%v, 1s) = %v, want %v", c.v, v, c.want)
		}
	}
	n := 0
	if Default(&n, 7); n != 7 {
		t.Errorf("Default(0, 7) = %d", n)
	}
}
