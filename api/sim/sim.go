// Package sim pretends to be the Colossyan API (colossyan-api.md): jobs that
// move through every status, generated videos with real bytes, callbacks,
// bearer auth and faults on demand, all deterministic under a seed and a
// clock, so reel and anyone's own integration can be tested with no account
// and no network.
//
// Routes: under APIPrefix, GET and DELETE /video-generation-jobs/{id}, POST
// /video-generation-jobs and /video-generation-jobs/template-jobs, GET and
// DELETE /generated-videos/{id}; outside it, GET /files/{videoId}.mp4|.png
// (signed, expiring links; no token needed) and GET /share/{videoId}.
//
// Tests use New with a fake clock and serve Handler with httptest, moving
// the clock and calling Flush for callbacks; reel sim and reel demo use
// Start. AddJob, AddVideo, InjectFaults, ExpireLinks and Requests are the
// levers and gauges a test needs.
package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// DefaultToken is the bearer token the simulator accepts when Options.Token
// is empty. It is the simulator's own, never a real Colossyan key.
const DefaultToken = "sim-token"

// Options configure a simulator. The zero value is a working, empty,
// fault-free simulator on the real clock.
type Options struct {
	// Jobs is how many jobs exist from the start, a mix of outcomes and
	// durations (see the package's preset list): at speed 1 every status
	// shows within a minute.
	Jobs int
	// BareVideos is how many generated videos exist with no job.
	BareVideos int
	// Speed scales time: 10 runs jobs ten times faster. Zero means 1.
	Speed float64
	// Seed makes ids, durations, outcomes, bytes and faults repeatable.
	Seed int64
	// Token is the bearer token accepted; DefaultToken when empty.
	Token string
	// Now is the clock; time.Now when nil. Job state is a pure function of
	// the job's spec, its creation time and Now.
	Now func() time.Time

	// Faults is the chance (0..1) that an API request meets a fault, drawn
	// from FaultKinds (every API fault when nil).
	Faults     float64
	FaultKinds []Fault
	// FileFaults is the same for file downloads, drawn from FileFaultKinds
	// (DefaultFileFaults when nil).
	FileFaults     float64
	FileFaultKinds []Fault
	// StallFor is how long a stall holds a request unless the client gives
	// up first; 20 s when zero. Real time, not scaled by Speed.
	StallFor time.Duration

	// RateLimit, when positive, caps API requests a second (clock time)
	// with a burst of Burst (1 when zero); beyond it the answer is 429 with
	// Retry-After, as a real rate limiter would give.
	RateLimit float64
	Burst     int

	// LinkTTL is how long a publicUrl or thumbnailUrl stays valid, in clock
	// time; 15 minutes when zero.
	LinkTTL time.Duration

	// HTTPClient posts callbacks; a client with a 10 s timeout when nil.
	HTTPClient *http.Client
	// NoFailureCallbacks stops callbacks for failed jobs (the docs do not
	// say whether Colossyan sends them).
	NoFailureCallbacks bool
	// CallbackEvery is how often a started Server fires due callbacks, in
	// real time; 250 ms when zero, never when negative (call Flush).
	CallbackEvery time.Duration

	// Addr is where Start listens; 127.0.0.1:0 when empty.
	Addr string
	// FileAddr, when set, makes Start serve files from a second listener,
	// a different origin standing for Colossyan's CDN.
	FileAddr string

	// Logf, when set, receives one line per request.
	Logf func(format string, args ...any)
}

// Sim is the simulated API. Its methods are safe for concurrent use.
type Sim struct {
	opts   Options
	speed  float64
	now    func() time.Time
	secret []byte
	start  time.Time

	mu         sync.Mutex
	rng        *rand.Rand
	jobs       map[string]*job
	jobOrder   []string
	videos     map[string]*video
	videoOrder []string
	examples   []Example

	faults, fileFaults float64
	forced, forcedFile []Fault
	reqN, fileReqN     uint64
	linkEpoch          int
	bucket             float64   // rate limit tokens left
	bucketAt           time.Time // when bucket was last filled

	// Links point at the origin a request came by; with a separate file
	// listener (Start with FileAddr), at that port on the same host name.
	filePort   string
	fileOrigin string // a fixed file origin, overriding the above
	originHint string // the API origin for callbacks when no request came yet
	lastOrigin string // the origin of the last API request

	stats     Stats
	callbacks []CallbackRecord
	creations []Creation

	thumbs sync.Map // video id -> []byte PNG
}

