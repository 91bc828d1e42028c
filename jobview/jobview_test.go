package jobview_test

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/jobview/jobviewtest"
)

func TestEveryStatus(t *testing.T) {
	want := map[string]struct {
		cat     jobview.Category
		label   string
		percent string
		role    jobview.Role
	}{
		"waiting":                   {jobview.Waiting, "· waiting", "", jobview.Quiet},
		"in queue":                  {jobview.Queued, "◌ in queue", "0%", jobview.Quiet},
		"preprocessing":             {jobview.Preparing, "◐ preprocessing", "5%", jobview.Starting},
		"preprocessed":              {jobview.Preparing, "◐ preprocessed", "20%", jobview.Starting},
		"generating":                {jobview.Generating, "● generating", "61%", jobview.Active},
		"generating at 100 of 100":  {jobview.Generating, "● generating", "99%", jobview.Active},
		"generating at 995 of 1000": {jobview.Generating, "● generating", "99%", jobview.Active},
		"finished":                  {jobview.Finished, "✓ finished", "100%", jobview.Good},
		"finished at 40 of 100":     {jobview.Finished, "✓ finished", "100%", jobview.Good},
		"failed":                    {jobview.Failed, "✗ failed", "40%", jobview.Bad},
		"deleted":                   {jobview.Deleted, "⊘ deleted", "", jobview.Quiet},
		"not found":                 {jobview.NotFound, "? not found", "", jobview.Missing},
		"trouble":                   {jobview.Trouble, "! trouble", "30%", jobview.Warn},
		"unreadable":                {jobview.Trouble, "! unreadable", "", jobview.Warn},
		"other":                     {jobview.Other, "◇ paused", "10%", jobview.Plain},
	}
	cases := jobviewtest.Every()
	if len(cases) != len(want) {
		t.Fatalf("%d cases, %d expectations: keep them in step", len(cases), len(want))
	}
	for _, c := range cases {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("%s: no expectation", c.Name)
			continue
		}
		j := c.Job
		if got := jobview.Of(&j); got != w.cat {
			t.Errorf("%s: category %d, want %d", c.Name, got, w.cat)
		}
		if got := jobview.Label(&j); got != w.label {
			t.Errorf("%s: label %q, want %q", c.Name, got, w.label)
		}
		if got := jobview.Percent(&j); got != w.percent {
			t.Errorf("%s: percent %q, want %q", c.Name, got, w.percent)
		}
		if got := jobview.Of(&j).Role(); got != w.role {
			t.Errorf("%s: role %d, want %d", c.Name, got, w.role)
		}
	}
}

// One rule: rounded down, 100% only when done, whatever the input's edge.
func TestFormatPercent(t *testing.T) {
	for _, c := range []struct {
		f    float64
		done bool
		want string
	}{
		{0, false, "0%"}, {0.999, false, "99%"}, {1, false, "99%"}, {1.5, false, "99%"},
		{-0.2, false, "0%"}, {math.NaN(), false, "0%"}, {0.5, true, "100%"}, {0.129, false, "12%"},
	} {
		if got := jobview.FormatPercent(c.f, c.done); got != c.want {
			t.Errorf("FormatPercent(%v, %v) = %q, want %q", c.f, c.done, got, c.want)
		}
	}
}

// Every category has its own glyph and word, and a style to draw it in.
func TestCategoriesDistinct(t *testing.T) {
	glyphs, words := map[string]bool{}, map[string]bool{}
	for c := range jobview.NumCategories {
		if glyphs[c.Glyph()] || words[c.Word()] {
			t.Errorf("category %d repeats a glyph or word: %q %q", c, c.Glyph(), c.Word())
		}
		glyphs[c.Glyph()], words[c.Word()] = true, true
	}
	if len(jobviewtest.SGR) != int(jobview.Good)+1 {
		t.Errorf("%d roles with an SGR, want every role", len(jobviewtest.SGR))
	}
}

// Each role's style opens the basic ANSI colour written out in
// jobviewtest.SGR (not whatever lipgloss makes of it). NO_COLOR is the
// surfaces' to honour: cli's TestSurfacesAgree, ui's
// TestDashboardAgreesWithJobview.
func TestRoleColours(t *testing.T) {
	for role, sgr := range jobviewtest.SGR {
		var b strings.Builder
		w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.ANSI}
		_, _ = w.WriteString(role.Style().Render("x"))
		want := "x"
		if sgr != "" {
			want = sgr + "x" + jobviewtest.Reset
		}
		if b.String() != want {
			t.Errorf("role %d: %q, want %q", role, b.String(), want)
		}
	}
	if !jobview.Generating.Running() || jobview.Finished.Running() || jobview.NotFound.Running() {
		t.Error("Running: generating runs, finished and not found do not")
	}
}

// A bar never says more than the percentage beside it, says as much as it
// can in its cells, and is full only when done: for every width and every
// thousandth.
func TestCellsAgreeWithPercent(t *testing.T) {
	for w := 1; w <= 80; w++ {
		for i := 0; i <= 1000; i++ {
			f := float64(i) / 1000
			p, n := jobview.Whole(f, false), jobview.Cells(f, false, w)
			if n >= w {
				t.Fatalf("jobview.Cells(%v, running, %d) = %d: full before done (percent %d)", f, w, n, p)
			}
			if n*100 > p*w || (n+1)*100 <= p*w && n+1 < w {
				t.Fatalf("jobview.Cells(%v, running, %d) = %d, percent %d%%: the bar and the number disagree", f, w, n, p)
			}
		}
		if n := jobview.Cells(0.3, true, w); n != w {
			t.Fatalf("jobview.Cells(done, %d) = %d, want full", w, n)
		}
	}
	if got := jobview.FormatPercent(1, false); got != "99%" {
		t.Errorf("jobview.FormatPercent(1, running) = %q", got)
	}
	if jobview.Whole(0.999, false) != 99 || jobview.Whole(0, true) != 100 || jobview.Whole(-1, false) != 0 {
		t.Error("Whole: the rounding rule is broken")
	}
}
