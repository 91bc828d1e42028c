package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/jobview/jobviewtest"
	"github.com/reel-dev/reel/track"
)

// The dashboard's row and the quit summary say of every job what jobview
// says: its glyph, its word, and its percentage by the one rounding rule.
// (cli's TestSurfacesAgree holds status, wait and download to the same.)
func TestDashboardAgreesWithJobview(t *testing.T) {
	cases := jobviewtest.Every()
	jobs := make([]track.Job, len(cases))
	for i, c := range cases {
		jobs[i] = c.Job
		jobs[i].Seq = int64(i)
	}
	hs := newHarness(t, 200, len(jobs)+8, jobs...)
	screen := ansi.Strip(hs.view())
	quit := summary(jobs)
	for _, c := range cases {
		j := c.Job
		label, pct := jobview.Label(&j), jobview.Percent(&j)
		row := lineHolding(screen, j.ID+" ")
		if row == "" {
			t.Errorf("%s: no row for %s on the dashboard:\n%s", c.Name, j.ID, screen)
			continue
		}
		if !strings.Contains(row, label) {
			t.Errorf("%s: dashboard row %q lacks %q", c.Name, row, label)
		}
		if pct != "" && !strings.Contains(row, " "+pct+" ") {
			t.Errorf("%s: dashboard row %q lacks %q", c.Name, row, pct)
		}
		if pct == "" && strings.Contains(row, "%") {
			t.Errorf("%s: dashboard row %q shows a percentage jobview does not", c.Name, row)
		}
		if line := lineHolding(quit, " "+j.ID); !strings.HasPrefix(line, jobview.Of(&j).Glyph()+" "+jobview.Word(&j)) {
			t.Errorf("%s: quit summary line %q does not start with %q", c.Name, line, label)
		}
	}
}

// lineHolding is the first line of s that holds sub, or "".
func lineHolding(s, sub string) string {
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			return strings.TrimRight(line, "\n")
		}
	}
	return ""
}
