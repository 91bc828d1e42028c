package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// newDownloadCmd is reel download; runF, when set, runs in its place with
// the options its flags gave (tests).
func newDownloadCmd(sio IO, g *globals, runF func(o downloadOptions, args []string) error) *cobra.Command {
	var dir string
	var null bool
	cmd := &cobra.Command{
		Use:   "download [--dir DIR] [ID|FILE|-]...",
		Short: "Download finished videos",
		Long: `Download saves the video of each finished job (or each video ID) as
<name>-<videoId>.mp4 in the download folder: --dir, else the download_dir
setting (--download-dir, config download_dir), else the current folder.

A download goes to a .part file first and resumes where it stopped when run
again; an existing file is never overwritten (the same file is skipped, a
different one gets a new name); an expired link is fetched anew. The final
paths are printed on standard output, one a line (with --null, each ended by
a NUL byte instead, for xargs -0: a video's name may hold spaces, quotes or
newlines; no path starts with "-"); progress goes to standard error when it
is a terminal. It does not change the dashboard's tracked list.

A job that has not finished is reported, not waited for: use
reel wait --download DIR to wait and download.

Exit status: 0 when every video was saved (or was there already); 1 when
some job was not finished, failed, was not found or its download failed; 2
for usage or config errors, or a base URL that is not the API's; 3 when the
API key was rejected; 130 when interrupted (Ctrl+C): run the same command
again to resume.`,
		Example: `  reel download 6f1c2b3a-job
  reel download --dir ~/Videos jobs.txt
  # play whatever came down
  reel download --null - < ids.txt | xargs -0 -r mpv --`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(downloadOptions{Dir: dir, Null: null}, args)
			}
			list, s, c, err := g.scriptingList(sio, args)
			if err != nil {
				return err
			}
			defer list.Close()
			workers, err := lookupPool(s)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("dir") {
				dir = s.DownloadDir
			}
			if dir == "" {
				return usageErr(errors.New("--dir is empty: give a folder, or leave it out for the current folder"))
			}
			if err := checkFolder("--dir", dir); err != nil {
				return err
			}
			warnFolder(sio, dir)
			f := newDownloader(dir, c, "reel/"+g.version)
			return runDownload(cmd.Context(), sio, c, f, streamedIDs{list}, downloadOptions{Null: null, Workers: workers})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "save into `DIR` (default: download_dir, else the current folder)")
	cmd.Flags().BoolVarP(&null, "null", "0", false, "end each path with a NUL byte, not a newline (for xargs -0)")
	return takesShared(cmd, "base-url", "config", "download-dir", "max-rps", "max-in-flight")
}

// newDownloader is the downloader every command uses: the file host's own
// client, never the API client's, and the API client to refresh links.
func newDownloader(dir string, c *api.Client, userAgent string) *download.Fetcher {
	return &download.Fetcher{Dir: dir, HTTP: download.NewHTTPClient(), Videos: c, UserAgent: userAgent}
}

// downloadOptions are test seams for runDownload.
type downloadOptions struct {
	Retry       retryPolicy // for the lookups; defaultRetry when zero
	Workers     int         // lookups at once (--max-in-flight); 0: lookupWorkers
	Concurrency int         // downloads at once; download.DefaultConcurrency when zero
	Null        bool        // end each path with NUL, not a newline
	Dir         string      // --dir as given; the command settles the folder
}

// runDownload looks every ID up, downloads the finished ones and reports.
func runDownload(ctx context.Context, sio IO, c lookuper, f *download.Fetcher, list idList, o downloadOptions) error {
	if o.Retry.Attempts == 0 {
		o.Retry = defaultRetry
	}
	m := download.NewManager(f, download.WithConcurrency(o.Concurrency), download.WithClock(sio.Now))
	defer m.Close()

	// Each video is queued as its lookup comes in, so the downloads start
	// while the rest are read, and no result is kept.
	failed, keyRejected := false, false
	var badURL error
	started := 0
	var bar *progressLine // the lookups of a long list, on a terminal
	if sio.ErrTTY {
		bar = newProgressLine(sio.Err, "looking up", list.Len(), sio.Now)
		bar.sameTerminal = true // problems print on stderr, under it
		stop := bar.tick(ctx)
		defer stop()
	}
	lookupEach(ctx, c, list.All(), o.Workers, o.Retry, func(r result) {
		if ctx.Err() != nil {
			bar.above(nil)
			return // interrupted: said once, below
		}
		if api.IsWrongURL(r.Err) || badURL != nil {
			badURL = cmp.Or(badURL, r.Err)
			bar.above(nil)
			return // said once, below, not once an ID
		}
		v, err := downloadable(r)
		if err != nil {
			failed = true
			keyRejected = keyRejected || api.IsKeyRejected(err)
			bar.above(func() { fmt.Fprintf(sio.Err, "reel: %s: %s\n", termsafe.Clean(r.ID), termsafe.Clean(err.Error())) })
			return
		}
		if m.Start(v) {
			started++
		}
		bar.above(nil)
	})
	bar.done()
	if err := list.Err(); err != nil {
		// An input changed since it was checked: the rest are not
		// believed; what started finishes.
		failed = true
		fmt.Fprintf(sio.Err, "reel: %s\n", termsafe.Clean(err.Error()))
	}
	if badURL != nil {
		return usageErr(badURL)
	}
	if keyRejected {
		return &ExitError{Code: ExitKeyRejected}
	}
	if started > 0 {
		p := &downloadView{w: sio.Err, tty: sio.ErrTTY, width: downloadWidth(sio.ErrWidth), rows: map[string]download.Progress{}, null: o.Null}
		p.follow(ctx, sio.Out, m, started)
		failed = failed || p.failed
		keyRejected = p.keyRejected
	}
	if ctx.Err() != nil {
		fmt.Fprintln(sio.Err, resumeHint)
		return &ExitError{Code: ExitInterrupted}
	}
	if keyRejected {
		return &ExitError{Code: ExitKeyRejected}
	}
	if failed {
		return &ExitError{Code: ExitJobFailed}
	}
	return nil
}

