package ui

import (
	"net/url"
	"runtime"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// maxClipboard caps what is sent with OSC 52: its base64 form stays under
// the 100 000 bytes xterm and tmux accept.
const maxClipboard = 74_000

// screenChunk is GNU screen's limit on one string sequence.
const screenChunk = 768

// canOpenBrowser reports whether a browser can start where reel runs: not
// over SSH, and on Linux and the BSDs not without a display.
func (m *model) canOpenBrowser() bool {
	if m.sess.Remote {
		return false // the host is not where the viewer sits
	}
	if m.env("SSH_TTY") != "" || m.env("SSH_CONNECTION") != "" {
		return false
	}
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "solaris", "illumos":
		return m.env("DISPLAY") != "" || m.env("WAYLAND_DISPLAY") != ""
	}
	return true
}

// openSelected opens the selected job's link in a browser, or copies it
// where no browser can start. The opener runs in a command, so a slow one
// never holds the screen, and its output is discarded (see Run).
func (m *model) openSelected() tea.Cmd {
	e, ok := m.selected()
	if !ok {
		return nil
	}
	link := linkFor(&e.job)
	if link == "" {
		m.setFlash(noLinkReason(&e.job), true)
		return nil
	}
	if !m.canOpenBrowser() {
		why := "no browser here; "
		if m.sess.Remote {
			why = "the server opens no browser; "
		}
		return m.copyLink(link, why)
	}
	if link == termsafe.CleanURL(e.job.ShareURL) && m.openAsked != link {
		// A callback is unsigned: say where its link goes before a
		// browser goes there.
		m.setFlash("a callback's link, to "+linkHost(link)+": o again opens it", true)
		m.openAsked = link
		return nil
	}
	m.openAsked = ""
	open := m.open
	m.setFlash("opening the link…", false)
	return func() tea.Msg { return openedMsg{url: link, err: open(link)} }
}

// linkHost is the host a link opens, for the user to judge.
func linkHost(link string) string {
	if u, err := url.Parse(link); err == nil && u.Host != "" {
		return termsafe.Clean(u.Host)
	}
	return "an unknown host"
}

// copyLink sends link to the clipboard with OSC 52 and shows it whole, so
// the user can still select it by hand when the terminal ignores OSC 52.
func (m *model) copyLink(link, why string) tea.Cmd {
	cmds := clipboardCmds(link, m.env)
	if cmds == nil {
		m.setFlash(why+"the link is too long for the clipboard; here it is:", true)
	} else {
		m.setFlash(why+"link sent to the terminal's clipboard:", false)
	}
	m.flash.ShowLink(link)
	return tea.Batch(cmds...)
}

// clipboardCmds write text to the clipboard plainly, and again wrapped for
// tmux or GNU screen, which otherwise keep OSC 52 to themselves. Text over
// maxClipboard is not sent at all.
func clipboardCmds(text string, env func(string) string) []tea.Cmd {
	if len(text) > maxClipboard {
		return nil
	}
	cmds := []tea.Cmd{tea.SetClipboard(text)}
	seq := ansi.SetSystemClipboard(text)
	switch {
	case env("TMUX") != "":
		cmds = append(cmds, tea.Raw(ansi.TmuxPassthrough(seq)))
	case strings.HasPrefix(env("TERM"), "screen"):
		cmds = append(cmds, tea.Raw(ansi.ScreenPassthrough(seq, screenChunk)))
	}
	return cmds
}

// noLinkReason says why a job has no link to open or copy.
func noLinkReason(j *track.Job) string {
	switch {
	case j.NotFound:
		return "no link: neither a job nor a video has this ID"
	case j.Status == api.StatusFailed:
		return "no link: the job failed, so there is no video (enter shows why)"
	case j.Status == api.StatusDeleted:
		return "no link: the job was deleted, and its video with it"
	case !finished(j):
		return "no link yet: the video is not finished"
	case j.Video == nil || j.Video.PublicURL == "":
		// Right after finishing, the row may hold the video's name (asked
		// for while it rendered) but not yet its links.
		return "no link yet: the video's details have not arrived"
	}
	return "the video's link is not a plain http(s) URL"
}
