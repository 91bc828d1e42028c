package stats

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/termsafe"
)

// Role is what a piece of a chart is, for a Paint to colour. Colour only
// repeats what the words, numbers and glyphs already say. A job's state
// is painted as jobview's category for it (CategoryRole), so the charts
// colour a status as every other surface does.
type Role int

const (
	RolePlain Role = iota
	RoleTitle
	RoleFaint
	RoleBar
	// roleCategory is the first of the roles that are jobview categories.
	roleCategory
)

// CategoryRole is the role of text about jobs of category c.
func CategoryRole(c jobview.Category) Role { return roleCategory + Role(c) }

// Category is the jobview category r paints, if it is one.
func (r Role) Category() (jobview.Category, bool) {
	if r < roleCategory || r >= roleCategory+Role(jobview.NumCategories) {
		return 0, false
	}
	return jobview.Category(r - roleCategory), true
}

// statusRole is the role of text about jobs in status s.
func statusRole(s api.Status) Role { return CategoryRole(jobview.ForStatus(s)) }

// statusLabel is a status as every surface shows it: jobview's glyph and
// word.
func statusLabel(s api.Status) string {
	return jobview.ForStatus(s).Glyph() + " " + jobview.HumanStatus(s)
}

// Paint colours s as role; nil leaves text plain.
type Paint func(role Role, s string) string

func (p Paint) on(r Role, s string) string {
	if p == nil || s == "" {
		return s
	}
	return p(r, s)
}

// Plotter draws the charts of a summary. TextPlotter, reel's own in plain
// Unicode cells, is the one there is; the interface keeps the charts'
// drawing apart from what they show, so another drawer can take its place.
type Plotter interface {
	// Bars draws one labelled horizontal bar a value, the largest filling
	// w cells less the label and the value's text.
	Bars(labels []string, values []int, w int) []string
	// Columns draws values as vertical columns h lines high, one cell each
	// (values are merged when there are more than w).
	Columns(values []int, w, h int) []string
}

// TextPlotter draws with block characters, painted by Paint.
type TextPlotter struct{ Paint Paint }

// eighths are the partial blocks, from an eighth to a whole cell.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"}

// Bars implements Plotter.
func (t TextPlotter) Bars(labels []string, values []int, w int) []string {
	lw, vw, top := 0, 0, 0
	for i, l := range labels {
		lw = max(lw, ansi.StringWidth(l))
		vw = max(vw, len(strconv.Itoa(values[i])))
		top = max(top, values[i])
	}
	bw := max(1, w-lw-vw-3)
	out := make([]string, len(labels))
	for i, l := range labels {
		bar := ""
		if top > 0 {
			e := values[i] * bw * 8 / top
			if e == 0 && values[i] > 0 {
				e = 1 // something is never drawn as nothing
			}
			bar = strings.Repeat("█", e/8) + eighths[e%8]
		}
		pad := bw - ansi.StringWidth(bar)
		out[i] = padLeft(l, lw) + " " + t.Paint.on(RoleBar, bar) + strings.Repeat(" ", pad) + " " + padLeft(strconv.Itoa(values[i]), vw)
	}
	return out
}

// levels are the column heights within one line, from empty to full.
var levels = []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// Columns implements Plotter.
func (t TextPlotter) Columns(values []int, w, h int) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	vs := values
	if len(vs) > w { // merge neighbours so every column fits
		per := (len(vs) + w - 1) / w
		vs = make([]int, 0, w)
		for i := 0; i < len(values); i += per {
			sum := 0
			for _, v := range values[i:min(i+per, len(values))] {
				sum += v
			}
			vs = append(vs, sum)
		}
	}
	top := 0
	for _, v := range vs {
		top = max(top, v)
	}
	// Few values get wider columns, up to three cells, so a chart of two
	// hours is not two thin lines.
	cell := max(1, min(3, w/max(len(vs), 1)))
	out := make([]string, h)
	for row := range h {
		var b strings.Builder
		for _, v := range vs {
			e := 0
			if top > 0 {
				e = v * h * 8 / top
				if e == 0 && v > 0 {
					e = 1
				}
			}
			// This row (0 at the top) holds the eighths from its floor up.
			floor := (h - 1 - row) * 8
			b.WriteString(strings.Repeat(levels[max(0, min(8, e-floor))], cell))
		}
		out[row] = t.Paint.on(RoleBar, b.String())
	}
	return out
}

