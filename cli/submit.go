package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/callback"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/termsafe"
)

// submitOptions are the flags of one `reel submit` run.
type submitOptions struct {
	Template      string
	DryRun        bool
	Wait          bool
	JSON          bool
	ResendUnknown bool
	AllowEmpty    bool
	CallbackURL   string
	wait          waitOptions // --download and the other wait hooks bind here
	again         string      // the command's flags and files, for a hint to copy
}

// newSubmitCmd is reel submit; runF, when set, runs in its place with the
// options its flags gave (tests).
func newSubmitCmd(sio IO, g *globals, runF func(o *submitOptions, args []string) error) *cobra.Command {
	var o submitOptions
	cmd := &cobra.Command{
		Use:   "submit [--template ID] [--dry-run] [--wait] [--download DIR] [--json] FILE...",
		Short: "Create jobs from CSV rows or JSON bodies, each exactly once",
		Long: `Submit creates video generation jobs and tracks them at once.

With --template ID, each FILE is CSV: a header naming the dynamic variables,
then one row a template job. Lines may end in LF, CRLF or CR. Without it, each
FILE holds job bodies as the API takes them: one JSON object, an array of
them, or JSON lines. A body with templateJobId is a template job; any other is
a manual job and needs a videoCreative object.

Every row is checked before anything is sent; a problem is named with its
file and line, and nothing is sent until all are fixed (--dry-run checks and
stops there). Each row is then journaled in the store before its POST and
again with the answer, so running the same command again, after a crash, a
Ctrl+C or a lost network, skips the rows already created. A row is the same
row when its template and its values are the same (in any column or key
order), wherever the file is and wherever the row stands in it; rows repeated
in a file are that many jobs.

A POST whose outcome is unknown (the connection dropped after the request was
sent, a 5xx, a timeout, an answer that cannot be read) may have created the
job: the row is reported as unknown and is never sent again unless
--resend-unknown says so. Only requests the API surely did not take (429, 503
with Retry-After, no connection) are retried. Requests keep to the program's
rate cap.

With a callback receiver (--listen or listen in the config, or --callback-url
or callback_url in the config for a public address that forwards to one),
each job gets the callback URL (callback for manual jobs, callbackUrl for
template jobs) and a callbackPayload holding the row's key under "reelRow",
which the receiver matches to the job.

Standard output gets the job IDs created (and found created before), one a
line, or with --json one {"row","id","videoId","state"} object a line: either
is an ID list for reel status and reel wait. Problems and a summary go to
standard error.

With --wait (or --download DIR) it then waits for the jobs as reel wait does,
taking wait's --timeout, --download, --null and --show-callback-url, and the
program's --interval, --max-rps and --max-in-flight.

Exit status: 0 when every row was created (and with --wait, finished); 1 when
a row failed or is unknown; 2 for bad input, usage or config errors; 3 when
the API key was rejected; 124 when --wait's --timeout ran out first.`,
		Example: `  # one template job per customer, then wait and fetch the videos
  reel submit --template tpl_123 customers.csv --download out/

  # check a file without sending anything
  reel submit --dry-run --template tpl_123 customers.csv

  # manual jobs from the web editor's API export, IDs into a file
  reel submit job.json > ids.txt && reel wait ids.txt`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.wait.Timeout < 0 {
				return usageErr(errors.New("--timeout must not be negative"))
			}
			if !o.Wait && o.wait.Download == "" {
				// Waiting's flags do nothing without waiting: say so, rather
				// than take them and ignore them.
				for _, name := range []string{"timeout", "show-callback-url", "null"} {
					if cmd.Flags().Changed(name) {
						return usageErr(fmt.Errorf("--%s is for waiting: add --wait (or --download DIR)", name))
					}
				}
			}
			o.again = againArgs(cmd, args)
			if runF != nil {
				return runF(&o, args)
			}
			return runSubmit(cmd.Context(), sio, g, args, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Template, "template", "", "make a template job from `ID` for each CSV row")
	f.BoolVar(&o.DryRun, "dry-run", false, "check every row and send nothing")
	f.BoolVar(&o.Wait, "wait", false, "then wait until the jobs end, as reel wait does")
	f.BoolVar(&o.JSON, "json", false, `write one {"row","id","videoId","state"} object a line`)
	f.BoolVar(&o.ResendUnknown, "resend-unknown", false, "send rows whose outcome is unknown again (may make duplicates)")
	f.BoolVar(&o.AllowEmpty, "allow-empty", false, "take rows with an empty variable (else each is a problem)")
	f.StringVar(&o.CallbackURL, "callback-url", "", "public `URL` of the callback receiver to give each job")
	waitFlags(cmd, &o.wait) // submit --wait takes wait's own flags
	// The shared flags submit uses: the API and its pacing, the store (its
	// journal), and the callback receiver; --interval paces --wait.
	return takesShared(cmd, waitShared...)
}

func runSubmit(ctx context.Context, sio IO, g *globals, args []string, o *submitOptions) error {
	sio = sio.Serialized() // senders and --wait's downloads report from their own goroutines
	srcs, err := submitSources(args, o.Template)
	if err != nil {
		return err
	}
	for i := range srcs {
		srcs[i].AllowEmpty = o.AllowEmpty
	}
	if o.CallbackURL != "" {
		if msg := config.CheckCallbackURL(o.CallbackURL); msg != "" {
			return usageErr(fmt.Errorf("--callback-url %s: %s", termsafe.Clean(o.CallbackURL), msg))
		}
	}
	rows, kinds, err := checkRows(sio, srcs)
	if err != nil {
		return err
	}
	s, err := g.settings(sio)
	if err != nil {
		return err
	}
	// The rows sent at once: --max-in-flight, as for status's and
	// download's lookups.
	workers, err := lookupPool(s)
	if err != nil {
		return err
	}
	if o.DryRun {
		return dryRunReport(ctx, sio, s, srcs, rows, kinds)
	}
	c, err := g.client(s)
	if err != nil {
		return err
	}
	if s.StorePath == "" {
		return usageErr(errors.New("submit keeps its journal in the store: set --store, REEL_STORE or XDG_STATE_HOME"))
	}
	cbURL, err := submitCallbackURL(sio, s, o.CallbackURL)
	if err != nil {
		return err
	}
	if w := loopbackWarning(cbURL, s.BaseURL); w != "" {
		fmt.Fprintln(sio.Err, "reel: "+w)
	}
	wantWait := o.Wait || o.wait.Download != ""
	if cbURL != "" && !wantWait && o.CallbackURL == "" && s.CallbackURL == "" {
		fmt.Fprintf(sio.Err, "reel: each job will call back %s: keep a receiver listening there (reel --listen %s, or reel wait)\n",
			termsafe.CleanURL(cbURL), termsafe.Clean(s.Listen))
	}
	if wantWait {
		if err := waitDownloadStart(ctx, sio, s, c, &o.wait); err != nil {
			return err
		}
	}
	st, err := store.Open(s.StorePath)
	if err != nil {
		return usageErr(err)
	}
	defer st.Close()

	out := &submitReporter{sio: sio, json: o.JSON}
	feed := make(chan submit.Row)
	readErr := make(chan error, 1)
	go func() {
		defer close(feed)
		readErr <- feedRows(ctx, srcs, rows, feed)
	}()
	sum, sendErr := submit.Send(ctx, feed, submit.Options{
		Poster: c, Journal: st, CallbackURL: cbURL, Force: o.ResendUnknown, Report: out.row, Waiting: out.waiting, Workers: workers,
	})
	rerr := <-readErr
	// Rows the run never reached: interrupted, or stopped by a rejected key.
	sum.NotSent = rows - (sum.Created + sum.Skipped + sum.Failed + sum.Unknown)
	out.summary(sum, o)
	switch {
	case api.IsKeyRejected(sendErr):
		return &ExitError{Code: ExitKeyRejected, Err: sendErr}
	case ctx.Err() != nil:
		return &ExitError{Code: 130, Err: fmt.Errorf("interrupted: %w (run the same command again to go on)", context.Cause(ctx))}
	case sendErr != nil:
		return sendErr
	case rerr != nil:
		return usageErr(fmt.Errorf("%w (did the file change while reel read it?)", rerr))
	}
	code := ExitOK
	if sum.Failed+sum.Unknown+sum.NotSent > 0 {
		code = ExitJobFailed
	}
	if wantWait && len(out.ids) > 0 {
		o.wait.Interval, o.wait.MaxRPS, o.wait.MaxInFlight = s.Interval, s.MaxRPS, s.MaxInFlight
		o.wait.JSON = o.JSON
		o.wait.TypicalRender = typicalRender(ctx, s.StorePath)
		o.wait.Attach = waitAttach(sio, s, &o.wait)
		werr := runWait(ctx, sio, c, out.ids, o.wait)
		var ee *ExitError
		if werr != nil && (!errors.As(werr, &ee) || ee.Code != ExitJobFailed) {
			return werr // key rejected, interrupted: says more than 1
		}
		if werr != nil {
			code = ExitJobFailed
		}
	}
	if code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// submitSources names each file, refusing one named twice (through
// another path, a symlink or a hard link too): its rows would race
// themselves.
func submitSources(args []string, template string) ([]submit.Source, error) {
	var (
		srcs []submit.Source
		fis  []os.FileInfo
	)
	for _, a := range args {
		if a == "-" {
			return nil, usageErr(errors.New("submit reads its files twice (once to check every row, once to send): " +
				"save standard input to a file and name that"))
		}
		fi, err := os.Stat(a)
		if err != nil {
			return nil, usageErr(fmt.Errorf("%s: %w", a, errors.Unwrap(err)))
		}
		if fi.IsDir() {
			return nil, usageErr(fmt.Errorf("%s is a folder: name a CSV or JSON file", a))
		}
		for i, prev := range fis {
			if os.SameFile(prev, fi) {
				return nil, usageErr(fmt.Errorf("%s and %s are the same file: name it once", srcs[i].Name, a))
			}
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, usageErr(err)
		}
		fis = append(fis, fi)
		srcs = append(srcs, submit.Source{Name: a, ID: abs, Template: template})
	}
	return srcs, nil
}

// readSource reads one file's rows: CSV for a template, JSON bodies else.
func readSource(src submit.Source, row func(submit.Row) error, bad func(submit.Problem)) error {
	f, err := os.Open(src.Name)
	if err != nil {
		return err
	}
	defer f.Close()
	if src.Template != "" {
		return submit.ReadCSV(f, src, row, bad)
	}
	return submit.ReadJSON(f, src, row, bad)
}

// checkRows reads every file once, naming each problem on standard error;
// any problem is a usage error (exit 2) and nothing is sent. It counts the
// rows, so the second reading can tell a file that changed.
func checkRows(sio IO, srcs []submit.Source) (int, map[submit.Kind]int, error) {
	n, problems := 0, 0
	kinds := map[submit.Kind]int{}
	for _, src := range srcs {
		err := readSource(src, func(r submit.Row) error {
			n++
			kinds[r.Kind]++
			return nil
		}, func(p submit.Problem) {
			problems++
			fmt.Fprintf(sio.Err, "reel: %s\n", termsafe.Clean(p.Error()))
		})
		if err != nil {
			problems++
			fmt.Fprintf(sio.Err, "reel: %s\n", termsafe.Clean(err.Error()))
		}
	}
	if problems > 0 {
		return 0, nil, usageErr(fmt.Errorf("%d problems in the input: nothing was sent", problems))
	}
	if n == 0 {
		return 0, nil, usageErr(errors.New("no rows in the input: nothing to send"))
	}
	return n, kinds, nil
}

// feedRows reads the files again and hands each row to the sender.
func feedRows(ctx context.Context, srcs []submit.Source, want int, feed chan<- submit.Row) error {
	n := 0
	var changed error
	for _, src := range srcs {
		err := readSource(src, func(r submit.Row) error {
			n++
			select {
			case feed <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, func(p submit.Problem) {
			if changed == nil {
				changed = p
			}
		})
		if err != nil {
			return err
		}
		if changed != nil {
			return changed
		}
	}
	if n != want {
		return fmt.Errorf("%d rows on the second reading, %d on the first", n, want)
	}
	return nil
}

// dryRunReport says what a real run would do, reading the journal (if the
// store exists) to count the rows already created or unknown.
func dryRunReport(ctx context.Context, sio IO, s *config.Settings, srcs []submit.Source, n int, kinds map[submit.Kind]int) error {
	var done, unknown int
	if s.StorePath != "" {
		if st, err := store.OpenReadOnly(s.StorePath); err == nil {
			defer st.Close()
			for _, src := range srcs {
				_ = readSource(src, func(r submit.Row) error {
					e, ok, err := st.Submission(ctx, r.Key)
					switch {
					case err != nil || !ok:
					case e.State == submit.Created:
						done++
					case e.State == submit.Unknown || e.State == submit.Sending:
						unknown++
					}
					return nil
				}, func(submit.Problem) {})
			}
		}
	}
	fmt.Fprintf(sio.Err, "reel: dry run: %d rows, all good (%d template jobs, %d manual jobs); "+
		"%d would be sent, %d are created already, %d have an unknown outcome\n",
		n, kinds[submit.Template], kinds[submit.Manual], n-done-unknown, done, unknown)
	return nil
}

// submitCallbackURL is the URL to give each job: --callback-url, else
// callback_url from the config, else the receiver's own URL when --listen
// (or listen) names a fixed port.
func submitCallbackURL(sio IO, s *config.Settings, flagURL string) (string, error) {
	if flagURL != "" {
		return flagURL, nil
	}
	if s.CallbackURL != "" {
		return s.CallbackURL, nil
	}
	if s.Listen == "" {
		return "", nil
	}
	hostport, _, err := callback.ResolveAddr(s.Listen)
	if err != nil {
		return "", usageErr(err)
	}
	host, port, _ := net.SplitHostPort(hostport)
	if port == "0" {
		return "", usageErr(fmt.Errorf("--listen %s: submit gives the callback URL to each job, so it needs a fixed port", s.Listen))
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return "", usageErr(fmt.Errorf("--listen %s listens on every address, which is no address to call back: "+
			"give --callback-url the URL that reaches this receiver", termsafe.Clean(s.Listen)))
	}
	secret, err := callbackSecret(sio, s)
	if err != nil {
		return "", err
	}
	return "http://" + hostport + "/callback/" + secret, nil
}

// loopbackWarning is a warning when jobs would call back this machine's
// loopback address while the API is elsewhere: it cannot reach it.
func loopbackWarning(cbURL, baseURL string) string {
	cb, err := url.Parse(cbURL)
	if cbURL == "" || err != nil || !loopbackHost(cb.Hostname()) {
		return ""
	}
	if base, err := url.Parse(baseURL); err == nil && loopbackHost(base.Hostname()) {
		return "" // a simulator on this machine reaches it
	}
	return fmt.Sprintf("each job will call back %s, a loopback address the API at %s cannot reach: "+
		"give --callback-url a public URL that forwards to the receiver", termsafe.CleanURL(cbURL), termsafe.CleanURL(baseURL))
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
