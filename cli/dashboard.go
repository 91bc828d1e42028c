package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/ui"
)

// dashboard is everything one dashboard run needs, built from settings.
type dashboard struct {
	client   *api.Client
	settings *config.Settings
	ids      []string
	demo     bool
	stdinIDs bool // IDs came from a pipe: keys must come from /dev/tty
}

func runDashboard(cmd *cobra.Command, sio IO, g *globals, args []string) error {
	if err := mistypedCommand(cmd.Root(), args); err != nil {
		return err
	}
	s, err := g.settings(sio)
	if err != nil {
		return err
	}
	var list []string
	if len(args) > 0 {
		if list, err = readIDs(sio, args); err != nil {
			return err
		}
	}
	c, err := g.client(s)
	if err != nil {
		return err
	}
	return g.show(cmd.Context(), sio, dashboard{client: c, settings: s, ids: list, stdinIDs: slices.Contains(args, "-")})
}

// newDemoCmd is reel demo; runF, when set, runs in its place with the
// simulator options its flags gave (tests).
func newDemoCmd(sio IO, g *globals, runF func(o sim.Options) error) *cobra.Command {
	var jobs int
	var seed int64
	var speed, faults float64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The dashboard on the built-in simulator: no key, no network",
		Long: `Demo starts the simulator inside reel and opens the dashboard on a handful of
its jobs, which pass through every status within a minute. It needs no API key
and no network, and leaves your own tracked list alone.`,
		Example: `  reel demo
  reel demo --jobs 40 --faults 0.2    # more jobs, and a flaky server`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := sim.Options{Jobs: jobs, BareVideos: 1, Seed: seed, Speed: speed, Faults: faults}
			if runF != nil {
				return runF(o)
			}
			s, err := g.settings(sio)
			if err != nil {
				return err
			}
			srv, err := sim.Start(o)
			if err != nil {
				return fmt.Errorf("start the simulator: %w", err)
			}
			defer srv.Close()
			c, err := api.New(srv.URL(), srv.Token(), api.WithUserAgent("reel/"+g.version))
			if err != nil {
				return err
			}
			list := append(srv.JobIDs(), srv.BareVideoIDs()...)
			if !g.cmd.PersistentFlags().Changed("download-dir") {
				// Simulated videos do not belong in the current folder,
				// which for go run . demo is a git checkout.
				dir, err := os.MkdirTemp("", "reel-demo-")
				if err != nil {
					return fmt.Errorf("a folder for the demo's downloads: %w", err)
				}
				defer os.Remove(dir) // only if nothing was saved into it
				s.DownloadDir = dir
			}
			return g.show(cmd.Context(), sio, dashboard{client: c, settings: s, ids: list, demo: true})
		},
	}
	cmd.Flags().IntVar(&jobs, "jobs", 8, "how many simulated jobs")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for the simulated jobs")
	cmd.Flags().Float64Var(&speed, "speed", 1, "how much faster than real time the jobs move")
	cmd.Flags().Float64Var(&faults, "faults", 0, "chance (0..1) that a request meets a fault")
	return takesShared(cmd, "config", "interval", "download-dir", "listen", "callback-secret", "debug", "max-rps", "max-in-flight")
}

