package ui

import (
	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// category is how the dashboard groups a job: what it counts in the header,
// which glyph and colour its row gets, and where sorting by status puts it.
type category int

// The order is the sort order for "status": what needs the user first.
const (
	catTrouble category = iota
	catFailed
	catNotFound
	catGenerating
	catPreparing
	catQueued
	catWaiting // no answer yet
	catOther   // a status word the docs do not name
	catFinished
	catDeleted
	numCategories
)

// catInfo is a category's glyph and the word used for it in the header.
var catInfo = [numCategories]struct{ glyph, word string }{
	catTrouble:    {"!", "trouble"},
	catFailed:     {"✗", "failed"},
	catNotFound:   {"?", "not found"},
	catGenerating: {"●", "generating"},
	catPreparing:  {"◐", "preprocessing"},
	catQueued:     {"◌", "in queue"},
	catWaiting:    {"·", "waiting"},
	catOther:      {"◇", "other"},
	catFinished:   {"✓", "finished"},
	catDeleted:    {"⊘", "deleted"},
}

// categorize places a job. A job that ended keeps its end status even if a
// later request failed; trouble is for jobs still on their way.
func categorize(j *track.Job) category {
	switch {
	case j.NotFound:
		return catNotFound
	case j.Status == api.StatusFinished:
		return catFinished
	case j.Status == api.StatusFailed:
		return catFailed
	case j.Status == api.StatusDeleted:
		return catDeleted
	case j.Err != "" || j.Retrying:
		return catTrouble
	case j.Status == "":
		return catWaiting
	case j.Status == api.StatusInQueue:
		return catQueued
	case j.Status == api.StatusPreprocessing, j.Status == api.StatusPreprocessingFinished:
		return catPreparing
	case j.Status == api.StatusGenerating:
		return catGenerating
	}
	return catOther
}

// running reports whether jobs of this category are still moving.
func (c category) running() bool {
	switch c {
	case catTrouble, catGenerating, catPreparing, catQueued, catWaiting, catOther:
		return true
	}
	return false
}

// statusWord is the word a row, the details and the scrollback show: the
// same human words as the header and the help, whatever the API spells.
func statusWord(j *track.Job, c category) string {
	switch c {
	case catNotFound, catTrouble, catWaiting:
		return catInfo[c].word
	}
	return humanStatus(j.Status)
}

// humanStatus is the word for an API status: spaces for underscores in the
// documented ones, and a word the docs do not name as it came, cleaned.
// JSON output keeps the API's own words; this is for people.
func humanStatus(s api.Status) string {
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
