package api

import (
	"errors"
	"fmt"
	"time"
)

// KeyRejectedError: the API answered 401 or 403. Nothing will work until
// the key changes.
type KeyRejectedError struct {
	StatusCode int
}

func (e *KeyRejectedError) Error() string {
	return fmt.Sprintf("API key rejected (HTTP %d): set a valid key in COLOSSYAN_API_KEY or api_key in the config file", e.StatusCode)
}

// NotFoundError: the API answered 404 for this kind of object.
type NotFoundError struct {
	Kind string // "job" or "video"
	ID   string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.Kind, e.ID)
}

// BadRequestError: the API answered 400, which the docs give for a
// malformed id. Retrying will not help.
type BadRequestError struct {
	ID      string
	Message string
}

func (e *BadRequestError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("bad request for %q: %s", e.ID, e.Message)
	}
	return fmt.Sprintf("bad request for %q (malformed id?)", e.ID)
}

// RateLimitedError: the API answered 429. RetryAfter is what its
// Retry-After header asked for, zero when it gave none.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
	}
	return "rate limited"
}

// TransientError is anything worth retrying: 5xx, network errors, timeouts,
// and bodies that are not the JSON expected (HTML error pages, truncation).
type TransientError struct {
	StatusCode int           // 0 for network errors
	RetryAfter time.Duration // from a 503's Retry-After, if any
	Err        error
}

func (e *TransientError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("server error (HTTP %d): %v", e.StatusCode, e.Err)
	}
	return fmt.Sprintf("temporary failure: %v", e.Err)
}

func (e *TransientError) Unwrap() error { return e.Err }

// StatusError is a response the docs do not describe (a 418, a 3xx with no
// location): not retried, reported as is.
type StatusError struct {
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("unexpected HTTP %d", e.StatusCode)
}

// IsKeyRejected reports whether err is, or wraps, a *KeyRejectedError.
func IsKeyRejected(err error) bool {
	var e *KeyRejectedError
	return errors.As(err, &e)
}

// IsNotFound reports whether err is, or wraps, a *NotFoundError.
func IsNotFound(err error) bool {
	var e *NotFoundError
	return errors.As(err, &e)
}

// IsRetryable reports whether trying again later may succeed.
func IsRetryable(err error) bool {
	var t *TransientError
	var r *RateLimitedError
	return errors.As(err, &t) || errors.As(err, &r)
}

// RetryAfter returns the wait the server asked for, if err carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RateLimitedError
	if errors.As(err, &r) && r.RetryAfter > 0 {
		return r.RetryAfter, true
	}
	var t *TransientError
	if errors.As(err, &t) && t.RetryAfter > 0 {
		return t.RetryAfter, true
	}
	return 0, false
}
