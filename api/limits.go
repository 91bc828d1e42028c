package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Limits on what one answer may make reel keep. A server (or whoever sits
// between) must not be able to make reel hold, store and print without end:
// twenty jobs with 30 MiB names once took `reel wait --json` to 2.8 GB.
const (
	// MaxAnswerBytes caps one JSON answer; a larger one is refused unread
	// past the cap, and the request counts as failed (and is retried).
	MaxAnswerBytes = 1 << 20
	// MaxTextBytes caps a video's name and a job's failure reason.
	MaxTextBytes = 2 << 10
	// MaxRawBytes caps the raw object kept per job and per video (in
	// memory, in the store, in --json output).
	MaxRawBytes = 64 << 10
)

// CutMark ends a text that reel cut; it says where, and at which cap.
func cutMark(limit, had int) string {
	return fmt.Sprintf(" …[cut by reel at %d KiB of %d bytes]", limit>>10, had)
}

// cutText keeps s within MaxTextBytes, saying where it was cut.
func cutText(s string) string {
	if len(s) <= MaxTextBytes {
		return s
	}
	mark := cutMark(MaxTextBytes, len(s))
	n := MaxTextBytes - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}

// RawCutKey is the field a cut raw object carries instead of what was left
// out: its value says how large the object was and what reel keeps.
const RawCutKey = "reelCut"

// cutRaw returns raw as it is when it is small enough, else an object made
// of fields (the ones reel uses, already cut) and RawCutKey saying so.
func cutRaw(raw []byte, fields map[string]any) json.RawMessage {
	if len(raw) <= MaxRawBytes {
		return append(json.RawMessage(nil), raw...)
	}
	fields[RawCutKey] = fmt.Sprintf("the server's object was %d bytes; reel keeps %d KiB of it: the fields reel uses, "+
		"with long text cut", len(raw), MaxRawBytes>>10)
	b, err := json.Marshal(fields)
	if err != nil {
		return json.RawMessage(`{"` + RawCutKey + `":"the server's object was too large to keep"}`)
	}
	return b
}

// RedirectError is an API redirect reel refused: to another scheme, host or
// port, an answer from there is not the API's, whoever sent it.
type RedirectError struct {
	From, To string // scheme://host[:port] of each
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the API redirected from %s to %s; reel follows redirects within the API's own origin only (check --base-url)", e.From, e.To)
}

// sameOriginRedirects refuses a redirect that leaves the first request's
// origin (scheme, host and port: so https to http is refused too), then
// applies next (the caller's policy) or net/http's own limit of 10.
func sameOriginRedirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if first := via[0].URL; !SameOrigin(req.URL, first) {
			return &RedirectError{From: origin(first.Scheme, first.Host), To: origin(req.URL.Scheme, req.URL.Host)}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		return nil
	}
}

func origin(scheme, host string) string { return strings.ToLower(scheme) + "://" + host }