// Options say how Render draws.
type Options struct {
	Width    int
	Paint    Paint
	Plotter  Plotter // nil: a TextPlotter with Paint
	Location *time.Location
	// Span names the span asked for ("last 24h"); "" means all history.
	Span string
}

// TwoColumnsFrom is the width from which Render sets the stage
// distributions beside the rest instead of above it.
const TwoColumnsFrom = 120

// Render draws a summary as lines of at most o.Width cells: counts, the
// stage distributions, throughput, failure reasons and the slowest jobs,
// in two columns on a wide screen. An empty summary says so plainly.
func Render(s Summary, o Options) []string {
	if o.Width < TwoColumnsFrom || s.Jobs == 0 {
		return render(s, o)
	}
	// The head at full width; then each column's sections, which are the
	// lines between blank ones: the four distributions on the left.
	head := render(s, o)[:3]
	cw := (o.Width - 3) / 2
	o.Width = cw
	body := render(s, o)[3:]
	var sections [][]string
	for _, l := range body {
		if l == "" {
			sections = append(sections, nil)
			continue
		}
		if len(sections) == 0 {
			sections = append(sections, nil)
		}
		sections[len(sections)-1] = append(sections[len(sections)-1], l)
	}
	split := min(4, len(sections))
	column := func(ss [][]string) []string {
		var out []string
		for i, sec := range ss {
			if i > 0 {
				out = append(out, "")
			}
			out = append(out, sec...)
		}
		return out
	}
	left, right := column(sections[:split]), column(sections[split:])
	out := append(head, "")
	for i := range max(len(left), len(right)) {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, strings.TrimRight(fitRight(l, cw)+"   "+r, " "))
	}
	return out
}

