package track

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Lease timing. The TTL bounds how long a killed poller leaves its
// workspace unpolled; renewing at a third of it lets two renewals fail
// (a busy store) before the lease runs out.
const (
	// DefaultLeaseTTL: a killed poller is replaced within it (and within
	// 15 s, the budget, with the time a claim takes to spare).
	DefaultLeaseTTL = 14 * time.Second
	// claimEvery is how often a viewer looks at the lease: a poller that
	// resigned is replaced within it.
	claimEvery = time.Second
	// takeEvery is how often the poller looks for viewers' requests: a
	// viewer's r reaches the API within it (and the request's own time).
	takeEvery = 250 * time.Millisecond
)

// ElectorOptions configure an Elector. Store, Workspace and Holder are
// required.
type ElectorOptions struct {
	Store     Workspace
	Workspace string // the workspace's key: a salted hash of the API key
	Holder    Holder
	Clock     Clock         // nil: the real clock
	TTL       time.Duration // 0: DefaultLeaseTTL
	Log       *slog.Logger
	// Gone, when set, reports whether the lease's holder is known to have
	// ended (a process on this machine that no longer runs: its Nonce tells
	// which machine and process namespace, its Name which pid); its lease
	// is then taken at once instead of at its expiry.
	Gone func(h Holder) bool
}

// Elector decides whether this process polls its workspace or watches
// another poll, through a lease in the shared store. It is also the
// engine's Persister, so that a poll's answer is written only while this
// process holds the lease (fenced by its term): a poller that stalled past
// its TTL cannot write over its successor.
type Elector struct {
	o   ElectorOptions
	eng *Engine

	mu   sync.Mutex
	term int64 // the lease's term while polling; 0 while watching
	// expires is when the lease could run out at the earliest: its last
	// renewal's start (this process's clock) plus the TTL, or sooner if
	// the store said so. guard stops the polling a claimEvery before it,
	// whatever step is blocked in.
	expires time.Time
	guard   func() bool
	by      string        // who polls, as last seen while watching
	lost    chan struct{} // a fenced write: another process took over
	// unsaved are answers the store could not take (it was unreachable,
	// not fenced), by job, with the term they were polled at. The engine
	// moved on and will not poll a settled job again, so they are written
	// once the store answers, if this process holds that term still (or
	// again, after renewing its own lease); a newer term means another
	// process polled in between, and they are dropped.
	unsaved map[string]unsavedJob
	saveMu  sync.Mutex // one save at a time, so an old answer never overwrites a newer one
}

type unsavedJob struct {
	job  Job
	term int64
}

// NewElector returns an elector; pass it as the engine's Persist, then
// Attach the engine before running either.
func NewElector(o ElectorOptions) *Elector {
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.TTL <= 0 {
		o.TTL = DefaultLeaseTTL
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Elector{o: o, lost: make(chan struct{}, 1)}
}

// Attach makes eng watch until Run wins the lease.
func (el *Elector) Attach(eng *Engine) {
	el.eng = eng
	eng.StopPolling("", el.ask)
}

// Polling reports whether this process holds the lease.
func (el *Elector) Polling() bool {
	el.mu.Lock()
	defer el.mu.Unlock()
	return el.term > 0
}

// Run claims, renews and (on return) resigns the lease until ctx is done,
// switching the engine between polling and watching, and hands the
// viewers' requests to the engine while polling.
func (el *Elector) Run(ctx context.Context) {
	for {
		wait := el.step(ctx)
		if !el.sleep(ctx, wait) {
			break
		}
	}
	el.mu.Lock()
	term := el.term
	el.term = 0
	if el.guard != nil {
		el.guard()
	}
	el.mu.Unlock()
	if term > 0 {
		// A clean exit: the next viewer's claim takes over at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := el.o.Store.Resign(rctx, el.o.Workspace, el.o.Holder, term); err != nil {
			el.o.Log.Warn("resign the poller lease", "err", err)
		}
	}
}

