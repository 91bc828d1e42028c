package ui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Notification settings, as the config's notify key spells them.
const (
	NotifyAuto = "auto" // a desktop notification where the terminal is known to show one, else the bell
	NotifyBell = "bell" // the bell only
	NotifyOff  = "off"
)

// notify tells an unfocused user that jobs ended: one notification per
// batch of events, however many jobs it holds.
func (m *model) notify(ended []*entry) tea.Cmd {
	switch m.notifyMode {
	case NotifyOff:
		return nil
	case NotifyBell:
		return tea.Raw("\a")
	}
	seq := notification(endedText(ended), m.env)
	if seq == "" {
		return tea.Raw("\a")
	}
	if m.env("TMUX") != "" {
		seq = ansi.TmuxPassthrough(seq)
	}
	return tea.Raw(seq)
}

// notification is the desktop notification sequence the terminal is known
// to understand, or "" when it is not known to understand any: OSC 9 for
// iTerm2, WezTerm, ghostty and kitty; OSC 777 for rxvt and foot. TERM and
// LC_TERMINAL survive SSH, TERM_PROGRAM only locally.
func notification(text string, env func(string) string) string {
	term, prog := env("TERM"), env("TERM_PROGRAM")
	switch {
	case prog == "iTerm.app", env("LC_TERMINAL") == "iTerm2", prog == "WezTerm", prog == "ghostty",
		strings.Contains(term, "kitty"), strings.Contains(term, "ghostty"), strings.Contains(term, "wezterm"):
		return ansi.Notify("reel: " + text)
	case strings.HasPrefix(term, "rxvt"), strings.HasPrefix(term, "foot"):
		return ansi.URxvtExt("notify", "reel", text)
	}
	return ""
}

// endedText sums up the jobs that ended, in one short line that holds no
// control characters or semicolons (OSC 777's separator).
func endedText(ended []*entry) string {
	var s string
	if len(ended) == 1 {
		e := ended[0]
		name := e.name
		if name == "" {
			name = e.id
		}
		s = ansi.Truncate(name, 60, "…") + " " + e.word
	} else {
		var by [numCategories]int
		for _, e := range ended {
			by[e.cat]++
		}
		var parts []string
		for _, c := range headerOrder {
			if by[c] > 0 {
				parts = append(parts, strconv.Itoa(by[c])+" "+catInfo[c].word)
			}
		}
		s = strconv.Itoa(len(ended)) + " jobs ended: " + strings.Join(parts, ", ")
	}
	return strings.ReplaceAll(s, ";", ",")
}
