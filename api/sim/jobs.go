package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// The status words of colossyan-api.md. The simulator keeps its own copy:
// it imitates the server, and must not follow the client if the client errs.
const (
	statusInQueue               = "in_queue"
	statusPreprocessing         = "preprocessing"
	statusPreprocessingFinished = "preprocessing_finished"
	statusGenerating            = "generating"
	statusFinished              = "finished"
	statusFailed                = "failed"
	statusDeleted               = "deleted"
)

// JobSpec describes a job's whole life in advance. Durations are simulated
// time (divided by Options.Speed on the clock). A zero spec is a job that is
// finished the moment it is added.
type JobSpec struct {
	// ID and VideoID are generated (UUIDs from the seed) when empty. Given
	// ones should match [A-Za-z0-9_-]{1,128}: the API answers 400 to others.
	ID, VideoID string
	// Name is the generated video's name; one is made up when empty.
	Name string

	// Time spent in each status before the next.
	Queued, Preprocessing, Handoff, Generating time.Duration
	// Age backdates the job's creation: a job with an Age beyond its
	// durations has already ended when added.
	Age time.Duration
	// DeleteAfter, when set, deletes the job this long after creation.
	DeleteAfter time.Duration

	// Fail ends the job failed instead of finished, once progress reaches
	// FailAt (a fraction of MaximumProgress; 0.5 when zero).
	Fail       bool
	FailAt     float64
	FailReason string // made up when empty

	// MaximumProgress is what progress climbs to; 100 when zero.
	MaximumProgress int

	// VideoSize is the file's size in bytes (made up when zero);
	// SizeUnknown reports it as null all the same.
	VideoSize   int64
	SizeUnknown bool
	// VideoDuration is in seconds (made up when zero); DurationUnknown
	// reports it as null.
	VideoDuration   float64
	DurationUnknown bool

	// Callback, when set, receives the callback when the job ends.
	Callback         string
	CallbackPayload  map[string]any
	DynamicVariables map[string]any
}

// total is how long the job runs, in simulated time.
func (sp *JobSpec) total() time.Duration {
	return sp.Queued + sp.Preprocessing + sp.Handoff + sp.Generating
}

type job struct {
	spec     JobSpec
	created  time.Time // clock time
	deleted  time.Time // clock time; zero while not deleted
	source   string    // "preset", "api" or "template"
	creative json.RawMessage
	template string
	origin   string // API origin it was created through, for callback links
	fired    bool   // callback sent (or decided against)
}

// state is what a job looks like at a moment.
type state struct {
	status   string
	progress int
	ended    time.Time // clock time of finished/failed; zero before
}

// at is the job's state at now: a pure function of spec, creation and now.
func (s *Sim) at(j *job, now time.Time) state {
	if !j.deleted.IsZero() && !now.Before(j.deleted) {
		st := s.at(&job{spec: j.spec, created: j.created}, j.deleted)
		return state{status: statusDeleted, progress: st.progress}
	}
	sp := &j.spec
	maxP := sp.maximum()
	e := s.elapsed(j.created, now)
	if e >= sp.total() {
		st := state{status: statusFinished, progress: maxP, ended: j.created.Add(s.wall(sp.total()))}
		if sp.Fail {
			st.status, st.progress = statusFailed, sp.failProgress()
		}
		return st
	}
	switch {
	case e < sp.Queued:
		return state{status: statusInQueue}
	case e < sp.Queued+sp.Preprocessing:
		return state{status: statusPreprocessing}
	case e < sp.Queued+sp.Preprocessing+sp.Handoff:
		return state{status: statusPreprocessingFinished}
	}
	target := maxP
	if sp.Fail {
		target = sp.failProgress()
	}
	frac := float64(e-sp.Queued-sp.Preprocessing-sp.Handoff) / float64(sp.Generating)
	p := int(math.Floor(frac * float64(target)))
	// Never report the maximum while still generating: a client may take
	// progress == maximumProgress for the end.
	if p >= maxP {
		p = maxP - 1
	}
	return state{status: statusGenerating, progress: max(p, 0)}
}

func (sp *JobSpec) maximum() int {
	if sp.MaximumProgress <= 0 {
		return 100
	}
	return sp.MaximumProgress
}

func (sp *JobSpec) failProgress() int {
	f := sp.FailAt
	if f <= 0 || f > 1 {
		f = 0.5
	}
	return int(math.Floor(f * float64(sp.maximum())))
}

