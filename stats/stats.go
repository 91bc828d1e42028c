// Package stats says where the time goes: it summarizes the store's history
// of status changes into counts, distributions, throughput, failure reasons
// and the slowest jobs, and draws them as text charts. It reads no store
// and knows no screen: the store hands it Runs, and the dashboard and
// `reel stats` show what it returns.
package stats

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
)

// Change is one status change of a job, as the store recorded it.
type Change struct {
	Status api.Status
	At     time.Time
}

// Run is one job's life in milestones, and the little the summary needs
// besides. The store keeps the milestones as history grows, so a summary
// reads one short row a job; RunOf reads them from a job's changes.
type Run struct {
	ID          string
	Name        string // the video's name; "" when unknown
	First, Last Change // the oldest and newest change
	// LeftQueue is when a job first seen in_queue first moved on; Prep
	// and Gen are its first preprocessing and generating. Zero: not seen.
	LeftQueue, Prep, Gen time.Time
	// VideoSeconds is the finished video's length; 0 when unknown.
	VideoSeconds float64
	// Reason is why a failed job failed, as its job object says (raw
	// server text); "" when it says nothing or the job did not fail.
	Reason string
}

// RunOf reads a job's milestones from its changes, oldest first.
func RunOf(id string, cs []Change) Run {
	r := Run{ID: id}
	for i, c := range cs {
		if i == 0 {
			r.First = c
		}
		if r.LeftQueue.IsZero() && r.First.Status == api.StatusInQueue && c.Status != api.StatusInQueue {
			r.LeftQueue = c.At
		}
		if r.Prep.IsZero() && isPrep(c.Status) {
			r.Prep = c.At
		}
		if r.Gen.IsZero() && c.Status == api.StatusGenerating {
			r.Gen = c.At
		}
		if !c.At.Before(r.Last.At) {
			r.Last = c
		}
	}
	return r
}

// Limits that keep a summary's memory flat whatever the history holds.
const (
	// TopReasons is how many failure reasons are listed; the rest are
	// counted together.
	TopReasons = 10
	// MaxReasons is how many distinct reasons are counted apart; past
	// it, new ones count as "other".
	MaxReasons = 1000
	// TopSlowest is how many of the slowest jobs are listed.
	TopSlowest = 10
	// HistogramBins is the most bins a distribution's histogram has.
	HistogramBins = 10
	// MaxBuckets is the most throughput buckets; a long span widens them.
	MaxBuckets = 48
)

// statusWords are the API's status words, the ones api.Status.Known
// names: counted without a map, and the one list of them that the store
// reads its rows' words against (KnownStatus).
var statusWords = [...]api.Status{
	api.StatusInQueue, api.StatusPreprocessing, api.StatusPreprocessingFinished, api.StatusGenerating,
	api.StatusFinished, api.StatusFailed, api.StatusDeleted,
}

// knownIndex is s's place in statusWords, or -1 for a word the docs do
// not name.
func knownIndex(s string) int {
	for i, k := range statusWords {
		if string(k) == s {
			return i
		}
	}
	return -1
}

// KnownStatus is s as the API's own status word, a string of this
// program's rather than a copy, when the docs name it; false otherwise.
// A reader whose strings are borrowed (the store's rows) keeps them so.
func KnownStatus(s string) (api.Status, bool) {
	if i := knownIndex(s); i >= 0 {
		return statusWords[i], true
	}
	return "", false
}

// NoReason is the reason listed for failed jobs whose object says nothing.
const NoReason = "(no reason given)"

// Summarizer folds Runs into a Summary, one at a time, so the history is
// never all in memory. It holds no run: one int64 a job for each stage it
// was seen through (queue, preprocessing, rendering, per minute of video),
// since exact percentiles need them all, one a finish (for throughput), a
// count a status word, at most MaxReasons reasons and the TopSlowest
// slowest jobs. Add copies the strings it keeps, so a reader may hand it
// runs whose strings it reuses.
type Summarizer struct {
	since      int64 // Unix nanoseconds; 0: all the history
	sinceAt    time.Time
	now        time.Time
	jobs       int
	oldest     int64                 // Unix nanoseconds; 0: none yet
	known      [len(statusWords)]int // by statusWords
	counts     map[api.Status]int    // the words statusWords lacks
	queue      []time.Duration
	prep       []time.Duration
	render     []time.Duration
	perMinute  []time.Duration
	finishes   []int64 // Unix nanoseconds
	reasons    map[string]int
	otherFails int
	slow       slowHeap
}

