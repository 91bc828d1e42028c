package cli

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// wait --json carries the engine's ETA as RFC 3339 while a job runs; a
// line is written again when the estimate moves by much, not on every
// poll; the final line has none.
func TestWaitJSONCarriesETA(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var out strings.Builder
	r := &waitReporter{sio: IO{Out: &out}, json: true, now: func() time.Time { return now },
		shown: map[string]statusJSON{}, etas: map[string]time.Time{}, lines: map[string]string{}}
	job := func(p float64, eta time.Time) track.Job {
		return track.Job{ID: "a", JobID: "a", Status: api.StatusGenerating, Progress: p, MaximumProgress: 100,
			Job: &api.Job{Status: api.StatusGenerating, Progress: p, MaximumProgress: 100}, ETA: eta}
	}
	eta := now.Add(10 * time.Minute)
	r.change(job(40, time.Time{}))             // no estimate yet: no eta
	r.change(job(40, eta))                     // an estimate appears: a line
	r.change(job(40, eta.Add(20*time.Second))) // a small move: no line
	r.change(job(41, eta.Add(20*time.Second))) // progress moved: a line, with the ETA now
	r.change(job(41, eta.Add(5*time.Minute)))  // a large move: a line
	done := job(100, time.Time{})
	done.Status, done.Ended, done.Settled = api.StatusFinished, now, true
	r.final([]track.Job{done})

	var got []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		got = append(got, m)
	}
	want := []string{"", "2025-03-01T12:10:00Z", "2025-03-01T12:10:20Z", "2025-03-01T12:15:00Z", ""}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out.String())
	}
	for i, w := range want {
		e, _ := got[i]["eta"].(string)
		if e != w {
			t.Errorf("line %d: eta %q, want %q", i, e, w)
		}
		if w != "" {
			if _, err := time.Parse(time.RFC3339, e); err != nil {
				t.Errorf("line %d: eta %q is not RFC 3339: %v", i, e, err)
			}
		}
	}
	if got[len(got)-1]["final"] != true {
		t.Errorf("last line is not final: %v", got[len(got)-1])
	}
}
