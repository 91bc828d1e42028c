package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// regime is one kind of workload, with the goal reel must meet on it.
type regime struct {
	name  string
	about string
	jobs  int
	// draw makes one job; i is its index.
	draw func(r *rand.Rand, i int) spec
	// maxRatio is the most requests reel may make, as a share of fixed 5 s
	// polling's on the same jobs.
	maxRatio float64
	// capped: the global request cap binds, and fixed polling is held to it
	// too, as a fair loop would be.
	capped bool
	// etaGoal, when set, is the most the median ETA error may be.
	etaGoal float64
	// reported: measured and shown, with no goal. A failure mid-render
	// gives no warning: no pace can see it sooner than its next look.
	reported bool
}

// regimes are the workloads bench/poll measures, in the table's order.
var regimes = []regime{
	{name: "short", about: "whole life 10-60 s, added over 4 min", jobs: 60, draw: short, maxRatio: 1.0},
	{name: "medium", about: "queued 1-10 min, rendering 2-20 min, a quarter stall", jobs: 100, draw: medium, maxRatio: 0.5, etaGoal: 0.15},
	{name: "long", about: "queued up to 1 h, rendering 5 min-1 h", jobs: 100, draw: long, maxRatio: 0.5, etaGoal: 0.15},
	{name: "coarse", about: "progress jumps 10-25 % at irregular gaps", jobs: 100, draw: coarse, maxRatio: 0.5},
	{name: "parked", about: "progress held at the top 5 s-3 min before finished", jobs: 100, draw: parked, maxRatio: 0.5},
	{name: "stalls", about: "1-3 pauses of 20 s-5 min mid-render", jobs: 100, draw: stalls, maxRatio: 0.5},
	{name: "added late", about: "2 in 5 finished, the rest 80-99 % done, when added over 5 min", jobs: 100, draw: addedLate, maxRatio: 1.0},
	{name: "burst", about: "500 submitted at once: the 10 req/s cap binds", jobs: 500, draw: burst, maxRatio: 1.0, capped: true},
	{name: "fails", about: "medium jobs failing at 20-90 % of the render (reported, no goal)", jobs: 100, draw: fails, reported: true},
	{name: "mixed", about: "all of the above but burst, added over 10 min", jobs: 100, draw: mixed, maxRatio: 1.0},
}

// regimeNamed finds a regime by name.
func regimeNamed(name string) (regime, bool) {
	i := slices.IndexFunc(regimes, func(r regime) bool { return r.name == name })
	if i < 0 {
		return regime{}, false
	}
	return regimes[i], true
}

// specs draws the regime's jobs for a seed.
func (g regime) specs(seed uint64) []spec {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]spec, g.jobs)
	for i := range out {
		out[i] = g.draw(r, i)
		out[i].id = fmt.Sprintf("job-%03d", i)
	}
	return out
}

func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// rendering fills in a render of total (preprocessing included) with a
// progress curve that is not a straight line.
func rendering(r *rand.Rand, s spec, total time.Duration) spec {
	s.prep = time.Duration(float64(total) * (0.03 + 0.07*r.Float64()))
	s.render = total - s.prep
	s.maxP = []float64{100, 100, 100, 1000, 37}[r.IntN(5)]
	s.shape = 0.8 + 0.45*r.Float64()
	return s
}

func short(r *rand.Rand, _ int) spec {
	life := between(r, 10*time.Second, 60*time.Second)
	s := spec{addAt: between(r, 0, 4*time.Minute)}
	s.queue = time.Duration(float64(life) * (0.1 + 0.3*r.Float64()))
	s = rendering(r, s, life-s.queue)
	if r.IntN(2) == 0 { // the jobs: steps of ~11 % every ~2.5 s
		s.steps = coarseSteps(r, s.render, 8, 14, 2*time.Second, 3*time.Second, s.maxP)
		s.render = s.steps[len(s.steps)-1].at
	}
	return s
}

func medium(r *rand.Rand, _ int) spec {
	s := spec{queue: between(r, time.Minute, 10*time.Minute)}
	s = rendering(r, s, between(r, 2*time.Minute, 20*time.Minute))
	if r.IntN(4) == 0 { // one job in four pauses for a while mid-render
		s.stalls = []stall{{at: 0.2 + 0.6*r.Float64(), d: between(r, 10*time.Second, 90*time.Second)}}
	}
	return s
}

func long(r *rand.Rand, _ int) spec {
	s := spec{queue: between(r, 0, time.Hour)}
	return rendering(r, s, between(r, 5*time.Minute, time.Hour))
}

// coarseSteps draws jumps of lo-hi % at gaps of gapLo-gapHi until the top.
func coarseSteps(r *rand.Rand, _ time.Duration, lo, hi int, gapLo, gapHi time.Duration, maxP float64) []step {
	var out []step
	var at time.Duration
	pct := 0
	for pct < 100 {
		at += between(r, gapLo, gapHi)
		pct = min(100, pct+lo+r.IntN(hi-lo+1))
		out = append(out, step{at: at, p: float64(int(maxP * float64(pct) / 100))})
	}
	return out
}

func coarse(r *rand.Rand, _ int) spec {
	s := spec{queue: between(r, 30*time.Second, 5*time.Minute), prep: between(r, 5*time.Second, 30*time.Second), maxP: 100}
	s.steps = coarseSteps(r, 0, 10, 25, 10*time.Second, 90*time.Second, s.maxP)
	s.render = s.steps[len(s.steps)-1].at + between(r, 0, 5*time.Second)
	return s
}

func parked(r *rand.Rand, i int) spec {
	s := medium(r, i)
	s.stalls = nil
	s.park = between(r, 5*time.Second, 3*time.Minute)
	return s
}

func stalls(r *rand.Rand, i int) spec {
	s := medium(r, i)
	s.stalls = nil
	for range 1 + r.IntN(3) {
		s.stalls = append(s.stalls, stall{at: 0.05 + 0.9*r.Float64(), d: between(r, 20*time.Second, 5*time.Minute)})
	}
	slices.SortFunc(s.stalls, func(a, b stall) int { return int(1000 * (a.at - b.at)) })
	return s
}

func addedLate(r *rand.Rand, i int) spec {
	s := medium(r, i)
	// Pasted now and then, not all at once.
	s.addAt = between(r, 0, 5*time.Minute)
	if i%5 < 2 { // two in five are over already
		s.age = s.end() + between(r, 0, time.Hour)
		return s
	}
	// 80-99 % of its render done.
	done := 0.8 + 0.19*r.Float64()
	s.age = s.queue + s.prep + time.Duration(done*float64(s.render+s.stalled()))
	return s
}

func burst(r *rand.Rand, i int) spec {
	// The service works through a burst a few at a time: the queue grows
	// with the job's place in it.
	s := spec{queue: time.Duration(i)*4*time.Second + between(r, 0, 30*time.Second)}
	return rendering(r, s, between(r, 2*time.Minute, 10*time.Minute))
}

func mixed(r *rand.Rand, i int) spec {
	kinds := []func(*rand.Rand, int) spec{short, medium, long, coarse, parked, stalls, addedLate}
	s := kinds[i%len(kinds)](r, i)
	s.addAt += between(r, 0, 10*time.Minute)
	return s
}

func fails(r *rand.Rand, i int) spec {
	s := medium(r, i)
	s.stalls = nil
	s.fail = 0.2 + 0.7*r.Float64()
	return s
}
