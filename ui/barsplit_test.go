package ui

import "testing"

// An estimate never fills the bar, however close to the top; a reading
// rounds as before.
func TestBarSplit(t *testing.T) {
	tests := []struct {
		f, est float64
		w      int
		n, e   int
	}{
		{0.5, 0.5, 10, 5, 5},
		{0.5, 0.99, 10, 5, 9},
		{0.5, 0.999, 20, 10, 19},
		{0.5, 0.66, 10, 5, 6},
		{1, 1, 10, 10, 10},
		{0.96, 0.99, 10, 10, 10},
		{0.2, 0.1, 10, 2, 2},
		{0.5, 0.9, 0, 0, 0},
	}
	for _, tt := range tests {
		n, e := barSplit(tt.f, tt.est, tt.w)
		if n != tt.n || e != tt.e {
			t.Errorf("barSplit(%v, %v, %d) = %d, %d; want %d, %d", tt.f, tt.est, tt.w, n, e, tt.n, tt.e)
		}
	}
}
