package ui

import (
	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/jobview"
	"github.com/reel-dev/reel/track"
)

// category is how the dashboard groups a job: jobview's category, under the
// short names the dashboard's code uses. Its glyph, word and colour come
// from jobview, so the dashboard says what the scripting commands say.
type category jobview.Category

// The order is the sort order for "status": what needs the user first.
const (
	catTrouble    = category(jobview.Trouble)
	catFailed     = category(jobview.Failed)
	catNotFound   = category(jobview.NotFound)
	catGenerating = category(jobview.Generating)
	catPreparing  = category(jobview.Preparing)
	catQueued     = category(jobview.Queued)
	catWaiting    = category(jobview.Waiting)
	catOther      = category(jobview.Other)
	catFinished   = category(jobview.Finished)
	catDeleted    = category(jobview.Deleted)
	numCategories = category(jobview.NumCategories)
)

// catInfo is a category's glyph and the word used for it in the header.
var catInfo = func() (info [numCategories]struct{ glyph, word string }) {
	for c := range info {
		info[c].glyph, info[c].word = jobview.Category(c).Glyph(), jobview.Category(c).Word()
	}
	return info
}()

// categorize places a job, as jobview.Of does.
func categorize(j *track.Job) category { return category(jobview.Of(j)) }

// running reports whether jobs of this category are still moving.
func (c category) running() bool { return jobview.Category(c).Running() }

// statusWord is the word a row, the details and the scrollback show.
func statusWord(j *track.Job, _ category) string { return jobview.Word(j) }

// humanStatus is the word for an API status, as jobview says it.
func humanStatus(s api.Status) string { return jobview.HumanStatus(s) }
