package stats

import (
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/jobview"
)

// Stage is one part of a job's life as its timeline shows it.
type Stage int

const (
	StageQueued Stage = iota
	StagePreparing
	StageGenerating
	StageFinished
	StageFailed
	StageDeleted
	StageOther // a status the API has not documented
)

// stageOf groups the API's words into the stages a timeline shows.
func stageOf(s api.Status) Stage {
	switch s {
	case api.StatusInQueue:
		return StageQueued
	case api.StatusPreprocessing, api.StatusPreprocessingFinished:
		return StagePreparing
	case api.StatusGenerating:
		return StageGenerating
	case api.StatusFinished:
		return StageFinished
	case api.StatusFailed:
		return StageFailed
	case api.StatusDeleted:
		return StageDeleted
	}
	return StageOther
}

// Category is the jobview category of the stage's jobs, whose word and
// colour the timeline shows.
func (s Stage) Category() jobview.Category {
	return [...]jobview.Category{jobview.Queued, jobview.Preparing, jobview.Generating,
		jobview.Finished, jobview.Failed, jobview.Deleted, jobview.Other}[s]
}

// Word is the stage as the timeline's legend says it: jobview's word.
func (s Stage) Word() string { return s.Category().Word() }

// Glyph fills the stage's part of a timeline bar: each stage its own shade,
// so the bar reads without colour. An end stage is a moment, drawn in no
// bar: its glyph is jobview's, as the legend shows it.
func (s Stage) Glyph() string {
	switch s {
	case StageFinished, StageFailed, StageDeleted:
		return s.Category().Glyph()
	}
	return [...]string{"░", "▒", "▓", "", "", "", "·"}[s]
}

// End says the stage is one of a job's ends (finished, failed, deleted):
// a moment, not a length.
func (s Stage) End() bool { return s == StageFinished || s == StageFailed || s == StageDeleted }

// Span is a stage and when it began and ended; an end stage (finished,
// failed, deleted) has From == To, even when another end follows it (a
// finished video deleted later).
type Span struct {
	Stage    Stage
	From, To time.Time
}

// Timeline turns a job's changes into its stages, consecutive changes of
// one stage merged. A job still running has its last stage end at now.
func Timeline(cs []Change, now time.Time) []Span {
	var out []Span
	for i, c := range cs {
		st := stageOf(c.Status)
		if n := len(out); n > 0 && out[n-1].Stage == st {
			continue
		}
		if n := len(out); n > 0 && !out[n-1].Stage.End() {
			out[n-1].To = c.At
		}
		to := c.At
		if !c.Status.Terminal() && i == len(cs)-1 && now.After(c.At) {
			to = now
		}
		out = append(out, Span{Stage: st, From: c.At, To: to})
	}
	return out
}
