package ui

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/ui/flash"
	"github.com/reel-dev/reel/ui/list"
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

// Key, Order, Group and FilterText make an entry a list.Item.
func (e *entry) Key() string        { return e.job.ID }
func (e *entry) Order() int64       { return e.job.Seq }
func (e *entry) Group() int         { return int(e.cat) }
func (e *entry) FilterText() string { return e.lower }

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

	// list is the jobs, the filter and sort over them, the counts by
	// category, and the cursor and scroll: Update changes it and settles
	// it; View only reads it.
	list    *list.List[*entry]
	fracSum float64
	fracN   int
	conn    track.Conn

	sortBy sortKey

	mode      mode
	detail    bool
	detailOff int    // lines the details are scrolled by (J/K)
	detailFor string // the job detailOff is for; another job starts at the top
	helpOff   int    // lines the help is scrolled by
	input     lineEditor

	flash   flash.Line  // the status line's message
	refresh *refreshing // the r or R whose message is shown
	batch   *dlBatch    // the downloads d and D asked for, until all ended
	dlDir   string      // where downloads go, for the status line
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

	draw   drawCache // what View keeps between frames: its only writes
	maxIDW int       // the longest ID, for the layout

	pics *pictures // the selected video's picture; nil when off
	sess Session   // a remote viewer's limits (ui/session.go)
}

// drawCache is what View keeps between frames so that a frame costs only
// what changed: the lines it drew and what each was drawn for. It is the
// only thing View writes (Update drops a removed job's row).
type drawCache struct {
	rows    map[string]cachedRow // by job ID
	foot    string
	footKey footerKey
	head    string
	headKey headerKey
	lay     layout
	layKey  [2]int // table width and longest ID the layout was made for
	titles  string // the column titles for lay
	blank   string // an empty table line
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
		list:       list.New[*entry](int(numCategories)),
		downloads:  map[string]*dlState{},
		draw:       drawCache{rows: map[string]cachedRow{}},
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
		m.flash.Notice(termsafe.Clean(o.Notice))
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
	// refreshedMsg: the engine was asked to poll again; err says why it
	// would not, gen is the "refreshing" message it answers.
	refreshedMsg struct {
		gen flash.Token
		err error
	}
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
		m.settle()
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
		m.flash.Expire(flash.Token(msg))
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
			m.flash.Append("; " + plural(dup, "ID") + " already tracked")
		}
		if msg.problems > 0 {
			m.flash.Append("; " + plural(msg.problems, "line") + " gave no ID")
			m.flash.Warn()
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
			if m.flash.Starts("removed ") {
				m.setFlash("", false)
			}
			m.showBatch() // a batch that ended meanwhile says so now
		}
		return m, nil
	case restoredMsg:
		m.setFlash("restored "+plural(int(msg), "job"), false)
		return m, m.ensureTick()
	case refreshedMsg:
		return m, m.refused(msg)
	case keyReloadedMsg:
		switch {
		case msg.err != nil:
			m.setFlash("could not read the key again: "+termsafe.Clean(msg.err.Error()), true)
		case msg.changed:
			// A refresh like R's, so the message ends like any refresh.
			cmd := m.refreshNow(nil)
			m.flash.Prepend("read a new API key; ")
			return m, cmd
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
				e, _ := m.list.Get(ev.Job.ID)
				ended = append(ended, e)
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
	e := newEntry(j)
	m.linkDownload(e)
	if old, ok := m.list.Get(j.ID); ok && j.Version < old.job.Version {
		return false // an older snapshot overtaken by a newer one
	}
	old, replaced := m.list.Put(e)
	wasRunning := false
	if replaced {
		wasRunning = old.job.Status != "" && !old.job.Terminal()
		m.uncount(old)
	} else if w := len(e.id); w > m.maxIDW {
		m.maxIDW = w
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

// count and uncount keep the sum behind overall progress; the list counts
// the categories.
func (m *model) count(e *entry) {
	if e.counted() {
		m.fracSum += e.frac
		m.fracN++
	}
}

func (m *model) uncount(e *entry) {
	if e.counted() {
		m.fracSum -= e.frac
		m.fracN--
	}
}

func (m *model) removeJob(id string) {
	if e, ok := m.list.Remove(id); ok {
		m.uncount(e)
		delete(m.draw.rows, id)
	}
}

// settle ends every Update: the list folds in the message's changes and
// keeps the selection in the window the next frame has. View draws what
// is settled and moves nothing.
func (m *model) settle() {
	m.list.SetHeight(m.frame().rowsH)
	m.list.Settle()
	m.settleStats()
}

// setSort orders the rows by k.
func (m *model) setSort(k sortKey) {
	m.sortBy = k
	var less func(a, b *entry) bool
	switch k {
	case sortStatus:
		less = func(a, b *entry) bool { return a.cat < b.cat }
	case sortProgress:
		less = func(a, b *entry) bool { return a.frac > b.frac }
	case sortName:
		less = func(a, b *entry) bool { return strings.ToLower(a.name) < strings.ToLower(b.name) }
	}
	m.list.SetOrder(less)
}

// selected returns the selected job, if any.
func (m *model) selected() (*entry, bool) { return m.list.Selected() }

// countOf is how many jobs are in category c.
func (m *model) countOf(c category) int { return m.list.Count(int(c)) }

// counts are the jobs by category.
func (m *model) counts() (n [numCategories]int) {
	for c := range numCategories {
		n[c] = m.countOf(c)
	}
	return n
}

// anyRunning reports whether some job still moves, which is the only time
// the dashboard lets a clock tick.
func (m *model) anyRunning() bool {
	for c := range numCategories {
		if c.running() && m.countOf(c) > 0 {
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

func (m *model) setFlash(s string, warn bool) { m.flash.Set(s, warn) }

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

// job is the tracked job with this ID; nil when none.
func (m *model) job(id string) *entry {
	e, _ := m.list.Get(id)
	return e
}

// message is the status line's message and whether it is a warning.
func (m *model) message() string { return m.flash.Text() }

func (m *model) warning() bool { return m.flash.Warning() }

// rows are the jobs the table shows, filtered and sorted, in order.
func (m *model) rows() []*entry { return m.list.Rows() }

// window is the selected row and the first row on screen, as indexes in
// rows.
func (m *model) window() (cursor, offset int) { return m.list.Cursor(), m.list.Offset() }