// NewSummarizer starts a summary of the span from since (zero: all the
// history) to now.
func NewSummarizer(since, now time.Time) *Summarizer {
	return &Summarizer{since: nanos(since), sinceAt: since, now: now, counts: map[api.Status]int{}, reasons: map[string]int{}}
}

// Grow makes room for n more runs, when the caller knows about how many
// will come: the durations are then kept without copying them as they
// grow.
func (z *Summarizer) Grow(n int) {
	if n <= 0 {
		return
	}
	z.queue = slices.Grow(z.queue, n)
	z.prep = slices.Grow(z.prep, n)
	z.render = slices.Grow(z.render, n)
	z.finishes = slices.Grow(z.finishes, n)
}

// Phases is how long one job spent in each stage, as far as its history
// shows; a stage it was never seen in, or never seen leave, is 0 with its
// flag false.
type Phases struct {
	Queue, Prep, Render, Total time.Duration
	HasQueue, HasPrep          bool
	HasRender, HasTotal        bool
	Ended                      api.Status // the terminal status, "" while running
	EndedAt                    time.Time
}

// PhasesOf reads a job's stages from its milestones. Queue wait runs from
// the first in_queue to the first later status; preprocessing from the
// first preprocessing status to the first generating or the end; rendering
// from the first generating to finished. A job first seen past the queue
// has no queue wait; one that jumped a stage between two polls has no time
// for it.
func PhasesOf(r *Run) Phases {
	m := marksOf(r)
	n := phasesOf(&m)
	p := Phases{Queue: time.Duration(n.queue), Prep: time.Duration(n.prep), Render: time.Duration(n.render),
		Total: time.Duration(n.total), HasQueue: n.hasQueue, HasPrep: n.hasPrep, HasRender: n.hasRender,
		HasTotal: n.hasTotal, Ended: n.ended}
	if n.ended != "" {
		p.EndedAt = r.Last.At
	}
	return p
}

// Marks is a Run with its times as Unix nanoseconds (0: not seen), as the
// store keeps them, so that a reader of many can fold them (AddMarks)
// without making a time.Time of each. Times are after 1970.
type Marks struct {
	ID, Name     string
	Queued       bool // first seen in_queue
	First, Last  int64
	LeftQueue    int64
	Prep, Gen    int64
	LastStatus   api.Status
	VideoSeconds float64
	Reason       string
}

