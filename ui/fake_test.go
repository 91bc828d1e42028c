package ui

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// errWouldBlock is what the fake's Next returns in model tests instead of
// blocking; the harness parks the command until the test sends events.
var errWouldBlock = errors.New("fake engine: Next would block")

// fakeEngine records every call. In model tests it fails the test when
// called outside a command, which proves Update does no engine I/O.
type fakeEngine struct {
	t        testing.TB
	guarded  bool
	blocking bool // teatest: Next really blocks
	inCmd    atomic.Bool

	mu      sync.Mutex
	jobs    []track.Job
	conn    track.Conn
	calls   []string
	pending []track.Event
	wake    chan struct{}
	seq     int64
}

func newFakeEngine(t testing.TB, jobs ...track.Job) *fakeEngine {
	f := &fakeEngine{t: t, guarded: true, wake: make(chan struct{}, 1)}
	f.jobs = append(f.jobs, jobs...)
	for _, j := range jobs {
		f.seq = max(f.seq, j.Seq)
	}
	return f
}

func (f *fakeEngine) record(call string) {
	if f.guarded && !f.inCmd.Load() {
		f.t.Errorf("engine.%s called outside a command", call)
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

func (f *fakeEngine) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeEngine) Add(ids ...string) []track.Job {
	f.record("Add " + strings.Join(ids, ","))
	f.mu.Lock()
	defer f.mu.Unlock()
	var added []track.Job
	for _, id := range ids {
		if slices.ContainsFunc(f.jobs, func(j track.Job) bool { return j.ID == id }) {
			continue
		}
		f.seq++
		j := track.Job{ID: id, Seq: f.seq, Version: 1}
		f.jobs = append(f.jobs, j)
		added = append(added, j)
	}
	return added
}

func (f *fakeEngine) Remove(ids ...string) []track.Job {
	f.record("Remove " + strings.Join(ids, ","))
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []track.Job
	f.jobs = slices.DeleteFunc(f.jobs, func(j track.Job) bool {
		if slices.Contains(ids, j.ID) {
			out = append(out, j)
			return true
		}
		return false
	})
	return out
}

func (f *fakeEngine) Restore(jobs ...track.Job) {
	f.record("Restore")
	f.mu.Lock()
	f.jobs = append(f.jobs, jobs...)
	for _, j := range jobs {
		j := j
		f.pending = append(f.pending, track.Event{Job: &j})
	}
	f.mu.Unlock()
	f.poke()
}

// Refresh records the call and, as the engine's nudge does, sends an
// event for every job it schedules: NextPoll moves, LastPoll does not,
// since no request has been sent yet.
func (f *fakeEngine) Refresh(ids ...string) {
	f.record("Refresh " + strings.Join(ids, ","))
	f.mu.Lock()
	for i := range f.jobs {
		j := &f.jobs[i]
		if len(ids) > 0 && !slices.Contains(ids, j.ID) || j.Terminal() {
			continue
		}
		j.Version++
		j.NextPoll = j.LastPoll.Add(time.Millisecond)
		ev := *j
		f.pending = append(f.pending, track.Event{Job: &ev})
	}
	f.mu.Unlock()
	f.poke()
}

func (f *fakeEngine) Jobs() []track.Job {
	f.record("Jobs")
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.jobs)
}

func (f *fakeEngine) Conn() track.Conn {
	f.record("Conn")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn
}

func (f *fakeEngine) Next(ctx context.Context) ([]track.Event, error) {
	if f.guarded && !f.inCmd.Load() {
		f.t.Errorf("engine.Next called outside a command")
	}
	for {
		f.mu.Lock()
		if len(f.pending) > 0 {
			evs := f.pending
			f.pending = nil
			f.mu.Unlock()
			return evs, nil
		}
		f.mu.Unlock()
		if !f.blocking {
			return nil, errWouldBlock
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-f.wake:
		}
	}
}

// push queues events as the engine would after a poll.
func (f *fakeEngine) push(evs ...track.Event) {
	f.mu.Lock()
	f.pending = append(f.pending, evs...)
	f.mu.Unlock()
	f.poke()
}

