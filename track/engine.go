package track

import (
	"container/heap"
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/reel-dev/reel/api"
)

// Client is what the engine needs of the API; *api.Client satisfies it.
type Client interface {
	GetJob(ctx context.Context, id string) (*api.Job, error)
	GetVideo(ctx context.Context, id string) (*api.Video, error)
}

// Defaults for the program-wide caps. The API documents no rate limit, so
// stay well below anything a shared key would mind, yet high enough that a
// first look at 1,000 pasted IDs takes under two minutes; a 429 pauses
// everything anyway.
const (
	DefaultMaxRPS      = 10.0
	DefaultMaxInFlight = 6
)

// Options configure an Engine. Only Client is required.
type Options struct {
	Client      Client
	Clock       Clock         // nil: the real clock. Fake clocks in tests.
	Interval    time.Duration // base poll interval (the user's --interval); 0 = adaptive
	MaxRPS      float64       // global request cap; 0 = DefaultMaxRPS
	MaxInFlight int           // global in-flight cap; 0 = DefaultMaxInFlight
	Rand        *rand.Rand    // jitter source; nil = seeded from time
	Persist     Persister     // optional; nil = memory only
	Log         *slog.Logger  // optional debug log

	// TypicalRender is how long a render usually takes (the store may learn
	// it from history); it gives an ETA before progress moves. 0 = unknown.
	TypicalRender time.Duration
}

// Engine tracks jobs: it schedules their polls on one loop (Run), runs each
// request in a short-lived goroutine bounded by MaxInFlight, and reports
// every change through Next. All methods are safe for concurrent use.
type Engine struct {
	client  Client
	clock   Clock
	pace    pace
	rnd     *rand.Rand
	persist Persister
	log     *slog.Logger

	maxInFlight int
	limiter     *rate.Limiter // requests per second, on the engine's clock

	events *eventQueue
	wake   chan struct{} // pokes the loop: new work, an answer, a timer

	mu          sync.Mutex
	jobs        map[string]*entry
	orphans     map[string]uint64 // removed jobs' requests still in flight, by ID
	due         dueHeap
	nextSeq     int64
	tag         uint64 // last request tag handed out
	inflight    int
	conn        Conn
	connSent    Conn // the Conn last put in an event
	keyRejected bool
	pauseUntil  time.Time // a 429's Retry-After: no request before then
	rateFails   int       // 429s in a row, for backoff when no Retry-After came
	running     bool
	blocked     bool      // the loop waits for a poke
	pending     bool      // a poke the loop has not taken yet
	sleepUntil  time.Time // when the loop's timer fires; zero when none
	stateCh     chan struct{}
	role        role // polling, or watching another process poll (role.go)

	// keyGen counts the user's refreshes, each of which may follow a new
	// key (SetToken): a 401 to a request sent before the last one may be
	// the old key's, and does not reject the new one.
	keyGen uint64
}

// entry is the engine's private record of one tracked job.
type entry struct {
	job       Job
	phase     phase
	due       time.Time // when the next request is due; valid when hidx >= 0
	hidx      int       // index in the due heap; -1 when not scheduled
	tag       uint64    // tag of the request in flight; 0 when none
	stale     bool      // that request was for an earlier incarnation: drop its answer
	again     bool      // nudged during a request: poll again once it answers
	fails     int       // transient errors in a row
	holdUntil time.Time // a 503's Retry-After (or backoff): not before then
	prog      progress  // this stage's readings of progress
	readAt    time.Time // the last answer about the job itself
	named     bool      // the video was asked for once while rendering, for its name
	linkTries int       // answers for a finished job's video that came without links
}

// phase is what the next request for a job is.
type phase int

const (
	phaseLookup      phase = iota // GET the ID as a job
	phaseVideoLookup              // the job endpoint said 404: GET the ID as a video
	phaseJob                      // follow the job (JobID)
	phaseFetchVideo               // finished: GET the generated video, once
	phaseNameVideo                // rendering: GET the video once, for its name
	phaseDone                     // nothing more to ask
)

// String names what a phase asks, for the debug log.
func (p phase) String() string {
	switch p {
	case phaseLookup:
		return "job (first look)"
	case phaseVideoLookup:
		return "video (the ID as a video id)"
	case phaseJob:
		return "job"
	case phaseFetchVideo:
		return "video (links, once finished)"
	case phaseNameVideo:
		return "video (name, while rendering)"
	case phaseDone:
		return "nothing"
	}
	return "phase " + strconv.Itoa(int(p))
}

