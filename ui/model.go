package ui

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// mode is what the keyboard is talking to.
type mode int

const (
	modeNormal mode = iota
	modeFilter
	modeAdd
	modeHelp
	modeConfirmQuit
	modeStats
)

// sortKey is the row order; s cycles through them.
type sortKey int

const (
	sortAdded sortKey = iota
	sortStatus
	sortProgress
	sortName
	numSortKeys
)

func (s sortKey) String() string {
	return [...]string{"added", "status", "progress", "name"}[s]
}

// undoWindow is how long a removal can be undone.
const undoWindow = 10 * time.Second

// entry is one tracked job with what the dashboard derives from it, worked
// out once per change rather than once per frame.
type entry struct {
	job   track.Job
	cat   category
	id    string // the ID as given, cleaned
	name  string // the video's name, cleaned; "" until known
	word  string // the status word
	frac  float64
	lower string // what the filter matches against
	// reason is why a failed job failed, cleaned, as its job object says;
	// "" when it says nothing or the job did not fail.
	reason string
	dl     *dlState  // the video's download; nil when none was started
	origin time.Time // what the job's age counts from: see jobOrigin
}

func newEntry(j track.Job) *entry {
	e := &entry{job: j, cat: categorize(&j), id: termsafe.Clean(j.ID), frac: j.Fraction(), origin: jobOrigin(&j)}
	if j.Video != nil {
		e.name = termsafe.Clean(j.Video.Name)
	}
	if e.cat == catFailed && j.Job != nil {
		e.reason = termsafe.Clean(j.Job.Reason())
	}
	e.word = statusWord(&j, e.cat)
	// The filter finds a job by the word on screen and by the API's word
	// (what status --json prints), and a job in trouble by its last status.
	e.lower = strings.ToLower(e.id + "\x00" + e.name + "\x00" + e.word + "\x00" + humanStatus(j.Status) + "\x00" +
		string(j.Status) + "\x00" + e.reason)
	return e
}

// counted reports whether a job counts toward overall progress: jobs that
// cannot progress would hold the bar down for ever.
func (e *entry) counted() bool { return e.cat != catNotFound && e.cat != catDeleted }

// model is the dashboard's one root model. Update does no I/O: every engine
// call, opener and timer is a command, and commands only return messages.
type model struct {
	ctx        context.Context
	eng        Engine
	dl         Downloader
	now        func() time.Time
	after      func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	open       func(url string) error
	reloadKey  func() (bool, string, error)
	env        func(string) string
	log        *slog.Logger
	loc        *time.Location
	notifyMode string
	mouse      bool
	version    string
	demo       bool // the jobs are reel demo's (Options.Demo)
	listening  bool // a callback receiver runs

	st    styles
	paint paints
	keys  keyMap

	width, height int
	t             time.Time // the clock as of the last message; View reads only this

	jobs   map[string]*entry
	all    []*entry // in the order added (Seq)
	rows   []*entry // filtered and sorted: what the table shows
	cursor int
	offset int
	selID  string
	dirty  bool // rows must be rebuilt before use

	counts  [numCategories]int
	fracSum float64
	fracN   int
	conn    track.Conn

	sortBy sortKey
	filter string

	mode      mode
	detail    bool
	detailOff int    // lines the details are scrolled by (J/K)
	detailFor string // the job detailOff is for; another job starts at the top
	helpOff   int    // lines the help is scrolled by
	input     lineEditor

	flash     string // the status line's message
	flashLink string // a link shown in full so it can be copied by hand
	flashWarn bool
	// flashKeep: the message is the start notice, which keys do not clear;
	// only another message replaces it.
	flashKeep bool
	flashGen  int         // bumps with every message, so a timer ends only its own
	refresh   *refreshing // the r or R whose message is shown
	batch     *dlBatch    // the downloads d and D asked for, until all ended
	dlDir     string      // where downloads go, for the status line
	// openAsked is the callback link whose host o last showed: the next o
	// on it opens it.
	openAsked string

	undo    []track.Job
	undoGen int

	history History   // the statistics and timelines; nil: none
	stats   statsView // the statistics view (S)
	tl      timeline  // the selected job's history, for the detail pane

	downloads map[string]*dlState // by video ID
	dlSeq     uint64              // the last dlState version handed out
	dlActive  int                 // downloads queued or running

	focused bool
	ticking bool
	loaded  bool

	cache     map[string]cachedRow
	foot      string
	footKey   footerKey
	head      string
	headKey   headerKey
	lay       layout
	layKey    [2]int // table width and longest ID the layout was made for
	titleLine string // the column titles for lay
	blank     string // an empty table line
	maxIDW    int

	pics *pictures // the selected video's picture; nil when off
	sess Session   // a remote viewer's limits (ui/session.go)
}