func (f *fakeEngine) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// fakeDownloader stands in for *download.Manager. Like the fake engine it
// fails the test when called outside a command; its Next never blocks in
// model tests, and the harness parks the wait until the test sends
// progress.
type fakeDownloader struct {
	t     testing.TB
	inCmd *atomic.Bool // the engine's: the harness sets it while a command runs

	mu      sync.Mutex
	calls   []string
	running map[string]bool // video IDs Start refuses, as the Manager does for a running download
	pending []download.Progress
}

func newFakeDownloader(t testing.TB, inCmd *atomic.Bool) *fakeDownloader {
	return &fakeDownloader{t: t, inCmd: inCmd, running: map[string]bool{}}
}

func (f *fakeDownloader) record(call string) {
	if f.inCmd != nil && !f.inCmd.Load() {
		f.t.Errorf("downloader.%s called outside a command", call)
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

func (f *fakeDownloader) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeDownloader) Start(v *api.Video) bool {
	f.record("Start " + v.ID)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running[v.ID] {
		return false
	}
	f.running[v.ID] = true
	return true
}

func (f *fakeDownloader) Active() int {
	f.record("Active")
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.running)
}

func (f *fakeDownloader) Next(context.Context) ([]download.Progress, error) {
	f.record("Next")
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.pending) == 0 {
		return nil, errWouldBlock
	}
	ps := f.pending
	f.pending = nil
	for _, p := range ps {
		if p.State.Ended() {
			delete(f.running, p.VideoID)
		}
	}
	return ps, nil
}

// timer is a tea.Tick the harness holds until the test fires it.
type timer struct {
	d   time.Duration
	fn  func(time.Time) tea.Msg
	due time.Time // hs.now when set, plus d
}

// harness drives the model as Bubble Tea would, but synchronously: each
// message goes through Update, the returned commands run (with the engine
// unlocked), and their messages are fed back in order.
type harness struct {
	t       *testing.T
	m       *model
	eng     *fakeEngine
	dl      *fakeDownloader // nil unless made by newHarnessDL
	now     time.Time
	env     map[string]string
	timers  []timer
	parked  tea.Cmd   // the engine wait, until events come
	dlWait  tea.Cmd   // the downloader wait, until progress comes
	effects []tea.Msg // messages meant for the program: clipboard, raw, clear
	quit    bool
	opened  []string
}

var fixedNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, w, h int, jobs ...track.Job) *harness {
	t.Helper()
	return startHarness(t, w, h, false, jobs)
}

// newHarnessDL is newHarness with a fake downloader behind d and D.
func newHarnessDL(t *testing.T, w, h int, jobs ...track.Job) *harness {
	t.Helper()
	return startHarness(t, w, h, true, jobs)
}

// newHarnessWith is newHarness with options set by edit, as Run would
// get them.
func newHarnessWith(t *testing.T, w, h int, edit func(*harness, *Options), jobs ...track.Job) *harness {
	t.Helper()
	return startHarness(t, w, h, false, jobs, edit)
}

func startHarness(t *testing.T, w, h int, withDL bool, jobs []track.Job, edits ...func(*harness, *Options)) *harness {
	t.Helper()
	hs := &harness{t: t, now: fixedNow, env: map[string]string{"DISPLAY": ":0"}}
	hs.eng = newFakeEngine(t, jobs...)
	hs.eng.conn = fixtureConn()
	o := hs.options()
	if withDL {
		hs.dl = newFakeDownloader(t, &hs.eng.inCmd)
		o.Downloader = hs.dl
	}
	for _, edit := range edits {
		edit(hs, &o)
	}
	hs.m = newModel(o)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

func (hs *harness) options() Options {
	return Options{
		Engine:      hs.eng,
		DownloadDir: "/home/me/videos",
		Now:         func() time.Time { return hs.now },
		Location:    time.UTC,
		Env:         func(k string) string { return hs.env[k] },
		OpenURL: func(u string) error {
			hs.opened = append(hs.opened, u)
			if hs.env["FAIL_OPEN"] != "" {
				return errors.New("no opener")
			}
			return nil
		},
		after: func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			return func() tea.Msg { return timer{d, fn, hs.now.Add(d)} }
		},
	}
}

