package download

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// State is where a download stands.
type State string

// The states of a download, in the order they happen.
const (
	StateQueued  State = "queued"  // waiting for a free slot
	StateRunning State = "running" // transferring
	StateDone    State = "done"    // saved at Path
	StateSkipped State = "skipped" // the same file was already at Path
	StateFailed  State = "failed"  // Err says why; canceled downloads end here too
)

// Ended reports whether the download will change no more.
func (s State) Ended() bool { return s == StateDone || s == StateSkipped || s == StateFailed }

// Progress is a snapshot of one download, for the dashboard's row.
type Progress struct {
	VideoID string
	Path    string // where the file goes; the final path once done
	Done    int64  // bytes on disk
	Total   int64  // -1 while unknown
	Rate    float64
	ETA     time.Duration // 0 when unknown
	State   State
	Err     error
}

// DefaultConcurrency is how many downloads a Manager runs at once.
const DefaultConcurrency = 3

// DefaultInterval spaces a running download's progress updates: ten a
// second is smooth to the eye and cheap to draw.
const DefaultInterval = 100 * time.Millisecond

// ManagerOption configures a Manager.
type ManagerOption func(*Manager)

// WithConcurrency caps the downloads that run at once (default 3).
func WithConcurrency(n int) ManagerOption {
	return func(m *Manager) {
		if n > 0 {
			m.concurrency = n
		}
	}
}

// WithClock sets the clock used for rates, ETAs and throttling.
func WithClock(now func() time.Time) ManagerOption { return func(m *Manager) { m.now = now } }

// WithInterval sets the least time between two updates of one running
// download (default 100 ms).
func WithInterval(d time.Duration) ManagerOption { return func(m *Manager) { m.interval = d } }

// Manager runs downloads in the background, a few at a time, and gathers
// their progress for a reader that polls with Next. Updates are coalesced
// per video and throttled, so a fast transfer cannot flood the UI; a state
// change is never held back.
type Manager struct {
	f           *Fetcher
	now         func() time.Time
	interval    time.Duration
	concurrency int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	signal chan struct{} // one pending wake-up for Next

	mu      sync.Mutex
	queue   []queued // started, waiting for a worker, oldest first
	workers int      // running; never more than concurrency
	items   map[string]*item
	dirty   []string // videos with an unsent change, oldest first
	active  int
	closed  bool
}

// queued is a download waiting for a worker.
type queued struct {
	ctx context.Context
	it  *item
	v   *api.Video
}

// item is one download's live state, guarded by Manager.mu.
type item struct {
	p         Progress
	meter     rateMeter
	dirty     bool
	sentAt    time.Time
	sentState State
	cancel    context.CancelFunc
}

