package cli

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/retry"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// newStatusCmd is reel status. runF, when set, runs in place of the
// command with the options its flags gave, so tests can check the flags.
func newStatusCmd(sio IO, g *globals, runF func(o statusOptions, args []string) error) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json] [ID|FILE|-]...",
		Short: "Print the state of jobs once, as a table or JSON",
		Long: `Status reads each job (or video) once and prints its state: a table, or with
--json a JSON array with one object a job. It does not change the dashboard's
tracked list.

Exit status: 0 when every job could be read and none failed; 1 when some job
failed, was deleted, was not found or could not be read; 2 for usage or
config errors, or a base URL that is not the API's; 3 when the API key was
rejected; 130 when interrupted (Ctrl+C).`,
		Example: `  reel status 6f1c2b3a-job
  reel status --json jobs.txt | jq -r '.[] | select(.status=="finished") | .video.publicUrl'
  cat ids.txt | reel status -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(statusOptions{JSON: asJSON}, args)
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
			o := statusOptions{JSON: asJSON, Retry: defaultRetry, Workers: workers, Color: sio.OutColor, Width: sio.OutWidth}
			if sio.ErrTTY {
				o.Progress = sio.Err
			}
			return runStatus(cmd.Context(), sio, namedLookups{c}, streamedIDs{list}, o)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array, one object a job")
	return takesShared(cmd, "base-url", "config", "max-rps", "max-in-flight")
}

// result is what one ID came to: its lookup, or the error that stopped it.
type result struct {
	ID     string
	Lookup *api.Lookup
	Err    error
}

// retryPolicy says how often and how long to retry a transient error: the
// program's one backoff (package retry), a number of attempts, and the seams
// a test sets (Sleep, Jitter).
type retryPolicy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
	Sleep    func(context.Context, time.Duration) error
	Jitter   func() float64 // in [0, 1]; rand.Float64 when nil
}

var defaultRetry = retryPolicy{Attempts: 4, Base: 500 * time.Millisecond, Max: 10 * time.Second, Sleep: retry.Sleep}

func lookupWithRetry(ctx context.Context, c lookuper, id string, rp retryPolicy) (*api.Lookup, error) {
	backoff := retry.Backoff{Base: rp.Base, Max: rp.Max}
	jitter, sleep := rp.Jitter, rp.Sleep
	if jitter == nil {
		jitter = rand.Float64
	}
	if sleep == nil {
		sleep = retry.Sleep
	}
	for attempt := 1; ; attempt++ {
		l, err := c.Lookup(ctx, id)
		if err == nil || !api.IsRetryable(err) || attempt >= rp.Attempts {
			return l, err
		}
		ra, _ := api.RetryAfter(err)
		if err := sleep(ctx, retry.After(backoff.Delay(attempt, jitter()), ra, retry.MaxRetryAfter)); err != nil {
			return l, err
		}
	}
}

// statusJSON is one job in `status --json` and `wait --json`: the
// fields of PRODUCT.md (Scripting), with the API's raw objects.
type statusJSON struct {
	ID              string          `json:"id"`
	JobID           string          `json:"jobId,omitempty"`
	VideoID         string          `json:"videoId,omitempty"`
	Status          string          `json:"status"`
	Progress        *float64        `json:"progress,omitempty"`
	MaximumProgress *float64        `json:"maximumProgress,omitempty"`
	Video           json.RawMessage `json:"video,omitempty"`
	Job             json.RawMessage `json:"job,omitempty"` // the raw job object: a failure's reason lives here
	Error           string          `json:"error,omitempty"`
	Final           bool            `json:"final,omitempty"` // wait --json: the closing state of a job
}

// statusNotFound is the status word for an ID that is neither job nor video.
const statusNotFound = "not_found"

func toStatusJSON(r result) statusJSON {
	s := statusJSON{ID: r.ID}
	if l := r.Lookup; l != nil {
		s.Status = string(l.Status())
		if l.Job != nil {
			s.JobID = l.Job.ID
			if s.JobID == "" && l.Kind == api.KindJob {
				s.JobID = r.ID
			}
			s.VideoID = l.Job.VideoID
			p, m := l.Job.Progress, l.Job.MaximumProgress
			s.Progress, s.MaximumProgress = &p, &m
			s.Job, _ = json.Marshal(l.Job)
		}
		if l.Video != nil {
			if s.VideoID == "" {
				s.VideoID = l.Video.ID
			}
			if s.JobID == "" {
				s.JobID = l.Video.JobID
			}
			s.Video, _ = json.Marshal(l.Video)
		}
	}
	switch {
	case r.Err == nil:
	case api.IsNotFound(r.Err):
		s.Status = statusNotFound
	default:
		var bad *api.BadRequestError
		if errors.As(r.Err, &bad) {
			s.Status = statusNotFound
		}
		s.Error = r.Err.Error()
	}
	return s
}

// statusHeader names the columns of the status table. LENGTH is the
// video's length, as the dashboard calls it.
var statusHeader = []string{"ID", "STATUS", "PROGRESS", "NAME", "LENGTH", "SIZE", "NOTE"}

// statusRow is one job in the table a person reads. Every server string goes
// through termsafe, whether or not the output is a terminal: a file piped to
// less is a terminal too, later. The status cell is jobview's glyph and word,
// coloured for profile p.
func statusRow(r result, p colorprofile.Profile) []string {
	s := toStatusJSON(r)
	j := resultJob(r)
	var name, dur, size, note string
	if v := j.Video; v != nil {
		name = v.Name
		if v.VideoDurationSeconds != nil {
			dur = human.Seconds(*v.VideoDurationSeconds)
		}
		if v.VideoSizeBytes != nil {
			size = human.Size(*v.VideoSizeBytes)
		}
	}
	note = s.Error
	if j.Job != nil && note == "" {
		note = j.Job.Reason()
	}
	if j.NotFound && note == "" {
		note = notFoundNote
	}
	return []string{cell(s.ID, 40), statusLabel(&j, p), jobview.Percent(&j), cell(name, 40), dur, size, cell(note, 200)}
}

// resultJob is what a lookup says about a job, as the engine would hold it,
// so status draws it through jobview as wait and the dashboard do.
func resultJob(r result) track.Job {
	j := track.Job{ID: r.ID}
	if l := r.Lookup; l != nil {
		j.Kind, j.Status, j.Job, j.Video = l.Kind, l.Status(), l.Job, l.Video
		if l.Job != nil {
			j.Progress, j.MaximumProgress = l.Job.Progress, l.Job.MaximumProgress
		}
	}
	var bad *api.BadRequestError
	switch {
	case r.Err == nil:
	case api.IsNotFound(r.Err), errors.As(r.Err, &bad):
		j.NotFound = true
	default:
		j.Err = r.Err.Error()
	}
	return j
}

// notFoundNote explains not_found, in status and wait alike.
const notFoundNote = "neither a job nor a video"

// cell makes server text safe and short enough for a table column.
func cell(s string, width int) string {
	s = termsafe.Clean(s)
	if r := []rune(s); len(r) > width {
		s = string(r[:width-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// statusLabel is j's glyph and word, in its colour where p shows colour:
// the glyph says it without colour, too.
func statusLabel(j *track.Job, p colorprofile.Profile) string {
	return paint(p, jobview.Of(j).Role().Style(), jobview.Label(j))
}

// tally counts what exitFor needs, so results need not be kept.
type tally struct {
	keyRejected error
	wrongURL    error
	bad         int
}

func (t *tally) add(r result) {
	if api.IsWrongURL(r.Err) && t.wrongURL == nil {
		t.wrongURL = r.Err
	}
	if api.IsKeyRejected(r.Err) && t.keyRejected == nil {
		t.keyRejected = r.Err
	}
	s := toStatusJSON(r)
	if r.Err != nil || s.Status == string(api.StatusFailed) || s.Status == string(api.StatusDeleted) || s.Status == statusNotFound {
		t.bad++
	}
}

// exit maps the tally to the exit codes of PRODUCT.md: 2 when the base URL
// is not the API's, 3 when the key was
// rejected, 1 when any job failed, was deleted, was not found or could not be
// read, else 0.
func (t *tally) exit() error {
	if t.wrongURL != nil {
		return usageErr(t.wrongURL)
	}
	if t.keyRejected != nil {
		return &ExitError{Code: ExitKeyRejected, Err: t.keyRejected}
	}
	if t.bad > 0 {
		return &ExitError{Code: ExitJobFailed}
	}
	return nil
}