func render(s Summary, o Options) []string {
	w := max(o.Width, 30)
	if o.Location == nil {
		o.Location = time.Local
	}
	p := o.Paint
	pl := o.Plotter
	if pl == nil {
		pl = TextPlotter{Paint: p}
	}
	span := o.Span
	if span == "" {
		span = "all history"
	}
	if s.Jobs == 0 {
		return wrapLines(Empty(o.Span), w)
	}
	var out []string
	add := func(ls ...string) {
		for _, l := range ls {
			out = append(out, ansi.Truncate(l, w, "…"))
		}
	}
	// A date in another year than the summary's (made at s.To) says its
	// year.
	ds := datesFor(s.To, o.Location)
	add(p.on(RoleTitle, "Where the time goes")+p.on(RoleFaint, " · "+span+" · "+ds.minute(s.From)+" to "+ds.minute(s.To)+" · "+plural(s.Jobs, "job")), "")
	add(countsLine(s, p)...)

	for _, d := range []struct {
		title, unit string
		dist        Distribution
		role        Role
	}{
		{"Queue wait", "job", s.Queue, CategoryRole(jobview.Queued)},
		{"Preprocessing", "job", s.Preprocessing, CategoryRole(jobview.Preparing)},
		{"Rendering", "job", s.Rendering, CategoryRole(jobview.Generating)},
		{"Render time per minute of video", "video", s.RenderPerMinute, CategoryRole(jobview.Generating)},
	} {
		add("")
		if d.dist.Count == 0 {
			add(p.on(RoleTitle, d.title) + p.on(RoleFaint, "  no job seen through this stage"))
			continue
		}
		add(p.on(RoleTitle, d.title) + "  median " + dur(d.dist.Median) + " · p90 " + dur(d.dist.P90) +
			p.on(RoleFaint, " · "+plural(d.dist.Count, d.unit)+" · "+dur(d.dist.Min)+" to "+dur(d.dist.Max)))
		labels := make([]string, len(d.dist.Histogram))
		values := make([]int, len(d.dist.Histogram))
		for i, b := range d.dist.Histogram {
			labels[i] = "  " + short(b.From) + "–" + short(b.To)
			values[i] = b.Count
		}
		add(pl.Bars(labels, values, min(w, 72))...)
	}

	add("")
	t := s.Throughput
	bucket := bucketWord(time.Duration(t.BucketSeconds) * time.Second)
	add(p.on(RoleTitle, "Finished per "+bucket) + "  " + plural(t.Finished, "job") + " · " +
		strconv.FormatFloat(t.PerHour, 'f', -1, 64) + " an hour")
	if t.Finished > 0 {
		top := 0
		for _, c := range t.Counts {
			top = max(top, c)
		}
		cols := pl.Columns(t.Counts, w-8, 4)
		cw := ansi.StringWidth(cols[0])
		for i, c := range cols {
			label := ""
			if i == 0 {
				label = strconv.Itoa(top)
			}
			add(padLeft(label, 5) + " │" + c)
		}
		end := t.Start.Add(time.Duration(len(t.Counts)) * time.Duration(t.BucketSeconds) * time.Second)
		from, to := ds.minute(t.Start), ds.minute(end)
		axis := from + strings.Repeat(" ", max(1, cw-ansi.StringWidth(from)-ansi.StringWidth(to))) + to
		if ansi.StringWidth(axis) > cw {
			axis = from + " to " + to // too narrow to stand at the ends
		}
		add("      └" + axis)
	}

	add("")
	failed := s.Counts["failed"]
	if failed == 0 {
		add(p.on(RoleTitle, "Failures") + p.on(RoleFaint, "  none"))
	} else {
		add(p.on(RoleTitle, "Failures") + "  " + plural(failed, "job") + ", by reason")
		labels := make([]string, 0, len(s.Failures)+1)
		values := make([]int, 0, len(s.Failures)+1)
		rw := min(40, w/2)
		for _, r := range s.Failures {
			labels = append(labels, "  "+fitRight(oneLine(r.Reason), rw))
			values = append(values, r.Count)
		}
		if s.OtherFailures > 0 {
			labels = append(labels, "  "+fitRight("(other reasons)", rw))
			values = append(values, s.OtherFailures)
		}
		for _, l := range pl.Bars(labels, values, min(w, 90)) {
			add(p.on(CategoryRole(jobview.Failed), jobview.Failed.Glyph()) + l)
		}
	}

	add("")
	if len(s.Slowest) == 0 {
		add(p.on(RoleTitle, "Slowest jobs") + p.on(RoleFaint, "  none seen from the queue to the end"))
		return out
	}
	add(p.on(RoleTitle, "Slowest jobs") + p.on(RoleFaint, "  from the queue to the end"))
	add(p.on(RoleFaint, "  "+padLeft("TOTAL", 8)+" "+padLeft("QUEUE", 8)+" "+padLeft("RENDER", 8)+"  "+fitRight("END", endW)+" JOB"))
	for _, j := range s.Slowest {
		st := api.Status(j.Status)
		end, role := statusLabel(st), statusRole(st)
		name := oneLine(j.ID)
		if j.Name != "" {
			name += "  " + oneLine(j.Name)
		}
		add("  " + padLeft(dur(j.Total), 8) + " " + padLeft(durOf(j.Queue), 8) + " " + padLeft(durOf(j.Render), 8) + "  " +
			p.on(role, fitRight(end, endW)) + " " + name)
	}
	return out
}

// Empty is what a summary with no jobs says, for span ("" all history).
func Empty(span string) string {
	if span == "" {
		return "No history yet: the store has no status changes to summarize. reel records each job's " +
			"changes as it follows them in the dashboard; track some jobs (or try `reel demo`) and look again."
	}
	return "No job changed status in the " + span + ". Try a longer span, or none for all history."
}

// endW is the width of the slowest jobs' END column: "✓ finished".
const endW = 10

// countsOrder is the order the counts line names the statuses in: the
// ended first, then the way back to the queue.
var countsOrder = []api.Status{
	api.StatusFinished, api.StatusFailed, api.StatusDeleted, api.StatusGenerating,
	api.StatusPreprocessingFinished, api.StatusPreprocessing, api.StatusInQueue,
}

// countsLine is the jobs by status, each with jobview's glyph and word:
// "✓ 6 finished · ✗ 1 failed".
func countsLine(s Summary, p Paint) []string {
	seen := map[string]bool{}
	var parts []string
	part := func(st api.Status, n int) string {
		c := jobview.ForStatus(st)
		return p.on(statusRole(st), c.Glyph()+" "+strconv.Itoa(n)+" "+oneLine(jobview.HumanStatus(st)))
	}
	for _, st := range countsOrder {
		seen[string(st)] = true
		if n := s.Counts[string(st)]; n > 0 {
			parts = append(parts, part(st, n))
		}
	}
	var rest []string
	for w := range s.Counts {
		if !seen[w] && s.Counts[w] > 0 {
			rest = append(rest, w)
		}
	}
	slices.Sort(rest)
	for _, w := range rest {
		parts = append(parts, part(api.Status(w), s.Counts[w]))
	}
	return []string{p.on(RoleTitle, "Jobs") + "  " + strings.Join(parts, " · ")}
}

