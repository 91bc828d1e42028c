package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// waitOptions are what one `reel wait` run needs beyond its IDs.
type waitOptions struct {
	JSON     bool
	Timeout  time.Duration // 0: no limit
	Interval time.Duration // the user's base poll interval; 0: adaptive
	// MaxRPS and MaxInFlight are the program-wide caps; 0: the defaults.
	MaxRPS      float64
	MaxInFlight int
	Clock       track.Clock // nil: the real clock

	// ShowCallbackURL prints the receiver's URL whole, secret included.
	ShowCallbackURL bool
	// Null (with Download): standard output carries only the saved paths,
	// NUL-ended; the final table goes to standard error.
	Null bool

	// Download is --download DIR: waitDownloadStart, in the downloads
	// file, turns it into an OnFinished.
	Download string
	// OnFinished run, each in its own goroutine, for every job that
	// finishes with its video known; wait exits once they return, and an
	// error makes the exit code 1. Downloads plug in here.
	OnFinished []func(ctx context.Context, j track.Job) error
	// TypicalRender is the store's history of render times, for ETAs
	// before progress moves; 0 when there is none.
	TypicalRender time.Duration
	// Follow, when set, may make the engine take the jobs' states from the
	// store that a dashboard polling them writes (waitshared.go).
	Follow func(ctx context.Context, e *track.Engine, list []string) (stop func(), ok bool)
	// Attach runs once the engine exists (the callback receiver hooks in
	// here) and returns what stops it.
	Attach func(ctx context.Context, e *track.Engine) (stop func(), err error)
}

// newWaitCmd is reel wait; runF, when set, runs in its place with the
// options its flags gave (tests).
func newWaitCmd(sio IO, g *globals, runF func(o *waitOptions, args []string) error) *cobra.Command {
	var o waitOptions
	cmd := &cobra.Command{
		Use:   "wait [--json] [--timeout DUR] [ID|FILE|-]...",
		Short: "Wait until jobs end, reporting each change",
		Long: `Wait follows jobs (or videos) until every one has ended: finished, failed,
deleted or not found. It reports each change as it happens on standard error,
then prints a table of the final states on standard output. With --json it
writes one JSON object a line (NDJSON) on standard output instead: one per
change, then the final state of each job, marked "final": true. Objects have
the fields of status --json, and "eta" (RFC 3339) while reel estimates when a
running job will finish: the estimate the dashboard's LEFT column shows.

Polling adapts: dense right after a job changes and sparser while nothing
moves, closer as its progress nears the end, every 3 s or sooner while it
could be over, backing off on errors and honouring Retry-After. It does not change the
dashboard's tracked list.

Exit status: 0 when every job finished; 1 when some job failed, was deleted,
was not found or could not be read; 2 for usage or config errors, or a base
URL that is not the API's; 3 when the API key was rejected; 124 when
--timeout ran out first; 130 when interrupted (Ctrl+C).`,
		Example: `  # block a CI step until the render is done, for at most half an hour
  reel wait --timeout 30m "$JOB_ID"

  # every public URL, once all the jobs in jobs.txt are finished
  reel wait --json jobs.txt | jq -r 'select(.final and .status=="finished") | .video.publicUrl'

  # download each video as it finishes and play it, whatever its name holds
  reel wait --download ~/Videos --null jobs.txt | xargs -0 -r -n1 mpv --`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Timeout < 0 {
				return usageErr(errors.New("--timeout must not be negative"))
			}
			if runF != nil {
				return runF(&o, args)
			}
			sio := sio.Serialized() // downloads report from their own goroutines
			list, s, c, err := g.scripting(sio, args)
			if err != nil {
				return err
			}
			o.Interval, o.MaxRPS, o.MaxInFlight = s.Interval, s.MaxRPS, s.MaxInFlight
			o.Follow = followPoller(s.StorePath, c, o.Clock)
			o.TypicalRender = typicalRender(cmd.Context(), s.StorePath)
			o.Attach = waitAttach(sio, s, &o)
			if err := waitDownloadStart(cmd.Context(), sio, s, c, &o); err != nil {
				return err
			}
			return runWait(cmd.Context(), sio, c, list, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "write NDJSON: one object per change, then each job's final state")
	waitFlags(cmd, &o)
	return takesShared(cmd, waitShared...)
}

// waitShared are the shared flags waiting uses: the API and its pacing, the
// store (to follow a dashboard), and the callback receiver. reel wait and
// reel submit --wait take them all.
var waitShared = []string{"base-url", "config", "interval", "store", "listen", "callback-secret", "max-rps", "max-in-flight"}

// waitFlags adds the flags of waiting, which reel wait and reel submit
// --wait share: --timeout, --show-callback-url, --download DIR and --null.
func waitFlags(cmd *cobra.Command, o *waitOptions) {
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "give up after `DUR` (e.g. 30m) with exit status 124 (default: 0, no limit)")
	cmd.Flags().Lookup("timeout").DefValue = "" // said above, in words
	cmd.Flags().BoolVar(&o.ShowCallbackURL, "show-callback-url", false, "print the callback URL with its secret (hidden otherwise: logs keep standard error)")
	cmd.Flags().StringVar(&o.Download, "download", "", "download each finished video into `DIR`")
	cmd.Flags().BoolVarP(&o.Null, "null", "0", false, "with --download: print only the saved paths on standard output, each ended by a NUL byte (for xargs -0)")
}

