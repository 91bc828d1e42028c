package submit

import (
	"context"
	"time"
)

// State is where a row stands in the journal.
type State string

// The states a journaled row can be in. Only Failed rows, and rows never
// journaled, are ever sent: a row in any other state may exist at the API.
const (
	// Sending: the intent is recorded and the POST may be on the wire. A
	// row found in this state was being sent when a run stopped, so its
	// outcome is unknown.
	Sending State = "sending"
	// Created: the API answered with the job's id.
	Created State = "created"
	// Failed: the API surely did not create the job (it refused the
	// request, or the request never left); a rerun sends it again.
	Failed State = "failed"
	// Unknown: the request was sent and no answer came back that says
	// whether the job exists. Never sent again unless forced.
	Unknown State = "unknown"
)

// Entry is one row's line in the journal.
type Entry struct {
	Key      string // the row key (see Row.Key)
	Source   string // file:line, for people
	State    State
	JobID    string
	VideoID  string
	Err      string // what went wrong, for Failed and Unknown
	Attempts int    // POSTs sent for this row, over every run
	At       time.Time
}

// Journal records each row's intent before its POST and the answer after,
// durably, so that a row is created at most once across crashes and reruns.
// The store implements it.
type Journal interface {
	// ClaimRow marks the row Sending, durably, if it may be sent: when it is
	// not journaled, or Failed, or (force) Unknown or Sending. Otherwise it
	// changes nothing and returns the row's entry with ok false. Claiming
	// is atomic, so two runs of the same command never both send a row.
	ClaimRow(ctx context.Context, key, source string, force bool) (e Entry, ok bool, err error)
	// Submission reads a row's entry; ok is false when it was never
	// journaled.
	Submission(ctx context.Context, key string) (e Entry, ok bool, err error)
	// Answer records the outcome of a claimed row, durably. A Created row
	// joins the tracked jobs in the same transaction.
	Answer(ctx context.Context, e Entry) error
}
