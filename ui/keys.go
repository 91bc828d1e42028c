package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/termsafe"
)

// keyMap is every key of the dashboard in normal mode. The help overlay and
// the footer are drawn from it, so they cannot drift from what works.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Details, Open, Copy                     key.Binding
	DetailDown, DetailUp                    key.Binding
	Download, DownloadAll                   key.Binding
	Refresh, RefreshAll, Add, Remove, Undo  key.Binding
	Filter, Sort, Help, Redraw, Quit, Force key.Binding
	Escape                                  key.Binding
	Stats                                   key.Binding
}

func newKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:          b("↑/k", "move up", "up", "k"),
		Down:        b("↓/j", "move down", "down", "j"),
		Top:         b("g/home", "first job", "g", "home"),
		Bottom:      b("G/end", "last job", "G", "end"),
		PageUp:      b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown:    b("pgdn", "page down", "pgdown", "ctrl+f", "space"),
		Details:     b("enter", "details", "enter"),
		DetailDown:  b("J", "scroll details down", "J", "shift+down"),
		DetailUp:    b("K", "scroll details up", "K", "shift+up"),
		Open:        b("o", "open link", "o"),
		Copy:        b("y", "copy link", "y"),
		Download:    b("d", "download", "d"),
		DownloadAll: b("D", "download all finished", "D"),
		Refresh:     b("r", "refresh selected", "r"),
		RefreshAll:  b("R", "refresh all", "R"),
		Add:         b("a", "add IDs", "a"),
		Remove:      b("x", "stop tracking", "x", "delete"),
		Undo:        b("u", "undo stop tracking", "u"),
		Filter:      b("/", "filter", "/"),
		Sort:        b("s", "sort", "s"),
		Help:        b("?", "help", "?"),
		Redraw:      b("ctrl+l", "redraw", "ctrl+l"),
		Quit:        b("q", "quit", "q"),
		Force:       b("ctrl+c", "quit now", "ctrl+c"),
		Escape:      b("esc", "clear filter / close", "esc"),
		Stats:       b("S", "statistics", "S"),
	}
}

// footer is the short list the footer shows, in short words, in the
// order they are drawn. Where the width is short the least important go
// first (help and quit always show): see footerRank.
func (k keyMap) footer() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		s := key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
		s.SetEnabled(b.Enabled())
		return s
	}
	return enabled([]key.Binding{
		short(k.Details, "details"), short(k.Open, "open"), short(k.Copy, "copy"), short(k.Download, "download"),
		short(k.Filter, "filter"), short(k.Sort, "sort"), short(k.Refresh, "refresh"), short(k.Add, "add"),
		short(k.Remove, "remove"),
	})
}

// enabled leaves out the keys turned off (a read-only session's); a
// binding made only to show help has no keys and stays.
func enabled(bs []key.Binding) []key.Binding {
	return slices.DeleteFunc(bs, func(b key.Binding) bool { return len(b.Keys()) > 0 && !b.Enabled() })
}

// footerRank is the order in which footer keys earn their place, by key:
// what a user looks for first. Adding and removing come last: a paste adds
// too, and both are in the help.
var footerRank = []string{"u", "enter", "o", "d", "/", "s", "r", "y", "a", "x"}

// groups is the full list for the help overlay, in two columns; pairs of
// keys that mirror each other share a line.
func (k keyMap) groups() [][]key.Binding {
	pair := func(keys, desc string) key.Binding { return key.NewBinding(key.WithHelp(keys, desc)) }
	return [][]key.Binding{
		enabled([]key.Binding{
			pair("↑↓ jk", "move"), pair("g G", "first, last job"), pair("pgup pgdn", "page up, down"),
			k.Details, pair("J K", "scroll details"), k.Escape, k.Open, k.Copy, k.Download, k.DownloadAll, k.Refresh, k.RefreshAll,
		}),
		enabled([]key.Binding{k.Add, k.Remove, k.Undo, k.Filter, k.Sort, k.Stats, k.Redraw, k.Help, k.Quit, k.Force}),
	}
}

