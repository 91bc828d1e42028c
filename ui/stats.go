package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/reel-dev/reel/stats"
)

// History is the optional source of the statistics view (S) and of each
// job's timeline in the detail pane; *cli's store adapter satisfies it. A
// nil History makes S say that there is no history. Like the engine, it is
// called only from commands: a summary of a long history takes a moment.
type History interface {
	// Summarize is the statistics of the jobs that changed status from
	// since (zero: all the history) to now.
	Summarize(ctx context.Context, since, now time.Time) (stats.Summary, error)
	// Timeline is one job's status changes, oldest first.
	Timeline(ctx context.Context, id string) ([]stats.Change, error)
}

// statsSpans are the spans the statistics view cycles through with s:
// all the history first.
var statsSpans = []time.Duration{0, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour}

// statsView is the statistics view's state: the summary last received,
// which request it answers, and how far it is scrolled.
type statsView struct {
	gen     int // the newest request; older answers are dropped
	loading bool
	span    int // index into statsSpans
	sum     *stats.Summary
	err     error
	off     int
	drawn   statsDrawn // the last body drawn, for the same summary and width
}

// statsDrawn is a statistics body kept between messages: Update settles the
// scroll after every message and View draws every frame, and neither should
// render every chart again unless the summary, the span or the width changed.
type statsDrawn struct {
	sum   *stats.Summary
	w     int
	span  int
	lines []string
}

// timeline is the selected job's history for the detail pane, fetched when
// the selection or the job's status changes.
type timeline struct {
	key     string // job ID and status the changes are for (or are asked for)
	changes []stats.Change
}

type (
	statsMsg struct {
		gen int
		sum stats.Summary
		err error
	}
	timelineMsg struct {
		key     string
		changes []stats.Change
	}
)

// openStats switches to the statistics view and asks for a fresh summary.
func (m *model) openStats() tea.Cmd {
	m.mode = modeStats
	return m.loadStats()
}

// loadStats asks for the summary of the current span, in a command: the
// view shows "summarizing" meanwhile and never stalls.
func (m *model) loadStats() tea.Cmd {
	if m.history == nil {
		return nil
	}
	m.stats.gen++
	m.stats.loading = true
	h, ctx, gen, now := m.history, m.ctx, m.stats.gen, m.now()
	since := time.Time{}
	if d := statsSpans[m.stats.span]; d > 0 {
		since = now.Add(-d)
	}
	return func() tea.Msg {
		sum, err := h.Summarize(ctx, since, now)
		return statsMsg{gen: gen, sum: sum, err: err}
	}
}

// statsKey handles keys in the statistics view.
func (m *model) statsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	page := max(1, m.statsPage()-1)
	switch {
	case key.Matches(msg, k.Stats, k.Escape, k.Quit):
		m.mode = modeNormal
	case key.Matches(msg, k.Help):
		m.mode = modeHelp
	case key.Matches(msg, k.Up):
		m.stats.off--
	case key.Matches(msg, k.Down):
		m.stats.off++
	case key.Matches(msg, k.PageUp):
		m.stats.off -= page
	case key.Matches(msg, k.PageDown):
		m.stats.off += page
	case key.Matches(msg, k.Top):
		m.stats.off = 0
	case key.Matches(msg, k.Bottom):
		m.stats.off = 1 << 30
	case key.Matches(msg, k.Sort):
		m.stats.span = (m.stats.span + 1) % len(statsSpans)
		m.stats.off = 0
		return m.loadStats()
	case key.Matches(msg, k.Refresh, k.RefreshAll):
		return m.loadStats()
	}
	return nil // settleStats keeps the offset within the text
}

// statsUpdate folds the answers of the statistics commands into the model.
func (m *model) statsUpdate(msg tea.Msg) {
	switch msg := msg.(type) {
	case statsMsg:
		if msg.gen != m.stats.gen {
			return // an older span's answer, overtaken
		}
		m.stats.loading = false
		m.stats.err = msg.err
		if msg.err == nil {
			m.stats.sum = &msg.sum
		}
	case timelineMsg:
		if msg.key == m.tl.key {
			m.tl.changes = msg.changes
		}
	}
}

