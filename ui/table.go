package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/termsafe"
)

// layout is the width of each column for one table width; 0 means the
// column was dropped to make room. The name column takes what is left.
type layout struct {
	w                                           int
	id, name, status, bar, pct, time, dur, size int
}

const (
	gap      = 2  // spaces between columns
	margin   = 1  // before the first column: a mark on the selected row
	minName  = 16 // below this the name is unreadable: drop other columns first
	roomName = 30 // a whole UUID is worth less than a name this wide
	maxIDCol = 36 // a UUID
	shortID  = 13 // enough of a UUID to tell jobs apart
)

// computeLayout fits the columns into w cells. A long ID is cut first if
// the name would be narrower than roomName: people read names, and the
// detail pane shows the ID whole. Then, as the width shrinks, it drops in
// order the video size, the video length, a third of the bar, the bar (the
// percentage stays), the time and finally the percentage.
func computeLayout(w, maxID int) layout {
	l := layout{w: w, id: max(2, min(maxID, maxIDCol)), status: 15, bar: 12, pct: 4, time: 12, dur: 8, size: 8}
	if w-l.fixed() < roomName {
		l.id = min(l.id, shortID)
	}
	steps := []func(){
		func() { l.size = 0 },
		func() { l.dur = 0 },
		// A download's "↓ 45% 850kB/s" still fits the bar and percentage.
		func() { l.bar = dlWideText - 1 - l.pct },
		func() { l.bar = 0 },
		func() { l.time = 0 },
		func() { l.id = min(l.id, 8) },
		func() { l.pct = 0 },
	}
	for _, step := range steps {
		if w-l.fixed() >= minName {
			break
		}
		step()
	}
	l.name = max(0, w-l.fixed())
	return l
}

// fixed is the width of everything but the name.
func (l layout) fixed() int {
	n := margin + l.id + gap + gap + l.status
	switch {
	case l.bar > 0 && l.pct > 0:
		n += gap + l.bar + 1 + l.pct
	case l.pct > 0:
		n += gap + l.pct
	}
	for _, c := range []int{l.time, l.dur, l.size} {
		if c > 0 {
			n += gap + c
		}
	}
	return n
}

// cachedRow is a rendered row and what it was rendered for. A row is drawn
// again only when its job, its download, the layout, the selection or, for
// a job still running, the second changes.
type cachedRow struct {
	version uint64
	dl      uint64 // the download's version; 0 for none
	lay     layout
	sel     bool
	sec     int64
	s       string
}

// cells is a row's text, column by column, without styling. Tests read
// rows through it. dl, when set, takes the place of bar and pct.
type cells struct {
	id, name, status, bar, pct, dl, time, dur, size string
	// sizeAlt is a finished video's size shown in the progress area when
	// the SIZE column was dropped for width: there a full bar says no
	// more than the status, and the size is what tells a video apart.
	sizeAlt string
}

// rowCells works out a row's text for a layout at time now.
func rowCells(e *entry, l layout, now time.Time) cells {
	j := &e.job
	c := cells{
		id:     e.id,
		name:   e.name,
		status: catInfo[e.cat].glyph + " " + e.word,
		time:   timeText(e, now),
	}
	switch {
	case c.name != "":
	case e.cat == catTrouble && j.Err != "":
		c.name = termsafe.Clean(j.Err)
	case e.reason != "":
		c.name = e.reason
	}
	if c.pct = jobview.Percent(j); c.pct != "" {
		est, _ := j.Estimate(now)
		c.bar = bar(e.frac, e.cat == catFinished, est, l.bar)
	}
	if e.cat == catFinished && j.Video != nil {
		if d := j.Video.VideoDurationSeconds; d != nil {
			c.dur = human.Seconds(*d)
		}
		if s := j.Video.VideoSizeBytes; s != nil {
			c.size = human.Size(*s)
		}
	}
	if d := e.dl; d != nil {
		w := l.pct
		if l.bar > 0 {
			w += l.bar + 1
		}
		c.dl = dlCell(&d.p, w)
		if !d.p.State.Ended() {
			c.time = dlLeft(&d.p)
		}
	}
	if l.size == 0 && c.size != "" && c.dl == "" && ansi.StringWidth(c.size) <= progressW(l) {
		c.sizeAlt, c.bar, c.pct = c.size, "", ""
	}
	return c
}

