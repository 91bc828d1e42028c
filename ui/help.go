package ui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpLines draw the help overlay, every key and what the glyphs mean,
// centred in a w×h area. What does not fit scrolls by m.helpOff, with a
// line saying so in place of the last.
func (m *model) helpLines(w, h int) []string {
	lines, inner := m.helpText(w), h-2 // the box takes a line above and below
	if len(lines) <= inner || inner < 2 {
		return place(w, h, m.st.box.Render(strings.Join(lines, "\n")))
	}
	iw := min(lipgloss.Width(strings.Join(lines, "\n")), max(w-4, 1))
	off := max(0, min(m.helpOff, len(lines)-(inner-1)))
	shown := make([]string, 0, inner)
	for _, l := range lines[off : off+inner-1] {
		shown = append(shown, fit(l, iw))
	}
	hint := "↑↓ scroll · " + strconv.Itoa(off+inner-1) + " of " + strconv.Itoa(len(lines)) + " lines"
	shown = append(shown, m.st.faint.Render(fit(hint, iw)))
	return place(w, h, m.st.box.Render(strings.Join(shown, "\n")))
}

// scrollHelp moves the help by d lines, within what there is to scroll.
func (m *model) scrollHelp(d int) {
	most := max(0, len(m.helpText(m.width))-m.helpPage())
	m.helpOff = max(0, min(m.helpOff+d, most))
}

// helpPage is how many lines of the help a scrolled page shows: the
// body's height less the box's two lines and the scroll hint.
func (m *model) helpPage() int {
	f := m.frame()
	inner := f.rowsH + f.detailH - 1
	return max(1, inner-1)
}

// helpText is the help's lines for a terminal w cells wide: the keys in
// two columns where they fit, the glyphs and the notes.
func (m *model) helpText(w int) []string {
	var cols []string
	for _, g := range m.keys.groups() {
		// The descriptions of a column start together, two spaces past
		// its longest key.
		keyW := 0
		for _, k := range g {
			keyW = max(keyW, ansi.StringWidth(k.Help().Key))
		}
		var b strings.Builder
		for i, k := range g {
			if i > 0 {
				b.WriteByte('\n')
			}
			hk := k.Help()
			b.WriteString(m.st.key.Render(fit(hk.Key, keyW)) + "  " + hk.Desc)
		}
		cols = append(cols, b.String())
	}
	body := lipgloss.JoinHorizontal(lipgloss.Top, interleave(cols, "   ")...)
	if lipgloss.Width(body)+4 > w {
		body = strings.Join(cols, "\n")
	}
	bw := lipgloss.Width(body)
	var legend []string
	for _, c := range []category{catFinished, catFailed, catGenerating, catPreparing, catQueued, catWaiting, catTrouble, catNotFound, catDeleted} {
		// No-break spaces keep each glyph with its word when the notes wrap.
		legend = append(legend, m.st.cat[c].Render(strings.ReplaceAll(catInfo[c].glyph+" "+catInfo[c].word, " ", "\u00a0")))
	}
	notes := strings.Join(legend, "  ") + "\n" + helpNotes
	title := "reel"
	if m.version != "" {
		title += " " + m.version
	}
	text := m.st.bold.Render(title+" keys") + "\n\n" + body + "\n\n" + ansi.Wrap(notes, max(bw, 20), "")
	return strings.Split(text, "\n")
}

// helpNotes explain what the keys and columns do not say themselves.
const helpNotes = "AGE/LEFT: how long since a job was created (its creationDate; without one, since reel began " +
	"tracking it), frozen when it ends; blank for a job that had ended before reel saw it. " +
	"\"~2m 10s left\" estimates the time to go instead. " +
	"A narrow table shows a finished video's size in place of its bar. " +
	"↓ marks a download: d saves the selected video, D every finished one. " +
	"r refreshes the selected job, R every job. x stops tracking; u brings it back for 10 s."

// interleave puts sep between the elements of xs.
func interleave(xs []string, sep string) []string {
	out := make([]string, 0, 2*len(xs))
	for i, x := range xs {
		if i > 0 {
			out = append(out, sep)
		}
		out = append(out, x)
	}
	return out
}
