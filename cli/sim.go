package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api/sim"
)

// simFlags are reel sim's own flags.
type simFlags struct {
	addr       string
	fileAddr   string
	jobs       int
	speed      float64
	faults     float64
	fileFaults float64
	seed       int64
	token      string
	linkTTL    time.Duration
	rateLimit  float64
	quiet      bool
	noFailCB   bool
	faultKinds []string
}

// newSimCmd is reel sim; runF, when set, runs in its place with the flags
// (tests).
func newSimCmd(sio IO, _ *globals, runF func(f simFlags) error) *cobra.Command {
	var f simFlags
	cmd := &cobra.Command{
		Use:   "sim [--addr HOST:PORT] [--jobs N] [--speed X] [--faults RATE] [--seed N] [--token T]",
		Short: "Run a Colossyan API simulator on this machine",
		Long: `Sim serves the Colossyan API on loopback, with no account and no network:
jobs that move through every status with climbing progress and end finished
or failed, generated videos with real bytes (Range and ETag included),
thumbnails, POST to create jobs, DELETE, callbacks with the documented body,
bearer auth, and faults on demand (5xx, 429 with Retry-After, resets,
truncated bodies, stalls, HTML error pages).

Point reel, or your own Colossyan integration, at the base URL it prints,
with its token as the API key. The same --seed gives the same job IDs,
durations, outcomes, bytes and faults; --speed makes time pass faster.
It runs until interrupted.`,
		Example: `  # a simulator with eight jobs, and reel watching it from another terminal
  reel sim
  export COLOSSYAN_BASE_URL=http://127.0.0.1:8080/api/v1 COLOSSYAN_API_KEY=sim-token
  reel <job id it printed>

  # a rough day: one request in five fails, ten times faster, repeatable
  reel sim --faults 0.2 --speed 10 --seed 7

  # a free port, and files on a second origin standing for the CDN
  reel sim --addr 127.0.0.1:0 --file-addr 127.0.0.1:0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check(); err != nil {
				return usageErr(err)
			}
			if runF != nil {
				return runF(f)
			}
			if !cmd.Flags().Changed("seed") {
				f.seed = rand.Int64N(1_000_000) // printed, so a run can be repeated
			}
			if !cmd.Flags().Changed("file-faults") {
				f.fileFaults = f.faults
			}
			opts := sim.Options{
				Jobs: f.jobs, BareVideos: 2, Speed: f.speed, Seed: f.seed, Token: f.token,
				Faults: f.faults, FileFaults: f.fileFaults, LinkTTL: f.linkTTL,
				RateLimit: f.rateLimit, Burst: int(math.Ceil(f.rateLimit)),
				Addr: f.addr, FileAddr: f.fileAddr, Now: sio.Now,
				NoFailureCallbacks: f.noFailCB,
			}
			for _, k := range f.faultKinds {
				opts.FaultKinds = append(opts.FaultKinds, sim.Fault(k))
			}
			if opts.Now == nil {
				opts.Now = time.Now
			}
			if !f.quiet {
				opts.Logf = requestLog(sio.Err, opts.Now)
			}
			srv, err := sim.Start(opts)
			if err != nil {
				return usageErr(err)
			}
			if !loopback(f.addr) || (f.fileAddr != "" && !loopback(f.fileAddr)) {
				fmt.Fprintln(sio.Err, "reel sim: warning: not bound to loopback; anyone who can reach this machine can use the simulator")
			}
			printSimBanner(sio.Out, srv, f)
			<-cmd.Context().Done()
			err = srv.Close()
			fmt.Fprintln(sio.Out, "reel sim: stopped")
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	fl.StringVar(&f.fileAddr, "file-addr", "", "serve video files from a second `HOST:PORT`, another origin like a CDN")
	fl.IntVar(&f.jobs, "jobs", 8, "preset jobs: a mix of outcomes that shows every status within a minute")
	fl.Float64Var(&f.speed, "speed", 1, "time scale: 10 runs jobs ten times faster")
	fl.Float64Var(&f.faults, "faults", 0, "chance (0 to 1) that an API request meets a fault")
	fl.Float64Var(&f.fileFaults, "file-faults", 0, "chance (0 to 1) that a file download meets a fault (default: --faults)")
	fl.Int64Var(&f.seed, "seed", 0, "seed for IDs, durations, outcomes, bytes and faults (default: random, printed)")
	fl.StringVar(&f.token, "token", sim.DefaultToken, "bearer token the simulator accepts (its own, not a Colossyan key)")
	fl.DurationVar(&f.linkTTL, "link-ttl", 15*time.Minute, "how long video and thumbnail links stay valid")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "answer 429 beyond this many API requests a second (0: no limit)")
	fl.StringSliceVar(&f.faultKinds, "fault-kinds", nil, "the faults to draw from, e.g. 500,reset,lost-answer (default: every kind but lost-answer, "+
		"which creates a posted job and drops its answer)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not log each request to standard error")
	fl.BoolVar(&f.noFailCB, "no-failure-callbacks", false, "send callbacks for finished jobs only (the docs leave open whether Colossyan calls back on failure)")
	return takesShared(cmd)
}

func (f *simFlags) check() error {
	switch {
	case f.jobs < 0:
		return errors.New("--jobs must be 0 or more")
	case f.speed <= 0:
		return errors.New("--speed must be more than 0, e.g. 1 or 10")
	case f.faults < 0 || f.faults > 1:
		return errors.New("--faults is a chance between 0 and 1, e.g. 0.1")
	case f.fileFaults < 0 || f.fileFaults > 1:
		return errors.New("--file-faults is a chance between 0 and 1, e.g. 0.1")
	case f.rateLimit < 0:
		return errors.New("--rate-limit must be 0 (no limit) or more")
	case strings.TrimSpace(f.token) == "":
		return errors.New("--token must not be empty")
	case f.linkTTL < time.Second:
		return errors.New("--link-ttl must be at least 1s")
	}
	for _, k := range f.faultKinds {
		if !slices.Contains(sim.AllFaults, sim.Fault(k)) && sim.Fault(k) != sim.FaultLostAnswer {
			names := []string{string(sim.FaultLostAnswer)}
			for _, a := range sim.AllFaults {
				names = append(names, string(a))
			}
			return fmt.Errorf("--fault-kinds: no fault %q; the faults are %s", k, strings.Join(names, ", "))
		}
	}
	return nil
}

// loopback reports whether addr binds only this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// requestLog writes one timestamped line a request; lines from concurrent
// requests never interleave.
func requestLog(w io.Writer, now func() time.Time) func(string, ...any) {
	var mu sync.Mutex
	return func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s\n", now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
}

func printSimBanner(w io.Writer, srv *sim.Server, f simFlags) {
	fmt.Fprintf(w, "reel sim: the Colossyan API, simulated, at %s\n\n", srv.URL())
	fmt.Fprintf(w, "  token   %s   (the simulator's own, not a Colossyan key)\n", srv.Token())
	fmt.Fprintf(w, "  seed    %d   (--seed %d repeats this run)\n", srv.Seed(), srv.Seed())
	fmt.Fprintf(w, "  speed   %gx   faults %g (files %g)", f.speed, f.faults, f.fileFaults)
	if f.rateLimit > 0 {
		fmt.Fprintf(w, "   rate limit %g/s", f.rateLimit)
	}
	fmt.Fprintln(w)
	if srv.FileOrigin() != srv.Origin() {
		fmt.Fprintf(w, "  files   %s   (a second origin, like a CDN)\n", srv.FileOrigin())
	}
	fmt.Fprintf(w, "\nPoint reel, or your own integration, at it:\n")
	fmt.Fprintf(w, "  export COLOSSYAN_BASE_URL=%s\n", srv.URL())
	fmt.Fprintf(w, "  export COLOSSYAN_API_KEY=%s\n", srv.Token())
	ex := srv.Examples()
	if len(ex) > 0 {
		fmt.Fprintf(w, "\nIDs to try:\n")
		for _, e := range ex {
			fmt.Fprintf(w, "  %s  %s\n", e.ID, e.What)
		}
		fmt.Fprintf(w, "\n  curl -H 'Authorization: Bearer %s' %s/video-generation-jobs/%s\n", srv.Token(), srv.URL(), ex[0].ID)
	}
	// Every preset job, and the bare videos, for the dashboard in one go.
	all := append(srv.JobIDs(), srv.BareVideoIDs()...)
	if len(all) > 0 && len(all) <= 50 {
		fmt.Fprintf(w, "\nAll of them in the dashboard:\n  reel %s\n", strings.Join(all, " "))
	}
	fmt.Fprintf(w, "\nCreate more:\n")
	fmt.Fprintf(w, "  curl -H 'Authorization: Bearer %s' -d '{\"videoCreative\":{}}' %s/video-generation-jobs\n", srv.Token(), srv.URL())
	fmt.Fprintf(w, "\nPress Ctrl+C to stop.\n")
}
