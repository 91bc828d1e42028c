package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/termsafe"
)

// submitReporter writes each row's outcome and the summary.
type submitReporter struct {
	sio  IO
	json bool
	mu   sync.Mutex
	ids  []string // created and skipped rows' job ids, for --wait
}

type submitJSON struct {
	Row     string `json:"row"`
	ID      string `json:"id"`
	VideoID string `json:"videoId,omitempty"`
	State   string `json:"state"`
}

func (r *submitReporter) row(res submit.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	where := termsafe.Clean(res.Row.Where())
	switch res.Outcome {
	case submit.OutCreated, submit.OutSkipped:
		r.ids = append(r.ids, res.JobID)
		if r.json {
			b, _ := marshalJSON(submitJSON{Row: res.Row.Where(), ID: res.JobID, VideoID: res.VideoID, State: string(res.Outcome)}, false)
			_, _ = r.sio.Out.Write(b)
			return
		}
		fmt.Fprintln(r.sio.Out, termsafe.Clean(res.JobID))
	case submit.OutFailed:
		fmt.Fprintf(r.sio.Err, "reel: %s: failed, not created: %s\n", where, termsafe.Clean(res.Err))
	case submit.OutUnknown:
		fmt.Fprintf(r.sio.Err, "reel: %s: unknown, may have been created: %s (row key %s)\n", where, termsafe.Clean(res.Err), res.Row.Key)
	}
}

// waiting tells of a row held back by the API's Retry-After.
func (r *submitReporter) waiting(row submit.Row, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.sio.Err, "reel: %s: rate limited, waiting %s\n", termsafe.Clean(row.Where()), d.Round(time.Second))
}

func (r *submitReporter) summary(sum submit.Summary, o *submitOptions) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := fmt.Sprintf("reel: submit: %d created, %d skipped (created before), %d failed, %d unknown",
		sum.Created, sum.Skipped, sum.Failed, sum.Unknown)
	if sum.NotSent > 0 {
		line += fmt.Sprintf(", %d not sent", sum.NotSent)
	}
	fmt.Fprintln(r.sio.Err, line)
	if sum.Failed+sum.NotSent > 0 {
		fmt.Fprintln(r.sio.Err, "reel: failed and unsent rows were not created: run the same command again to send them; created rows are skipped")
	}
	if sum.Unknown > 0 {
		fmt.Fprintf(r.sio.Err, "reel: an unknown row may have been created. To check, look in the Colossyan app for a job with "+
			"the row's variables (with a callback receiver, its callback carries the row key as reelRow). Running the same "+
			"command again sends nothing for these rows. To send them again anyway, which duplicates any that was created:\n"+
			"  reel submit --resend-unknown %s\n", o.again)
	}
}

// againArgs is the command's flags (all the user set, --store and
// --base-url included: the same journal must be found) and files, quoted
// for a shell, less --resend-unknown, which the hint adds. Secrets stay out:
// stderr ends up in CI logs. The callback secret shows as SECRET and a
// store's password is cut from its URL, with a line saying how to give them.
func againArgs(cmd *cobra.Command, args []string) string {
	var parts, notes []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		switch {
		case f.Name == "resend-unknown":
		case f.Value.Type() == "bool":
			parts = append(parts, "--"+f.Name+"="+f.Value.String())
		case f.Name == "callback-secret":
			parts = append(parts, "--callback-secret=SECRET")
			notes = append(notes, "SECRET is your callback secret (or leave the flag out and set "+config.SecretEnv+")")
		case f.Name == "store" && store.HasPassword(f.Value.String()):
			parts = append(parts, "--store="+shellQuote(store.Redact(f.Value.String())))
			notes = append(notes, "the store's password is left out: give it by PGPASSWORD or ~/.pgpass, or the whole URL by REEL_STORE")
		default:
			parts = append(parts, "--"+f.Name+"="+shellQuote(f.Value.String()))
		}
	})
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	line := termsafe.Clean(strings.Join(parts, " "))
	if len(notes) > 0 {
		line += "\n  (" + strings.Join(notes, "; ") + ")"
	}
	return line
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// journalRows finds the job made from a submitted row, for the callback
// receiver: it reads the store's submit journal, opened read-only on first
// use (a callback may come long after, or never). A store that cannot be
// opened (a database server down for a while, a file not made yet) is
// tried again on a later callback, at most once every journalRetry, rather
// than given up for the receiver's whole life.
type journalRows struct {
	path string
	now  func() time.Time // nil: time.Now

	mu     sync.Mutex
	st     *store.Store
	tried  time.Time // the last failed opening
	closed bool
}

// journalRetry spaces the openings of a store that failed to open.
const journalRetry = 5 * time.Second

func (j *journalRows) lookup(key string) (string, bool) {
	st := j.store()
	if st == nil {
		return "", false
	}
	e, ok, err := st.Submission(context.Background(), key)
	if err != nil || !ok || e.JobID == "" {
		return "", false
	}
	return e.JobID, true
}

// store is the opened store, opening it when due; nil when there is none.
func (j *journalRows) store() *store.Store {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.st != nil || j.closed || j.path == "" {
		return j.st
	}
	now := time.Now
	if j.now != nil {
		now = j.now
	}
	if !j.tried.IsZero() && now().Sub(j.tried) < journalRetry {
		return nil
	}
	st, err := store.OpenReadOnly(j.path)
	if err != nil {
		j.tried = now()
		return nil // no store yet: no rows to know
	}
	j.st = st
	return st
}

func (j *journalRows) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closed = true // no opening after this
	if j.st != nil {
		j.st.Close()
		j.st = nil
	}
}
