package stats

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A date says its year when it is not in the current one, as `ls -l`
// has it; a timeline's times say their date only when they cross days.
func TestDatesSayTheirYear(t *testing.T) {
	now := time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 30, 15, 0, time.UTC) }
	for _, tt := range []struct {
		name string
		d    dates
		t    time.Time
		want string
	}{
		{"this year", datesFor(now, time.UTC), at(2026, 1, 1, 3), "Jan 1 03:30"},
		{"last year, across New Year", datesFor(now, time.UTC), at(2025, 12, 31, 21), "Dec 31 2025 21:30"},
		{"the same day a year before", datesFor(now, time.UTC), at(2025, 1, 1, 3), "Jan 1 2025 03:30"},
		{"the next year", datesFor(now, time.UTC), at(2027, 1, 1, 3), "Jan 1 2027 03:30"},
		{"no time", datesFor(now, time.UTC), time.Time{}, "—"},
		// The year is the reader's: 23:30 UTC on Dec 31 is already the new
		// year in Tokyo.
		{"in the reader's zone", datesFor(now, time.FixedZone("JST", 9*3600)), at(2025, 12, 31, 23), "Jan 1 08:30"},
		{"timeline of one day", clockFor(now, time.UTC, at(2025, 6, 1, 9), at(2025, 6, 1, 10)), at(2025, 6, 1, 10), "10:30"},
		{"timeline across days", clockFor(now, time.UTC, at(2026, 1, 1, 0), at(2025, 12, 30, 9)), at(2026, 1, 1, 0), "Jan 1 00:30"},
		{"timeline across years", clockFor(now, time.UTC, at(2026, 1, 1, 0), at(2025, 12, 30, 9)), at(2025, 12, 30, 9), "Dec 30 2025 09:30"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.minute(tt.t); got != tt.want {
				t.Errorf("minute(%v) = %q, want %q", tt.t, got, tt.want)
			}
		})
	}
	if got := clockFor(now, time.UTC, at(2025, 6, 1, 9)).second(at(2025, 6, 1, 9)); got != "09:30:15" {
		t.Errorf("second = %q", got)
	}
}

// --json gives every time in RFC 3339, year and zone included, whatever
// the span.
func TestJSONTimesAreRFC3339(t *testing.T) {
	now := t0.Add(6 * time.Hour)
	rs := append(fixture(), runAt(t0.AddDate(-1, 0, 0), "old-1", "", 0, "", step{q, 0}, step{fin, 90}))
	b, err := json.Marshal(summaryOf(rs, now.Add(-400*24*time.Hour), now))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		From, To   string
		Throughput struct{ Start string }
		Slowest    []struct{ EndedAt string }
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	ts := []string{s.From, s.To, s.Throughput.Start}
	for _, sl := range s.Slowest {
		ts = append(ts, sl.EndedAt)
	}
	for _, v := range ts {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			t.Errorf("%q is not RFC 3339: %v", v, err)
		}
	}
	if !strings.HasPrefix(s.From, "2025-01-25T") || !strings.Contains(string(b), `"endedAt":"2025-03-01T10:30:00Z"`) {
		t.Errorf("the span's start or last year's job is not where it was: %s", b)
	}
}