// step does one round and returns how long to wait for the next.
func (el *Elector) step(ctx context.Context) time.Duration {
	now := el.o.Clock.Now()
	el.mu.Lock()
	term, expires := el.term, el.expires
	el.mu.Unlock()
	select {
	case <-el.lost:
		if term > 0 {
			el.watch(el.by)
			term = 0
		}
	default:
	}
	if term == 0 || !now.Before(expires.Add(-el.o.TTL*2/3)) {
		// A viewer's look, or the poller's renewal, due a third into the TTL.
		// A renewal that has not answered within a third of the TTL is
		// given up: a store that hangs must not keep this process polling
		// past a lease it can no longer prove it holds.
		cctx, cancel := el.deadline(ctx, el.o.TTL/3)
		l, err := el.o.Store.Claim(cctx, el.o.Workspace, el.o.Holder, el.o.TTL)
		if err == nil && !l.Mine && el.o.Gone != nil && el.o.Gone(Holder{Name: l.Holder, Nonce: l.Nonce}) {
			el.o.Log.Info("the poller's process has ended: taking over", "was", l.Holder)
			l, err = el.o.Store.TakeFrom(cctx, el.o.Workspace, el.o.Holder, l.Term, el.o.TTL)
		}
		cancel()
		switch {
		case err != nil:
			el.o.Log.Warn("claim the poller lease", "err", err)
			if term > 0 && !el.o.Clock.Now().Before(expires.Add(-claimEvery)) {
				// Could not renew in time: stop before the lease runs out,
				// a whole claimEvery before, so that the next poller (which
				// claims only once it has) never polls alongside this one.
				el.watch("")
			}
		case l.Mine:
			until := now.Add(el.o.TTL)
			if l.Expires.Before(until) {
				until = l.Expires
			}
			el.hold(l.Term, until)
			if term != l.Term {
				el.poll(l.Term)
			}
		default:
			el.mu.Lock()
			el.by = l.Holder
			el.mu.Unlock()
			el.watch(l.Holder) // also refreshes the header when the poller changed
			if d := l.Expires.Sub(now); d >= 0 && d < claimEvery {
				return d + time.Millisecond // claim the moment it runs out
			}
		}
	}
	el.mu.Lock()
	term = el.term
	el.mu.Unlock()
	if term == 0 {
		return claimEvery
	}
	fctx, cancel := el.deadline(ctx, el.o.TTL/3)
	defer cancel()
	if el.flush(fctx, term) {
		el.watch("")
		return claimEvery
	}
	reqs, err := el.o.Store.Take(fctx, el.o.Workspace, el.o.Holder, term)
	if errors.Is(err, ErrFenced) {
		el.watch("")
		return claimEvery
	}
	if err != nil {
		el.o.Log.Warn("take viewers' requests", "err", err)
	}
	for _, r := range reqs {
		el.o.Log.Debug("viewer's request", "kind", r.Kind, "id", r.ID)
		switch r.Kind {
		case AskRefresh:
			if r.ID == "" {
				el.eng.Refresh()
			} else {
				el.eng.Refresh(r.ID)
			}
		case AskNudge:
			el.eng.Nudge(r.ID)
		case AskCallback:
			el.eng.Callback(r.ID, r.ShareURL, r.At)
		}
	}
	return takeEvery
}

// flush writes the answers the store could not take before, those polled
// at term; it reports whether the lease turned out lost.
func (el *Elector) flush(ctx context.Context, term int64) (fenced bool) {
	el.mu.Lock()
	ids := make([]string, 0, len(el.unsaved))
	for id := range el.unsaved {
		ids = append(ids, id)
	}
	el.mu.Unlock()
	for _, id := range ids {
		el.saveMu.Lock()
		el.mu.Lock()
		u, ok := el.unsaved[id]
		if ok && u.term != term {
			delete(el.unsaved, id) // polled under another term: stale now
			ok = false
		}
		el.mu.Unlock()
		if !ok {
			el.saveMu.Unlock()
			continue
		}
		err := el.o.Store.SaveFenced(ctx, el.o.Workspace, el.o.Holder, term, u.job)
		el.mu.Lock()
		if err == nil || errors.Is(err, ErrFenced) || errors.Is(err, ErrUnstorable) {
			delete(el.unsaved, id) // written, or never will be
		}
		if errors.Is(err, ErrFenced) {
			clear(el.unsaved)
		}
		el.mu.Unlock()
		el.saveMu.Unlock()
		switch {
		case errors.Is(err, ErrFenced):
			el.o.Log.Info("unsaved answers dropped: lease lost")
			return true
		case errors.Is(err, ErrUnstorable):
			el.o.Log.Warn("an answer the store cannot keep: dropped", "id", id, "err", err)
			continue
		case err != nil:
			return false // the store still does not answer: next round
		}
		el.o.Log.Debug("saved an answer the store had refused", "id", id)
	}
	return false
}

