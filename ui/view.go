package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// splitWidth is the width from which the detail pane sits beside the table
// instead of below it.
const splitWidth = 150

// frame is where everything goes on screen. View draws by it and the mouse
// hit-tests by it, so a click lands on the row that was drawn there.
type frame struct {
	bannerH int // lines of the key-rejected banner
	rowsTop int // screen line of the first row
	rowsH   int // rows shown
	tableW  int
	detailW int // beside the table; 0 when below or closed
	detailH int // below the table, its separator included; 0 when beside or closed
	statusH int
}

func (m *model) frame() frame {
	f := frame{tableW: m.width, statusH: m.statusHeight()}
	f.bannerH = len(m.bannerLines())
	f.rowsTop = 1 + f.bannerH + 1
	avail := max(0, m.height-f.rowsTop-f.statusH-1)
	if m.detail {
		if m.width >= splitWidth {
			f.detailW = min(72, m.width*2/5)
			f.tableW = m.width - f.detailW
		} else {
			f.detailH = avail / 2
		}
	}
	f.rowsH = max(0, avail-f.detailH)
	return f
}

// View draws the whole screen from the model; it changes nothing but
// caches.
func (m *model) View() tea.View {
	f := m.frame()
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header())
	lines = append(lines, m.bannerLines()...)
	bodyH := 1 + f.rowsH + f.detailH
	if m.mode == modeHelp {
		lines = append(lines, m.helpLines(m.width, bodyH)...)
	} else if m.mode == modeStats {
		lines = append(lines, m.statsLines(m.width, bodyH)...)
	} else {
		var table []string
		if f.detailW > 0 {
			// A space keeps the table's last column off the rule.
			table = m.tableLines(f.tableW-1, f.rowsH)
			side := m.detailLines(f.detailW-2, len(table))
			for i := range table {
				table[i] += " " + m.paint.faint.on("│") + " " + fit(side[i], f.detailW-2)
			}
		} else {
			table = m.tableLines(f.tableW, f.rowsH)
		}
		lines = append(lines, table...)
		if f.detailH > 0 {
			lines = append(lines, m.paint.faint.on(ansi.Truncate("─── details "+strings.Repeat("─", m.width), m.width, "")))
			for _, s := range m.detailLines(m.width-2, f.detailH-1) {
				lines = append(lines, " "+fit(s, m.width-1))
			}
		}
	}
	lines = append(lines, m.statusLines(f.statusH)...)
	lines = append(lines, m.footer())
	if len(lines) > m.height {
		lines = lines[:max(m.height, 0)]
	}

	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.ReportFocus = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = m.windowTitle()
	v.ProgressBar = m.progressBar()
	return v
}

// headerOrder is the order of the counts in the header: moving jobs first.
var headerOrder = []category{catGenerating, catPreparing, catQueued, catWaiting, catOther, catTrouble, catFinished, catFailed, catDeleted, catNotFound}

// header is the top line: the counts by status and how the connection
// fares, as a clock time that needs no ticking.
func (m *model) header() string {
	hk := headerKey{m.width, m.counts(), m.conn, m.t.Unix()}
	if hk == m.draw.headKey && m.draw.head != "" {
		return m.draw.head
	}
	m.draw.headKey, m.draw.head = hk, m.drawHeader()
	return m.draw.head
}

// headerKey is what the header depends on.
type headerKey struct {
	width  int
	counts [numCategories]int
	conn   track.Conn
	sec    int64
}

func (m *model) drawHeader() string {
	right := m.connText()
	right += m.roleText(right) + " "
	rw := ansi.StringWidth(right)
	if rw >= m.width {
		return fit(right, m.width)
	}
	room := m.width - rw - 1 // a space before the right part
	left, all := m.counters(true, room)
	if !all {
		left, _ = m.counters(false, room) // the glyphs alone; ? explains them
	}
	return fit(left, m.width-rw) + right
}

// counters are the header's counts by status, with or without words, in
// at most room cells: a count that does not fit is dropped whole, with the
// rest after it, and " …" says some are left out (never a pair cut in the
// middle: "◌ 3 in qu"). all reports whether every count is shown.
func (m *model) counters(words bool, room int) (s string, all bool) {
	var pairs []string
	var widths []int
	for _, c := range headerOrder {
		n := m.countOf(c)
		if n == 0 {
			continue
		}
		p := catInfo[c].glyph + " " + strconv.Itoa(n)
		sep := " "
		if words {
			p += " " + catInfo[c].word
			sep = "  "
		}
		pairs = append(pairs, sep+m.paint.cat[c].on(p))
		widths = append(widths, ansi.StringWidth(sep+p))
	}
	const more = " …"
	moreW := ansi.StringWidth(more)
	var b strings.Builder
	b.WriteString(m.paint.bold.on(" reel"))
	used := len(" reel")
	for i, p := range pairs {
		// The rest all fit: show them. Else this one goes only if " …"
		// still fits after it.
		if !restFits(widths[i:], used, room) && used+widths[i]+moreW > room {
			if used+moreW <= room {
				b.WriteString(m.paint.faint.on(more))
			}
			return b.String(), false
		}
		b.WriteString(p)
		used += widths[i]
	}
	return b.String(), true
}