// downloadable is r's video when its job finished, else why not.
func downloadable(r result) (*api.Video, error) {
	j := resultJob(r)
	if j.NotFound {
		// As status and wait say it: the glyph and word, and the note.
		return nil, fmt.Errorf("%s: %s", jobview.Label(&j), notFoundNote)
	}
	if r.Err != nil {
		return nil, r.Err
	}
	switch jobview.Of(&j) {
	case jobview.Finished:
		if j.Video == nil {
			return nil, errors.New("finished, but its video could not be read; try again")
		}
		return j.Video, nil
	case jobview.Failed, jobview.Deleted:
		return nil, fmt.Errorf("job %s: nothing to download", jobview.Word(&j))
	}
	state := jobview.Label(&j)
	if p := jobview.Percent(&j); p != "" {
		state += " " + p
	}
	return nil, fmt.Errorf("not finished yet (%s): use reel wait --download DIR", state)
}

// downloadView shows the running downloads on a terminal, one line each,
// redrawn in place; finished ones leave a line above. Elsewhere it only
// reports failures.
type downloadView struct {
	w     io.Writer
	tty   bool
	width int                          // of the terminal: a wrapped line would break the redraw
	rows  map[string]download.Progress // running and queued, by video
	order []string
	drawn int // lines of the live block on screen

	failed      bool // some download failed
	keyRejected bool // a link refresh met a rejected key
	null        bool // --null: paths end with NUL
}

// follow reads the Manager's events until n downloads ended, printing
// each saved path on out.
func (p *downloadView) follow(ctx context.Context, out io.Writer, m *download.Manager, n int) {
	for n > 0 {
		batch, err := m.Next(ctx)
		if err != nil {
			p.clear()
			p.failed = true
			return
		}
		p.clear()
		for _, e := range batch {
			if !e.State.Ended() {
				if _, seen := p.rows[e.VideoID]; !seen {
					p.order = append(p.order, e.VideoID)
				}
				p.rows[e.VideoID] = e
				continue
			}
			n--
			p.forget(e.VideoID)
			switch e.State {
			case download.StateFailed:
				p.failed = true
				p.keyRejected = p.keyRejected || api.IsKeyRejected(e.Err)
				fmt.Fprintf(p.w, "reel: %s: download failed: %s\n", termsafe.Clean(e.VideoID), termsafe.Clean(e.Err.Error()))
			case download.StateSkipped:
				if p.tty {
					fmt.Fprintf(p.w, "already there: %s\n", termsafe.Clean(e.Path))
				}
				writePath(out, e.Path, p.null)
			default:
				if p.tty {
					fmt.Fprintf(p.w, "saved %s (%s)\n", termsafe.Clean(e.Path), human.Size(e.Done))
				}
				writePath(out, e.Path, p.null)
			}
		}
		p.draw()
	}
}

// writePath prints a saved path for a program to read: a line, or with
// null, ended by NUL (a name may hold a newline).
func writePath(w io.Writer, path string, null bool) {
	end := "\n"
	if null {
		end = "\x00"
	}
	_, _ = io.WriteString(w, path+end)
}