// progressW is the width of the progress area: the bar, a space and the
// percentage, or the percentage alone.
func progressW(l layout) int {
	if l.pct == 0 {
		return 0
	}
	if l.bar > 0 {
		return l.bar + 1 + l.pct
	}
	return l.pct
}

// timeText is the age of a running job (see ageText), or the time left
// when the engine can estimate it ("~1m 05s left"); for an ended job, its
// age when it ended.
func timeText(e *entry, now time.Time) string {
	j := &e.job
	if e.cat.running() && !j.ETA.IsZero() && j.ETA.After(now) {
		return leftText(j.ETA.Sub(now))
	}
	return ageText(j, e.cat, e.origin, now)
}

// bar draws a progress bar w cells wide: █ up to the reading f, then ▒
// up to est, where the job has likely got to since (track.Job.Estimate),
// then ░. done: the job is finished.
func bar(f float64, done bool, est float64, w int) string {
	n, e := barSplit(f, done, est, w)
	return strings.Repeat("█", n) + strings.Repeat("▒", e-n) + strings.Repeat("░", w-e)
}

// barSplit is how many of w cells the reading f fills, and how many the
// estimate est fills (never fewer). The reading's cells are jobview.Cells,
// so they agree with the percentage shown beside them and fill the bar
// only when the job is finished; an estimate's cells never fill it.
func barSplit(f float64, done bool, est float64, w int) (n, e int) {
	if w <= 0 {
		return 0, 0
	}
	n = jobview.Cells(f, done, w)
	e = max(0, min(int(est*float64(w)), w-1))
	return n, max(n, e)
}

// renderRow draws one row, from the cache when nothing it shows changed.
func (m *model) renderRow(e *entry, sel bool) string {
	var sec int64
	if e.cat.running() {
		sec = m.t.Unix()
	}
	var dl uint64
	if e.dl != nil {
		dl = e.dl.ver
	}
	if c, ok := m.draw.rows[e.job.ID]; ok && c.version == e.job.Version && c.dl == dl && c.lay == m.draw.lay && c.sel == sel && c.sec == sec {
		return c.s
	}
	s := m.drawRow(e, sel)
	m.draw.rows[e.job.ID] = cachedRow{version: e.job.Version, dl: dl, lay: m.draw.lay, sel: sel, sec: sec, s: s}
	return s
}

func (m *model) drawRow(e *entry, sel bool) string {
	l := m.draw.lay
	c := rowCells(e, l, m.t)
	// The selected row is drawn in reverse video, except for the bar: a
	// bar reversed reads backwards (a full one looks empty). So the row is
	// built in two parts, before and after the bar, and the bar between
	// them keeps its own colours; with no colour at all its █ and ░ still
	// read right.
	var b, after strings.Builder
	b.Grow(l.w * 2)
	cat := m.paint.cat[e.cat]
	if sel {
		cat = paint{} // the reverse video says it all
		b.WriteString("›")
	} else {
		b.WriteString(" ")
	}
	b.WriteString(fit(c.id, l.id))
	b.WriteString("  ")
	switch {
	case c.name == e.name || sel:
		b.WriteString(fit(c.name, l.name))
	case c.name == e.reason:
		b.WriteString(m.paint.faint.on(fit(c.name, l.name)))
	default:
		b.WriteString(m.paint.warn.on(fit(c.name, l.name)))
	}
	b.WriteString("  ")
	b.WriteString(cat.on(fit(c.status, l.status)))
	var barCells string
	tail := &b // where the rest goes: after the bar once there is one
	if w := progressW(l); w > 0 {
		b.WriteString("  ")
		switch {
		case c.dl != "":
			if sel {
				b.WriteString(fit(c.dl, w))
			} else {
				b.WriteString(m.dlPaint(&e.dl.p).on(fit(c.dl, w)))
			}
		case c.sizeAlt != "":
			b.WriteString(fitRight(c.sizeAlt, w))
		default:
			if l.bar > 0 {
				if c.bar == "" {
					b.WriteString(strings.Repeat(" ", l.bar))
				} else {
					barCells = m.barCells(e)
					tail = &after
				}
				tail.WriteString(" ")
			}
			tail.WriteString(fitRight(c.pct, l.pct))
		}
	}
	for _, col := range []struct {
		s string
		w int
	}{{c.time, l.time}, {c.dur, l.dur}, {c.size, l.size}} {
		if col.w > 0 {
			tail.WriteString("  ")
			tail.WriteString(fitRight(col.s, col.w))
		}
	}
	if !sel {
		return b.String() + barCells + after.String()
	}
	if barCells == "" {
		return m.paint.selected.on(fit(b.String(), l.w))
	}
	// A bar is only laid out with room to spare, so the parts fit as they
	// are.
	return m.paint.selected.on(b.String()) + barCells + m.paint.selected.on(after.String())
}

