package download

import (
	"errors"
	"fmt"
	"time"

	"github.com/reel-dev/reel/retry"
)

// HTTPError is a status from the file host that reel does not retry as is.
type HTTPError struct {
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("file host answered HTTP %d", e.StatusCode)
}

// linkExpired reports whether the status says the link itself is no good
// any more (signed URLs expire with 403; a moved object is 404 or 410):
// the cure is a fresh link from the API, not a retry.
func (e *HTTPError) linkExpired() bool {
	return e.StatusCode == 403 || e.StatusCode == 404 || e.StatusCode == 410
}

// SizeError: the file's size (announced by the file host, or received)
// is not the size the host or the API announced. The partial file is
// removed, so a new try starts over.
type SizeError struct {
	Got, Want int64
	Source    string // what announced Want: "Content-Length" or "videoSizeBytes"
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("size mismatch: the file has %d bytes, but %s says %d; try again later", e.Got, e.Source, e.Want)
}

// ErrNoLink: the video has no publicUrl, even after asking the API again.
// Most likely the job has not finished.
var ErrNoLink = errors.New("the video has no file link yet: is the job finished?")

// ErrBusy means another reel process is writing the same .part file; this
// one stops rather than write over it (try again once that one is done:
// the finished file is then found and kept).
var ErrBusy = errors.New("another reel process is downloading this file")

// transientError is a failed attempt that a later one may fix: a reset
// connection, a truncated body, a 5xx, a stall.
type transientError struct {
	err        error
	retryAfter time.Duration
}

func (e *transientError) Error() string {
	if note := retry.CapNote(e.retryAfter); note != "" {
		return e.err.Error() + " (" + note + ")"
	}
	return e.err.Error()
}
func (e *transientError) Unwrap() error { return e.err }

func transient(err error) error { return &transientError{err: err} }

// errStalled: no byte arrived for StallTimeout.
var errStalled = errors.New("transfer stalled: no data received")