// newModel builds the model from resolved options.
func newModel(o Options) *model {
	o = o.withDefaults()
	m := &model{
		ctx:        o.ctx,
		eng:        o.Engine,
		dl:         o.Downloader,
		history:    o.History,
		now:        o.Now,
		after:      o.after,
		open:       o.OpenURL,
		env:        o.Env,
		log:        o.Logger,
		loc:        o.Location,
		notifyMode: o.Notify,
		mouse:      !o.NoMouse,
		version:    o.Version,
		demo:       o.Demo,
		st:         newStyles(),
		paint:      newPaints(newStyles()),
		keys:       newKeyMap(),
		width:      80,
		height:     24,
		jobs:       map[string]*entry{},
		downloads:  map[string]*dlState{},
		cache:      map[string]cachedRow{},
		focused:    true,
	}
	m.t = m.now()
	m.listening = o.Listening
	m.pics = newPictures(o)
	m.dlDir = o.DownloadDir
	m.reloadKey = o.ReloadKey
	m.sess = o.Session
	m.limitKeys()
	if o.Notice != "" {
		m.flash, m.flashKeep = termsafe.Clean(o.Notice), true
	}
	return m
}

// Messages the dashboard's commands return.
type (
	snapshotMsg struct {
		jobs []track.Job
		conn track.Conn
	}
	eventsMsg  []track.Event
	nextErrMsg struct{ err error }
	tickMsg    time.Time
	addedMsg   struct {
		asked    int
		problems int // words in the paste that were not IDs
		added    []track.Job
	}
	removedMsg  []track.Job
	restoredMsg int
	openedMsg   struct {
		url string
		err error
	}
	activeDownloadsMsg int
	undoExpiredMsg     int
	// refreshedMsg: the engine was asked to poll again.
	refreshedMsg struct{}
	// keyReloadedMsg: R read the key again after it was rejected.
	keyReloadedMsg struct {
		changed bool
		hint    string
		err     error
	}
)

// Init loads what the engine already tracks; events follow once it is in.
func (m *model) Init() tea.Cmd {
	eng := m.eng
	return tea.Batch(func() tea.Msg {
		return snapshotMsg{jobs: eng.Jobs(), conn: eng.Conn()}
	}, m.pics.probe(), waitSize(m.ctx, m.sess.Sizes))
}

// waitNext is the bridge from the engine: it blocks in a command until
// events are pending and is issued again after each batch.
func (m *model) waitNext() tea.Cmd {
	eng, ctx, log := m.eng, m.ctx, m.log
	return func() tea.Msg {
		evs, err := eng.Next(ctx)
		if err != nil {
			return nextErrMsg{err}
		}
		log.Debug("engine events", "n", len(evs)) // here, not in Update: it is I/O
		return eventsMsg(evs)
	}
}

