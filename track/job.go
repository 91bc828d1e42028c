// Package track is the engine that follows jobs: it holds the tracked IDs,
// decides when each is polled, runs the polls in the background and reports
// what changed. The dashboard and the scripting commands both drive it.
package track

import (
	"time"

	"github.com/reel-dev/reel/api"
)

// Job is a snapshot of one tracked ID. Snapshots are values: the engine
// never mutates one it has handed out.
type Job struct {
	ID    string // as the user gave it
	Seq   int64  // order added; rows sort by it by default
	Added time.Time
	Kind  api.Kind // "" until the first answer says job or video

	JobID   string
	VideoID string

	Status          api.Status // the API's word; "" before the first answer
	NotFound        bool       // 404 as job and as video; not polled until refreshed
	Progress        float64
	MaximumProgress float64

	Job   *api.Job   // last job object, raw fields kept
	Video *api.Video // the generated video, once fetched

	StatusSince time.Time // when Status last changed
	Started     time.Time // first seen past in_queue
	Ended       time.Time // when a terminal status was first seen
	LastPoll    time.Time // last answer of any kind
	NextPoll    time.Time // zero when not scheduled
	ETA         time.Time // estimated finish; zero when unknown
	// Rate is how fast progress moves, as a fraction per second, from the
	// slope of its readings; 0 when unknown. ReadAt is when the reading in
	// Progress was first seen. Together they let a bar move between looks.
	Rate   float64
	ReadAt time.Time

	Err      string // last error, "" after a good answer
	Retrying bool   // a transient error is being backed off

	// Settled: the engine will ask nothing more about this job until a
	// refresh. A finished job settles only once its video (with its
	// links) is in, so a script waiting on it never ends early.
	Settled bool

	ShareURL   string    // from a callback
	CallbackAt time.Time // when the last callback for this job came

	Version uint64 // bumps on every change; renderers cache by (ID, Version)
}

// Terminal reports whether the job will change no more (ended or not found).
func (j Job) Terminal() bool { return j.NotFound || j.Status.Terminal() }

// Fraction is progress over maximumProgress in [0, 1]; 1 when finished.
func (j Job) Fraction() float64 {
	if j.Status == api.StatusFinished {
		return 1
	}
	aj := api.Job{Progress: j.Progress, MaximumProgress: j.MaximumProgress}
	return aj.Fraction()
}

// Conn is how the connection to the API fares, for the header.
type Conn struct {
	LastGood    time.Time // last successful answer
	Retrying    bool      // the last request failed transiently
	KeyRejected bool      // 401/403: everything stopped
	PausedUntil time.Time // a 429's Retry-After holds every request until then
	LastError   string
	Requests    int64 // requests made so far

	// CapCycle is set while the program-wide caps, not the pace, decide
	// how fresh the rows are: about how long one round of every tracked
	// job takes at MaxRPS. Zero while the pace decides.
	CapCycle time.Duration
	MaxRPS   float64 // the request cap in force

	// Role is what this process does for its workspace when it shares a
	// store: "polling", or "watching host:pid" while another process
	// polls; "" when it polls alone.
	Role string
}

// Event is one change: a job's new snapshot, a job removed, or the
// connection's new state.
type Event struct {
	Job     *Job   // set when a job changed or was added
	Removed string // the ID of a job no longer tracked
	Conn    *Conn  // set when the connection state changed
}
