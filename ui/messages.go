package ui

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/ui/flash"
)

// refreshTimeout is how long "refreshing" stays in the status line when
// not every answer came: the API client's default request timeout, past
// which a request still unanswered has failed and the rows say so.
const refreshTimeout = 30 * time.Second

// refreshFlashTTL is how long "refreshed" and "nothing to ask" stay.
const refreshFlashTTL = 3 * time.Second

// flashExpiredMsg ends a message that is true only for a while; gen is the
// flash it was set for, so a newer message is left alone.
type flashExpiredMsg flash.Token

// expireFlash sets a message that leaves by itself after d.
func (m *model) expireFlash(d time.Duration) tea.Cmd {
	gen := m.flash.Token()
	return m.after(d, func(time.Time) tea.Msg { return flashExpiredMsg(gen) })
}

// refreshing is the r or R in flight: the jobs asked about, so that the
// message leaves once they have answered.
type refreshing struct {
	gen flash.Token // the message that says so
	// waiting maps the job IDs not answered yet to their LastPoll when
	// asked: only an answer after that counts, not the event the engine
	// sends when it merely schedules the request.
	waiting map[string]time.Time
	n       int // jobs asked
}

// startRefresh says which jobs are being asked again. ids nil means every
// tracked job, of which the engine asks only those an answer can change:
// jobs under way, not found, or finished without their links.
func (m *model) startRefresh(ids []string) tea.Cmd {
	r := &refreshing{waiting: map[string]time.Time{}}
	var what string
	if ids == nil {
		for _, e := range m.list.All() {
			if askable(e) {
				r.waiting[e.job.ID] = e.job.LastPoll
			}
		}
		switch n := len(r.waiting); {
		case n == m.list.Len():
			what = "refreshing all " + plural(n, "job")
		case n == 0:
			what = "every job has ended: nothing to ask again"
		default:
			what = "refreshing " + strconv.Itoa(n) + " of " + plural(m.list.Len(), "job") + " (the others have ended)"
		}
	} else {
		for _, id := range ids {
			var last time.Time
			if e, ok := m.list.Get(id); ok {
				last = e.job.LastPoll
			}
			r.waiting[id] = last
		}
		what = "refreshing " + plural(len(ids), "job")
		if len(ids) == 1 {
			what = "refreshing " + termsafe.Clean(ids[0])
		}
	}
	m.setFlash(what, false)
	if len(r.waiting) == 0 {
		m.refresh = nil
		return m.expireFlash(refreshFlashTTL)
	}
	r.gen, r.n = m.flash.Token(), len(r.waiting)
	m.refresh = r
	return m.expireFlash(refreshTimeout)
}

// refreshNow says which jobs are being asked again (ids nil: every job)
// and asks the engine; a limited engine's refusal comes back in the
// refreshedMsg.
func (m *model) refreshNow(ids []string) tea.Cmd {
	cmd := m.startRefresh(ids)
	if ids == nil && m.refresh == nil && !m.conn.KeyRejected {
		return cmd // nothing to ask: spend none of a shared engine's refreshes
	}
	eng, gen := m.eng, m.flash.Token()
	return tea.Batch(cmd, func() tea.Msg {
		if l, ok := eng.(RefreshLimiter); ok {
			return refreshedMsg{gen: gen, err: l.TryRefresh(ids...)}
		}
		eng.Refresh(ids...)
		return refreshedMsg{gen: gen}
	})
}

// refused puts a refusal of the refresh in place of its "refreshing", at
// once: no answer is on its way. A message that has taken the place of
// "refreshing" meanwhile stays.
func (m *model) refused(msg refreshedMsg) tea.Cmd {
	if msg.err == nil {
		return nil
	}
	if m.refresh != nil && m.refresh.gen == msg.gen {
		m.refresh = nil
	}
	if m.flash.Token() != msg.gen {
		return nil
	}
	m.setFlash(termsafe.Clean(msg.err.Error()), true)
	return m.expireFlash(refreshFlashTTL)
}

