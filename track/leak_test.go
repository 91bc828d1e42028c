package track_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
)

// The goroutine count of the whole process moves with every other test's
// stragglers, so a leak check counts only the goroutines a test started
// itself: they carry a pprof label, which each goroutine inherits from the
// one that starts it.
const labelKey = "reel-leak-check"

// goLabelled runs f in a new goroutine labelled name; every goroutine f
// starts, and theirs in turn, carries the label too.
func goLabelled(name string, f func()) {
	prev := context.Background()
	pprof.SetGoroutineLabels(pprof.WithLabels(prev, pprof.Labels(labelKey, name)))
	go f()
	pprof.SetGoroutineLabels(prev)
}

// countLabelled returns how many live goroutines carry the label name.
func countLabelled(t *testing.T, name string) int {
	n := 0
	for _, rec := range labelledRecords(t, name) {
		count, _, _ := strings.Cut(rec, " ")
		c, err := strconv.Atoi(count)
		if err != nil {
			t.Fatalf("goroutine profile record %q: %v", rec, err)
		}
		n += c
	}
	return n
}

// labelledStacks returns the stacks of the goroutines labelled name.
func labelledStacks(t *testing.T, name string) string {
	return strings.Join(labelledRecords(t, name), "\n\n")
}

// labelledRecords reads the goroutine profile in its text form, one record
// ("<count> @ <pcs>", "# labels: {...}", the frames) per distinct stack and
// label set, and keeps those labelled name.
func labelledRecords(t *testing.T, name string) []string {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		t.Fatal(err)
	}
	want := strconv.Quote(labelKey) + ":" + strconv.Quote(name)
	var out []string
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		rec = strings.TrimSpace(rec)
		if strings.HasPrefix(rec, "goroutine profile:") {
			_, rec, _ = strings.Cut(rec, "\n")
		}
		for _, line := range strings.Split(rec, "\n") {
			if strings.HasPrefix(line, "# labels: ") && strings.Contains(line, want) {
				out = append(out, rec)
				break
			}
		}
	}
	return out
}
