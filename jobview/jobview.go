// Package jobview is the one presentation of a job's state: for a
// track.Job, its category, glyph, word, percentage and colour. The dashboard,
// status, wait, download and the quit summary all draw a job through it, so
// every surface says the same thing about the same job.
package jobview

import (
	"fmt"
	"math"

	"charm.land/lipgloss/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// Category is how a job is grouped: what the dashboard counts in its
// header, which glyph and colour a job gets, and where sorting by status
// puts it.
type Category int

// The order is the sort order for "status": what needs the user first.
const (
	Trouble    Category = iota // still on its way, but the last request failed
	Failed                     // the render failed
	NotFound                   // neither a job nor a video
	Generating                 // rendering
	Preparing                  // preprocessing, or preprocessed
	Queued                     // in queue
	Waiting                    // no answer yet
	Other                      // a status word the docs do not name
	Finished                   // the video is made
	Deleted                    // the video was deleted
	NumCategories
)

var info = [NumCategories]struct {
	glyph, word string
	role        Role
}{
	Trouble:    {"!", "trouble", Warn},
	Failed:     {"✗", "failed", Bad},
	NotFound:   {"?", "not found", Missing},
	Generating: {"●", "generating", Active},
	Preparing:  {"◐", "preprocessing", Starting},
	Queued:     {"◌", "in queue", Quiet},
	Waiting:    {"·", "waiting", Quiet},
	Other:      {"◇", "other", Plain},
	Finished:   {"✓", "finished", Good},
	Deleted:    {"⊘", "deleted", Quiet},
}

// Of places a job. A job that ended keeps its end status even if a later
// request failed; trouble is for jobs still on their way.
func Of(j *track.Job) Category {
	switch {
	case j.NotFound:
		return NotFound
	case j.Status.Terminal():
		return ForStatus(j.Status)
	case j.Err != "" || j.Retrying:
		return Trouble
	}
	return ForStatus(j.Status)
}

// ForStatus places a job known only by its API status, as the history
// remembers it: no request state, so never trouble or not found. "" is a
// job not read yet.
func ForStatus(s api.Status) Category {
	switch s {
	case api.StatusFinished:
		return Finished
	case api.StatusFailed:
		return Failed
	case api.StatusDeleted:
		return Deleted
	case "":
		return Waiting
	case api.StatusInQueue:
		return Queued
	case api.StatusPreprocessing, api.StatusPreprocessingFinished:
		return Preparing
	case api.StatusGenerating:
		return Generating
	}
	return Other
}

// Glyph is the category's one-cell sign, so a state never depends on colour.
func (c Category) Glyph() string { return info[c].glyph }

// Word is the category's name, as the header counts and the help's legend
// say it.
func (c Category) Word() string { return info[c].word }

// Role is the colour the category is drawn in.
func (c Category) Role() Role { return info[c].role }

// Running reports whether jobs of this category are still moving.
func (c Category) Running() bool {
	switch c {
	case Trouble, Generating, Preparing, Queued, Waiting, Other:
		return true
	}
	return false
}

// Unreadable is the word for a job in trouble that was never read (a
// rejected key, the network): there is no status to show yet.
const Unreadable = "unreadable"

// Word is the word every surface shows for j: the same human words as the
// header and the help, whatever the API spells.
func Word(j *track.Job) string {
	switch c := Of(j); c {
	case Trouble:
		if j.Status == "" {
			return Unreadable
		}
		return c.Word()
	case NotFound, Waiting:
		return c.Word()
	}
	return HumanStatus(j.Status)
}

// Label is the glyph and the word, as a status column shows them.
func Label(j *track.Job) string { return Of(j).Glyph() + " " + Word(j) }

// HumanStatus is the word for an API status: spaces for underscores in the
// documented ones, and a word the docs do not name as it came, cleaned.
// JSON output keeps the API's own words; this is for people.
func HumanStatus(s api.Status) string {
	switch s {
	case api.StatusInQueue:
		return "in queue"
	case api.StatusPreprocessingFinished:
		return "preprocessed"
	case api.StatusPreprocessing, api.StatusGenerating, api.StatusFinished, api.StatusFailed, api.StatusDeleted:
		return string(s)
	}
	return termsafe.Clean(string(s))
}

// Percent is j's progress as a whole percentage, or "" when there is no
// progress to tell: nothing read yet, not found, deleted.
//
// The rounding rule, the same on every surface: the percentage is rounded
// down, and never reads 100% until the job is finished, so a job at 100 of
// 100 that is still generating reads 99%. A finished job reads 100% whatever
// its last progress said.
func Percent(j *track.Job) string {
	switch Of(j) {
	case NotFound, Waiting, Deleted:
		return ""
	}
	if j.Status == "" {
		return ""
	}
	done := j.Status == api.StatusFinished
	return FormatPercent(j.Fraction(), done)
}

// FormatPercent renders a fraction in [0, 1] by Percent's rule: rounded
// down, 100% only when done. Downloads use it too.
func FormatPercent(f float64, done bool) string { return fmt.Sprintf("%d%%", Whole(f, done)) }

// Whole is the whole percentage FormatPercent shows: f in [0, 1] rounded
// down, 100 only when done (a job at its last step that is not finished
// reads 99).
func Whole(f float64, done bool) int {
	if done {
		return 100
	}
	p := 0
	if f == f { // NaN reads 0
		p = int(math.Floor(min(max(f, 0), 1) * 100))
	}
	return min(p, 99)
}

// Cells is how many of a w-cell progress bar the fraction f fills: the
// percentage Whole shows, scaled to the bar and rounded down. So a bar
// agrees with the percentage beside it (it never shows more than the
// number says) and is full only when done, whatever w.
func Cells(f float64, done bool, w int) int {
	if w <= 0 {
		return 0
	}
	if done {
		return w
	}
	return min(Whole(f, false)*w/100, w-1)
}

// Role is a colour's meaning; Color says which colour it is.
type Role int

// The roles. Quiet is drawn faint rather than in a colour.
const (
	Plain    Role = iota // the terminal's own colour
	Quiet                // faint: waiting, queued, gone
	Warn                 // yellow: trouble
	Bad                  // red: failed
	Missing              // magenta: not found
	Active               // cyan: generating
	Starting             // blue: preprocessing
	Good                 // green: finished
)

// The basic ANSI colours, which every colour terminal has and which follow
// the user's theme.
var colors = [...]string{
	Warn:     "3", // yellow
	Bad:      "1", // red
	Missing:  "5", // magenta
	Active:   "6", // cyan
	Starting: "4", // blue
	Good:     "2", // green
}

// Style is the lipgloss style for the role.
func (r Role) Style() lipgloss.Style {
	switch r {
	case Plain:
		return lipgloss.NewStyle()
	case Quiet:
		return lipgloss.NewStyle().Faint(true)
	}
	return lipgloss.NewStyle().Foreground(lipgloss.Color(colors[r]))
}