// handleKey routes a key press by mode. It only changes the model and
// returns commands; nothing here waits on the engine.
func (m *model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Force) {
		return tea.Quit
	}
	switch m.mode {
	case modeFilter:
		return m.filterKey(msg)
	case modeAdd:
		return m.addKey(msg)
	case modeHelp:
		switch {
		case key.Matches(msg, m.keys.Help, m.keys.Escape, m.keys.Quit, m.keys.Details):
			m.mode = modeNormal
		case key.Matches(msg, m.keys.Down, m.keys.DetailDown):
			m.scrollHelp(1)
		case key.Matches(msg, m.keys.Up, m.keys.DetailUp):
			m.scrollHelp(-1)
		case key.Matches(msg, m.keys.PageDown):
			m.scrollHelp(m.helpPage())
		case key.Matches(msg, m.keys.PageUp):
			m.scrollHelp(-m.helpPage())
		case key.Matches(msg, m.keys.Top):
			m.helpOff = 0
		case key.Matches(msg, m.keys.Bottom):
			m.scrollHelp(1 << 20)
		}
		return nil
	case modeStats:
		return m.statsKey(msg)
	case modeConfirmQuit:
		m.mode = modeNormal
		if s := msg.String(); s == "y" || s == "Y" {
			return tea.Quit
		}
		m.setFlash("", false)
		m.showBatch()
		return nil
	}
	if m.undo == nil {
		m.flash.KeyPressed()
		// A link shown whole may have gone with the message: pages are
		// as long as the table is now.
		m.list.SetHeight(m.frame().rowsH)
	}
	if cmd, done := m.sessionKey(msg); done {
		return cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.list.Move(-1)
	case key.Matches(msg, k.Down):
		m.list.Move(1)
	case key.Matches(msg, k.Top):
		m.list.Top()
	case key.Matches(msg, k.Bottom):
		m.list.Bottom()
	case key.Matches(msg, k.PageUp):
		m.list.Page(-1)
	case key.Matches(msg, k.PageDown):
		m.list.Page(1)
	case key.Matches(msg, k.Details):
		m.detail = !m.detail
	case key.Matches(msg, k.DetailDown):
		m.scrollDetail(1)
	case key.Matches(msg, k.DetailUp):
		m.scrollDetail(-1)
	case key.Matches(msg, k.Open):
		return m.openSelected()
	case key.Matches(msg, k.Copy):
		if e, ok := m.selected(); ok {
			if link := linkFor(&e.job); link != "" {
				return m.copyLink(link, "")
			}
			m.setFlash(noLinkReason(&e.job), true)
		}
	case key.Matches(msg, k.Download):
		return m.downloadSelected()
	case key.Matches(msg, k.DownloadAll):
		return m.downloadAll()
	case key.Matches(msg, k.Refresh):
		if e, ok := m.selected(); ok {
			if !askable(e) {
				m.setFlash(termsafe.Clean(e.job.ID)+" has ended: nothing to ask again", false)
				return m.expireFlash(refreshFlashTTL)
			}
			return m.refreshNow([]string{e.job.ID})
		}
	case key.Matches(msg, k.RefreshAll):
		if reload := m.reloadKey; reload != nil && m.conn.KeyRejected {
			// The user may have fixed the key: read it before asking again.
			return func() tea.Msg {
				// Only a new key is worth asking with: the refresh that
				// follows clears the rejection, and with it the banner and
				// this read, so keyReloadedMsg starts it only then.
				changed, hint, err := reload()
				return keyReloadedMsg{changed, hint, err}
			}
		}
		return m.refreshNow(nil)
	case key.Matches(msg, k.Add):
		m.mode = modeAdd
		m.input.set("")
	case key.Matches(msg, k.Remove):
		if e, ok := m.selected(); ok {
			eng, id := m.eng, e.job.ID
			return func() tea.Msg { return removedMsg(eng.Remove(id)) }
		}
	case key.Matches(msg, k.Undo):
		if m.undo == nil {
			m.setFlash("nothing to undo", false)
			return nil
		}
		eng, jobs := m.eng, m.undo
		m.undo = nil
		m.undoGen++
		return func() tea.Msg { eng.Restore(jobs...); return restoredMsg(len(jobs)) }
	case key.Matches(msg, k.Filter):
		m.mode = modeFilter
		m.input.set(m.list.Filter())
	case key.Matches(msg, k.Sort):
		m.setSort((m.sortBy + 1) % numSortKeys)
		m.setFlash("sorted by "+m.sortBy.String(), false)
	case key.Matches(msg, k.Help):
		m.mode = modeHelp
		m.helpOff = 0
	case key.Matches(msg, k.Stats):
		return m.openStats()
	case key.Matches(msg, k.Redraw):
		return tea.ClearScreen
	case key.Matches(msg, k.Quit):
		if m.dl == nil {
			return tea.Quit
		}
		dl := m.dl
		return func() tea.Msg { return activeDownloadsMsg(dl.Active()) }
	case key.Matches(msg, k.Escape):
		switch {
		case m.list.Filter() != "":
			m.setFilter("")
		case m.detail:
			m.detail = false
		}
	}
	return nil
}

