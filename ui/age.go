package ui

import (
	"encoding/json"
	"time"

	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/track"
)

// jobOrigin is the moment a job's age counts from: when it was created,
// as its job object's creationDate says (undocumented, but sent), or else
// when reel began tracking it, whichever is earlier. It does not move
// when the job leaves the queue, so the age only ever grows.
func jobOrigin(j *track.Job) time.Time {
	origin := j.Added
	if j.Job == nil || len(j.Job.Raw) == 0 {
		return origin
	}
	var o struct {
		CreationDate string `json:"creationDate"`
	}
	if json.Unmarshal(j.Job.Raw, &o) != nil || o.CreationDate == "" {
		return origin
	}
	created, err := time.Parse(time.RFC3339Nano, o.CreationDate)
	if err != nil {
		return origin
	}
	// A server clock ahead of ours would give a job an age below zero.
	if origin.IsZero() || created.Before(origin) {
		return created
	}
	return origin
}

// ageText is the AGE part of the AGE/LEFT column: for a running job how
// long since its origin, for an ended one how old it was when reel saw it
// end. A job first seen already ended shows nothing: reel does not know
// when it ended.
func ageText(j *track.Job, c category, origin, now time.Time) string {
	switch {
	case origin.IsZero():
		return ""
	case c.running():
		return human.Duration(now.Sub(origin))
	case seenEnding(j) && j.Ended.Sub(origin) >= time.Second:
		return human.Duration(j.Ended.Sub(origin))
	}
	return ""
}