func (p *downloadView) forget(id string) {
	delete(p.rows, id)
	for i, o := range p.order {
		if o == id {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
}

// clear erases the live block, so permanent lines print above it.
func (p *downloadView) clear() {
	if !p.tty || p.drawn == 0 {
		return
	}
	fmt.Fprintf(p.w, "\x1b[%dA\r\x1b[J", p.drawn)
	p.drawn = 0
}

func (p *downloadView) draw() {
	if !p.tty {
		return
	}
	queued := 0
	var b strings.Builder
	for _, id := range p.order {
		e := p.rows[id]
		if e.State == download.StateQueued {
			queued++
			continue
		}
		b.WriteString(ansi.Truncate(downloadLine(e, p.width), p.width-1, "…"))
		b.WriteByte('\n')
		p.drawn++
	}
	if queued > 0 {
		fmt.Fprintf(&b, "%d queued\n", queued)
		p.drawn++
	}
	_, _ = io.WriteString(p.w, b.String())
}

// downloadLine is one running download: name, bar, bytes, rate, time left.
// The name gives way first on a narrow terminal.
func downloadLine(e download.Progress, cols int) string {
	const width = 20
	nameWidth := min(max(cols-62, 16), 40)
	name := ansi.Truncate(termsafe.Clean(filepath.Base(e.Path)), nameWidth, "…")
	name += strings.Repeat(" ", max(0, nameWidth-ansi.StringWidth(name)))
	bar, pct := strings.Repeat("·", width), "  ?%"
	if e.Total > 0 {
		frac := min(float64(e.Done)/float64(e.Total), 1)
		fill := jobview.Cells(frac, false, width) // a running download: never full, as its percent never reads 100
		bar = strings.Repeat("█", fill) + strings.Repeat("·", width-fill)
		pct = fmt.Sprintf("%4s", jobview.FormatPercent(frac, false)) // as the dashboard rounds it
	}
	line := fmt.Sprintf("%s %s %s %s", name, bar, pct, human.Size(e.Done))
	if e.Total > 0 {
		line += " of " + human.Size(e.Total)
	}
	if e.Rate > 0 {
		line += "  " + human.Size(int64(e.Rate)) + "/s"
	}
	if e.ETA > 0 {
		line += "  " + human.Duration(e.ETA) + " left"
	}
	return line
}

// downloadWidth is the terminal's width for the live lines, 80 when it is
// unknown or too narrow to be real.
func downloadWidth(cols int) int {
	if cols > 10 {
		return cols
	}
	return 80
}

// resumeHint is what an interrupted download says, from download and
// wait --download alike.
const resumeHint = "reel: interrupted; run the same command again to resume: saved videos are kept, partial ones continue where they stopped"

// waitDownloadStart makes reel wait download each job as it finishes, a
// few at a time, printing each saved path on standard error (standard
// output carries wait's own report).
func waitDownloadStart(_ context.Context, sio IO, _ *config.Settings, c *api.Client, o *waitOptions) error {
	if o.Download == "" {
		if o.Null {
			return usageErr(errors.New("--null goes with --download DIR: it ends each saved path with a NUL byte"))
		}
		return nil
	}
	if o.Null && o.JSON {
		return usageErr(errors.New("--null and --json both choose standard output: use one"))
	}
	if err := checkFolder("--download", o.Download); err != nil {
		return err
	}
	warnFolder(sio, o.Download)
	f := newDownloader(o.Download, c, "reel")
	sem := make(chan struct{}, download.DefaultConcurrency)
	var mu sync.Mutex // one line at a time on stderr, and the set below
	seen := map[string]bool{}
	o.OnFinished = append(o.OnFinished, func(ctx context.Context, j track.Job) error {
		// A job id and its video id given together are one video: fetch it once.
		mu.Lock()
		dup := seen[j.Video.ID]
		seen[j.Video.ID] = true
		mu.Unlock()
		if dup && j.Video.ID != "" {
			return nil
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-sem }()
		path, err := f.Fetch(ctx, j.Video)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && ctx.Err() != nil {
			return err // interrupted: wait says once how to resume
		}
		if err != nil {
			fmt.Fprintf(sio.Err, "reel: %s: download failed: %s\n", termsafe.Clean(j.ID), termsafe.Clean(err.Error()))
			return err
		}
		fmt.Fprintf(sio.Err, "reel: %s: saved %s\n", termsafe.Clean(j.ID), termsafe.Clean(path))
		if o.Null {
			writePath(sio.Out, path, true)
		}
		return nil
	})
	return nil
}

// warnFolder warns of a download folder others can write to.
func warnFolder(sio IO, dir string) {
	if w := download.FolderWarning(dir); w != "" {
		fmt.Fprintf(sio.Err, "reel: warning: %s\n", termsafe.Clean(w))
	}
}

// checkFolder refuses, before any request, a download folder that cannot
// be one: a file stands there, or its path cannot be looked at. A folder
// that does not exist yet is made when the first file comes.
func checkFolder(flag, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return usageErr(fmt.Errorf("%s %s is a file, not a folder: name a folder to save videos in", flag, dir))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return usageErr(fmt.Errorf("%s %s: %w", flag, dir, err))
	}
	return nil
}