// New builds a simulator with the preset jobs and bare videos the options
// ask for, all created at Now.
func New(opts Options) *Sim {
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StallFor <= 0 {
		opts.StallFor = 20 * time.Second
	}
	if opts.LinkTTL <= 0 {
		opts.LinkTTL = 15 * time.Minute
	}
	if opts.FaultKinds == nil {
		opts.FaultKinds = AllFaults
	}
	if opts.FileFaultKinds == nil {
		opts.FileFaultKinds = DefaultFileFaults
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	sum := sha256.Sum256(binary.LittleEndian.AppendUint64([]byte("reel-sim-links"), uint64(opts.Seed)))
	s := &Sim{
		opts:       opts,
		speed:      opts.Speed,
		now:        opts.Now,
		secret:     sum[:],
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed_c0105_5a9)),
		jobs:       map[string]*job{},
		videos:     map[string]*video{},
		faults:     opts.Faults,
		fileFaults: opts.FileFaults,
		stats:      newStats(),
	}
	s.start = s.now()
	s.addPresets(opts.Jobs, opts.BareVideos)
	return s
}

// Token is the bearer token the simulator accepts.
func (s *Sim) Token() string { return s.opts.Token }

// Speed is the time scale in use.
func (s *Sim) Speed() float64 { return s.speed }

// Seed is the seed in use.
func (s *Sim) Seed() int64 { return s.opts.Seed }

// JobIDs lists every job id, in the order created.
func (s *Sim) JobIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.jobOrder...)
}

// VideoIDs lists every generated video id (those of jobs and the bare
// ones), in the order created.
func (s *Sim) VideoIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.videoOrder...)
}

// BareVideoIDs lists the generated videos that have no job.
func (s *Sim) BareVideoIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.videoOrder {
		if s.videos[id].jobID == "" {
			out = append(out, id)
		}
	}
	return out
}

// Example is a preset ID worth trying, with what it shows.
type Example struct {
	ID   string
	What string
}

// Examples lists a few preset IDs that show the interesting paths: one
// finishing soon, one failing, one generating for long, one bare video.
func (s *Sim) Examples() []Example {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Example(nil), s.examples...)
}

// SetFaults changes the API fault rate (0..1).
func (s *Sim) SetFaults(rate float64) {
	s.mu.Lock()
	s.faults = rate
	s.mu.Unlock()
}

// SetFileFaults changes the file download fault rate (0..1).
func (s *Sim) SetFileFaults(rate float64) {
	s.mu.Lock()
	s.fileFaults = rate
	s.mu.Unlock()
}

// InjectFaults makes the next API requests meet these faults, in order,
// whatever the rate.
func (s *Sim) InjectFaults(kinds ...Fault) {
	s.mu.Lock()
	s.forced = append(s.forced, kinds...)
	s.mu.Unlock()
}

// InjectFileFaults makes the next file requests meet these faults, in
// order, whatever the rate.
func (s *Sim) InjectFileFaults(kinds ...Fault) {
	s.mu.Lock()
	s.forcedFile = append(s.forcedFile, kinds...)
	s.mu.Unlock()
}

// ExpireLinks makes every publicUrl and thumbnailUrl handed out so far
// invalid (403), as if Colossyan's temporary links had run out. A fresh
// GET /generated-videos/{id} gives links that work.
func (s *Sim) ExpireLinks() {
	s.mu.Lock()
	s.linkEpoch++
	s.mu.Unlock()
}

// setOrigins tells the Sim where it listens (Start knows its listeners).
func (s *Sim) setOrigins(originHint, filePort string) {
	s.mu.Lock()
	s.originHint, s.filePort = originHint, filePort
	s.mu.Unlock()
}

// SetFileOrigin makes links point at this origin (scheme://host:port), for
// a file host served elsewhere, e.g. FileHandler in a second httptest
// server.
func (s *Sim) SetFileOrigin(origin string) {
	s.mu.Lock()
	s.fileOrigin = origin
	s.mu.Unlock()
}

// elapsed is the simulated time between two clock readings.
func (s *Sim) elapsed(from, to time.Time) time.Duration {
	return time.Duration(float64(to.Sub(from)) * s.speed)
}

// wall is the clock time a simulated duration takes.
func (s *Sim) wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.speed)
}
