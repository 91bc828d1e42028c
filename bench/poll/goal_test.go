package main

import (
	"testing"
	"time"
)

// The goal PRODUCT.md sets for polling: at most half the requests of the
// docs' fixed 5 s polling, and ends seen no later (by the median).
func TestEngineBeatsFixedPolling(t *testing.T) {
	seeds := []uint64{1, 2}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		specs := workload(100, seed)
		fixed := fixedPolling(specs, 5*time.Second)
		eng, err := engine(specs, seed)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: fixed %d requests, median %s; engine %d requests, median %s, p90 %s",
			seed, fixed.requests, fixed.quantile(0.5), eng.requests, eng.quantile(0.5), eng.quantile(0.9))
		if eng.requests*2 > fixed.requests {
			t.Errorf("seed %d: engine made %d requests, more than half of fixed polling's %d", seed, eng.requests, fixed.requests)
		}
		if eng.quantile(0.5) > fixed.quantile(0.5) {
			t.Errorf("seed %d: engine median delay %s, worse than fixed polling's %s", seed, eng.quantile(0.5), fixed.quantile(0.5))
		}
		for i, d := range eng.delays {
			if d < 0 {
				t.Errorf("%s seen %s before it ended", specs[i].id, -d)
			}
		}
	}
}