// marksOf is r as Marks.
func marksOf(r *Run) Marks {
	return Marks{ID: r.ID, Name: r.Name, Queued: r.First.Status == api.StatusInQueue,
		First: nanos(r.First.At), Last: nanos(r.Last.At), LeftQueue: nanos(r.LeftQueue),
		Prep: nanos(r.Prep), Gen: nanos(r.Gen), LastStatus: r.Last.Status,
		VideoSeconds: r.VideoSeconds, Reason: r.Reason}
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// stages is Phases in nanoseconds: the one place the stages are worked out.
type stages struct {
	queue, prep, render, total             int64
	hasQueue, hasPrep, hasRender, hasTotal bool
	ended                                  api.Status
	endedAt                                int64
}

func phasesOf(m *Marks) stages {
	var p stages
	if m.LastStatus.Terminal() {
		p.ended, p.endedAt = m.LastStatus, m.Last
	}
	// A job seen going from the queue straight to its end, between two
	// polls, spent some of that time working: its queue wait is unknown.
	jumped := p.ended != "" && m.LeftQueue >= p.endedAt
	if m.Queued && m.LeftQueue != 0 && !jumped {
		p.queue, p.hasQueue = m.LeftQueue-m.First, true
	}
	if m.Prep != 0 {
		end := m.Gen
		if end == 0 || end < m.Prep {
			end = p.endedAt
		}
		if end != 0 && end >= m.Prep {
			p.prep, p.hasPrep = end-m.Prep, true
		}
	}
	if m.Gen != 0 && p.ended == api.StatusFinished && p.endedAt >= m.Gen {
		p.render, p.hasRender = p.endedAt-m.Gen, true
	}
	if m.Queued && p.ended != "" {
		p.total, p.hasTotal = p.endedAt-m.First, true
	}
	return p
}

func isPrep(s api.Status) bool {
	return s == api.StatusPreprocessing || s == api.StatusPreprocessingFinished
}

// Add folds one job's run into the summary. Runs whose every change is
// before the span are left out; the store does not send them anyway.
func (z *Summarizer) Add(r *Run) {
	m := marksOf(r)
	z.AddMarks(&m)
}

// AddMarks is Add for a run given as Marks. It keeps none of m's strings
// (it copies the few it keeps), so m may be reused, its strings too.
func (z *Summarizer) AddMarks(m *Marks) {
	if m.Last == 0 || z.since != 0 && m.Last < z.since {
		return
	}
	z.jobs++
	if z.oldest == 0 || m.First < z.oldest {
		z.oldest = m.First
	}
	// The word as a string of the Summarizer's own: m's may be borrowed.
	word := m.LastStatus
	if i := knownIndex(string(word)); i >= 0 {
		z.known[i]++
		word = statusWords[i]
	} else {
		word = api.Status(strings.Clone(string(word)))
		z.counts[word]++
	}
	p := phasesOf(m)
	if p.hasQueue {
		z.queue = append(z.queue, time.Duration(p.queue))
	}
	if p.hasPrep {
		z.prep = append(z.prep, time.Duration(p.prep))
	}
	if p.hasRender {
		z.render = append(z.render, time.Duration(p.render))
	}
	if p.ended == api.StatusFinished {
		if p.endedAt >= z.since {
			z.finishes = append(z.finishes, p.endedAt)
		}
		// A minute of video takes the work from leaving the queue to the end.
		if left := m.LeftQueue; p.hasQueue && m.VideoSeconds > 0 && p.endedAt > left {
			per := time.Duration(float64(p.endedAt-left) * 60 / m.VideoSeconds)
			z.perMinute = append(z.perMinute, per)
		}
	}
	if p.ended == api.StatusFailed {
		reason := m.Reason
		if reason == "" {
			reason = NoReason
		}
		if _, ok := z.reasons[reason]; ok {
			z.reasons[reason]++
		} else if len(z.reasons) < MaxReasons {
			z.reasons[strings.Clone(reason)]++
		} else {
			z.otherFails++
		}
	}
	if total := Seconds(time.Duration(p.total)); p.hasTotal && z.slow.wants(total, m.ID) {
		// Built only for a job that makes the list: most never do.
		sl := Slow{ID: strings.Clone(m.ID), Name: strings.Clone(m.Name), Status: string(word), Total: total,
			EndedAt: time.Unix(0, p.endedAt).UTC()}
		if p.hasQueue {
			q := Seconds(time.Duration(p.queue))
			sl.Queue = &q
		}
		if p.hasRender {
			r := Seconds(time.Duration(p.render))
			sl.Render = &r
		}
		z.slow.offer(sl)
	}
}

// Summary is the numbers behind the charts, as `reel stats --json` prints
// them (README.md documents the shape). Durations are seconds.
type Summary struct {
	// From and To are the span summarized; From is the oldest change seen
	// when no span was asked for, and zero when there is no history.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to"`
	// Jobs is how many jobs changed status in the span; 0 means the
	// store has no history there.
	Jobs int `json:"jobs"`
	// Counts are the jobs by their last status, the API's words.
	Counts map[string]int `json:"counts"`
	// Queue, Preprocessing and Rendering are how long jobs spent in each
	// stage; RenderPerMinute is the work (leaving the queue to finished)
	// per minute of finished video.
	Queue           Distribution `json:"queue"`
	Preprocessing   Distribution `json:"preprocessing"`
	Rendering       Distribution `json:"rendering"`
	RenderPerMinute Distribution `json:"renderPerMinute"`
	Throughput      Throughput   `json:"throughput"`
	// Failures are the failure reasons, most frequent first, at most
	// TopReasons; OtherFailures counts the failed jobs not listed.
	Failures      []Reason `json:"failures"`
	OtherFailures int      `json:"otherFailures"`
	// Slowest are the jobs that took longest from the queue to their end.
	Slowest []Slow `json:"slowest"`
}

// Distribution is how a set of durations spreads: its size, median, 90th
// percentile and extremes, and a histogram of equal-width bins.
type Distribution struct {
	Count     int     `json:"count"`
	Median    float64 `json:"median"`
	P90       float64 `json:"p90"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Histogram []Bin   `json:"histogram"`
}

// Bin counts the durations from From (inclusive) to To (exclusive; the
// last bin includes its end).
type Bin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// Throughput is how many jobs finished in each bucket of the span, oldest
// first: Counts[i] from Start + i×BucketSeconds.
type Throughput struct {
	Start         time.Time `json:"start,omitzero"`
	BucketSeconds int64     `json:"bucketSeconds"`
	Counts        []int     `json:"counts"`
	Finished      int       `json:"finished"`
	// PerHour is Finished over the span's hours.
	PerHour float64 `json:"perHour"`
}

// Reason is one failure reason and how many jobs failed with it.
type Reason struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Slow is one of the slowest jobs.
type Slow struct {
	ID      string    `json:"id"`
	Name    string    `json:"name,omitempty"`
	Status  string    `json:"status"`
	Total   float64   `json:"total"`
	Queue   *float64  `json:"queue"`  // null: not seen (a jump between two polls)
	Render  *float64  `json:"render"` // null: not seen, or the job did not finish
	EndedAt time.Time `json:"endedAt"`
}

// Seconds is a duration as the summary gives it: seconds, to the millisecond.
func Seconds(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// Summary returns the summary of what was added. With no span asked for,
// the span starts at the oldest change added.
func (z *Summarizer) Summary() Summary {
	s := Summary{To: z.now.UTC(), Jobs: z.jobs, Counts: map[string]int{}, OtherFailures: z.otherFails}
	from := z.sinceAt
	if from.IsZero() && z.oldest != 0 {
		from = time.Unix(0, z.oldest)
	}
	if z.jobs > 0 {
		s.From = from.UTC()
	}
	for i, n := range z.known {
		if n > 0 {
			s.Counts[string(statusWords[i])] = n
		}
	}
	for st, n := range z.counts {
		s.Counts[string(st)] = n
	}
	s.Queue = distribution(z.queue)
	s.Preprocessing = distribution(z.prep)
	s.Rendering = distribution(z.render)
	s.RenderPerMinute = distribution(z.perMinute)
	s.Throughput = throughput(z.finishes, from, z.now)
	for r, n := range z.reasons {
		s.Failures = append(s.Failures, Reason{Reason: r, Count: n})
	}
	slices.SortFunc(s.Failures, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	if len(s.Failures) > TopReasons {
		for _, r := range s.Failures[TopReasons:] {
			s.OtherFailures += r.Count
		}
		s.Failures = s.Failures[:TopReasons]
	}
	if s.Failures == nil {
		s.Failures = []Reason{}
	}
	s.Slowest = z.slow.sorted()
	return s
}

// distribution describes ds, reordering it. Its percentiles are picked
// out, not sorted out: a sort of 50,000 durations a stage was a quarter of
// the fold's time.
func distribution(ds []time.Duration) Distribution {
	d := Distribution{Count: len(ds), Histogram: []Bin{}}
	if len(ds) == 0 {
		return d
	}
	lowest, highest := slices.Min(ds), slices.Max(ds)
	// The 90th percentile's rank is the median's or above it: once the
	// median is in place, everything above it is on its right.
	i50, i90 := rank(len(ds), 0.5), rank(len(ds), 0.9)
	med := nth(ds, i50)
	p90 := med
	if i90 > i50 {
		p90 = nth(ds[i50+1:], i90-i50-1)
	}
	d.Median, d.P90 = Seconds(med), Seconds(p90)
	d.Min, d.Max = Seconds(lowest), Seconds(highest)
	width := niceStep((highest - lowest) / HistogramBins)
	lo := lowest.Truncate(width)
	n := int((highest-lo)/width) + 1
	n = min(n, HistogramBins+1)
	bins := make([]Bin, n)
	for i := range bins {
		from := lo + time.Duration(i)*width
		bins[i] = Bin{From: Seconds(from), To: Seconds(from + width)}
	}
	for _, x := range ds {
		i := min(int((x-lo)/width), n-1)
		bins[i].Count++
	}
	d.Histogram = bins
	return d
}

// rank is the index, in sorted order, of the nearest-rank q-quantile of
// n values.
func rank(n int, q float64) int {
	i := int(float64(n)*q+0.999999) - 1
	return max(0, min(i, n-1))
}

// nth reorders ds so that ds[k] is the value a sort would put there, with
// none greater before it and none smaller after it, and returns it:
// Hoare's selection, linear on average. Should a run of poor pivots make it
// slow, the rest is sorted instead.
func nth(ds []time.Duration, k int) time.Duration {
	lo, hi := 0, len(ds)-1
	for tries := 0; lo < hi; tries++ {
		if tries > 64 {
			slices.Sort(ds[lo : hi+1])
			break
		}
		// The median of three as the pivot, swapped to lo.
		mid := lo + (hi-lo)/2
		if ds[mid] < ds[lo] {
			ds[mid], ds[lo] = ds[lo], ds[mid]
		}
		if ds[hi] < ds[lo] {
			ds[hi], ds[lo] = ds[lo], ds[hi]
		}
		if ds[hi] < ds[mid] {
			ds[hi], ds[mid] = ds[mid], ds[hi]
		}
		ds[lo], ds[mid] = ds[mid], ds[lo]
		p := ds[lo]
		// Three-way partition: < p, == p, > p, so equal values (common
		// when polls land on whole seconds) never make it quadratic.
		lt, i, gt := lo, lo+1, hi
		for i <= gt {
			switch {
			case ds[i] < p:
				ds[lt], ds[i] = ds[i], ds[lt]
				lt++
				i++
			case ds[i] > p:
				ds[i], ds[gt] = ds[gt], ds[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
	return ds[k]
}

// steps are the bin widths people read at a glance.
var steps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	2 * 24 * time.Hour, 7 * 24 * time.Hour,
}

// niceStep is the smallest readable width at least d.
func niceStep(d time.Duration) time.Duration {
	for _, s := range steps {
		if s >= d {
			return s
		}
	}
	return steps[len(steps)-1] * time.Duration(d/steps[len(steps)-1]+1)
}

// throughput counts the finishes in buckets from from to now: an hour each
// while that makes at most MaxBuckets, wider (a readable step) otherwise.
func throughput(finishes []int64, from, now time.Time) Throughput {
	t := Throughput{Counts: []int{}, BucketSeconds: 3600}
	if from.IsZero() || !now.After(from) {
		return t
	}
	span := now.Sub(from)
	width := time.Hour
	if span > MaxBuckets*time.Hour {
		width = niceStep((span + MaxBuckets - 1) / MaxBuckets)
	}
	start := from.Truncate(width)
	n := int(now.Sub(start)/width) + 1
	t.Start, t.BucketSeconds, t.Counts = start.UTC(), int64(width/time.Second), make([]int, n)
	s := start.UnixNano()
	for _, f := range finishes {
		if f < s {
			continue
		}
		t.Counts[min(int(time.Duration(f-s)/width), n-1)]++
		t.Finished++
	}
	// Under an hour, the rate is what the span holds: a burst of a few
	// minutes is not a thousand an hour.
	h := max(span.Hours(), 1)
	t.PerHour = float64(int(float64(t.Finished)/h*100+0.5)) / 100
	return t
}

// slowHeap keeps the TopSlowest slowest jobs: a min-heap by total time, so
// the quickest of them is the one a slower job replaces.
type slowHeap []Slow

func (h slowHeap) Len() int { return len(h) }
func (h slowHeap) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(h[i].Total, h[j].Total), cmp.Compare(h[j].ID, h[i].ID)) < 0
}
func (h slowHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *slowHeap) Push(x any)   { *h = append(*h, x.(Slow)) }
func (h *slowHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// wants reports whether a job of that total and ID would make the list.
func (h slowHeap) wants(total float64, id string) bool {
	if h.Len() < TopSlowest {
		return true
	}
	return cmp.Or(cmp.Compare(h[0].Total, total), cmp.Compare(id, h[0].ID)) < 0
}

func (h *slowHeap) offer(s Slow) {
	if h.Len() < TopSlowest {
		heap.Push(h, s)
		return
	}
	top := slowHeap{s, (*h)[0]}
	if top.Less(1, 0) {
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

// sorted is the slowest first.
func (h slowHeap) sorted() []Slow {
	out := slices.Clone([]Slow(h))
	slices.SortFunc(out, func(a, b Slow) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.ID, b.ID))
	})
	if out == nil {
		out = []Slow{}
	}
	return out
}