// waitAttach is what hooks the callback receiver into a waiting engine,
// and says where it listens (the secret hidden unless
// --show-callback-url): the same for reel wait and reel submit --wait.
func waitAttach(sio IO, s *config.Settings, o *waitOptions) func(ctx context.Context, e *track.Engine) (func(), error) {
	return func(ctx context.Context, e *track.Engine) (func(), error) {
		stop, url, err := startReceiver(ctx, sio, s, e, slog.New(slog.DiscardHandler))
		if url != "" && !o.ShowCallbackURL {
			url = hiddenSecret(url, s) // standard error ends up in CI logs
		}
		if url != "" {
			fmt.Fprintf(sio.Err, "reel: receiving callbacks at %s\n", url)
		}
		return stop, err
	}
}

// runWait tracks the IDs until all have ended, the key is rejected, the
// timeout runs out or ctx ends.
func runWait(ctx context.Context, sio IO, c track.Client, list []string, o waitOptions) error {
	clk := o.Clock
	if clk == nil {
		clk = track.RealClock{}
	}
	sio = sio.Serialized() // the hooks (downloads) write from their own goroutines
	runCtx, stopCause := context.WithCancelCause(ctx)
	stop := func() { stopCause(nil) }
	defer stop()
	e := track.New(track.Options{Client: guardURL(c, stopCause), Clock: clk, Interval: o.Interval, TypicalRender: o.TypicalRender,
		MaxRPS: o.MaxRPS, MaxInFlight: o.MaxInFlight})
	if unfollow, ok := o.follow(runCtx, e, list); ok {
		defer unfollow() // a dashboard polls these jobs: read them from the store
	} else {
		e.Add(list...)
	}
	if o.Attach != nil {
		detach, err := o.Attach(runCtx, e)
		if err != nil {
			return err
		}
		defer detach()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.Run(runCtx) }()
	defer wg.Wait()

	var timedOut chan struct{}
	if o.Timeout > 0 {
		timedOut = make(chan struct{})
		cancelTimer := clk.AfterFunc(o.Timeout, func() { close(timedOut) })
		defer cancelTimer()
	}

	// Next blocks, so a pump turns it into a channel the loop can select on
	// alongside the timeout and the finished-job hooks.
	events := make(chan []track.Event)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			evs, err := e.Next(runCtx)
			if err != nil {
				return
			}
			select {
			case events <- evs:
			case <-runCtx.Done():
				return
			}
		}
	}()

	out := &waitReporter{sio: sio, json: o.JSON, now: clk.Now, shown: map[string]statusJSON{}, etas: map[string]time.Time{}, lines: map[string]string{}}
	if o.Null {
		out.sio.Out = sio.Err // standard output is the paths' alone
		out.sio.OutTTY, out.sio.OutWidth, out.sio.OutColor = sio.ErrTTY, sio.ErrWidth, sio.ErrColor
	}
	hooks := &waitFinishers{fns: o.OnFinished, started: map[string]bool{}, notify: make(chan struct{}, 1)}
	// end stops the work and lets the hooks return (they see the context
	// end), so nothing they write comes after the final report.
	end := func() { stop(); hooks.wait() }
	defer end()
	for {
		select {
		case evs := <-events:
			var rejected *track.Conn
			for _, ev := range evs {
				if ev.Job != nil {
					out.change(*ev.Job)
					hooks.start(runCtx, *ev.Job)
				}
				if ev.Conn != nil && ev.Conn.KeyRejected {
					rejected = ev.Conn
				}
			}
			if rejected != nil {
				end()
				out.final(e.Jobs())
				return &ExitError{Code: ExitKeyRejected, Err: errors.New(rejected.LastError)}
			}
		case <-hooks.notify:
			hooks.collect()
		case <-timedOut:
			end()
			jobs := e.Jobs()
			out.final(jobs)
			return &ExitError{Code: ExitTimeout, Err: fmt.Errorf("--timeout %s ran out with %d of %d jobs not ended", o.Timeout, running(jobs), len(jobs))}
		case <-runCtx.Done():
			if err := wrongURL(runCtx); err != nil {
				return err
			}
			end()
			out.final(e.Jobs())
			if o.Download != "" {
				fmt.Fprintln(sio.Err, resumeHint)
				return &ExitError{Code: ExitInterrupted}
			}
			return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted: %w", context.Cause(ctx))}
		}
		jobs := e.Jobs()
		for _, j := range jobs {
			// A job may have settled after the last event this loop read:
			// start its hooks (downloads) from the snapshot too.
			hooks.start(runCtx, j)
		}
		if running(jobs) > 0 || hooks.busy() {
			continue
		}
		end()
		for _, j := range jobs {
			// The snapshot may be ahead of the events read so far (the
			// video that settles a job): report the last change first.
			out.change(j)
		}
		out.final(jobs)
		bad := hooks.failed
		for _, j := range jobs {
			if waitBad(j) {
				bad++
			}
		}
		if bad > 0 {
			return &ExitError{Code: ExitJobFailed}
		}
		return nil
	}
}