// Update handles one message. It never calls the engine. After every
// message the selection's picture is seen to (ui/thumb.go), and the detail
// pane's timeline follows the selection, whatever moved it.
func (m *model) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	defer func() {
		cmd = tea.Batch(cmd, m.updatePictures(msg))
		if tl := m.wantTimeline(); tl != nil {
			cmd = tea.Batch(cmd, tl)
		}
	}()
	switch msg := msg.(type) {
	case resizedMsg:
		cmd, _ := m.sessionUpdate(msg)
		return m, cmd
	case statsMsg, timelineMsg:
		m.statsUpdate(msg)
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clampScroll()
		return m, nil
	case snapshotMsg:
		m.t = m.now()
		for _, j := range msg.jobs {
			m.applyJob(j)
		}
		m.conn = msg.conn
		m.loaded = true
		m.log.Debug("dashboard loaded", "jobs", len(msg.jobs))
		return m, tea.Batch(m.waitNext(), m.waitDownloads(), m.ensureTick())
	case eventsMsg:
		m.t = m.now()
		return m, tea.Batch(m.applyEvents(msg), m.waitNext(), m.ensureTick())
	case flashExpiredMsg:
		if int(msg) == m.flashGen {
			m.setFlash("", false)
		}
		return m, nil
	case nextErrMsg:
		if m.ctx.Err() == nil {
			m.log.Warn("engine events stopped", "err", msg.err)
		}
		return m, nil
	case tickMsg:
		m.ticking = false
		m.t = m.now()
		return m, m.ensureTick()
	case tea.FocusMsg:
		m.focused = true
		return m, nil
	case tea.BlurMsg:
		m.focused = false
		return m, nil
	case addedMsg:
		dup := msg.asked - len(msg.added)
		m.log.Debug("added", "asked", msg.asked, "added", len(msg.added), "problems", msg.problems)
		m.setFlash(plural(len(msg.added), "job")+" added", false)
		if dup > 0 {
			m.flash += "; " + plural(dup, "ID") + " already tracked"
		}
		if msg.problems > 0 {
			m.flash += "; " + plural(msg.problems, "line") + " gave no ID"
			m.flashWarn = true
		}
		for _, j := range msg.added {
			m.applyJob(j)
		}
		return m, m.ensureTick()
	case removedMsg:
		if len(msg) == 0 {
			return m, nil
		}
		for _, j := range msg {
			m.removeJob(j.ID)
		}
		m.undo = msg
		m.undoGen++
		what := termsafe.Clean(msg[0].ID)
		if len(msg) > 1 {
			what = plural(len(msg), "job")
		}
		m.setFlash("removed "+what+" — u to undo", false)
		gen := m.undoGen
		return m, m.after(undoWindow, func(time.Time) tea.Msg { return undoExpiredMsg(gen) })
	case undoExpiredMsg:
		if int(msg) == m.undoGen && m.undo != nil {
			m.undo = nil
			if strings.HasPrefix(m.flash, "removed ") {
				m.setFlash("", false)
			}
			m.showBatch() // a batch that ended meanwhile says so now
		}
		return m, nil
	case restoredMsg:
		m.setFlash("restored "+plural(int(msg), "job"), false)
		return m, m.ensureTick()
	case refreshedMsg:
		return m, nil
	case keyReloadedMsg:
		switch {
		case msg.err != nil:
			m.setFlash("could not read the key again: "+termsafe.Clean(msg.err.Error()), true)
		case msg.changed:
			// A refresh like R's, so the message ends like any refresh.
			eng := m.eng
			cmd := m.startRefresh(nil)
			m.flash = "read a new API key; " + m.flash
			return m, tea.Batch(cmd, func() tea.Msg { eng.Refresh(); return refreshedMsg{} })
		default:
			m.setFlash("API key unchanged: "+termsafe.Clean(msg.hint), true)
		}
		return m, nil
	case openedMsg:
		if msg.err == nil {
			m.setFlash("opened in the browser", false)
			return m, nil
		}
		m.log.Info("opener failed; copying instead", "err", msg.err)
		return m, m.copyLink(msg.url, "could not open a browser; ")
	case activeDownloadsMsg:
		if msg > 0 {
			m.mode = modeConfirmQuit
			m.setFlash(plural(int(msg), "download")+" running. Quit anyway? y/n", true)
			return m, nil
		}
		return m, tea.Quit
	case downloadMsg:
		m.showBatch()
		return m, nil
	case downloadsMsg:
		m.applyDownloads(msg)
		return m, m.waitDownloads()
	case downloadsErrMsg:
		if m.ctx.Err() == nil {
			m.log.Warn("download progress stopped", "err", msg.err)
		}
		return m, nil
	case tea.PasteMsg:
		return m, m.handlePaste(msg.Content)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg:
		m.handleWheel(msg.Mouse())
		return m, nil
	case tea.MouseClickMsg:
		m.handleClick(msg.Mouse())
		return m, nil
	}
	return m, nil
}