// wantTimeline asks for the selected job's history when the detail pane
// shows a job whose timeline is not the one held. Update calls it after
// every message; it does nothing most of the time.
func (m *model) wantTimeline() tea.Cmd {
	if m.history == nil || !m.detail || m.mode == modeStats {
		return nil
	}
	e, ok := m.selected()
	if !ok {
		return nil
	}
	k := e.job.ID + "\x00" + string(e.job.Status)
	if k == m.tl.key {
		return nil
	}
	m.tl = timeline{key: k}
	h, ctx, id := m.history, m.ctx, e.job.ID
	return func() tea.Msg {
		cs, err := h.Timeline(ctx, id)
		if err != nil {
			return nil // no timeline is shown; the rest of the pane stands
		}
		return timelineMsg{key: k, changes: cs}
	}
}

// timelineLines draw the selected job's timeline for the detail pane.
func (m *model) timelineLines(e *entry, w int) []string {
	if len(m.tl.changes) == 0 || m.tl.key != e.job.ID+"\x00"+string(e.job.Status) {
		return nil
	}
	lines := stats.TimelineLines(stats.Timeline(m.tl.changes, m.t), max(10, w-labelW), m.statsPaint(), m.loc, m.t)
	return m.labelled("timeline", lines, 0, paint{})
}

// statsBody is the statistics view's text for a screen w cells wide,
// before scrolling.
func (m *model) statsBody(w int) []string {
	switch {
	case m.history == nil:
		return []string{"No history here: statistics come from the store, and this dashboard has none."}
	case m.stats.err != nil:
		return []string{m.paint.warn.on("could not read the history: " + m.stats.err.Error())}
	case m.stats.sum == nil:
		return []string{m.paint.faint.on("summarizing the history…")}
	}
	d := &m.stats.drawn
	if d.sum == m.stats.sum && d.w == w && d.span == m.stats.span {
		return d.lines
	}
	span := stats.SpanWord(statsSpans[m.stats.span])
	lines := stats.Render(*m.stats.sum, stats.Options{Width: w - 2, Paint: m.statsPaint(), Location: m.loc, Span: span})
	*d = statsDrawn{sum: m.stats.sum, w: w, span: m.stats.span, lines: lines}
	return lines
}

// statsPage is how many lines of the statistics a screen shows: the
// body's height less the status line.
func (m *model) statsPage() int {
	f := m.frame()
	return max(1, f.rowsH+f.detailH)
}

// settleStats keeps the statistics' scroll within the text, as Update
// leaves every message: the keys move it freely, a new summary or a
// resize changes the text, and View only draws.
func (m *model) settleStats() {
	if m.mode != modeStats {
		return
	}
	most := max(0, len(m.statsBody(m.width))-m.statsPage())
	m.stats.off = max(0, min(m.stats.off, most))
}

// statsLines draw the statistics view in a w×h area, scrolled as Update
// left it.
func (m *model) statsLines(w, h int) []string {
	span := stats.SpanWord(statsSpans[m.stats.span])
	if span == "" {
		span = "all history"
	}
	status := "span: " + span + " · s changes it · r reloads · esc closes"
	if m.stats.loading && m.stats.sum != nil {
		status = "summarizing… · " + status
	}
	body := m.statsBody(w)
	body = body[min(m.stats.off, len(body)):]
	out := make([]string, 0, h)
	out = append(out, fit(m.paint.faint.on(" "+status), w))
	for _, l := range body {
		if len(out) == h {
			break
		}
		out = append(out, fit(" "+l, w))
	}
	for len(out) < h {
		out = append(out, fit("", w))
	}
	return out
}

// statsPaint colours the charts with the dashboard's palette: a job's
// state in its jobview category's colour, as the table draws it.
func (m *model) statsPaint() stats.Paint {
	p := m.paint
	bar := paintOf(lipgloss.NewStyle().Foreground(cyan))
	return func(r stats.Role, s string) string {
		if c, ok := r.Category(); ok {
			return p.cat[c].on(s)
		}
		switch r {
		case stats.RoleTitle:
			return p.bold.on(s)
		case stats.RoleFaint:
			return p.faint.on(s)
		case stats.RoleBar:
			return bar.on(s)
		}
		return s
	}
}