// AddJob adds a job (and its video) created now minus spec.Age, and returns
// both ids.
func (s *Sim) AddJob(spec JobSpec) (jobID, videoID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.addJobLocked(spec, "preset")
	return j.spec.ID, j.spec.VideoID
}

func (s *Sim) addJobLocked(spec JobSpec, source string) *job {
	if spec.ID == "" {
		spec.ID = uuid(s.rng)
	}
	if spec.VideoID == "" {
		spec.VideoID = uuid(s.rng)
	}
	if spec.Name == "" {
		spec.Name = names[s.rng.IntN(len(names))]
	}
	if spec.FailReason == "" && spec.Fail {
		spec.FailReason = failures[s.rng.IntN(len(failures))]
	}
	if spec.VideoSize <= 0 {
		spec.VideoSize = 2<<20 + s.rng.Int64N(38<<20)
	}
	if spec.VideoDuration <= 0 {
		spec.VideoDuration = float64(15+s.rng.IntN(165)) + float64(s.rng.IntN(1000))/1000
	}
	now := s.now()
	j := &job{spec: spec, created: now.Add(-s.wall(spec.Age)), source: source, origin: s.lastOrigin}
	if spec.DeleteAfter > 0 {
		j.deleted = j.created.Add(s.wall(spec.DeleteAfter))
	}
	s.jobs[spec.ID] = j
	s.jobOrder = append(s.jobOrder, spec.ID)
	s.videos[spec.VideoID] = &video{id: spec.VideoID, jobID: spec.ID, name: spec.Name,
		size: spec.VideoSize, sizeUnknown: spec.SizeUnknown,
		duration: spec.VideoDuration, durationUnknown: spec.DurationUnknown}
	s.videoOrder = append(s.videoOrder, spec.VideoID)
	return j
}

// jitter scales d by a factor in [1-f, 1+f], drawn from the seed.
func jitter(r *rand.Rand, d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * (1 - f + 2*f*r.Float64())).Round(100 * time.Millisecond)
}

// presets are the jobs of Options.Jobs, in a cycle: at speed 1, the first
// eight show every status within a minute.
var presets = []struct {
	what string
	spec JobSpec
}{
	{"finished already", JobSpec{Age: 10 * time.Minute, Queued: 5 * time.Second, Preprocessing: 10 * time.Second, Handoff: 2 * time.Second, Generating: 40 * time.Second}},
	{"finishes in about %s", JobSpec{Queued: 2 * time.Second, Preprocessing: 4 * time.Second, Handoff: 3 * time.Second, Generating: 15 * time.Second}},
	{"fails in about %s", JobSpec{Queued: 3 * time.Second, Preprocessing: 5 * time.Second, Handoff: 2 * time.Second, Generating: 14 * time.Second, Fail: true, FailAt: 0.45}},
	{"generates for about %s (maximumProgress 1000)", JobSpec{Queued: 4 * time.Second, Preprocessing: 8 * time.Second, Handoff: 2 * time.Second, Generating: 30 * time.Minute, MaximumProgress: 1000}},
	{"finishes in about %s (maximumProgress 250, duration null)", JobSpec{Queued: 6 * time.Second, Preprocessing: 8 * time.Second, Handoff: 1 * time.Second, Generating: 30 * time.Second, MaximumProgress: 250, DurationUnknown: true}},
	{"queued long, finishes in about %s (size null)", JobSpec{Queued: 20 * time.Second, Preprocessing: 8 * time.Second, Handoff: 2 * time.Second, Generating: 18 * time.Second, SizeUnknown: true}},
	{"deleted after about %s", JobSpec{Queued: 2 * time.Second, Preprocessing: 5 * time.Second, Handoff: 1 * time.Second, Generating: 5 * time.Minute, DeleteAfter: 40 * time.Second}},
	{"failed already", JobSpec{Age: 5 * time.Minute, Queued: 2 * time.Second, Preprocessing: 3 * time.Second, Handoff: 1 * time.Second, Generating: 20 * time.Second, Fail: true, FailAt: 0.8}},
}

