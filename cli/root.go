// Package cli is reel's command line: the root command (the dashboard) and
// the scripting commands, wired to the engine, the store and the config.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/track"
)

// Exit codes, as PRODUCT.md (Scripting) gives them.
const (
	ExitOK          = 0
	ExitJobFailed   = 1
	ExitUsage       = 2
	ExitKeyRejected = 3
	ExitTimeout     = 124
	ExitInterrupted = 130 // Ctrl+C or SIGTERM, as shells report a SIGINT death
)

// ExitError carries an exit code out of a command. A nil Err means the
// command already said what it had to; only the code remains.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr wraps err as a usage or config error (exit code 2).
func usageErr(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// globals are the flags every command shares. A flag is only applied when
// the user set it, so the config and the environment can fill the rest.
type globals struct {
	cmd     *cobra.Command
	version string

	baseURL        string
	configPath     string
	storePath      string
	interval       time.Duration
	downloadDir    string
	listen         string
	callbackSecret string
	debugFile      string
	maxRPS         float64
	maxInFlight    int
}

// NewRoot builds the command tree.
func NewRoot(sio IO, version string) *cobra.Command {
	g := &globals{version: version}
	root := &cobra.Command{
		Use:   "reel [ID|FILE|-]...",
		Short: "A terminal dashboard for Colossyan video generation jobs",
		Long: `reel follows Colossyan video generation jobs: a live dashboard of their
progress, and scripting commands for CI and shell pipelines.

An argument that names an existing file is read as a list of IDs; "-" reads
standard input; anything else is a job or video ID.

The API key comes from COLOSSYAN_API_KEY or api_key in the config file,
never from a flag (a flag would show in ps).`,
		Example: `  # try it with no account: the dashboard on the built-in simulator
  reel demo

  # follow two jobs, and every ID listed in jobs.txt
  reel 6f1c2b3a-job 9e8d7c6b-job jobs.txt

  # IDs from another program; keys still come from the terminal
  grep -o 'job_[a-z0-9]*' render.log | reel -`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return checkShared(cmd) }
	root.RunE = func(cmd *cobra.Command, args []string) error { return runDashboard(cmd, sio, g, args) }
	g.cmd = root
	pf := root.PersistentFlags()
	pf.StringVar(&g.baseURL, "base-url", "", "base URL of the API (env COLOSSYAN_BASE_URL)")
	pf.StringVar(&g.configPath, "config", "", "config file (env REEL_CONFIG; default $XDG_CONFIG_HOME/reel/config.toml)")
	pf.StringVar(&g.storePath, "store", "", "job store: a file, or a postgres:// URL shared by a team (env REEL_STORE; default $XDG_STATE_HOME/reel/reel.db)")
	pf.DurationVar(&g.interval, "interval", 0, "base poll interval, e.g. 10s (default: adaptive)")
	pf.Lookup("interval").DefValue = "" // "adaptive" says it; "0s" would be a second default
	pf.StringVar(&g.downloadDir, "download-dir", "", "folder for downloads (default: the current folder)")
	pf.StringVar(&g.listen, "listen", "", "receive Colossyan callbacks on HOST:PORT")
	pf.StringVar(&g.callbackSecret, "callback-secret", "", "secret path part of the callback URL")
	pf.StringVar(&g.debugFile, "debug", "", "write a debug log to this file (never to the screen)")
	pf.Float64Var(&g.maxRPS, "max-rps", track.DefaultMaxRPS, "program-wide cap on requests a second (config max_rps)")
	pf.IntVar(&g.maxInFlight, "max-in-flight", track.DefaultMaxInFlight, "program-wide cap on requests in flight (config max_in_flight)")

	// Every command is added here, where a reader looks for it. A nil run
	// function runs the command; tests pass one to check its flags alone.
	root.AddCommand(
		newDemoCmd(sio, g, nil),
		newDownloadCmd(sio, g, nil),
		newServeCmd(sio, g, nil),
		newSimCmd(sio, g, nil),
		newStatsCmd(sio, g, nil),
		newStatusCmd(sio, g, nil),
		newSubmitCmd(sio, g, nil),
		newWaitCmd(sio, g, nil),
		newManCmd(root),
	)
	return root
}

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, sio IO, version string, args []string) int {
	version = buildVersion(version)
	root := NewRoot(sio, version)
	tidyHelp(root, args)
	root.SetArgs(args)
	root.SetIn(sio.In)
	root.SetOut(sio.Out)
	root.SetErr(sio.Err)
	err := fang.Execute(ctx, root, fang.WithVersion(version), fang.WithoutManpage(), fang.WithErrorHandler(func(w io.Writer, _ fang.Styles, err error) {
		var ee *ExitError
		if errors.As(err, &ee) && ee.Err == nil {
			return
		}
		fmt.Fprintf(w, "reel: %v\n", err)
	}))
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage // cobra's own errors: unknown flag, bad argument
}