// filterKey edits the filter; it applies as the user types. Arrows still
// move, so the user can pick a row without leaving the filter.
func (m *model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Escape):
		m.mode = modeNormal
		m.setFilter("")
	case msg.String() == "enter":
		m.mode = modeNormal
	case msg.String() == "up":
		m.list.Move(-1)
	case msg.String() == "down":
		m.list.Move(1)
	default:
		if m.input.key(msg) {
			m.setFilter(m.input.value())
		}
	}
	return nil
}

func (m *model) setFilter(f string) {
	m.list.SetFilter(termsafe.Clean(f))
}

// addKey edits the add prompt; enter hands the IDs to the engine.
func (m *model) addKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Escape):
		m.mode = modeNormal
		m.input.set("")
		return nil
	case msg.String() == "enter":
		m.mode = modeNormal
		list, problems := m.input.parse()
		m.input.set("")
		if len(list) == 0 {
			m.setFlash("no IDs found"+problemSuffix(problems), true)
			return nil
		}
		eng, bad := m.eng, len(problems)
		return func() tea.Msg { return addedMsg{asked: len(list), problems: bad, added: eng.Add(list...)} }
	default:
		m.input.key(msg)
	}
	return nil
}

// handlePaste feeds a paste to the prompt or filter being edited; a paste
// at the table opens the add prompt with it, since a paste there can only
// mean IDs.
func (m *model) handlePaste(text string) tea.Cmd {
	if !m.pasteAllowed() {
		return nil
	}
	switch m.mode {
	case modeFilter:
		m.input.insert(termsafe.Clean(text))
		m.setFilter(m.input.value())
	case modeAdd:
		m.input.insert(text)
	case modeNormal:
		m.mode = modeAdd
		m.input.set(text)
	}
	return nil
}

// wheelStep is how many rows one notch of the wheel scrolls.
const wheelStep = 3

// handleWheel scrolls the table, dragging the selection along when it would
// leave the screen.
func (m *model) handleWheel(ms tea.Mouse) {
	if m.mode == modeHelp {
		switch ms.Button {
		case tea.MouseWheelUp:
			m.scrollHelp(-wheelStep)
		case tea.MouseWheelDown:
			m.scrollHelp(wheelStep)
		}
		return
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		m.list.Scroll(-wheelStep)
	case tea.MouseWheelDown:
		m.list.Scroll(wheelStep)
	}
}

// handleClick selects the row under a left click.
func (m *model) handleClick(ms tea.Mouse) {
	if m.mode == modeHelp {
		m.mode = modeNormal
		return
	}
	if ms.Button != tea.MouseLeft {
		return
	}
	f := m.frame()
	if ms.X >= f.tableW || ms.Y < f.rowsTop || ms.Y >= f.rowsTop+f.rowsH {
		return
	}
	m.list.Click(ms.Y - f.rowsTop)
}