// applyEvents folds a batch of engine events into the model and returns
// the notification for jobs that ended while the terminal was unfocused.
func (m *model) applyEvents(evs []track.Event) tea.Cmd {
	var ended []*entry
	var answered []*track.Job
	for _, ev := range evs {
		switch {
		case ev.Job != nil:
			answered = append(answered, ev.Job)
			if m.applyJob(*ev.Job) {
				ended = append(ended, m.jobs[ev.Job.ID])
			}
		case ev.Removed != "":
			m.removeJob(ev.Removed)
		case ev.Conn != nil:
			m.conn = *ev.Conn
		}
	}
	done := m.answered(answered)
	if len(ended) == 0 || m.focused {
		return done
	}
	m.log.Debug("jobs ended while unfocused", "n", len(ended), "notify", m.notifyMode)
	return tea.Batch(done, m.notify(ended))
}

// applyJob records a job's new snapshot. It reports whether the job has just
// ended, that is, it was seen running before and is terminal now.
func (m *model) applyJob(j track.Job) (ended bool) {
	e, ok := m.jobs[j.ID]
	if ok && j.Version < e.job.Version {
		return false // an older snapshot overtaken by a newer one
	}
	wasRunning := false
	if ok {
		wasRunning = e.job.Status != "" && !e.job.Terminal()
		m.uncount(e)
		if m.sortBy != sortAdded || m.filter != "" {
			m.dirty = true
		}
		*e = *newEntry(j)
		m.linkDownload(e)
	} else {
		e = newEntry(j)
		m.linkDownload(e)
		m.jobs[j.ID] = e
		m.insert(e)
		m.dirty = true
		if w := len(e.id); w > m.maxIDW {
			m.maxIDW = w
		}
	}
	m.count(e)
	return wasRunning && j.Terminal()
}

// linkDownload points a fresh entry at its video's download, if any.
func (m *model) linkDownload(e *entry) {
	if len(m.downloads) > 0 && e.job.Video != nil {
		e.dl = m.downloads[e.job.Video.ID]
	}
}

func (m *model) count(e *entry) {
	m.counts[e.cat]++
	if e.counted() {
		m.fracSum += e.frac
		m.fracN++
	}
}

func (m *model) uncount(e *entry) {
	m.counts[e.cat]--
	if e.counted() {
		m.fracSum -= e.frac
		m.fracN--
	}
}

// insert puts e into all by Seq: usually at the end, in place for a restore.
func (m *model) insert(e *entry) {
	n := len(m.all)
	if n == 0 || m.all[n-1].job.Seq <= e.job.Seq {
		m.all = append(m.all, e)
		return
	}
	i := sort.Search(n, func(i int) bool { return m.all[i].job.Seq > e.job.Seq })
	m.all = append(m.all, nil)
	copy(m.all[i+1:], m.all[i:])
	m.all[i] = e
}