// restFits reports whether the pairs of widths ws all fit after used cells.
func restFits(ws []int, used, room int) bool {
	for _, w := range ws {
		used += w
	}
	return used <= room
}

func (m *model) connText() string {
	c := m.conn
	switch {
	case c.KeyRejected:
		return m.paint.banner.on(" ✗ API key rejected ")
	case c.PausedUntil.After(m.t):
		return m.paint.warn.on("! rate limited, paused until " + formatClock(c.PausedUntil, m.t, m.loc))
	case c.Retrying:
		msg := "! retrying"
		if c.LastError != "" {
			msg += ": " + ansi.Truncate(termsafe.Clean(c.LastError), 40, "…")
		}
		return m.paint.warn.on(msg)
	case c.CapCycle > 0:
		// The cap, not the pace, decides how fresh rows are: say so, and
		// what helps.
		return m.paint.warn.on(fmt.Sprintf("! %g req/s cap: each job seen every ~%s (callbacks: --listen)",
			c.MaxRPS, human.Duration(c.CapCycle)))
	case !c.LastGood.IsZero():
		return m.paint.faint.on("last poll " + formatClock(c.LastGood, m.t, m.loc))
	case m.anyRunning():
		return m.paint.faint.on("waiting for the first answer")
	}
	return ""
}

// bannerLines say, big and clear, that the key was rejected and what to do.
func (m *model) bannerLines() []string {
	if !m.conn.KeyRejected || m.width < 10 {
		return nil
	}
	// R reads the config file again, but a running reel cannot see its
	// environment change.
	text := "API key rejected; nothing is polled. Fix api_key in the config file and press R, " +
		"or set COLOSSYAN_API_KEY and restart reel."
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, m.width-2, ""), "\n") {
		out = append(out, m.st.banner.Render(fit(" "+l, m.width)))
		if len(out) == 3 {
			break
		}
	}
	return out
}

// statusHeight is 1, or more when a link is shown whole so it can be
// selected by hand.
func (m *model) statusHeight() int {
	if m.mode != modeNormal {
		return 1
	}
	return m.flash.Height(m.width)
}

