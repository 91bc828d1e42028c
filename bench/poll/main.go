// Command poll compares the track engine's polling with the docs' fixed
// 5 s polling on the same simulated workload, in virtual time: requests
// made, and the delay between a job's end and its detection.
//
//	go run ./bench/poll [-jobs 100] [-seed 1]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

func main() {
	jobs := flag.Int("jobs", 100, "simulated jobs")
	seed := flag.Uint64("seed", 1, "workload seed")
	flag.Parse()
	if err := report(os.Stdout, *jobs, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "poll:", err)
		os.Exit(1)
	}
}

// result is one strategy's figures.
type result struct {
	requests int
	delays   []time.Duration // end to detection, one per job
}

func (r result) quantile(q float64) time.Duration {
	d := slices.Clone(r.delays)
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

func report(w io.Writer, n int, seed uint64) error {
	specs := workload(n, seed)
	fixed := fixedPolling(specs, 5*time.Second)
	eng, err := engine(specs, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d jobs (seed %d): queued 1-10 min, then rendering 2-20 min; virtual time\n", n, seed)
	fmt.Fprintf(w, "%-18s %9s %8s %13s %10s %10s\n", "strategy", "requests", "per job", "median delay", "p90 delay", "max delay")
	for _, row := range []struct {
		name string
		r    result
	}{{"fixed 5 s polling", fixed}, {"reel engine", eng}} {
		fmt.Fprintf(w, "%-18s %9d %8.1f %13s %10s %10s\n", row.name, row.r.requests,
			float64(row.r.requests)/float64(n), row.r.quantile(0.5).Round(10*time.Millisecond),
			row.r.quantile(0.9).Round(10*time.Millisecond), row.r.quantile(1).Round(10*time.Millisecond))
	}
	fmt.Fprintf(w, "engine/fixed requests: %.0f%%\n", 100*float64(eng.requests)/float64(fixed.requests))
	return nil
}

// fixedPolling is the docs' loop: GET the job every interval from the
// start until it says finished, then GET the video once.
func fixedPolling(specs []spec, every time.Duration) result {
	var r result
	for _, s := range specs {
		for t := time.Duration(0); ; t += every {
			r.requests++
			if s.state(t).Status.Terminal() {
				r.delays = append(r.delays, t-s.end())
				r.requests++ // the video
				break
			}
		}
	}
	return r
}

// engine runs the real track engine, default options, on a virtual clock
// against the simulated API until every job has ended.
func engine(specs []spec, seed uint64) (result, error) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := tracktest.NewClock(start)
	sim := newSimAPI(specs, start, clk.Now)
	e := track.New(track.Options{Client: sim, Clock: clk, Rand: rand.New(rand.NewPCG(seed, 7))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()

	ids := make([]string, len(specs))
	for i, s := range specs {
		ids[i] = s.id
	}
	e.Add(ids...)
	limit := start.Add(24 * time.Hour)
	for {
		if err := e.WaitIdle(ctx); err != nil {
			return result{}, err
		}
		if allEnded(e) {
			break
		}
		next, ok := clk.Next()
		if !ok || next.After(limit) {
			return result{}, fmt.Errorf("engine stopped with jobs still running")
		}
		clk.Set(next)
	}
	cancel()
	<-done

	r := result{requests: sim.requests}
	for _, s := range specs {
		r.delays = append(r.delays, sim.seen[s.id]-s.end())
	}
	return r, nil
}

func allEnded(e *track.Engine) bool {
	for _, j := range e.Jobs() {
		if !j.Terminal() || j.Video == nil {
			return false
		}
	}
	return true
}
