package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/reel-dev/reel/jobview"
)

// The palette is the terminal's own 16 colours: they follow the user's
// theme, light or dark, and survive every colour profile down to ANSI16.
// Colour only ever repeats what a glyph and a word already say.
var (
	red     = lipgloss.Color("1")
	green   = lipgloss.Color("2")
	yellow  = lipgloss.Color("3")
	blue    = lipgloss.Color("4")
	magenta = lipgloss.Color("5")
	cyan    = lipgloss.Color("6")
)

// styles holds every style the dashboard draws with.
type styles struct {
	cat      [numCategories]lipgloss.Style
	faint    lipgloss.Style
	bold     lipgloss.Style
	title    lipgloss.Style // column titles
	selected lipgloss.Style // the selected row: reverse video, so it shows without colour
	barEmpty lipgloss.Style
	key      lipgloss.Style // a key in the footer and help
	banner   lipgloss.Style // key rejected: big and clear
	warn     lipgloss.Style
	info     lipgloss.Style
	label    lipgloss.Style // labels in the detail pane
	download lipgloss.Style // a download under way: its own colour, next to a row's job colour
	box      lipgloss.Style // the help overlay's frame
}

func newStyles() styles {
	s := styles{
		faint:    lipgloss.NewStyle().Faint(true),
		bold:     lipgloss.NewStyle().Bold(true),
		title:    lipgloss.NewStyle().Bold(true).Faint(true),
		selected: lipgloss.NewStyle().Reverse(true),
		barEmpty: lipgloss.NewStyle().Faint(true),
		key:      lipgloss.NewStyle().Bold(true),
		banner:   lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(red),
		warn:     lipgloss.NewStyle().Foreground(yellow),
		info:     lipgloss.NewStyle().Foreground(cyan),
		label:    lipgloss.NewStyle().Faint(true),
		download: lipgloss.NewStyle().Foreground(blue),
		box:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1),
	}
	for c := range s.cat {
		s.cat[c] = jobview.Category(c).Role().Style() // the colour status and wait use too
	}
	return s
}

// paint is a style split into the sequences before and after the text, so
// that drawing thousands of cells is string concatenation, not a call into
// lipgloss per cell.
type paint struct{ pre, post string }

func paintOf(st lipgloss.Style) paint {
	r := st.Render("\x00")
	i := strings.IndexByte(r, 0)
	if i < 0 {
		return paint{}
	}
	return paint{r[:i], r[i+1:]}
}

// on paints s.
func (p paint) on(s string) string {
	if p.pre == "" || s == "" {
		return s
	}
	return p.pre + s + p.post
}

// paints are the styles the table uses on every row.
type paints struct {
	cat                                                             [numCategories]paint
	faint, title, selected, warn, info, bold, key, banner, download paint
}

func newPaints(s styles) paints {
	p := paints{
		faint: paintOf(s.faint), title: paintOf(s.title), selected: paintOf(s.selected), warn: paintOf(s.warn),
		info: paintOf(s.info), bold: paintOf(s.bold), key: paintOf(s.key), banner: paintOf(s.banner),
		download: paintOf(s.download),
	}
	for c := range p.cat {
		p.cat[c] = paintOf(s.cat[c])
	}
	return p
}
