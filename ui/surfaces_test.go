package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
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
		// The bar: as many cells as jobview.Cells gives beside the same
		// percentage, full only when finished.
		if pct != "" {
			w := hs.m.draw.lay.bar
			want := jobview.Cells(j.Fraction(), jobview.Of(&j) == jobview.Finished, w)
			if got := strings.Count(row, "█"); w > 0 && got != want {
				t.Errorf("%s: bar of %d cells beside %s, want %d of %d", c.Name, got, pct, want, w)
			}
		}
		// The status cell's colour, written out: the role's SGR right
		// before the label (the selected row is drawn reversed instead).
		if sel, _ := hs.m.list.Selected(); sel != nil && sel.job.ID == j.ID {
			continue
		}
		raw := lineHolding(hs.view(), j.ID+" ")
		if sgr := jobviewtest.SGR[jobview.Of(&j).Role()]; sgr != "" && !strings.Contains(raw, sgr+label) {
			t.Errorf("%s: dashboard row %q lacks %q", c.Name, raw, sgr+label)
		}
	}

	// NO_COLOR: the Ascii profile the dashboard then runs with leaves no
	// colour at all (faint and reverse are not colours, and stay).
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	_, _ = w.WriteString(hs.view())
	if m := sgrColour.FindString(b.String()); m != "" {
		t.Errorf("NO_COLOR: the dashboard still writes the colour %q", m)
	}
}

// sgrColour matches an SGR that sets a foreground or background colour.
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-79]|4[0-79]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m`)

// lineHolding is the first line of s that holds sub, or "".
func lineHolding(s, sub string) string {
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			return strings.TrimRight(line, "\n")
		}
	}
	return ""
}