// NewManager returns a Manager that downloads with f.
func NewManager(f *Fetcher, opts ...ManagerOption) *Manager {
	m := &Manager{f: f, now: time.Now, interval: DefaultInterval, concurrency: DefaultConcurrency,
		items: map[string]*item{}, signal: make(chan struct{}, 1)}
	for _, o := range opts {
		o(m)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m
}

// Start queues a download of v. It returns false when v is already queued
// or running, or the Manager is closed. A video whose last download ended
// may be started again.
func (m *Manager) Start(v *api.Video) bool {
	if v == nil || v.ID == "" {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	if it, ok := m.items[v.ID]; ok && !it.p.State.Ended() {
		return false
	}
	ctx, cancel := context.WithCancel(m.ctx)
	dir := m.f.Dir
	if dir == "" {
		dir = "."
	}
	it := &item{cancel: cancel, p: Progress{VideoID: v.ID, Path: OptionSafe(filepath.Join(dir, FileName(v))), Total: -1, State: StateQueued}}
	if v.VideoSizeBytes != nil {
		it.p.Total = *v.VideoSizeBytes
	}
	m.items[v.ID] = it
	m.markLocked(v.ID, it)
	m.active++
	vc := *v
	m.queue = append(m.queue, queued{ctx, it, &vc})
	// A fixed pool: a worker more only while fewer than concurrency run,
	// however many videos wait. Each works the queue until it is empty.
	if m.workers < m.concurrency {
		m.workers++
		m.wg.Add(1)
		go m.work()
	}
	return true
}

// work runs queued downloads, oldest first, until none is left.
func (m *Manager) work() {
	defer m.wg.Done()
	for {
		m.mu.Lock()
		if len(m.queue) == 0 {
			m.workers--
			m.mu.Unlock()
			return
		}
		q := m.queue[0]
		m.queue[0] = queued{}
		m.queue = m.queue[1:]
		m.mu.Unlock()
		if err := q.ctx.Err(); err != nil {
			m.end(q.it, Result{}, err)
			continue
		}
		m.run(q.ctx, q.it, q.v)
	}
}

func (m *Manager) run(ctx context.Context, it *item, v *api.Video) {
	m.mu.Lock()
	it.p.State = StateRunning
	m.markLocked(v.ID, it)
	m.mu.Unlock()
	res, err := m.f.Download(ctx, v, func(done, total int64) {
		now := m.now()
		m.mu.Lock()
		it.p.Done, it.p.Total = done, total
		it.meter.add(now, done)
		m.markLocked(v.ID, it)
		m.mu.Unlock()
	})
	m.end(it, res, err)
}

// end records a download's outcome.
func (m *Manager) end(it *item, res Result, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endLocked(it, res, err)
}

func (m *Manager) endLocked(it *item, res Result, err error) {
	it.cancel()
	switch {
	case err != nil:
		it.p.State, it.p.Err = StateFailed, err
	case res.Skipped:
		it.p.State, it.p.Path, it.p.Done, it.p.Total = StateSkipped, res.Path, res.Size, res.Size
	default:
		it.p.State, it.p.Path, it.p.Done, it.p.Total = StateDone, res.Path, res.Size, res.Size
	}
	m.active--
	m.markLocked(it.p.VideoID, it)
}

// markLocked notes an unsent change and wakes Next.
func (m *Manager) markLocked(id string, it *item) {
	if !it.dirty {
		it.dirty = true
		m.dirty = append(m.dirty, id)
	}
	select {
	case m.signal <- struct{}{}:
	default:
	}
}

// Cancel stops the download of videoID, if queued or running. It ends as
// failed with context.Canceled; its .part stays for a later resume.
func (m *Manager) Cancel(videoID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[videoID]
	if !ok {
		return
	}
	it.cancel()
	// One still waiting for a worker ends now, not when a worker reaches it.
	for i, q := range m.queue {
		if q.it == it {
			m.queue = append(m.queue[:i], m.queue[i+1:]...)
			m.endLocked(it, Result{}, context.Canceled)
			return
		}
	}
}

// Active is the number of downloads queued or running.
func (m *Manager) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active
}

// Next waits for changes and returns them: at most one Progress per
// video, the newest, and for a running download no more often than the
// interval. It returns ctx's error when ctx ends first.
func (m *Manager) Next(ctx context.Context) ([]Progress, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		out, wait := m.collect()
		if len(out) > 0 {
			return out, nil
		}
		var tick <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			tick = timer.C
		}
		select {
		case <-m.signal:
		case <-tick:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// collect takes the changes due now, and says how long until the
// earliest held-back one is due (0: none held).
func (m *Manager) collect() ([]Progress, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var out []Progress
	var wait time.Duration
	held := m.dirty[:0]
	for _, id := range m.dirty {
		it := m.items[id]
		if it == nil || !it.dirty {
			continue
		}
		if since := now.Sub(it.sentAt); it.p.State == it.sentState && since < m.interval {
			held = append(held, id)
			if w := m.interval - since; wait == 0 || w < wait {
				wait = w
			}
			continue
		}
		it.dirty, it.sentAt, it.sentState = false, now, it.p.State
		p := it.p
		if p.State == StateRunning {
			p.Rate, p.ETA = it.meter.rate, it.meter.eta(p.Done, p.Total)
		}
		out = append(out, p)
	}
	clear(m.dirty[len(held):])
	m.dirty = held
	return out, wait
}

// Close cancels every download and waits for them to stop. Their .part
// files stay for a later resume.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
}

// IsCanceled reports whether a download ended because it was canceled.
func IsCanceled(err error) bool { return errors.Is(err, context.Canceled) }