// New returns an engine; call Run to start polling.
func New(opts Options) *Engine {
	e := &Engine{
		client:      opts.Client,
		clock:       opts.Clock,
		pace:        pace{interval: opts.Interval, typicalRender: opts.TypicalRender},
		rnd:         opts.Rand,
		persist:     opts.Persist,
		log:         opts.Log,
		maxInFlight: opts.MaxInFlight,
		events:      newEventQueue(),
		wake:        make(chan struct{}, 1),
		jobs:        map[string]*entry{},
		orphans:     map[string]uint64{},
		nextSeq:     1,
		stateCh:     make(chan struct{}),
	}
	if e.clock == nil {
		e.clock = RealClock{}
	}
	if e.rnd == nil {
		seed := uint64(time.Now().UnixNano())
		e.rnd = rand.New(rand.NewPCG(seed, seed>>1|1))
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.maxInFlight <= 0 {
		e.maxInFlight = DefaultMaxInFlight
	}
	rps := opts.MaxRPS
	if rps <= 0 {
		rps = DefaultMaxRPS
	}
	e.limiter = rate.NewLimiter(rate.Limit(rps), max(1, int(math.Ceil(rps))))
	e.conn.MaxRPS = rps
	e.connSent.MaxRPS = rps
	return e
}

// ErrRunning is returned by a second concurrent Run.
var ErrRunning = errors.New("track: engine already running")

// Run schedules and polls until ctx is done, then waits for the requests in
// flight to end and returns ctx's error. Jobs can be added before or while
// it runs.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.running {
		e.mu.Unlock()
		return ErrRunning
	}
	e.running = true
	e.mu.Unlock()

	var wg sync.WaitGroup
	var stopTimer func() bool
	defer func() {
		if stopTimer != nil {
			stopTimer()
		}
		wg.Wait()
		e.mu.Lock()
		e.running, e.blocked = false, false
		e.stateChanged()
		e.mu.Unlock()
	}()
	e.mu.Lock()
	for {
		// Take the poke now, under the lock, so "pending" and the channel agree.
		e.pending = false
		select {
		case <-e.wake:
		default:
		}
		if stopTimer != nil {
			stopTimer()
			stopTimer = nil
		}
		now := e.clock.Now()
		wait, timed := e.dispatch(ctx, &wg, now)
		e.sleepUntil = time.Time{}
		if timed {
			e.sleepUntil = now.Add(wait)
			stopTimer = e.clock.AfterFunc(wait, e.timerFired)
		}
		e.blocked = true
		e.stateChanged()
		e.mu.Unlock()

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.wake:
		}
		e.mu.Lock()
		e.blocked = false
	}
}

// dispatch starts every request that is due and allowed now. It returns how
// long until the next one may start, or false when only a poke (new work, an
// answer freeing a slot) can change that. Called with e.mu held.
func (e *Engine) dispatch(ctx context.Context, wg *sync.WaitGroup, now time.Time) (time.Duration, bool) {
	if e.keyRejected || e.role.watching {
		return 0, false // everything stops until the user refreshes, or this process polls
	}
	for len(e.due) > 0 {
		en := e.due[0]
		if en.due.After(now) {
			e.capped(0)
			return en.due.Sub(now), true
		}
		if now.Before(e.pauseUntil) {
			return e.pauseUntil.Sub(now), true
		}
		if e.inflight >= e.maxInFlight {
			e.capped(now.Sub(en.due))
			return 0, false
		}
		r := e.limiter.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			e.capped(now.Sub(en.due))
			return d, true
		}
		heap.Pop(&e.due)
		e.start(ctx, wg, en, now)
	}
	e.capped(0)
	return 0, false
}

// The caps decide freshness once the next poll waits behind them for
// capLagOn; the pace decides again once it waits less than capLagOff.
const (
	capLagOn  = 15 * time.Second
	capLagOff = 2 * time.Second
)

// capped notes how late the most overdue poll is because of the caps, and
// says so in Conn when that, not the pace, decides how fresh rows are.
// Called with e.mu held.
func (e *Engine) capped(lag time.Duration) {
	var cycle time.Duration
	switch {
	case lag >= capLagOn || e.conn.CapCycle > 0 && lag >= capLagOff:
		// One round of every scheduled job at the cap, rounded so the
		// header does not flicker with every poll.
		cycle = time.Duration(float64(len(e.due)+e.inflight) / e.conn.MaxRPS * float64(time.Second))
		unit := 10 * time.Second
		if cycle > 2*time.Minute {
			unit = time.Minute
		}
		cycle = max(cycle.Round(unit), unit)
	}
	if cycle != e.conn.CapCycle {
		e.conn.CapCycle = cycle
		e.emitConn(false)
	}
}

// timerFired wakes the loop when its timer runs out.
func (e *Engine) timerFired() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.poke()
}

// poke wakes the loop; it never blocks. Called with e.mu held.
func (e *Engine) poke() {
	e.pending = true
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// stateChanged tells WaitIdle to look again. Called with e.mu held.
func (e *Engine) stateChanged() {
	close(e.stateCh)
	e.stateCh = make(chan struct{})
}

// idle: the loop waits, no request is in flight and nothing is due at the
// clock's present time. Called with e.mu held.
func (e *Engine) idle() bool {
	return e.running && e.blocked && e.inflight == 0 && !e.pending &&
		(e.sleepUntil.IsZero() || e.sleepUntil.After(e.clock.Now()))
}

// WaitIdle blocks until Run is waiting with no request in flight and nothing
// due at the clock's present time. On a virtual clock this is the moment to
// move time on: tests and the benchmark use it instead of sleeping.
func (e *Engine) WaitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		if e.idle() {
			e.mu.Unlock()
			return nil
		}
		ch := e.stateCh
		e.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Next blocks until at least one event is pending and returns all pending
// events in order. None is ever dropped, and the engine never waits for it.
func (e *Engine) Next(ctx context.Context) ([]Event, error) { return e.events.next(ctx) }

// schedule puts en in the heap for at (not before its hold). Called with
// e.mu held.
func (e *Engine) schedule(en *entry, at time.Time) {
	if at.Before(en.holdUntil) {
		at = en.holdUntil
	}
	en.due = at
	en.job.NextPoll = at
	if en.hidx >= 0 {
		heap.Fix(&e.due, en.hidx)
	} else {
		heap.Push(&e.due, en)
	}
}

// unschedule takes en out of the heap. Called with e.mu held.
func (e *Engine) unschedule(en *entry) {
	if en.hidx >= 0 {
		heap.Remove(&e.due, en.hidx)
	}
	en.job.NextPoll = time.Time{}
}