// addPresets creates n preset jobs and b bare videos, all from the seed.
func (s *Sim) addPresets(n, b int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		p := presets[i%len(presets)]
		sp := p.spec
		f := 0.15
		if i >= len(presets) {
			f = 0.4 // later rounds spread wider
		}
		sp.Queued = jitter(s.rng, sp.Queued, f)
		sp.Preprocessing = jitter(s.rng, sp.Preprocessing, f)
		sp.Handoff = jitter(s.rng, sp.Handoff, f)
		sp.Generating = jitter(s.rng, sp.Generating, f)
		if sp.DeleteAfter > 0 {
			sp.DeleteAfter = jitter(s.rng, sp.DeleteAfter, f)
		}
		j := s.addJobLocked(sp, "preset")
		if i < 4 { // the first four tell the story; the rest are in JobIDs
			what := p.what
			if strings.Contains(what, "%s") {
				d := sp.total()
				if sp.DeleteAfter > 0 {
					d = sp.DeleteAfter
				}
				what = fmt.Sprintf(what, roughly(s.wall(d)))
			}
			s.examples = append(s.examples, Example{ID: j.spec.ID, What: what})
		}
	}
	for i := range b {
		v := s.addVideoLocked(VideoSpec{Age: time.Hour + time.Duration(i)*time.Minute})
		if i == 0 {
			s.examples = append(s.examples, Example{ID: v.id, What: "a video with no job (a video id)"})
		}
	}
}

// roughly says a duration the way a person would: "25 s", "30 min".
func roughly(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%d h", int(d.Round(time.Hour).Hours()))
}

// specFor makes up the life of a job created by POST: 20 to 60 s at speed
// 1, one in seven failing.
func (s *Sim) specFor() JobSpec {
	r := s.rng
	sp := JobSpec{
		Queued:        time.Duration(2+r.IntN(5)) * time.Second,
		Preprocessing: time.Duration(3+r.IntN(6)) * time.Second,
		Handoff:       time.Duration(1+r.IntN(3)) * time.Second,
		Generating:    time.Duration(15+r.IntN(30)) * time.Second,
	}
	sp.MaximumProgress = []int{100, 100, 100, 1000, 250}[r.IntN(5)]
	if r.IntN(7) == 0 {
		sp.Fail, sp.FailAt = true, 0.2+0.7*r.Float64()
	}
	return sp
}

// uuid is a version 4 UUID drawn from the seed.
func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

var names = []string{
	"Q3 sales kickoff – EMEA",
	"Onboarding: welcome to Acme",
	"Safety training, module 4",
	"Product update — v2.3",
	"Customer story: Nordwind GmbH",
	"Compliance refresher (DE)",
	"Weekly digest #42",
	"Bienvenue chez Acme 🎬",
	"HR policy walkthrough",
	"Support macro: password reset",
	"Year in review 2025",
	"Onboarding Spanish — Bienvenida",
}

var failures = []string{
	"Avatar rendering failed",
	"Text-to-speech failed for scene 2: unsupported characters",
	"Timed out waiting for a render worker",
	"Media asset could not be downloaded",
}

// jobJSON is the job object as the simulator answers it: the documented
// fields, and a few undocumented ones like those seen elsewhere.
type jobJSON struct {
	ID               string          `json:"id"`
	VideoID          string          `json:"videoId"`
	Status           string          `json:"status"`
	Progress         int             `json:"progress"`
	MaximumProgress  int             `json:"maximumProgress"`
	CreationDate     string          `json:"creationDate"`
	Source           string          `json:"source"`
	TemplateJobID    string          `json:"templateJobId,omitempty"`
	VideoCreative    json.RawMessage `json:"videoCreative,omitempty"`
	DynamicVariables map[string]any  `json:"dynamicVariables,omitempty"`
	FailureReason    string          `json:"failureReason,omitempty"`
	Error            *jobError       `json:"error,omitempty"`
}

type jobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Sim) jobObject(j *job, now time.Time) jobJSON {
	st := s.at(j, now)
	out := jobJSON{
		ID: j.spec.ID, VideoID: j.spec.VideoID, Status: st.status,
		Progress: st.progress, MaximumProgress: j.spec.maximum(),
		CreationDate:     j.created.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Source:           "api",
		TemplateJobID:    j.template,
		VideoCreative:    j.creative,
		DynamicVariables: j.spec.DynamicVariables,
	}
	if j.template != "" {
		out.Source = "template"
	}
	if st.status == statusFailed {
		out.FailureReason = j.spec.FailReason
		out.Error = &jobError{Code: "RENDER_FAILED", Message: j.spec.FailReason}
	}
	return out
}
