// Command poll compares the track engine's polling with the docs' fixed
// 5 s polling on the same simulated jobs, in virtual time, in every kind of
// workload (regimes.go): requests made, the delay between a job's end and
// its detection, and how far off the engine's ETA is.
//
//	go run ./bench/poll [-seed 1] [-regime medium]
package main

import (
	"container/heap"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

func main() {
	seed := flag.Uint64("seed", 1, "workload seed")
	only := flag.String("regime", "", "run only this regime")
	flag.Parse()
	if err := report(os.Stdout, *seed, *only); err != nil {
		fmt.Fprintln(os.Stderr, "poll:", err)
		os.Exit(1)
	}
}

// fixedEvery is the docs' loop: GET the job every 5 s.
const fixedEvery = 5 * time.Second

// result is one strategy's figures on one regime.
type result struct {
	requests int
	delays   []time.Duration // end to detection, one per job
	etaErr   []float64       // |ETA - end| / time left, when progress first passed 50 %
	noETA    int             // jobs that passed 50 % with no estimate
}

func quantile[T int64 | float64 | time.Duration](xs []T, q float64) T {
	if len(xs) == 0 {
		return 0
	}
	d := slices.Clone(xs)
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

// row is one regime's figures, both strategies.
type row struct {
	regime      regime
	fixed, reel result
}

func (r row) ratio() float64 { return float64(r.reel.requests) / float64(r.fixed.requests) }

// measure runs one regime.
func measure(g regime, seed uint64) (row, error) {
	specs := g.specs(seed)
	var rps float64
	if g.capped {
		rps = track.DefaultMaxRPS
	}
	out := row{regime: g, fixed: fixedPolling(specs, fixedEvery, rps)}
	var err error
	out.reel, err = engine(specs, seed)
	return out, err
}

func report(w io.Writer, seed uint64, only string) error {
	fmt.Fprintf(w, "bench/poll, seed %d, virtual time: reel's engine against fixed 5 s polling on the same jobs\n\n", seed)
	fmt.Fprintf(w, "%-11s %5s %15s %6s %15s %15s %16s\n", "regime", "jobs", "requests", "ratio", "median delay", "p90 delay", "ETA err (p90)")
	fmt.Fprintf(w, "%-11s %5s %15s %6s %15s %15s %16s\n", "", "", "fixed / reel", "", "fixed / reel", "fixed / reel", "median at 50 %")
	for _, g := range regimes {
		if only != "" && g.name != only {
			continue
		}
		r, err := measure(g, seed)
		if err != nil {
			return fmt.Errorf("%s: %w", g.name, err)
		}
		eta := "-"
		if len(r.reel.etaErr) > 0 {
			eta = fmt.Sprintf("%.1f%% (%.0f%%)", 100*quantile(r.reel.etaErr, 0.5), 100*quantile(r.reel.etaErr, 0.9))
		}
		fmt.Fprintf(w, "%-11s %5d %7d/%-7d %5.2f× %7s/%-7s %7s/%-7s %16s\n", g.name, g.jobs,
			r.fixed.requests, r.reel.requests, r.ratio(),
			secs(quantile(r.fixed.delays, 0.5)), secs(quantile(r.reel.delays, 0.5)),
			secs(quantile(r.fixed.delays, 0.9)), secs(quantile(r.reel.delays, 0.9)), eta)
	}
	fmt.Fprintln(w, "\nregimes:")
	for _, g := range regimes {
		fmt.Fprintf(w, "  %-11s %s\n", g.name, g.about)
	}
	return nil
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// fixedPolling is the docs' loop: GET each job every interval from its
// adding until it says finished, then GET the video once. With rps > 0 the
// loop is held to that many requests a second, serving the job that has
// waited longest first, as a fair loop would.
func fixedPolling(specs []spec, every time.Duration, rps float64) result {
	r := result{delays: make([]time.Duration, len(specs))}
	q := make(fixedQueue, len(specs))
	for i, s := range specs {
		q[i] = &fixedJob{s: s, due: s.addAt}
	}
	heap.Init(&q)
	var gap time.Duration
	if rps > 0 {
		gap = time.Duration(float64(time.Second) / rps)
	}
	var free time.Duration // when the cap lets the next request go
	ask := func(due time.Duration) time.Duration {
		at := max(due, free)
		free = at + gap
		r.requests++
		return at
	}
	for q.Len() > 0 {
		j := heap.Pop(&q).(*fixedJob)
		at := ask(j.due)
		if j.s.state(at).Status.Terminal() {
			r.delays[j.i(specs)] = at - j.s.endInRun()
			if j.s.fail == 0 {
				ask(at) // the video
			}
			continue
		}
		j.due = at + every
		heap.Push(&q, j)
	}
	return r
}

type fixedJob struct {
	s   spec
	due time.Duration
}

func (j *fixedJob) i(specs []spec) int {
	return slices.IndexFunc(specs, func(s spec) bool { return s.id == j.s.id })
}

type fixedQueue []*fixedJob

func (q fixedQueue) Len() int           { return len(q) }
func (q fixedQueue) Less(i, j int) bool { return q[i].due < q[j].due }
func (q fixedQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *fixedQueue) Push(x any)        { *q = append(*q, x.(*fixedJob)) }
func (q *fixedQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// engine runs the real track engine, default options, on a virtual clock
// against the simulated API until every job has ended and its video is in.
// One request in flight: requests take no virtual time, so the cap costs
// nothing, and the engine's random draws (jitter) come in a fixed order,
// which makes a seed's figures the same on every run.
func engine(specs []spec, seed uint64) (result, error) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := tracktest.NewClock(start)
	sim := newSimAPI(specs, start, clk.Now)
	e := track.New(track.Options{Client: sim, Clock: clk, Rand: rand.New(rand.NewPCG(seed, 7)), MaxInFlight: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()

	byAdd := slices.Clone(specs)
	slices.SortStableFunc(byAdd, func(a, b spec) int { return int(a.addAt - b.addAt) })
	bySpec := map[string]spec{}
	for _, s := range specs {
		bySpec[s.id] = s
	}
	var r result
	eta := etaMeter{specs: bySpec, start: start, seen: map[string]bool{}}
	drained, stop := context.WithCancel(context.Background())
	stop() // Next on a done context returns what is pending without waiting

	limit := start.Add(48 * time.Hour)
	for {
		now := clk.Now()
		var ids []string
		for len(byAdd) > 0 && !start.Add(byAdd[0].addAt).After(now) {
			ids = append(ids, byAdd[0].id)
			byAdd = byAdd[1:]
		}
		e.Add(ids...)
		if err := e.WaitIdle(ctx); err != nil {
			return result{}, err
		}
		if evs, err := e.Next(drained); err == nil {
			eta.take(evs, &r)
		}
		if len(byAdd) == 0 && sim.allSettled() {
			break
		}
		next, ok := clk.Next()
		if len(byAdd) > 0 {
			if at := start.Add(byAdd[0].addAt); !ok || at.Before(next) {
				next, ok = at, true
			}
		}
		if !ok || next.After(limit) {
			return result{}, fmt.Errorf("engine stopped with jobs still running")
		}
		clk.Set(next)
	}
	cancel()
	<-done

	r.requests = sim.requests
	for _, s := range specs {
		r.delays = append(r.delays, sim.seen[s.id]-s.endInRun())
	}
	return r, nil
}

// etaMeter takes each job's ETA at the first answer whose progress passed
// half way, and compares it with the job's true end.
type etaMeter struct {
	specs map[string]spec
	start time.Time
	seen  map[string]bool
}

func (m etaMeter) take(evs []track.Event, r *result) {
	for _, ev := range evs {
		j := ev.Job
		if j == nil || m.seen[j.ID] || j.Status != api.StatusGenerating || j.Fraction() < 0.5 {
			continue
		}
		m.seen[j.ID] = true
		s := m.specs[j.ID]
		if s.age > 0 {
			continue // added past half way: not a first pass
		}
		end := m.start.Add(s.endInRun())
		left := end.Sub(j.LastPoll)
		if left <= 0 {
			continue
		}
		if j.ETA.IsZero() {
			r.noETA++
			continue
		}
		r.etaErr = append(r.etaErr, math.Abs(j.ETA.Sub(end).Seconds())/left.Seconds())
	}
}
