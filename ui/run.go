package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/pkg/browser"

	"github.com/reel-dev/reel/thumb"
	"github.com/reel-dev/reel/track"
)

// Options is what the dashboard is given. Only Engine is required.
type Options struct {
	// Engine tracks the jobs. Add the IDs from the command line before Run.
	Engine Engine
	// History serves the statistics view (S) and the timelines in the
	// detail pane; nil leaves them out.
	History History
	// Downloader serves d and D and is asked before quitting; nil makes
	// those keys say downloads are not available.
	Downloader Downloader
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the time zone clock times are shown in; nil means local.
	Location *time.Location
	// Input is where keys come from; nil means the terminal (Bubble Tea
	// opens /dev/tty itself when standard input is not one).
	Input io.Reader
	// InputTTY reads keys from /dev/tty even when Input is nil, for when
	// standard input was a pipe of IDs.
	InputTTY bool
	// Output is the terminal; nil means standard output.
	Output io.Writer
	// Logger receives debug logs (--debug FILE); nil discards them. The
	// dashboard never writes logs to the screen.
	Logger *slog.Logger
	// NoColor turns colour off; so does a non-empty NO_COLOR in Env.
	NoColor bool
	// NoMouse leaves the mouse to the terminal, so text can be selected
	// natively; by default the wheel scrolls and a click selects.
	NoMouse bool
	// Notify is NotifyAuto (or ""), NotifyBell or NotifyOff.
	Notify string
	// Env reads the environment; nil means os.Getenv.
	Env func(string) string
	// Version is shown in the help overlay.
	Version string
	// Demo says the jobs are the demo's: the quit summary leaves room for
	// the caller's DemoLeaveLine on where the demo's downloads stay, and does not
	// send the user to reel without arguments to see jobs that are gone.
	Demo bool
	// Notice is a line for the status bar at start, such as where
	// callbacks are received; it stays until another message takes its
	// place. Server text in it must be cleaned by the caller.
	Notice string
	// Listening says a callback receiver runs, so the detail pane can say
	// that no callback came for a job, not only when one did.
	Listening bool
	// ReloadKey reads the API key again (environment and config file) and
	// hands it to the client; R calls it, in a command, after the key was
	// rejected. changed says it differs from the key rejected; hint says
	// where to fix a key that did not change. nil: R only asks again.
	ReloadKey func() (changed bool, hint string, err error)
	// DownloadDir is the folder d and D save into, named in the status
	// line; "" names it from the first download's path.
	DownloadDir string
	// OpenURL opens a link in a browser; nil means github.com/pkg/browser
	// with its output discarded.
	OpenURL func(url string) error
	// Thumbs fetches thumbnails for the detail pane; nil shows none.
	Thumbs *thumb.Fetcher
	// Thumbnails is the thumbnails setting: "auto" (or ""), "off" or a
	// forced mode (thumb.Settings).
	Thumbnails string
	// TmuxPassthrough: inside tmux, allow-passthrough is on, so iTerm2
	// images may pass through to the outer terminal.
	TmuxPassthrough bool
	// Session limits a dashboard shown to a remote viewer (reel serve);
	// the zero value is the local dashboard.
	Session Session
	// ProgramOptions are passed to Bubble Tea last, for tests and for
	// callers with needs of their own (tea.WithWindowSize, tea.WithEnvironment).
	ProgramOptions []tea.ProgramOption

	ctx   context.Context
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

func (o Options) withDefaults() Options {
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Env == nil {
		o.Env = os.Getenv
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Notify == "" {
		o.Notify = NotifyAuto
	}
	if o.OpenURL == nil {
		o.OpenURL = browser.OpenURL
	}
	if o.after == nil {
		o.after = tea.Tick
	}
	return o
}

// Run shows the dashboard until the user quits or ctx is cancelled. It
// returns the summary to leave in the scrollback, one line a job up to a
// screenful (see leaveText), which the caller prints once the screen is
// restored.
func Run(ctx context.Context, opts Options) (string, error) {
	if opts.Engine == nil {
		return "", errors.New("ui: Options.Engine is required")
	}
	if opts.OpenURL == nil {
		// The opener's chatter would land in the middle of the screen.
		browser.Stdout, browser.Stderr = io.Discard, io.Discard
	}
	// The dashboard's own context ends with it, so the command waiting on
	// the engine's events does not outlive the program.
	own, cancel := context.WithCancel(ctx)
	defer cancel()
	opts.ctx = own
	opts = opts.withDefaults()
	m := newModel(opts)

	// 20 frames a second is plenty for a table of jobs, and Bubble Tea's
	// frame ticker runs even when nothing changed: at the default 60 it
	// costs an idle dashboard 1.5% of a core (bench/tty), at 20 about 0.4%.
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(20)}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	switch {
	case opts.Input != nil:
		popts = append(popts, tea.WithInput(opts.Input))
	case opts.InputTTY:
		tty, err := os.Open("/dev/tty")
		if err != nil {
			return "", fmt.Errorf("keys must come from the terminal, but /dev/tty cannot be opened (run reel in a terminal): %w", err)
		}
		defer tty.Close()
		popts = append(popts, tea.WithInput(tty))
	}
	if opts.NoColor || opts.Env("NO_COLOR") != "" {
		// colorprofile honours only NO_COLOR values that parse as true;
		// no-color.org says any non-empty value.
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	popts = append(popts, opts.ProgramOptions...)

	_, err := tea.NewProgram(m, popts...).Run()
	if bye := m.pics.farewell(); bye != "" {
		out := opts.Output
		if out == nil {
			out = os.Stdout // the program's own default
		}
		_, _ = io.WriteString(out, bye)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil // the caller cancelled; that is a way to end, not a failure
	}
	// The engine, not the last frame, has the final word: a quit before the
	// first events arrived still leaves every job in the summary. The
	// program has ended, so the model is ours to read.
	return m.leaveText(opts.Engine.Jobs()), err
}

// summaryLineW caps a line of the summary: a reason can be a paragraph.
const summaryLineW = 200

// summary is one plain line a job, in the order added: glyph, status word,
// ID, name and, for a failed job, why it failed.
func summary(jobs []track.Job) string {
	all := make([]*entry, len(jobs))
	wordW, idW := 0, 0
	for i, j := range jobs {
		e := newEntry(j)
		all[i] = e
		wordW = max(wordW, ansi.StringWidth(e.word))
		idW = max(idW, ansi.StringWidth(e.id))
	}
	var b strings.Builder
	for _, e := range all {
		line := catInfo[e.cat].glyph + " " + fit(e.word, wordW) + "  " + fit(e.id, idW)
		if e.name != "" {
			line += "  " + e.name
		}
		if e.reason != "" {
			sep := " — "
			if e.name == "" {
				sep = "  "
			}
			line += sep + strings.Join(strings.Fields(e.reason), " ")
		}
		b.WriteString(ansi.Truncate(strings.TrimRight(line, " "), summaryLineW, "…"))
		b.WriteByte('\n')
	}
	return b.String()
}