// barCells is a job's progress bar in its status colour, the estimate since
// the last reading in the same colour but shaded, the empty part faint.
func (m *model) barCells(e *entry) string {
	est, _ := e.job.Estimate(m.t)
	n, x := barSplit(e.frac, e.cat == catFinished, est, m.draw.lay.bar)
	return m.paint.cat[e.cat].on(strings.Repeat("█", n)+strings.Repeat("▒", x-n)) +
		m.paint.faint.on(strings.Repeat("░", m.draw.lay.bar-x))
}

// dlPaint is a download's colour: its own while under way, then that of
// the outcome.
func (m *model) dlPaint(p *download.Progress) paint {
	switch p.State {
	case download.StateDone, download.StateSkipped:
		return m.paint.cat[catFinished]
	case download.StateFailed:
		return m.paint.cat[catFailed]
	}
	return m.paint.download
}

// titles is the line of column names above the rows.
func (m *model) titles() string {
	l := m.draw.lay
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", margin))
	b.WriteString(fit("ID", l.id))
	b.WriteString("  ")
	b.WriteString(fit("NAME", l.name))
	b.WriteString("  ")
	b.WriteString(fit("STATUS", l.status))
	if w := progressW(l); w > 0 {
		title := "PROGRESS"
		switch {
		case l.size == 0 && w >= len("PROGRESS/SIZE"):
			title = "PROGRESS/SIZE" // finished rows show their size there
		case w < len(title):
			title = "%" // the percentage alone: "PRO…" says less
		}
		b.WriteString("  ")
		b.WriteString(fitRight(title, w))
	}
	for _, col := range []struct {
		s string
		w int
	}{{"AGE/LEFT", l.time}, {"LENGTH", l.dur}, {"SIZE", l.size}} {
		if col.w > 0 {
			b.WriteString("  ")
			b.WriteString(fitRight(col.s, col.w))
		}
	}
	return m.paint.title.on(fit(b.String(), l.w))
}

// tableLines draws the visible rows, rowsH lines of exactly w cells.
func (m *model) tableLines(w, rowsH int) []string {
	if k := [2]int{w, m.maxIDW}; k != m.draw.layKey || m.draw.titles == "" {
		m.draw.layKey, m.draw.lay = k, computeLayout(w, m.maxIDW)
		m.draw.titles, m.draw.blank = m.titles(), strings.Repeat(" ", w)
	}
	rows, off, cur := m.list.Rows(), m.list.Offset(), m.list.Cursor()
	out := make([]string, 0, rowsH+1)
	out = append(out, m.draw.titles)
	for i := off; i < off+rowsH; i++ {
		switch {
		case i < len(rows):
			out = append(out, m.renderRow(rows[i], i == cur))
		case i == 0 && len(rows) == 0:
			out = append(out, m.paint.faint.on(fit(m.emptyText(), w)))
		default:
			out = append(out, m.draw.blank)
		}
	}
	return out
}

// emptyText says why there are no rows and what to do.
func (m *model) emptyText() string {
	switch {
	case !m.loaded:
		return " loading…"
	case m.list.Len() == 0:
		return " No jobs tracked. Press a to add IDs, or paste them."
	}
	return " No job matches the filter. Press esc to clear it."
}
