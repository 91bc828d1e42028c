package ui

import (
	"context"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/termsafe"
)

// Session is how a dashboard shown to someone else's terminal (reel serve,
// one per SSH session) differs from one in the user's own: nothing may
// happen on the host that the viewer cannot see, and a read-only viewer
// changes nothing. The zero value is the local dashboard.
type Session struct {
	// Remote: the terminal is not on this host. o never starts a browser
	// here; it sends the link to the viewer's clipboard (OSC 52 through
	// the session) and shows it.
	Remote bool
	// ReadOnly: no a (nor a paste), x, u, D, R; d gives the video's link
	// instead of saving it on the host. The header says "read-only".
	ReadOnly bool
	// Label is a word for the header after the role, such as the key's
	// name; cleaned before it is shown. "" shows nothing.
	Label string
	// Sizes carries the viewer's new window sizes, for a terminal whose
	// resizes do not reach Bubble Tea by themselves (an SSH session's
	// window-change requests). The sender keeps only the newest.
	Sizes <-chan tea.WindowSizeMsg
}

// resizedMsg is a size from Session.Sizes, handed on as a
// tea.WindowSizeMsg so the renderer sees it too.
type resizedMsg tea.WindowSizeMsg

// waitSize waits for the viewer's next window size; it ends with the
// dashboard.
func waitSize(ctx context.Context, sizes <-chan tea.WindowSizeMsg) tea.Cmd {
	if sizes == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case s, ok := <-sizes:
			if !ok {
				return nil
			}
			return resizedMsg(s)
		case <-ctx.Done():
			return nil
		}
	}
}

// sessionUpdate handles the session's own messages; ok is false for any
// other message.
func (m *model) sessionUpdate(msg tea.Msg) (tea.Cmd, bool) {
	r, ok := msg.(resizedMsg)
	if !ok {
		return nil, false
	}
	size := tea.WindowSizeMsg(r)
	return tea.Batch(func() tea.Msg { return size }, waitSize(m.ctx, m.sess.Sizes)), true
}

// sessionKey is the session's say on a key in the table, before the usual
// handling; done means the key was dealt with here.
func (m *model) sessionKey(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	k := m.keys
	if m.sess.ReadOnly {
		// The bindings are off (out of the footer and help: see
		// limitKeys), so they are matched by their keys here.
		switch {
		case hasKey(msg, k.Add):
			return m.refuse("add jobs"), true
		case hasKey(msg, k.Remove):
			return m.refuse("stop tracking jobs"), true
		case hasKey(msg, k.Undo):
			return m.refuse("undo"), true
		case hasKey(msg, k.DownloadAll):
			return m.refuse("save videos on the server (d gives a video's link)"), true
		case hasKey(msg, k.RefreshAll):
			// R asks about every job (and may re-read the server's API
			// key), for everyone: the full keys' to decide. r still asks
			// about one job, within the limit the viewers share.
			return m.refuse("refresh every job (r asks again about the selected one)"), true
		case key.Matches(msg, k.Download):
			return m.videoLink(), true
		}
	}
	return nil, false
}

// hasKey is key.Matches for a binding that is turned off.
func hasKey(msg tea.KeyPressMsg, b key.Binding) bool {
	return slices.Contains(b.Keys(), msg.String())
}

// limitKeys turns off what a read-only viewer may not do, so the footer
// and help do not offer it.
func (m *model) limitKeys() {
	if !m.sess.ReadOnly {
		return
	}
	for _, b := range []*key.Binding{&m.keys.Add, &m.keys.Remove, &m.keys.Undo, &m.keys.DownloadAll, &m.keys.RefreshAll} {
		b.SetEnabled(false)
	}
	m.keys.Download.SetHelp("d", "copy the video's link")
}

// refuse says a read-only viewer may not do what.
func (m *model) refuse(what string) tea.Cmd {
	m.setFlash("read-only: this key may not "+what, true)
	return nil
}

// videoLink is d for a viewer who may not save on the host: the selected
// finished video's file link, sent to the clipboard and shown.
func (m *model) videoLink() tea.Cmd {
	e, ok := m.selected()
	if !ok {
		return nil
	}
	j := &e.job
	if !finished(j) || j.Video == nil {
		m.setFlash(noLinkReason(j), true)
		return nil
	}
	link := termsafe.CleanURL(j.Video.PublicURL)
	if link == "" {
		m.setFlash(noLinkReason(j), true)
		return nil
	}
	return m.copyLink(link, "read-only: not saved on the server; ")
}

// pasteAllowed reports whether a paste may open the add prompt.
func (m *model) pasteAllowed() bool {
	if m.sess.ReadOnly && m.mode != modeFilter {
		m.setFlash("read-only: this key may not add jobs", true)
		return false
	}
	return true
}

// sessionBadge is the header's word on the session: "read-only" and the
// label.
func (m *model) sessionBadge() string {
	s := ""
	if m.sess.ReadOnly {
		s = "read-only"
	}
	if l := termsafe.Clean(m.sess.Label); l != "" {
		if s != "" {
			s += " · "
		}
		s += l
	}
	return s
}
