// Command tty measures what the dashboard writes to a terminal: reel runs
// as a child in a 160x45 pseudo-terminal against the simulator (in this
// process), and every byte it writes is counted. Two phases:
//
//	(a) jobs generating, progress moving: bytes a second (budget 4 KB/s);
//	(b) every job ended: bytes, API requests and CPU time over a quiet
//	    window (budget: 0 bytes, 0 requests, next to no CPU).
//
// It prints the figures, what the bytes are (text, cursor moves, colours,
// ...) and a typical frame, and exits 1 when a budget is missed.
//
//	(c) with the details open, the cursor walks down the rows and back:
//	    the bytes a selection's picture costs (reported, no budget).
//
//	go run ./bench/tty [-reel PATH] [-jobs 12] [-busy 20s] [-idle 10s] [-sample FILE]
//	                   [-pictures=false] [-thumbnails kitty|iterm2|sixel|halfblocks]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/bench/internal/cpu"
	"github.com/reel-dev/reel/termtest"
)

type config struct {
	reel        string
	jobs        int
	failed      int
	seed        int64
	busy, idle  time.Duration
	w, h        int
	truecolor   bool
	sample      string
	budget      float64       // bytes a second while busy
	idleCPU     time.Duration // CPU allowed over the quiet window
	showFrames  int
	showFrameSz int
	pictures    bool
	thumbnails  string
}

