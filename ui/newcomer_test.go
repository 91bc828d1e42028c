package ui

import (
	"strings"
	"testing"
)

// TestNoLinkSaysWhy: o and y on a job that will never have a video say so,
// rather than "not finished", which promises a link that never comes.
func TestNoLinkSaysWhy(t *testing.T) {
	cases := []struct{ id, want string }{
		{"job-failed", "the job failed"},
		{"job-deleted", "was deleted"},
		{"job-missing", "neither a job nor a video"},
		{"job-gen", "no link yet: the video is not finished"},
	}
	for _, c := range cases {
		for _, k := range []string{"o", "y"} {
			hs := newHarness(t, 80, 24, fixtures()...)
			hs.selectID(c.id)
			hs.key(k)
			if !strings.Contains(hs.m.flash, c.want) {
				t.Errorf("%s on %s says %q, want it to say %q", k, c.id, hs.m.flash, c.want)
			}
			if c.id != "job-gen" && strings.Contains(hs.m.flash, "yet") {
				t.Errorf("%s on %s says %q: a link will never come", k, c.id, hs.m.flash)
			}
		}
	}
}