// statusLines hold the prompt being edited, or the last message, with the
// sort and filter on the right.
func (m *model) statusLines(h int) []string {
	w := m.width
	n, all, filter := m.list.Shown(), m.list.Len(), m.list.Filter()
	switch m.mode {
	case modeAdd:
		list, problems := m.input.parse()
		info := cutWords(" "+plural(len(list), "ID")+problemSuffix(problems), w/2) + " "
		iw := ansi.StringWidth(info)
		text := m.input.tail(max(1, w-iw-13))
		if m.input.empty() {
			text = m.paint.faint.on("type or paste IDs, then enter")
		}
		return []string{fit(m.paint.key.on(" Add IDs › ")+text+"█", w-iw) + m.paint.faint.on(info)}
	case modeFilter:
		info := " " + strconv.Itoa(n) + " of " + strconv.Itoa(all) + " "
		iw := ansi.StringWidth(info)
		return []string{fit(m.paint.key.on(" / ")+m.input.tail(max(1, w-iw-5))+"█", w-iw) + m.paint.faint.on(info)}
	}
	// The filter comes first: a table that hides rows must say so, and
	// what does not fit is cut from the end.
	var right []string
	if filter != "" {
		right = append(right, "filter: "+filter+" ("+strconv.Itoa(n)+" of "+strconv.Itoa(all)+")")
	}
	if m.dlActive > 0 {
		right = append(right, "↓ "+plural(m.dlActive, "download"))
	}
	if m.sortBy != sortAdded {
		right = append(right, "sort: "+m.sortBy.String())
	}
	if m.sortBy == sortAdded && filter == "" {
		right = append(right, plural(all, "job"))
	}
	// The leading space keeps a long message, cut short, off the counts.
	r := m.paint.faint.on(ansi.Truncate(" "+strings.Join(right, " · ")+" ", max(w, 0), "…"))
	left := ""
	if text := m.flash.Text(); text != "" {
		p := m.paint.info
		if m.flash.Warning() {
			p = m.paint.warn
		}
		left = p.on(" " + text)
		if m.flash.Kept() && filter == "" && ansi.StringWidth(text)+1+ansi.StringWidth(r) > w {
			r = "" // the notice (where callbacks go) matters more than the count, not than the filter
		}
	}
	out := []string{fit(left, w-ansi.StringWidth(r)) + r}
	for _, part := range m.flash.LinkLines(w, h-1) {
		out = append(out, fit(part, w))
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return out
}

// footer lists the main keys, as many as fit.
func (m *model) footer() string {
	// The line changes only with the mode and the width.
	fk := footerKey{m.width, m.mode, m.undo != nil}
	if fk == m.draw.footKey && m.draw.foot != "" {
		return m.draw.foot
	}
	var binds []key.Binding
	switch m.mode {
	case modeAdd:
		binds = []key.Binding{
			key.NewBinding(key.WithHelp("enter", "add")), key.NewBinding(key.WithHelp("esc", "cancel")),
			key.NewBinding(key.WithHelp("ctrl+u", "clear")),
		}
	case modeFilter:
		binds = []key.Binding{
			key.NewBinding(key.WithHelp("enter", "keep filter")), key.NewBinding(key.WithHelp("esc", "clear")),
			key.NewBinding(key.WithHelp("↑/↓", "move")),
		}
	case modeHelp:
		binds = []key.Binding{key.NewBinding(key.WithHelp("?/esc", "close help"))}
	case modeConfirmQuit:
		binds = []key.Binding{key.NewBinding(key.WithHelp("y", "quit")), key.NewBinding(key.WithHelp("n", "stay"))}
	case modeStats:
		binds = []key.Binding{
			key.NewBinding(key.WithHelp("↑/↓", "scroll")), key.NewBinding(key.WithHelp("s", "span")),
			key.NewBinding(key.WithHelp("r", "reload")), key.NewBinding(key.WithHelp("S/esc", "close")),
		}
	default:
		binds = m.keys.footer()
		if m.undo != nil {
			binds = append([]key.Binding{key.NewBinding(key.WithHelp("u", "undo"))}, binds...)
		}
	}
	// The keys to leave and to learn the rest always show; the others
	// fill the space before them.
	tail, tailW := "", 0
	if m.mode == modeNormal {
		for _, k := range []key.Binding{m.keys.Help, m.keys.Quit} {
			h, w := m.hint(k)
			tail, tailW = tail+h, tailW+w
		}
	}
	room := m.width - tailW
	// Keys earn their place by rank, and those that fit are drawn in their
	// own order.
	rank := footerRank
	if m.mode != modeNormal {
		rank = nil // the few keys of a prompt, in their order
		for _, k := range binds {
			rank = append(rank, k.Help().Key)
		}
	}
	keep := make([]bool, len(binds))
	used := 0
	for _, r := range rank {
		for i, k := range binds {
			if _, w := m.hint(k); k.Help().Key == r && used+w <= room {
				keep[i], used = true, used+w
			}
		}
	}
	var b strings.Builder
	for i, k := range binds {
		if keep[i] {
			h, _ := m.hint(k)
			b.WriteString(h)
		}
	}
	m.draw.footKey, m.draw.foot = fk, fit(b.String(), room)+tail
	return m.draw.foot
}

// footerKey is what the footer depends on.
type footerKey struct {
	width int
	mode  mode
	undo  bool
}

// hint is one key and what it does, for the footer, and its width.
func (m *model) hint(k key.Binding) (string, int) {
	h := k.Help()
	return " " + m.paint.key.on(h.Key) + " " + m.paint.faint.on(h.Desc) + " ", ansi.StringWidth(h.Key+h.Desc) + 3
}

// windowTitle puts the counts in the terminal's title bar.
func (m *model) windowTitle() string {
	parts := []string{}
	running := 0
	for c := range numCategories {
		if c.running() {
			running += m.countOf(c)
		}
	}
	if running > 0 {
		parts = append(parts, strconv.Itoa(running)+" running")
	}
	for _, c := range []category{catFinished, catFailed, catTrouble, catNotFound} {
		if n := m.countOf(c); n > 0 && c != catTrouble {
			parts = append(parts, strconv.Itoa(n)+" "+catInfo[c].word)
		}
	}
	if len(parts) == 0 {
		return "reel"
	}
	return "reel: " + strings.Join(parts, ", ")
}

// progressBar shows overall progress on the terminal's tab while jobs run,
// in the warning colour once some failed, and nothing when all is done.
func (m *model) progressBar() *tea.ProgressBar {
	if m.conn.KeyRejected {
		return tea.NewProgressBar(tea.ProgressBarError, m.overall())
	}
	if !m.anyRunning() {
		return nil
	}
	state := tea.ProgressBarDefault
	if m.countOf(catFailed) > 0 || m.countOf(catTrouble) > 0 {
		state = tea.ProgressBarWarning
	}
	return tea.NewProgressBar(state, m.overall())
}

// overall is the mean progress of the jobs that can progress, 0..100, by
// jobview's rule: rounded down, and 100 only when no job is still running
// (a job at its last step that is not finished keeps it at 99).
func (m *model) overall() int {
	if m.fracN == 0 {
		return 0
	}
	return jobview.Whole(m.fracSum/float64(m.fracN), !m.anyRunning())
}

// place centres a block in a w×h area.
func place(w, h int, s string) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	lines := strings.Split(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, s), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return lines
}