// running counts jobs that have not ended. A finished job whose video has
// not been fetched yet has not ended for wait: its video is part of the answer.
func running(jobs []track.Job) int {
	n := 0
	for _, j := range jobs {
		// Settled, not just ended: a finished job's video (with its links)
		// comes after the status, and scripts want the links.
		if !j.Terminal() || !j.Settled {
			n++
		}
	}
	return n
}

// waitBad reports an ending that is not "finished".
func waitBad(j track.Job) bool {
	return j.NotFound || j.Status != api.StatusFinished
}

// waitFinishers runs the OnFinished hooks once per finished job. Only the
// loop calls its methods; the hooks' goroutines hand results over under mu.
type waitFinishers struct {
	fns     []func(context.Context, track.Job) error
	started map[string]bool
	pending int
	failed  int
	notify  chan struct{} // a result is waiting to be collected

	mu      sync.Mutex
	results []error

	running sync.WaitGroup // the hooks' goroutines
}

// wait returns once every hook has returned.
func (w *waitFinishers) wait() { w.running.Wait() }

func (w *waitFinishers) start(ctx context.Context, j track.Job) {
	if len(w.fns) == 0 || w.started[j.ID] || j.Status != api.StatusFinished || j.Video == nil || !j.Settled {
		return
	}
	w.started[j.ID] = true
	for _, fn := range w.fns {
		w.pending++
		w.running.Add(1)
		go func() {
			defer w.running.Done()
			err := fn(ctx, j)
			w.mu.Lock()
			w.results = append(w.results, err)
			w.mu.Unlock()
			select {
			case w.notify <- struct{}{}:
			default: // a notice is already waiting; collect takes all
			}
		}()
	}
}

// collect takes in every result so far.
func (w *waitFinishers) collect() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, err := range w.results {
		w.pending--
		if err != nil {
			w.failed++
		}
	}
	w.results = nil
}

func (w *waitFinishers) busy() bool {
	w.collect()
	return w.pending > 0
}

// equal compares what a reader of the stream would see change.
func (w statusJSON) equal(v statusJSON) bool {
	fp := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	return w.ID == v.ID && w.JobID == v.JobID && w.VideoID == v.VideoID && w.Status == v.Status &&
		fp(w.Progress) == fp(v.Progress) && fp(w.MaximumProgress) == fp(v.MaximumProgress) &&
		string(w.Video) == string(v.Video) && w.Error == v.Error
}

// waitJSON is one line of wait --json: status --json's fields, and when
// reel estimates the job will finish.
type waitJSON struct {
	statusJSON
	// ETA is RFC 3339 (UTC), the estimate the dashboard's LEFT column
	// shows; absent when reel has none.
	ETA string `json:"eta,omitempty"`
}

// etaMoved: a line is written again when the estimate moves by more than
// this share of the time left (or by etaMovedMin): a script sees an ETA
// that holds, not one line a poll.
const (
	etaMoved    = 0.1
	etaMovedMin = 30 * time.Second
)

func toWaitJSON(j track.Job) statusJSON {
	w := statusJSON{ID: j.ID, JobID: j.JobID, VideoID: j.VideoID, Status: string(j.Status), Error: j.Err}
	if j.NotFound {
		// The engine's words suit the dashboard ("press r"); a script
		// gets what status says for the same ID: the status word, no error.
		w.Status = statusNotFound
		w.Error = ""
	}
	if j.Job != nil {
		p, m := j.Progress, j.MaximumProgress
		w.Progress, w.MaximumProgress = &p, &m
	}
	if j.Video != nil {
		w.Video, _ = json.Marshal(j.Video)
	}
	if j.Job != nil && j.Terminal() {
		w.Job, _ = json.Marshal(j.Job) // a failure's reason lives in the job object
	}
	return w
}