// show runs the engine and the dashboard until the user quits, then leaves
// the summary in the scrollback.
func (g *globals) show(ctx context.Context, sio IO, d dashboard) error {
	if err := needTerminal(sio); err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	run, err := g.startSession(ctx, sio, d, cancel)
	if err != nil {
		return err
	}
	defer run.close()
	eng, st, callbackURL, log, downloads, dir := run.eng, run.st, run.callbackURL, run.log, run.downloads, run.dir
	var notice string
	switch {
	case callbackURL != "":
		log.Info("callback receiver listening")
		notice = "callbacks: " + callbackURL
	case d.demo:
		notice = "demo: simulated jobs · d saves into " + d.settings.DownloadDir + " · ? lists the keys"
	}

	var reloadKey func() (bool, string, error)
	if !d.demo {
		reloadKey = g.keyReloader(sio, d.client, d.settings.APIKey)
	}
	summary, err := ui.Run(ctx, ui.Options{
		ReloadKey:   reloadKey,
		Engine:      eng,
		History:     st,
		Downloader:  downloads,
		DownloadDir: dir,
		Notice:      notice,
		Listening:   callbackURL != "",
		Now:         sio.Now,
		Logger:      log,
		Notify:      d.settings.Notify,
		Env:         sio.Getenv,
		Version:     g.version,
		InputTTY:    d.stdinIDs,
		Demo:        d.demo,

		Thumbs:          thumbFetcher(d.client, sio.Getenv),
		Thumbnails:      d.settings.Thumbnails,
		TmuxPassthrough: d.settings.Thumbnails != "off" && tmuxPassthrough(sio.Getenv),
	})
	// Downloads stop before the summary names their .part files.
	downloads.Close()
	if err := wrongURL(ctx); err != nil {
		return err
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if summary != "" {
		fmt.Fprint(sio.Out, strings.TrimRight(summary, "\n")+"\n")
	}
	if saved, _ := os.ReadDir(dir); d.demo && len(saved) > 0 {
		fmt.Fprint(sio.Out, ui.DemoLeaveLine(dir))
	}
	return nil
}

// session is what the dashboard and reel serve both run on: the debug log,
// the engine with its store and callback receiver (startEngine), and the
// downloads into the settled folder. close ends them all, in order.
type session struct {
	*engineRun
	log       *slog.Logger
	downloads *download.Manager
	dir       string // the download folder, absolute
	close     func()
}

// startSession starts what the dashboard and reel serve share, one setup
// for both. cancel ends ctx, for an API address that turns out wrong.
func (g *globals) startSession(ctx context.Context, sio IO, d dashboard, cancel context.CancelCauseFunc) (*session, error) {
	log, closeLog, err := g.debugLog()
	if err != nil {
		return nil, err
	}
	run, err := g.startEngine(ctx, sio, d, log, cancel)
	if err != nil {
		closeLog()
		return nil, err
	}
	dir := downloadFolder(d.settings.DownloadDir)
	downloads := download.NewManager(newDownloader(dir, d.client, "reel/"+g.version))
	return &session{engineRun: run, log: log, downloads: downloads, dir: dir, close: func() {
		downloads.Close() // stops what still runs; the .part files stay for a resume
		run.stop()
		closeLog()
	}}, nil
}

// downloadFolder is the folder downloads go to, absolute: the status line
// names it, and "." says little. "" is the current folder.
func downloadFolder(dir string) string {
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// engineRun is an engine at work with what feeds it: the store, the elector
// that makes it this workspace's poller or a watcher, the callback
// receiver. stop ends them all and closes the store.
type engineRun struct {
	eng         *track.Engine
	st          *store.Store
	callbackURL string
	stop        func()
}

// startEngine opens the store, loads the tracked jobs, adds d's IDs and
// starts the engine, the store's follower, the elector and the callback
// receiver (--listen): what the dashboard and reel serve share. cancel
// ends ctx, for an API address that turns out wrong.
func (g *globals) startEngine(ctx context.Context, sio IO, d dashboard, log *slog.Logger, cancel context.CancelCauseFunc) (_ *engineRun, err error) {
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	opts := track.Options{Client: guardURL(d.client, cancel), Interval: d.settings.Interval, Log: log,
		MaxRPS: d.settings.MaxRPS, MaxInFlight: d.settings.MaxInFlight}
	var st *store.Store
	storePath := d.settings.StorePath
	if d.demo {
		// The demo leaves the user's tracked list alone: its own store in
		// a folder of its own, gone when it ends, still gives it history
		// for the statistics and the timelines.
		dir, err := os.MkdirTemp("", "reel-demo-")
		if err != nil {
			return nil, err
		}
		undo = append(undo, func() { os.RemoveAll(dir) })
		storePath = filepath.Join(dir, "reel.db")
	}
	if st, err = openStore(storePath); err != nil {
		return nil, err
	}
	undo = append(undo, func() { st.Close() })
	pruneHistory(ctx, st, d.settings.HistoryDays, sio.Now(), log)
	opts.Persist = st
	if ty, err := st.Typical(ctx); err == nil {
		opts.TypicalRender = ty.Render
	}
	// One poller per workspace among the processes on this store.
	elector, err := newElector(ctx, st, d.client, log)
	if err != nil {
		return nil, err
	}
	opts.Persist = elector
	eng := track.New(opts)
	elector.Attach(eng)
	saved, err := st.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the tracked jobs: %w", err)
	}
	eng.Load(saved...)
	eng.Observe(saved...) // until elected: next polls as the poller would have them
	eng.Add(d.ids...)     // durable in the store before any row shows
	stopReceiver, callbackURL, err := startReceiver(ctx, sio, d.settings, eng, log)
	if err != nil {
		return nil, err
	}
	undo = append(undo, stopReceiver)

	wctx, wcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = eng.Run(wctx) })
	wg.Go(func() { followStore(wctx, st, eng, log) })
	wg.Go(func() { elector.Run(wctx) })
	undo = append(undo, func() { wcancel(); wg.Wait() })
	stop := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	return &engineRun{eng: eng, st: st, callbackURL: callbackURL, stop: stop}, nil
}