func (hs *harness) send(msg tea.Msg) {
	hs.t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		_, cmd := hs.m.Update(msg)
		queue = append(queue, hs.exec(cmd)...)
	}
}

// run executes a command and feeds its messages to the model.
func (hs *harness) run(cmd tea.Cmd) {
	for _, msg := range hs.exec(cmd) {
		hs.send(msg)
	}
}

// exec runs cmd with the engine unlocked and sorts what comes back.
func (hs *harness) exec(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	hs.eng.inCmd.Store(true)
	msg := cmd()
	hs.eng.inCmd.Store(false)
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, hs.exec(c)...)
		}
		return out
	case timer:
		hs.timers = append(hs.timers, msg)
		return nil
	case nextErrMsg:
		if errors.Is(msg.err, errWouldBlock) {
			hs.parked = cmd
			return nil
		}
		return []tea.Msg{msg}
	case downloadsErrMsg:
		if errors.Is(msg.err, errWouldBlock) {
			hs.dlWait = cmd
			return nil
		}
		return []tea.Msg{msg}
	case tea.QuitMsg:
		hs.quit = true
		return nil
	case snapshotMsg, eventsMsg, tickMsg, addedMsg, removedMsg, restoredMsg, openedMsg,
		activeDownloadsMsg, downloadMsg, downloadsMsg, undoExpiredMsg, refreshedMsg, keyReloadedMsg,
		statsMsg, timelineMsg:
		return []tea.Msg{msg}
	}
	hs.effects = append(hs.effects, msg)
	return nil
}

// events delivers engine events through the parked wait, as the real
// program would.
func (hs *harness) events(evs ...track.Event) {
	hs.t.Helper()
	hs.eng.push(evs...)
	if hs.parked == nil {
		hs.t.Fatal("no command is waiting for engine events")
	}
	cmd := hs.parked
	hs.parked = nil
	hs.run(cmd)
}

// progress delivers download progress through the parked wait.
func (hs *harness) progress(ps ...download.Progress) {
	hs.t.Helper()
	if hs.dlWait == nil {
		hs.t.Fatal("no command is waiting for download progress")
	}
	hs.dl.mu.Lock()
	hs.dl.pending = append(hs.dl.pending, ps...)
	hs.dl.mu.Unlock()
	cmd := hs.dlWait
	hs.dlWait = nil
	hs.run(cmd)
}

// fire runs the pending timers, the clock having moved on by d.
func (hs *harness) fire(d time.Duration) {
	hs.now = hs.now.Add(d)
	ts := hs.timers
	hs.timers = nil
	for _, tm := range ts {
		hs.send(tm.fn(hs.now))
	}
}

// advance moves the clock on by d and runs only the timers due by then,
// where fire runs them all.
func (hs *harness) advance(d time.Duration) {
	hs.now = hs.now.Add(d)
	var due []timer
	kept := hs.timers[:0]
	for _, tm := range hs.timers {
		if tm.due.After(hs.now) {
			kept = append(kept, tm)
		} else {
			due = append(due, tm)
		}
	}
	hs.timers = kept
	for _, tm := range due {
		hs.send(tm.fn(hs.now))
	}
}

func (hs *harness) key(keys ...string) {
	hs.t.Helper()
	for _, k := range keys {
		hs.send(keyMsg(k))
	}
}

// keyMsg builds the key press Bubble Tea would deliver for a name such as
// "j", "G", "enter" or "ctrl+l".
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "space": tea.KeySpace, "delete": tea.KeyDelete,
	}
	if code, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (hs *harness) view() string { return hs.m.View().Content }