// waitReporter writes changes and final states.
type waitReporter struct {
	sio   IO
	json  bool
	now   func() time.Time
	shown map[string]statusJSON // last object written, by ID (--json)
	etas  map[string]time.Time  // the ETA last written, by ID (--json)
	lines map[string]string     // last line written, by ID, less the time
}

// change reports j if a reader would see a difference.
func (r *waitReporter) change(j track.Job) {
	w := toWaitJSON(j)
	if w.Status == "" && w.Error == "" {
		return // not read yet: nothing to say
	}
	if r.json {
		last, ok := r.shown[j.ID]
		if ok && last.equal(w) && !r.etaMoved(j) {
			return // only polling bookkeeping moved
		}
		r.shown[j.ID] = w
		r.etas[j.ID] = j.ETA
		line := waitJSON{statusJSON: w}
		if j.ETA.After(r.now()) && !j.Terminal() { // none once overdue
			line.ETA = j.ETA.UTC().Format(time.RFC3339)
		}
		writeNDJSON(r.sio.Out, line)
		return
	}
	if j.Status == api.StatusFinished && j.Video == nil && j.VideoID != "" && j.Err == "" {
		return // its video comes next: one line for both
	}
	line := termsafe.Clean(j.ID) + "  " + statusLabel(&j, r.sio.ErrColor)
	if p := jobview.Percent(&j); p != "" {
		line += "  " + p
	}
	if note := waitNote(w); note != "" {
		line += "  " + termsafe.Clean(note)
	}
	if r.lines[j.ID] == line {
		return // a change too small to show, such as 990 to 995 of 1000
	}
	r.lines[j.ID] = line
	fmt.Fprintln(r.sio.Err, r.now().Format("15:04:05")+"  "+line)
}

// final writes every job's last state: NDJSON lines marked final, or a table.
func (r *waitReporter) final(jobs []track.Job) {
	if r.json {
		for _, j := range jobs {
			w := toWaitJSON(j)
			w.Final = true
			writeNDJSON(r.sio.Out, waitJSON{statusJSON: w})
		}
		return
	}
	rows := [][]string{{"ID", "STATUS", "PROGRESS", "NAME", "URL", "NOTE"}}
	for _, j := range jobs {
		w := toWaitJSON(j)
		var name, link string
		if j.Video != nil {
			name, link = termsafe.Clean(j.Video.Name), termsafe.CleanURL(j.Video.PublicURL)
		}
		note := waitNote(w)
		if note == "" && j.Job != nil && j.Status == api.StatusFailed {
			note = j.Job.Reason()
		}
		rows = append(rows, []string{orDash(termsafe.Clean(j.ID)), statusLabel(&j, r.sio.OutColor),
			orDash(jobview.Percent(&j)), orDash(name), orDash(link), orDash(termsafe.Clean(note))})
	}
	_ = writeTable(r.sio.Out, rows, r.sio.OutWidth)
}

// etaMoved reports whether j's estimate moved enough from the one last
// written to be worth a line of its own.
func (r *waitReporter) etaMoved(j track.Job) bool {
	was := r.etas[j.ID]
	if was.Equal(j.ETA) || j.Terminal() {
		return false
	}
	if was.IsZero() || j.ETA.IsZero() {
		return true
	}
	left := j.ETA.Sub(r.now())
	moved := j.ETA.Sub(was).Abs()
	return moved > etaMovedMin && moved > time.Duration(etaMoved*float64(left))
}

func writeNDJSON(w io.Writer, v waitJSON) {
	b, err := marshalJSON(v, false)
	if err != nil {
		b, _ = marshalJSON(statusJSON{ID: v.ID, Status: v.Status, Error: err.Error(), Final: v.Final}, false)
	}
	_, _ = w.Write(b)
}

// waitNote is what the NOTE column and a change line say, as status says it.
func waitNote(w statusJSON) string {
	if w.Status == statusNotFound {
		return notFoundNote
	}
	return w.Error
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// typicalRender reads how long renders usually take from the store's
// history, read-only: wait never changes the tracked list. No store, or one
// that cannot be read, simply means no history.
func typicalRender(ctx context.Context, path string) time.Duration {
	if path == "" {
		return 0
	}
	st, err := store.OpenReadOnly(path)
	if err != nil {
		return 0
	}
	defer st.Close()
	ty, err := st.Typical(ctx)
	if err != nil {
		return 0
	}
	return ty.Render
}
