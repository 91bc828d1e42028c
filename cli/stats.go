package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/stats"
	"github.com/reel-dev/reel/store"
)

// statsFlags are reel stats's own flags.
type statsFlags struct {
	JSON  bool
	Since time.Duration
}

// newStatsCmd is reel stats; runF, when set, runs in its place (tests).
func newStatsCmd(sio IO, g *globals, runF func(f statsFlags) error) *cobra.Command {
	var asJSON bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "stats [--since DUR] [--json]",
		Short: "Where the time goes: statistics from the store's history",
		Long: `Stats reads the history of status changes that the dashboard records in the
store and says where the time goes: jobs by status; how long jobs waited in the
queue, preprocessed and rendered (median, 90th percentile and a histogram each);
render time per minute of video; jobs finished per hour; failure reasons, most
frequent first; and the slowest jobs. --since keeps to the jobs that changed
status in that last span. With --json, the numbers behind the charts (the shape
is in the README). It needs no API key and changes nothing.`,
		Example: `  reel stats
  reel stats --since 24h
  reel stats --since 7d --json | jq '.rendering.p90'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if since < 0 {
				return usageErr(errors.New("--since: want a positive span such as 24h"))
			}
			if runF != nil {
				return runF(statsFlags{JSON: asJSON, Since: since})
			}
			s, err := g.settings(sio)
			if err != nil {
				return err
			}
			now := sio.Now()
			from := time.Time{}
			if since > 0 {
				from = now.Add(-since)
			}
			sum, err := summarize(cmd, s.StorePath, from, now)
			if err != nil {
				return err
			}
			if asJSON {
				b, err := marshalJSON(sum, true)
				if err != nil {
					return err
				}
				_, err = sio.Out.Write(b)
				return err
			}
			return writeStats(sio.Out, sum, stats.SpanWord(since), sio.OutColor, sio.OutWidth)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the numbers as one JSON object")
	cmd.Flags().Var((*spanFlag)(&since), "since", "only jobs that changed status in this last span: 90m, 24h, 7d (at most 36500d)")
	// Where the store is, from the flag or the config file: stats asks
	// no API and follows no job.
	return takesShared(cmd, "config", "store")
}

// spanFlag is a duration that also takes days ("7d"), as people say spans.
type spanFlag time.Duration

func (f *spanFlag) String() string {
	if *f == 0 {
		return ""
	}
	return time.Duration(*f).String()
}

func (f *spanFlag) Type() string { return "DUR" }

// maxSpanDays is the longest --since: a hundred years, far more than any
// history, and far from where a duration's nanoseconds overflow (292
// years) into a span in the future.
const maxSpanDays = 36500

func (f *spanFlag) Set(v string) error {
	bad := fmt.Errorf("%q: want a span such as 90m, 24h or 7d", v)
	tooLong := fmt.Errorf("%q: at most %dd (a hundred years)", v, maxSpanDays)
	// One number and one unit is weighed before it becomes a duration,
	// which would overflow.
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		n, ok := strings.CutSuffix(v, u.suffix)
		if !ok || n == "" || strings.Trim(n, "0123456789") != "" {
			continue
		}
		x, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return bad
		}
		if x*float64(u.unit) > float64(maxSpanDays*24*time.Hour) {
			return tooLong
		}
		*f = spanFlag(time.Duration(x) * u.unit)
		return nil
	}
	if strings.HasSuffix(v, "d") { // "1.5d", "d": days are whole
		return bad
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return bad
	}
	if d > maxSpanDays*24*time.Hour {
		return tooLong
	}
	*f = spanFlag(d)
	return nil
}

// summarize reads the store read-only. No store yet is no history, which
// the output says plainly; a store that cannot be read is an error.
func summarize(cmd *cobra.Command, path string, from, now time.Time) (stats.Summary, error) {
	if path == "" {
		return stats.Summary{}, usageErr(errors.New("no place for the job store: set XDG_STATE_HOME or HOME, or pass --store FILE"))
	}
	st, err := store.OpenReadOnly(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stats.NewSummarizer(from, now).Summary(), nil
	}
	if err != nil {
		return stats.Summary{}, usageErr(err)
	}
	defer st.Close()
	return st.Summarize(cmd.Context(), from, now)
}

// writeStats draws the summary as text charts; colour only repeats what
// the words and glyphs say.
func writeStats(w io.Writer, sum stats.Summary, span string, color colorprofile.Profile, width int) error {
	if width <= 0 {
		width = 80
	}
	var p stats.Paint
	if color > colorprofile.ASCII {
		p = func(r stats.Role, s string) string { return paint(color, statsStyle(r), s) }
	}
	lines := stats.Render(sum, stats.Options{Width: width, Paint: p, Span: span})
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// statsStyle is a chart role's style: a job's state in the colour its
// jobview category has on every surface.
func statsStyle(r stats.Role) lipgloss.Style {
	if c, ok := r.Category(); ok {
		return c.Role().Style()
	}
	switch r {
	case stats.RoleTitle:
		return lipgloss.NewStyle().Bold(true)
	case stats.RoleFaint:
		return lipgloss.NewStyle().Faint(true)
	case stats.RoleBar:
		return jobview.Generating.Role().Style()
	}
	return lipgloss.NewStyle()
}