// askable tells whether a refresh asks about the job: the engine asks only
// about jobs an answer can change, those under way, not found, or finished
// without their links.
func askable(e *entry) bool {
	return e.cat.running() || e.job.NotFound || (finished(&e.job) && linkFor(&e.job) == "")
}

// answered ends the refresh message once the jobs it names have answered,
// with a word that they did, which leaves in its turn. A job counts once
// its LastPoll moved past what it was when asked.
func (m *model) answered(jobs []*track.Job) tea.Cmd {
	r := m.refresh
	if r == nil || len(jobs) == 0 {
		return nil
	}
	if r.gen != m.flash.Token() {
		m.refresh = nil // another message took its place
		return nil
	}
	for _, j := range jobs {
		if last, ok := r.waiting[j.ID]; ok && j.LastPoll.After(last) {
			delete(r.waiting, j.ID)
		}
	}
	if len(r.waiting) > 0 {
		return nil
	}
	m.refresh = nil
	if r.n == 1 {
		m.setFlash("refreshed: the answer is in its row", false)
	} else {
		m.setFlash("refreshed: all "+strconv.Itoa(r.n)+" jobs answered", false)
	}
	return m.expireFlash(refreshFlashTTL)
}

// dlBatch is what one or more presses of d and D asked for, until every
// video of it has ended: the status line counts it as a whole and names
// the folder, rather than speaking of whichever video moved last.
type dlBatch struct {
	// asked maps each video ID to its download's version when asked
	// (0: none yet), so an old outcome of the same video does not count.
	asked map[string]uint64
	// before: videos D left out because an earlier batch saved them.
	before int
}

// dlCounts tallies a batch.
type dlCounts struct {
	running, saved, there, failed, canceled int
	failure                                 *download.Progress // one failure, for its reason
	one                                     *download.Progress // the outcome when the batch is one video
}

// addToBatch adds videos to the running batch, or starts one. saved
// counts the videos D left out as saved before; those it left out as
// downloading are in the running batch already.
func (m *model) addToBatch(ids []string, saved int) {
	if m.batch == nil {
		m.batch = &dlBatch{asked: map[string]uint64{}, before: saved}
	}
	for _, id := range ids {
		var ver uint64
		if d := m.downloads[id]; d != nil {
			ver = d.ver
		}
		m.batch.asked[id] = ver
	}
}

func (m *model) countBatch() dlCounts {
	var c dlCounts
	for id, ver := range m.batch.asked {
		d := m.downloads[id]
		if d == nil || d.ver <= ver {
			c.running++ // asked; the downloader has not spoken of it yet
			continue
		}
		p := &d.p
		switch {
		case p.State == download.StateDone:
			c.saved++
		case p.State == download.StateSkipped:
			c.there++
		case p.State == download.StateFailed && download.IsCanceled(p.Err):
			c.canceled++
		case p.State == download.StateFailed:
			c.failed++
			c.failure = p
		default:
			c.running++
		}
		if len(m.batch.asked) == 1 {
			c.one = p
		}
	}
	return c
}

// showBatch puts the batch's state in the status line, and ends the batch
// once every video in it has ended.
func (m *model) showBatch() {
	// The quit question and an undo offer keep the line; the batch waits.
	if m.batch == nil || m.mode == modeConfirmQuit || m.undo != nil {
		return
	}
	c := m.countBatch()
	n := len(m.batch.asked)
	dir := m.dlDirText()
	var s string
	warn := c.failed+c.canceled > 0
	if c.running > 0 {
		s = "downloading " + plural(n, "video") + " into " + dir
		if n == 1 && c.one != nil && c.one.Path != "" {
			s = "downloading " + fileName(c.one) + " into " + dir
		}
		if done := n - c.running; done > 0 {
			s = "downloading " + strconv.Itoa(c.running) + " of " + plural(n, "video") + " into " + dir
		}
		s += outcomes(c, false)
	} else {
		s = batchDone(c, n, dir)
	}
	if b := m.batch.before; b > 0 {
		s += "; " + strconv.Itoa(b) + " saved before"
	}
	if c.running == 0 {
		m.batch = nil
	}
	for _, p := range []*download.Progress{c.one, c.failure} {
		if p != nil {
			s = m.fitName(s, fileName(p))
		}
	}
	m.setFlash(s, warn)
}

