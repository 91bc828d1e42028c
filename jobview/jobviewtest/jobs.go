// Package jobviewtest holds one job of every status, for the tests that
// render a job through every surface (dashboard, quit summary, status,
// wait, download) and check they agree with jobview.
package jobviewtest

import (
	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/track"
)

// Case is one job and what it stands for.
type Case struct {
	Name string
	Job  track.Job
}

func job(id string, st api.Status, progress, maxP float64) track.Job {
	return track.Job{ID: id, Status: st, Progress: progress, MaximumProgress: maxP,
		Job: &api.Job{ID: id, Status: st, Progress: progress, MaximumProgress: maxP}}
}

// Every is one job of every status the API names, one of each state reel
// adds (waiting, not found, trouble, unreadable), one the docs do not name,
// and the edges of the rounding rule: generating at 100 of 100, and finished
// at 40 of 100.
func Every() []Case {
	failed := job("job-failed", api.StatusFailed, 40, 100)
	failed.Job.Raw = []byte(`{"id":"job-failed","status":"failed","progress":40,"maximumProgress":100}`)
	trouble := job("job-trouble", api.StatusGenerating, 30, 100)
	trouble.Err, trouble.Retrying = "503 Service Unavailable", true
	return []Case{
		{"waiting", track.Job{ID: "job-new"}},
		{"in queue", job("job-queued", api.StatusInQueue, 0, 100)},
		{"preprocessing", job("job-prep", api.StatusPreprocessing, 5, 100)},
		{"preprocessed", job("job-prepdone", api.StatusPreprocessingFinished, 20, 100)},
		{"generating", job("job-gen", api.StatusGenerating, 61.7, 100)},
		{"generating at 100 of 100", job("job-gen-full", api.StatusGenerating, 100, 100)},
		{"generating at 995 of 1000", job("job-gen-995", api.StatusGenerating, 995, 1000)},
		{"finished", job("job-finished", api.StatusFinished, 100, 100)},
		{"finished at 40 of 100", job("job-finished-early", api.StatusFinished, 40, 100)},
		{"failed", failed},
		{"deleted", job("job-deleted", api.StatusDeleted, 100, 100)},
		{"not found", track.Job{ID: "job-missing", NotFound: true}},
		{"trouble", trouble},
		{"unreadable", track.Job{ID: "job-unreadable", Err: "API key rejected"}},
		{"other", job("job-odd", api.Status("paused"), 10, 100)},
	}
}

// SGR is the escape that opens each role's colour on a basic-colour (ANSI)
// terminal, written out rather than asked of lipgloss, so a test holds the
// colours to the terminal's own codes: the one colour per meaning that
// PRODUCT.md names. Plain opens nothing. Every colour closes with Reset.
var SGR = map[jobview.Role]string{
	jobview.Plain:    "",
	jobview.Quiet:    "\x1b[2m",  // faint
	jobview.Warn:     "\x1b[33m", // yellow
	jobview.Bad:      "\x1b[31m", // red
	jobview.Missing:  "\x1b[35m", // magenta
	jobview.Active:   "\x1b[36m", // cyan
	jobview.Starting: "\x1b[34m", // blue
	jobview.Good:     "\x1b[32m", // green
}

// Reset closes a colour.
const Reset = "\x1b[m"