func main() {
	var c config
	flag.StringVar(&c.reel, "reel", "", "reel binary to measure; built from this module when empty")
	flag.IntVar(&c.jobs, "jobs", 12, "jobs on the dashboard")
	flag.IntVar(&c.failed, "failed", 2, "how many of them end failed")
	flag.Int64Var(&c.seed, "seed", 1, "simulator seed")
	flag.DurationVar(&c.busy, "busy", 20*time.Second, "window measured while jobs generate")
	flag.DurationVar(&c.idle, "idle", 10*time.Second, "window measured once every job ended")
	flag.IntVar(&c.w, "w", 160, "terminal width")
	flag.IntVar(&c.h, "h", 45, "terminal height")
	flag.BoolVar(&c.truecolor, "truecolor", true, "set COLORTERM=truecolor, as most terminals do (longest colour codes)")
	flag.StringVar(&c.sample, "sample", "", "write the raw output of the busy window to this file")
	flag.Float64Var(&c.budget, "budget", 4096, "bytes a second allowed while jobs generate")
	// "Next to no CPU": under 1% of one core. Bubble Tea's frame ticker
	// runs even when nothing changes; at the dashboard's 20 fps it costs
	// 40–60 ms in 10 s (the counter moves in 10 ms steps).
	flag.DurationVar(&c.idleCPU, "idle-cpu", 100*time.Millisecond, "CPU time allowed over the quiet window")
	flag.IntVar(&c.showFrames, "frames", 2, "frames of each window to print, quoted")
	flag.IntVar(&c.showFrameSz, "frame-bytes", 700, "bytes of each printed frame")
	flag.BoolVar(&c.pictures, "pictures", true, "walk the rows with the details open and count what the pictures cost")
	flag.StringVar(&c.thumbnails, "thumbnails", "", "force a thumbnails mode (kitty, iterm2, sixel, halfblocks) through the config file")
	flag.Parse()
	ok, err := run(os.Stdout, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tty:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// window is what one phase measured.
type window struct {
	name     string
	d        time.Duration
	bytes    int64
	requests int
	cpu      time.Duration
	frames   [][]byte // the output, read by read
}

func (w window) raw() []byte { return bytes.Join(w.frames, nil) }

func (w window) rate() float64 { return float64(w.bytes) / w.d.Seconds() }

func run(out io.Writer, c config) (bool, error) {
	bin := c.reel
	if bin == "" {
		dir, err := os.MkdirTemp("", "reel-tty-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		if bin, err = termtest.Build(dir, false); err != nil {
			return false, fmt.Errorf("%w (or pass -reel PATH)", err)
		}
	}

	srv, err := sim.Start(sim.Options{Seed: c.seed, Speed: 1})
	if err != nil {
		return false, err
	}
	defer srv.Close()
	// Every job is generating when the dashboard first asks (queued jobs
	// are polled slowly), generates through the whole busy window with
	// time to spare, then they end a second apart.
	var ids []string
	for i := range c.jobs {
		id, _ := srv.AddJob(sim.JobSpec{
			Queued: time.Second, Preprocessing: 2 * time.Second, Handoff: time.Second,
			Generating: c.busy + 20*time.Second + time.Duration(i)*time.Second,
			Age:        5 * time.Second,
			Fail:       i < c.failed, FailAt: 0.9,
		})
		ids = append(ids, id)
	}

	home, err := os.MkdirTemp("", "reel-tty-home-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(home)
	if err := writeThumbnailsSetting(home, c.thumbnails); err != nil {
		return false, err
	}
	env := append(termtest.Env(home, srv.URL(), srv.Token()), "COLORTERM=")
	if c.truecolor {
		env[len(env)-1] = "COLORTERM=truecolor"
	}
	ch, err := termtest.Start(bin, env, c.w, c.h, ids...)
	if err != nil {
		return false, err
	}
	defer quit(ch)

	header := func(parts ...string) func(string) bool {
		return func(s string) bool {
			head, _, _ := strings.Cut(s, "\n")
			return termtest.ContainsAll(parts...)(head)
		}
	}
	gen := "● " + strconv.Itoa(c.jobs) + " generating"
	if _, err := ch.WaitScreen(gen, header(gen), 20*time.Second); err != nil {
		return false, err
	}
	busy, err := measure(ch, srv, "(a) jobs generating", c.busy)
	if err != nil {
		return false, err
	}
	if c.sample != "" {
		if err := os.WriteFile(c.sample, busy.raw(), 0o644); err != nil {
			return false, err
		}
	}

	var done []string
	if n := c.jobs - c.failed; n > 0 {
		done = append(done, "✓ "+strconv.Itoa(n)+" finished")
	}
	if c.failed > 0 {
		done = append(done, "✗ "+strconv.Itoa(c.failed)+" failed")
	}
	if _, err := ch.WaitScreen(strings.Join(done, ", "), header(done...), c.busy+time.Duration(c.jobs+60)*time.Second); err != nil {
		return false, err
	}
	time.Sleep(2 * time.Second) // the last video fetches and the frame after them
	idle, err := measure(ch, srv, "(b) all ended", c.idle)
	if err != nil {
		return false, err
	}

	ok := report(out, c, busy, idle)
	if c.pictures {
		down, back, err := pictures(ch, c.jobs)
		if err != nil {
			return false, err
		}
		reportPictures(out, c.thumbnails, down, back)
	}
	return ok, nil
}

// quit presses q and waits a little for reel to end before Close kills it.
func quit(ch *termtest.Term) {
	_ = ch.Press("q")
	_, _ = ch.Exit(5 * time.Second)
	ch.Close()
}

// measure counts what the child writes, the API requests it makes and its
// CPU time over d.
func measure(ch *termtest.Term, srv *sim.Server, name string, d time.Duration) (window, error) {
	fmt.Fprintf(os.Stderr, "%s: measuring reel (pid %d) for %v\n", name, ch.Pid(), d)
	cpu0, err := cpu.Used(ch.Pid())
	if err != nil {
		return window{}, err
	}
	ch.Record(true)
	b0, r0 := ch.Bytes(), srv.Requests().Total
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	<-ctx.Done()
	b1, r1 := ch.Bytes(), srv.Requests().Total
	frames := ch.Record(false)
	cpu1, err := cpu.Used(ch.Pid())
	if err != nil {
		return window{}, err
	}
	return window{name: name, d: d, bytes: b1 - b0, requests: r1 - r0, cpu: cpu1 - cpu0, frames: frames}, nil
}

func report(out io.Writer, c config, busy, idle window) bool {
	cols := "COLORTERM unset"
	if c.truecolor {
		cols = "COLORTERM=truecolor"
	}
	fmt.Fprintf(out, "reel dashboard at %dx%d, %d jobs (%d fail), TERM=xterm-256color, %s\n\n", c.w, c.h, c.jobs, c.failed, cols)
	fmt.Fprintf(out, "%-22s %7s %8s %9s %7s %8s %8s %7s  %s\n", "phase", "window", "bytes", "bytes/s", "frames", "API req", "CPU ms", "CPU %", "budget")
	ok := true
	for _, w := range []struct {
		window
		budget string
		pass   bool
	}{
		{busy, fmt.Sprintf("≤ %.0f B/s", c.budget), busy.rate() <= c.budget},
		{idle, fmt.Sprintf("0 B, 0 req, ≤ %d ms CPU", c.idleCPU.Milliseconds()), idle.bytes == 0 && idle.requests == 0 && idle.cpu <= c.idleCPU},
	} {
		verdict := "ok"
		if !w.pass {
			verdict, ok = "MISSED", false
		}
		fmt.Fprintf(out, "%-22s %6.1fs %8d %9.0f %7d %8d %8d %6.2f%%  %s %s\n", w.name, w.d.Seconds(), w.bytes, w.rate(),
			len(w.frames), w.requests, w.cpu.Milliseconds(), 100*w.cpu.Seconds()/w.d.Seconds(), w.budget, verdict)
	}
	for _, w := range []window{busy, idle} {
		if len(w.frames) == 0 {
			continue
		}
		printBreakdown(out, w.name+", what the bytes are", w.raw(), w.d.Seconds())
		fs := slices.Clone(w.frames)
		sizes := make([]int, len(fs))
		for i, f := range fs {
			sizes[i] = len(f)
		}
		slices.Sort(sizes)
		med := sizes[len(sizes)/2]
		fmt.Fprintf(out, "  frames (reads): %d, %.1f a second, bytes per frame median %d, max %d\n",
			len(fs), float64(len(fs))/w.d.Seconds(), med, sizes[len(sizes)-1])
		// The frames nearest the median size show what a usual redraw is.
		slices.SortStableFunc(fs, func(a, b []byte) int { return abs(len(a)-med) - abs(len(b)-med) })
		for _, f := range fs[:min(c.showFrames, len(fs))] {
			fmt.Fprintf(out, "  a typical frame: %s\n", quote(f, c.showFrameSz))
		}
		biggest := slices.MaxFunc(w.frames, func(a, b []byte) int { return len(a) - len(b) })
		fmt.Fprintf(out, "  the biggest frame: %s\n", quote(biggest, c.showFrameSz))
	}
	return ok
}

// quote shows at most n bytes of raw output, escapes visible.
func quote(b []byte, n int) string {
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
