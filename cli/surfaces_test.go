package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/jobview/jobviewtest"
	"github.com/reel-dev/reel/track"
)

// asResult is what a lookup of j would have come to, for status and
// download.
func asResult(j track.Job) result {
	r := result{ID: j.ID}
	if j.Job != nil || j.Video != nil {
		r.Lookup = &api.Lookup{Kind: api.KindJob, Job: j.Job, Video: j.Video}
	}
	switch {
	case j.NotFound:
		r.Err = &api.NotFoundError{Kind: "video", ID: j.ID}
	case j.Err != "":
		r.Err = errors.New(j.Err)
	}
	return r
}

// status, wait (its change lines and its final table) and download say of
// every job what jobview says, as the dashboard and the quit summary do
// (ui's TestDashboardAgreesWithJobview): one glyph, one word, one
// percentage, one colour.
func TestSurfacesAgree(t *testing.T) {
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	for _, c := range jobviewtest.Every() {
		t.Run(c.Name, func(t *testing.T) {
			j := c.Job
			label, pct := jobview.Label(&j), jobview.Percent(&j)

			row := statusRow(asResult(j), colorprofile.NoTTY)
			if row[1] != label || row[2] != pct {
				t.Errorf("status: %q %q, want %q %q", row[1], row[2], label, pct)
			}

			var out, errb bytes.Buffer
			rep := &waitReporter{sio: IO{Out: &out, Err: &errb}, now: func() time.Time { return now },
				shown: map[string]statusJSON{}, etas: map[string]time.Time{}, lines: map[string]string{}}
			rep.change(j)
			switch line := errb.String(); {
			case line == "" && jobview.Of(&j) != jobview.Waiting:
				t.Errorf("wait: no change line")
			case line != "" && !strings.Contains(line, "  "+label+joinNonEmpty(pct)):
				t.Errorf("wait: change line %q lacks %q %q", line, label, pct)
			}
			rep.final([]track.Job{j})
			final := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(final) != 2 || !strings.Contains(final[1], "  "+label+"  "+orDash(pct)+"  ") {
				t.Errorf("wait: final table %q lacks %q %q", out.String(), label, orDash(pct))
			}

			_, err := downloadable(asResult(j))
			switch jobview.Of(&j) {
			case jobview.Finished:
			case jobview.Failed, jobview.Deleted:
				if err == nil || !strings.Contains(err.Error(), jobview.Word(&j)) {
					t.Errorf("download: %v, want it to say %q", err, jobview.Word(&j))
				}
			case jobview.NotFound, jobview.Trouble:
				if err == nil {
					t.Error("download: no error for a job that could not be read")
				}
			default:
				if err == nil || !strings.Contains(err.Error(), "("+label+joinSpace(pct)+")") {
					t.Errorf("download: %v, want it to say (%s%s)", err, label, joinSpace(pct))
				}
			}

			// Colour repeats the glyph; it is jobview's role, and only where
			// the profile shows colour.
			coloured := statusLabel(&j, colorprofile.ANSI)
			if ansi.Strip(coloured) != label {
				t.Errorf("coloured label %q reads %q, want %q", coloured, ansi.Strip(coloured), label)
			}
			// The colour written out, not asked of the same styles that made
			// it (that comparison could never fail).
			want := label
			if sgr := jobviewtest.SGR[jobview.Of(&j).Role()]; sgr != "" {
				want = sgr + label + jobviewtest.Reset
			}
			if coloured != want {
				t.Errorf("coloured label %q, want %q", coloured, want)
			}
			for _, p := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.NoTTY} {
				if plain := statusLabel(&j, p); plain != label {
					t.Errorf("profile %v (NO_COLOR, a pipe): %q, want %q with no escape", p, plain, label)
				}
			}
		})
	}
}

func joinNonEmpty(p string) string {
	if p == "" {
		return ""
	}
	return "  " + p
}

func joinSpace(p string) string {
	if p == "" {
		return ""
	}
	return " " + p
}