func (m *model) removeJob(id string) {
	e, ok := m.jobs[id]
	if !ok {
		return
	}
	m.uncount(e)
	delete(m.jobs, id)
	delete(m.cache, id)
	for i, x := range m.all {
		if x == e {
			m.all = append(m.all[:i], m.all[i+1:]...)
			break
		}
	}
	m.dirty = true
}

// visible returns the rows the table shows, rebuilding them when jobs came
// or went, or the filter or sort changed.
func (m *model) visible() []*entry {
	if !m.dirty {
		return m.rows
	}
	m.dirty = false
	if m.filter == "" && m.sortBy == sortAdded {
		m.rows = m.all
	} else {
		m.rows = m.rows[:0:0]
		f := strings.ToLower(m.filter)
		for _, e := range m.all {
			if f == "" || strings.Contains(e.lower, f) {
				m.rows = append(m.rows, e)
			}
		}
		m.sortRows()
	}
	m.reselect()
	return m.rows
}

func (m *model) sortRows() {
	var less func(a, b *entry) bool
	switch m.sortBy {
	case sortStatus:
		less = func(a, b *entry) bool { return a.cat < b.cat }
	case sortProgress:
		less = func(a, b *entry) bool { return a.frac > b.frac }
	case sortName:
		less = func(a, b *entry) bool { return strings.ToLower(a.name) < strings.ToLower(b.name) }
	default:
		return
	}
	sort.SliceStable(m.rows, func(i, j int) bool { return less(m.rows[i], m.rows[j]) })
}

// reselect keeps the selection on the same job when rows move under it.
func (m *model) reselect() {
	if m.cursor < len(m.rows) && m.rows[m.cursor].job.ID == m.selID {
		return
	}
	for i, e := range m.rows {
		if e.job.ID == m.selID {
			m.cursor = i
			m.clampScroll()
			return
		}
	}
	m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
	m.syncSel()
}

func (m *model) syncSel() {
	if m.cursor < len(m.rows) {
		m.selID = m.rows[m.cursor].job.ID
	} else {
		m.selID = ""
	}
	m.clampScroll()
}

// selected returns the selected job, if any.
func (m *model) selected() (*entry, bool) {
	rows := m.visible()
	if m.cursor < len(rows) {
		return rows[m.cursor], true
	}
	return nil, false
}

// moveTo selects row i (clamped) and scrolls it into view.
func (m *model) moveTo(i int) {
	n := len(m.visible())
	m.cursor = max(0, min(i, n-1))
	m.syncSel()
}

// clampScroll keeps the cursor inside the visible window of rows.
func (m *model) clampScroll() {
	h := m.frame().rowsH
	n := len(m.rows)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, n-h))
}

// anyRunning reports whether some job still moves, which is the only time
// the dashboard lets a clock tick.
func (m *model) anyRunning() bool {
	for c := range numCategories {
		if c.running() && m.counts[c] > 0 {
			return true
		}
	}
	return false
}

// ensureTick starts the once-a-second clock while jobs run and lets it stop
// when none does. Elapsed times are the only thing on screen that moves by
// itself.
func (m *model) ensureTick() tea.Cmd {
	// With the key rejected nothing is polled, so nothing will move.
	if m.ticking || !m.anyRunning() || m.conn.KeyRejected {
		return nil
	}
	m.ticking = true
	return m.after(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *model) setFlash(s string, warn bool) {
	m.flash, m.flashWarn, m.flashLink, m.flashKeep = s, warn, "", false
	m.flashGen++
}

// linkFor is what o and y act on: the share link from a callback, else the
// video file. Both are checked to be plain http(s) URLs.
func linkFor(j *track.Job) string {
	if u := termsafe.CleanURL(j.ShareURL); u != "" {
		return u
	}
	if j.Video != nil {
		return termsafe.CleanURL(j.Video.PublicURL)
	}
	return ""
}

// finished reports whether the job's video is ready.
func finished(j *track.Job) bool { return j.Status == api.StatusFinished && !j.NotFound }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