// dur is seconds as people read them.
func dur(sec float64) string {
	return human.Duration(time.Duration(sec * float64(time.Second)))
}

// short is seconds in the fewest words, for a histogram's bins: "45s",
// "1m", "1m 30s", "2h", "1h 30m".
func short(sec float64) string {
	d := time.Duration(sec * float64(time.Second)).Round(time.Second)
	h, m, sc := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+"h")
	}
	if m > 0 {
		parts = append(parts, strconv.Itoa(m)+"m")
	}
	if sc > 0 && h == 0 {
		parts = append(parts, strconv.Itoa(sc)+"s")
	}
	if len(parts) == 0 {
		return "0s"
	}
	return strings.Join(parts, " ")
}

// bucketWord names a throughput bucket: "hour", "6 hours", "day", "2 days".
func bucketWord(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "hour"
	case d == 24*time.Hour:
		return "day"
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return human.Duration(d)
}

// durOf is a duration that may be unknown: "—".
func durOf(sec *float64) string {
	if sec == nil {
		return "—"
	}
	return dur(*sec)
}

func plural(n int, what string) string {
	if what == "" {
		return strconv.Itoa(n) + " "
	}
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// oneLine is server text made safe and flat for one line of a chart.
func oneLine(s string) string { return strings.Join(strings.Fields(termsafe.Clean(s)), " ") }

func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-ansi.StringWidth(s))) + s
}

// fitRight cuts or pads s to exactly w cells.
func fitRight(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

func wrapLines(s string, w int) []string { return strings.Split(ansi.Wrap(s, w, ""), "\n") }

// TimelineLines draw a job's timeline in w cells: a bar whose parts are as
// long as the stages, each in its own shade, then one line a stage with
// when it began and how long it lasted. An end (finished, failed,
// deleted) is a moment: no part of the bar, a line of its own with its
// glyph, word and time, so a video deleted days after it finished keeps
// its render's bar and shows the deletion as its own end. The times say
// their date when they cross days, and a date its year when it is not
// now's.
func TimelineLines(spans []Span, w int, p Paint, loc *time.Location, now time.Time) []string {
	if len(spans) == 0 || w < 10 {
		return nil
	}
	if loc == nil {
		loc = time.Local
	}
	// The bar runs to the end of the last stage with a length: what
	// follows it is moments.
	last := -1
	for i, s := range spans {
		if s.To.After(s.From) {
			last = i
		}
	}
	var bar strings.Builder
	if last >= 0 {
		total := spans[last].To.Sub(spans[0].From)
		used := 0
		for _, s := range spans[:last+1] {
			if !s.To.After(s.From) {
				continue // a moment, not a length
			}
			end := int(float64(s.To.Sub(spans[0].From)) / float64(total) * float64(w))
			// A stage that happened shows, however short.
			cells := min(max(end-used, 1), w-used)
			used += cells
			bar.WriteString(p.on(stageRole(s.Stage), strings.Repeat(s.Stage.Glyph(), cells)))
		}
	}
	var out []string
	if bar.Len() > 0 { // a job seen only at its ends has no lengths to draw
		out = append(out, bar.String())
	}
	ts := make([]time.Time, 0, 2*len(spans))
	for _, s := range spans {
		ts = append(ts, s.From, s.To)
	}
	ds := clockFor(now, loc, ts...)
	for _, s := range spans {
		line := p.on(stageRole(s.Stage), s.Stage.Glyph()) + " " + fitRight(s.Stage.Word(), 13) + " " + ds.second(s.From)
		if s.To.After(s.From) {
			line += "  " + human.Duration(s.To.Sub(s.From))
		}
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
}

func stageRole(s Stage) Role { return CategoryRole(s.Category()) }

// SpanWord names a --since duration for people: "last 24h".
func SpanWord(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("last %dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("last %dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("last %dm", d/time.Minute)
	}
	return "last " + human.Duration(d)
}