// keyReloader reads the API key again as at start (environment, then the
// config file) and gives a new one to the client: the dashboard's R after
// a rejected key. Warnings are not printed: the screen is the dashboard's.
func (g *globals) keyReloader(sio IO, c *api.Client, key string) func() (bool, string, error) {
	var mu sync.Mutex
	return func() (bool, string, error) {
		s, err := config.Load(g.configFlags(), sio.Getenv)
		if err != nil {
			return false, "", err
		}
		mu.Lock()
		defer mu.Unlock()
		if s.APIKey == "" || s.APIKey == key {
			hint := "fix api_key in " + s.ConfigPath + " and press R again"
			if s.ConfigPath == "" {
				hint = "put a valid api_key in a config file (--config FILE) and start reel with it"
			}
			if sio.Getenv("COLOSSYAN_API_KEY") != "" {
				// The environment wins over the file, and cannot change
				// under a running process.
				hint = "it comes from COLOSSYAN_API_KEY, which beats the config file: set a valid one and restart reel"
			}
			return false, hint, nil
		}
		key = s.APIKey
		c.SetToken(key)
		return true, "", nil
	}
}

// debugLog opens the --debug file, or returns a logger that discards.
func (g *globals) debugLog() (*slog.Logger, func(), error) {
	if g.debugFile == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(g.debugFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, usageErr(fmt.Errorf("--debug: %w", err))
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { _ = f.Close() }, nil
}

// openStore opens the dashboard's store, read-write. A store that cannot be
// opened stops the run (exit 2) with the store's own message, which names
// the file and what to do: reel never replaces a damaged file.
func openStore(path string) (*store.Store, error) {
	if path == "" {
		return nil, usageErr(errors.New("no place for the job store: set XDG_STATE_HOME or HOME, or pass --store FILE"))
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, usageErr(err)
	}
	return st, nil
}

// pruneHistory forgets the history older than the days the settings keep
// (0: keep all). A failure costs only disk space, so it is logged, not
// shown.
func pruneHistory(ctx context.Context, st *store.Store, days int, now time.Time, log *slog.Logger) {
	if days <= 0 {
		return
	}
	p, err := st.Prune(ctx, now.AddDate(0, 0, -days))
	if err != nil {
		log.Warn("pruning history", "err", err)
		return
	}
	log.Debug("pruned history", "changes", p.Changes, "removal markers", p.Removals, "days", days)
}

// followStore keeps this dashboard in step with others on the same store:
// jobs they add appear here, jobs they stop tracking go away.
func followStore(ctx context.Context, st *store.Store, eng *track.Engine, log *slog.Logger) {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	for ev := range st.Watch(ctx, tick.C) {
		if ev.Err != nil {
			log.Warn("store watch", "err", ev.Err)
			continue
		}
		// Updated too: Load skips what is tracked already, and a job this
		// dashboard somehow missed the addition of still shows up.
		if n := len(ev.Diff.Added) + len(ev.Diff.Updated); n > 0 {
			eng.Load(append(ev.Diff.Added, ev.Diff.Updated...)...)
		}
		eng.Observe(ev.Diff.Updated...) // the poller's answers, when another process polls
		if len(ev.Diff.Removed) > 0 {
			eng.Forget(ev.Diff.Removed...) // theirs, already in the store
		}
	}
}
