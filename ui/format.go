package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
)

// formatPercent renders a fraction in [0, 1] as a whole percentage by
// jobview's one rule: rounded down, never 100% before the job is done.
func formatPercent(f float64, done bool) string { return jobview.FormatPercent(f, done) }

// leftText is an estimate of the time to go, as precise as an estimate
// deserves and never wider than the 12 cells of the AGE/LEFT column:
// "~45s left", "~9m 59s left", "~30m left", "~1h 05m left", "~12h left".
func leftText(d time.Duration) string {
	var s string
	switch {
	case d < 10*time.Minute:
		s = human.Duration(d)
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	case d < 10*time.Hour:
		s = human.Duration(d)
	default:
		s = fmt.Sprintf("%dh", int(d.Round(time.Hour)/time.Hour))
	}
	return "~" + s + " left"
}

// formatClock renders a moment as a clock time; the date is added when it
// is not today, so "last poll" never needs to tick.
func formatClock(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	t, now = t.In(loc), now.In(loc)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// fit truncates s to w cells (with an ellipsis) and pads it with spaces to
// exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw, ascii := width(s)
	if sw > w {
		if ascii {
			s, sw = s[:w-1]+"…", w
		} else {
			s = ansi.Truncate(s, w, "…")
			sw = ansi.StringWidth(s)
		}
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// fitRight is fit with the text aligned to the right.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw, _ := width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-sw) + s
}

// width is the cells s takes, and whether it is plain printable ASCII,
// which most cells are (IDs, numbers) and which needs no grapheme walk.
func width(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s), false
		}
	}
	return len(s), true
}