// fixtures are jobs in every state the dashboard knows, at fixedNow.
func fixtures() []track.Job {
	at := func(d time.Duration) time.Time { return fixedNow.Add(d) }
	size := int64(3_012_345)
	length := 83.4
	failedRaw := json.RawMessage(`{"id":"job-failed","status":"failed","progress":40,"maximumProgress":100,` +
		`"errorMessage":"Avatar \u001b[31mnot\u001b[0m available","failedStep":"rendering","creationDate":"2025-03-14T11:30:00Z"}`)
	hostile := "\x1b]0;pwned\x07\x1b[2Jevil \x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\u202eeman\u200b\r\nsecond line\x9b31m"
	jobs := []track.Job{
		{ID: "job-queued", Status: api.StatusInQueue, Added: at(-2 * time.Minute)},
		{ID: "job-prep", Status: api.StatusPreprocessing, Progress: 5, MaximumProgress: 100, Added: at(-3 * time.Minute), Started: at(-90 * time.Second)},
		{ID: "job-prepdone", Status: api.StatusPreprocessingFinished, Progress: 20, MaximumProgress: 100, Added: at(-3 * time.Minute), Started: at(-2 * time.Minute)},
		{ID: "job-gen", Status: api.StatusGenerating, Progress: 123, MaximumProgress: 200, Added: at(-5 * time.Minute), Started: at(-4 * time.Minute), ETA: at(65 * time.Second)},
		{ID: "job-gen-noeta", Status: api.StatusGenerating, Progress: 70, MaximumProgress: 100, Added: at(-5 * time.Minute), Started: at(-(3*time.Minute + 7*time.Second))},
		{
			ID: "job-finished", JobID: "job-finished", VideoID: "vid-finished", Status: api.StatusFinished,
			Progress: 100, MaximumProgress: 100, Added: at(-10 * time.Minute), Started: at(-9 * time.Minute), Ended: at(-1 * time.Minute),
			ShareURL: "https://share.colossyan.com/v/abc123", CallbackAt: at(-55 * time.Second),
			Video: &api.Video{
				ID: "vid-finished", JobID: "job-finished", Name: "Quarterly update – Anna",
				PublicURL: "https://cdn.example.com/videos/vid-finished.mp4?sig=xyz", ThumbnailURL: "https://cdn.example.com/thumbs/vid-finished.jpg",
				CreatedAt: "2025-03-14T11:50:00Z", VideoSizeBytes: &size, VideoDurationSeconds: &length,
			},
		},
		{
			ID: "job-failed", JobID: "job-failed", VideoID: "vid-failed", Status: api.StatusFailed, Progress: 40, MaximumProgress: 100,
			Added: at(-10 * time.Minute), Started: at(-8 * time.Minute), Ended: at(-2 * time.Minute),
			Job: &api.Job{ID: "job-failed", Status: api.StatusFailed, Progress: 40, MaximumProgress: 100, Raw: failedRaw},
		},
		{ID: "job-deleted", Status: api.StatusDeleted, Added: at(-10 * time.Minute), Ended: at(-4 * time.Minute)},
		{ID: "job-missing", NotFound: true, Added: at(-1 * time.Minute)},
		{ID: "job-trouble", Status: api.StatusGenerating, Progress: 30, MaximumProgress: 100, Added: at(-6 * time.Minute), Started: at(-5 * time.Minute),
			Err: "GET /video-generation-jobs/job-trouble: 503 Service Unavailable", Retrying: true},
		{ID: "job-new", Added: at(-5 * time.Second)},
		{ID: "job-odd", Status: "paused", Progress: 10, MaximumProgress: 100, Added: at(-5 * time.Minute), Started: at(-4 * time.Minute)},
		{
			ID: "job-hostile", VideoID: "vid-hostile", Status: api.StatusFinished, Progress: 100, MaximumProgress: 100,
			Added: at(-10 * time.Minute), Started: at(-9 * time.Minute), Ended: at(-3 * time.Minute),
			Video: &api.Video{ID: "vid-hostile", Name: hostile, PublicURL: "javascript:alert(1)", ThumbnailURL: "https://user@evil.example/x"},
		},
	}
	for i := range jobs {
		jobs[i].Seq = int64(i + 1)
		jobs[i].Version = 1
	}
	return jobs
}

func fixtureConn() track.Conn {
	return track.Conn{LastGood: fixedNow.Add(-3 * time.Second), Requests: 42}
}
