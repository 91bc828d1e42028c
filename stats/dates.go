package stats

import "time"

// dates says how times shown together are written, much as `ls -l` does
// (by the calendar year, not its six months): no more than it takes to
// tell them apart. A date in the reader's current year goes without its
// year, which is how anyone reads a date with none; a date in another year
// (a span over a year, a history across New Year, an old one) says its
// year, so two different days never read alike.
type dates struct {
	loc      *time.Location
	thisYear int
	day      bool // times say their date, not only the clock
}

// datesFor is how to write times when it is now, in loc: each with its
// date (the charts', whose spans are days long).
func datesFor(now time.Time, loc *time.Location) dates {
	return dates{loc: loc, thisYear: now.In(loc).Year(), day: true}
}

// clockFor is datesFor for times that go without their date when all of
// ts fall on one day (a timeline's, most often minutes long).
func clockFor(now time.Time, loc *time.Location, ts ...time.Time) dates {
	d := datesFor(now, loc)
	d.day = false
	var y, dd int
	var m time.Month
	for i, t := range ts {
		ty, tm, td := t.In(loc).Date()
		if i == 0 {
			y, m, dd = ty, tm, td
		} else if ty != y || tm != m || td != dd {
			d.day = true
		}
	}
	return d
}

// minute is t to the minute: "Mar 1 09:00", "Mar 1 2025 09:00"; "—" for
// no time.
func (d dates) minute(t time.Time) string { return d.format(t, "15:04") }

// second is t to the second: "09:00:00", "Mar 1 09:00:00",
// "Mar 1 2025 09:00:00".
func (d dates) second(t time.Time) string { return d.format(t, "15:04:05") }

func (d dates) format(t time.Time, clock string) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(d.loc)
	switch {
	case !d.day:
	case t.Year() != d.thisYear:
		clock = "Jan 2 2006 " + clock
	default:
		clock = "Jan 2 " + clock
	}
	return t.Format(clock)
}