// minNameW is the fewest columns a file name is shortened to.
const minNameW = 12

// fitName shortens name in the middle within s when s would not fit the
// status line beside the counts, so that the counts and the folder after
// the name survive.
func (m *model) fitName(s, name string) string {
	// The counts on the right as the status line shows them, give or take
	// a download started meanwhile.
	n := m.list.Len()
	right := " " + plural(n, "job") + " "
	if f := m.list.Filter(); f != "" {
		right = " filter: " + f + " (" + strconv.Itoa(n) + " of " + strconv.Itoa(n) + ") "
	}
	if m.dlActive > 0 || m.batch != nil {
		right += "↓ 99 downloads · "
	}
	over := 1 + ansi.StringWidth(s) + ansi.StringWidth(right) - m.width
	nw := ansi.StringWidth(name)
	if m.width <= 0 || over <= 0 || nw <= minNameW || !strings.Contains(s, name) {
		return s
	}
	return strings.Replace(s, name, middleCut(name, max(minNameW, nw-over)), 1)
}

// middleCut shortens s to w columns by an ellipsis in its middle, keeping
// its start and its end (where a file's extension is).
func middleCut(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	head, tail := (w-1)/2, w-1-(w-1)/2
	for head+tail >= len(r) {
		head, tail = max(0, head-1), max(0, tail-1)
	}
	for head+tail > 0 {
		cut := string(r[:head]) + "…" + string(r[len(r)-tail:])
		if ansi.StringWidth(cut) <= w {
			return cut
		}
		if head >= tail {
			head--
		} else {
			tail--
		}
	}
	return "…"
}

// batchDone says how a batch ended: one video by its file, several by
// counts, always with the folder.
func batchDone(c dlCounts, n int, dir string) string {
	if n == 1 && c.one != nil {
		p := c.one
		switch {
		case p.State == download.StateDone:
			return "saved " + fileName(p) + " into " + dir
		case p.State == download.StateSkipped:
			return "already saved: " + fileName(p) + " is in " + dir
		case download.IsCanceled(p.Err):
			return "download canceled: " + fileName(p)
		}
		return "could not save " + fileName(p) + ": " + errText(p.Err)
	}
	var s string
	switch {
	case c.saved > 0:
		s = "saved " + plural(c.saved, "video") + " into " + dir
	case c.there > 0:
		s = "nothing new saved into " + dir
	default:
		s = "no video saved"
	}
	return s + outcomes(c, true)
}

// outcomes lists what ended otherwise than saved, and when running, what
// was saved so far.
func outcomes(c dlCounts, done bool) string {
	s := ""
	if !done && c.saved > 0 {
		s += "; " + strconv.Itoa(c.saved) + " saved"
	}
	if c.there > 0 {
		if c.there == 1 {
			s += "; 1 was already there"
		} else {
			s += "; " + strconv.Itoa(c.there) + " were already there"
		}
	}
	if c.failed > 0 {
		s += "; " + plural(c.failed, "download") + " failed"
		if c.failed == 1 && c.failure != nil {
			s += " (" + fileName(c.failure) + ": " + errText(c.failure.Err) + ")"
		} else {
			s += " (details: enter)"
		}
	}
	if c.canceled > 0 {
		s += "; " + strconv.Itoa(c.canceled) + " canceled"
	}
	return s
}

// dlDirText is the download folder as the status line names it.
func (m *model) dlDirText() string {
	if m.dlDir != "" {
		return termsafe.Clean(m.dlDir)
	}
	return "the download folder"
}