// deadline is ctx ending after d on the elector's clock.
func (el *Elector) deadline(ctx context.Context, d time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := el.o.Clock.AfterFunc(d, cancel)
	return ctx, func() { stop(); cancel() }
}

// hold records a renewal of the lease at term, which could run out at
// until, and sets the guard that stops the polling a claimEvery before
// then unless another renewal came first.
func (el *Elector) hold(term int64, until time.Time) {
	el.mu.Lock()
	defer el.mu.Unlock()
	el.expires = until
	if el.guard != nil {
		el.guard()
	}
	el.guard = el.o.Clock.AfterFunc(until.Add(-claimEvery).Sub(el.o.Clock.Now()), func() {
		el.mu.Lock()
		stale := el.term == term && el.expires.Equal(until)
		el.mu.Unlock()
		if stale {
			el.o.Log.Warn("the poller lease was not renewed in time: polling stops", "term", term)
			el.watch("")
		}
	})
}

// poll makes this process the poller at term.
func (el *Elector) poll(term int64) {
	el.mu.Lock()
	el.term = term
	el.mu.Unlock()
	el.o.Log.Info("polling", "term", term)
	el.eng.StartPolling()
}

// watch makes this process a viewer of by's polls.
func (el *Elector) watch(by string) {
	el.mu.Lock()
	was := el.term
	el.term = 0
	el.mu.Unlock()
	if was > 0 {
		el.o.Log.Info("watching", "by", by, "was term", was)
	}
	el.eng.StopPolling(by, el.ask)
}

// sleep waits d on the elector's clock; false when ctx ended first.
func (el *Elector) sleep(ctx context.Context, d time.Duration) bool {
	ch := make(chan struct{})
	stop := el.o.Clock.AfterFunc(d, func() { close(ch) })
	defer stop()
	select {
	case <-ctx.Done():
		return false
	case <-ch:
		return true
	case <-el.lost:
		select { // put it back for step to see
		case el.lost <- struct{}{}:
		default:
		}
		return true
	}
}

// ask sends a viewer's request to the poller through the store.
func (el *Elector) ask(r Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := el.o.Store.Ask(ctx, el.o.Workspace, r); err != nil {
		el.o.Log.Warn("ask the poller", "err", err)
	}
}

// Added implements Persister: the user's own additions, from any role.
func (el *Elector) Added(jobs []Job) error { return el.o.Store.Added(jobs) }

// Removed implements Persister.
func (el *Elector) Removed(ids []string) error { return el.o.Store.Removed(ids) }

// Changed implements Persister: a poll's answer, written only under the
// lease's current term. A viewer writes none: its states come from the
// store. It is called with the engine's lock held, so a lost lease is only
// flagged here; Run stops the polling.
func (el *Elector) Changed(j Job) error {
	el.mu.Lock()
	term := el.term
	el.mu.Unlock()
	if term == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	el.saveMu.Lock()
	err := el.o.Store.SaveFenced(ctx, el.o.Workspace, el.o.Holder, term, j)
	el.mu.Lock()
	if err != nil && !errors.Is(err, ErrFenced) && !errors.Is(err, ErrUnstorable) {
		if el.unsaved == nil {
			el.unsaved = map[string]unsavedJob{}
		}
		el.unsaved[j.ID] = unsavedJob{j, term}
	} else {
		delete(el.unsaved, j.ID) // saved, or another process's to save now
	}
	el.mu.Unlock()
	el.saveMu.Unlock()
	if errors.Is(err, ErrFenced) {
		select {
		case el.lost <- struct{}{}:
		default:
		}
		el.o.Log.Info("answer not saved: lease lost", "id", j.ID)
		return nil
	}
	return err
}
