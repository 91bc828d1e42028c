package submit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// Poster sends one create request; *api.Client is one.
type Poster interface {
	CreateRaw(ctx context.Context, template bool, body json.RawMessage) (*api.Created, error)
}

// Pacer is a Poster that can wait for its rate cap ahead of a request
// (*api.Client.Pace): the row is then claimed just before its POST
// leaves, not while it waits its turn, so a crash leaves fewer rows
// unknown.
type Pacer interface {
	Pace(ctx context.Context) (context.Context, error)
}

// MaxWait is the longest a row waits for the API's Retry-After in one go:
// retry.MaxRetryAfter, the one cap every retry in reel keeps to. A longer
// wait fails the row (it surely was not taken, so a rerun sends it) rather
// than hold the run silently for an unbounded time.
const MaxWait = retry.MaxRetryAfter

// longWait is a wait worth telling the user about.
const longWait = 10 * time.Second

// PayloadKey is the callbackPayload key that carries a row's key, so the
// callback for a job names the row it came from.
const PayloadKey = "reelRow"

// Options configure Send.
type Options struct {
	Poster  Poster
	Journal Journal
	// CallbackURL, when set, goes into each job (callback for manual jobs,
	// callbackUrl for template jobs) with callbackPayload carrying the
	// row's key under PayloadKey.
	CallbackURL string
	// Force sends rows whose outcome is unknown again.
	Force bool
	// Workers is how many rows are sent at once; 4 when zero. The
	// Poster's own rate cap paces them.
	Workers int
	// MaxSends bounds the tries of a row whose request surely was not
	// taken (429, 503 with Retry-After, no connection); 8 when zero.
	MaxSends int
	// Sleep waits between such tries; a real timer when nil.
	Sleep func(ctx context.Context, d time.Duration) error
	// Report hears of each row's outcome, one call at a time.
	Report func(Result)
	// Waiting, when set, hears of a row about to wait 10 s or more for
	// the API to take requests again (its Retry-After).
	Waiting func(row Row, d time.Duration)

	parked func() // tests: a worker waits for its row's twin on the wire
}

// Outcome is what became of a row in this run.
type Outcome string

// The outcomes a row can have.
const (
	OutCreated Outcome = "created" // created now
	OutSkipped Outcome = "skipped" // created by an earlier run
	OutFailed  Outcome = "failed"  // not created; a rerun tries again
	OutUnknown Outcome = "unknown" // may exist; never sent again unless forced
)

// Result is one row's outcome.
type Result struct {
	Row     Row
	Outcome Outcome
	JobID   string
	VideoID string
	Err     string
}

// Summary counts the outcomes of a run.
type Summary struct {
	Created, Skipped, Failed, Unknown int
	// NotSent counts rows never reached: the run was interrupted or the
	// key was rejected.
	NotSent int
}

// Send creates a job for every row from rows, at most once each. It stops
// taking rows when ctx ends or the key is rejected (the error is then an
// *api.KeyRejectedError), but lets requests
// already on the wire finish and records their answers: an answer thrown
// away would turn a created row into an unknown one.
func Send(ctx context.Context, rows <-chan Row, o Options) (Summary, error) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxSends <= 0 {
		o.MaxSends = 8
	}
	if o.Sleep == nil {
		o.Sleep = retry.Sleep
	}
	stop, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu       sync.Mutex
		sum      Summary
		wg       sync.WaitGroup
		firstErr error
		inflight = keysInFlight{m: map[string]chan struct{}{}, parked: o.parked}
	)
	record := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Outcome {
		case OutCreated:
			sum.Created++
		case OutSkipped:
			sum.Skipped++
		case OutFailed:
			sum.Failed++
		case OutUnknown:
			sum.Unknown++
		default:
			sum.NotSent++ // taken, then stopped before its turn
			return
		}
		if o.Report != nil {
			o.Report(r)
		}
	}
	for range o.Workers {
		wg.Go(func() {
			for {
				if stop.Err() != nil {
					return // a select below would pick a ready row half the time
				}
				select {
				case <-stop.Done():
					return
				case row, ok := <-rows:
					if !ok {
						return
					}
					if !inflight.take(stop, row.Key) {
						record(Result{Row: row}) // interrupted while its twin was on the wire
						continue
					}
					r, err := o.send(stop, row)
					inflight.done(row.Key)
					if err != nil {
						mu.Lock()
						firstErr = cmp.Or(firstErr, err)
						mu.Unlock()
						cancel(err)
					}
					record(r)
				}
			}
		})
	}
	wg.Wait()
	for range rows {
		sum.NotSent++ // drain, so the reader feeding rows can finish
	}
	if firstErr != nil {
		return sum, firstErr
	}
	return sum, ctx.Err()
}

// keysInFlight is the row keys this run is sending. The journal keeps two
// runs from sending one row; this keeps one run from racing itself when a
// row comes twice (the same row in two files): the second waits for the
// first's answer, then goes through the journal, which now knows it.
type keysInFlight struct {
	mu     sync.Mutex
	m      map[string]chan struct{}
	parked func()
}

// take waits until no worker is sending key, then marks it sent by the
// caller; false when ctx ends first.
func (k *keysInFlight) take(ctx context.Context, key string) bool {
	for {
		k.mu.Lock()
		busy, ok := k.m[key]
		if !ok {
			k.m[key] = make(chan struct{})
			k.mu.Unlock()
			return true
		}
		k.mu.Unlock()
		if k.parked != nil {
			k.parked()
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return false
		}
	}
}

func (k *keysInFlight) done(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	close(k.m[key])
	delete(k.m, key)
}

// send takes one row through the journal and the API. An error stops the
// whole run (a journal that cannot be written, a rejected key).
func (o *Options) send(ctx context.Context, row Row) (Result, error) {
	res := Result{Row: row}
	// A look first: a row created or unknown takes no turn at the rate cap.
	entry, found, err := o.Journal.Submission(ctx, row.Key)
	if err != nil {
		return res, err
	}
	ok := false
	if !found || sendable(entry.State, o.Force) {
		var paced context.Context
		if paced, err = o.pace(ctx); err != nil {
			return res, nil // interrupted before its turn: not sent, not journaled
		}
		if entry, ok, err = o.Journal.ClaimRow(ctx, row.Key, row.Where(), o.Force); err != nil {
			return res, err
		}
		ctx = paced
	}
	if !ok {
		res.JobID, res.VideoID, res.Err = entry.JobID, entry.VideoID, entry.Err
		switch entry.State {
		case Created:
			res.Outcome = OutSkipped
		case Sending:
			res.Outcome = OutUnknown
			res.Err = "it was being sent when an earlier run stopped (or another run is sending it now)"
		default:
			res.Outcome = OutUnknown
		}
		return res, nil
	}
	body, err := withCallback(row, o.CallbackURL)
	if err != nil {
		return o.answer(ctx, entry, res, OutFailed, err.Error())
	}
	for try := 1; ; try++ {
		// The request runs to its end even when the run is stopped: its
		// answer is what keeps the row from becoming unknown.
		var connected atomic.Bool
		trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
		reqCtx := httptrace.WithClientTrace(context.WithoutCancel(ctx), trace)
		created, err := o.Poster.CreateRaw(reqCtx, row.Kind == Template, body)
		if err == nil {
			if created == nil || created.ID == "" {
				return o.answer(ctx, entry, res, OutUnknown, "the API answered without a job id")
			}
			res.JobID, res.VideoID = created.ID, created.VideoID
			return o.answer(ctx, entry, res, OutCreated, "")
		}
		wait, retry, out := classify(err, connected.Load())
		if !retry {
			r, jerr := o.answer(ctx, entry, res, out, err.Error())
			if api.IsKeyRejected(err) && jerr == nil {
				jerr = err // no row can be created with this key: stop
			}
			return r, jerr
		}
		if wait > MaxWait {
			return o.answer(ctx, entry, res, OutFailed, fmt.Sprintf("the API asked to wait %s, more than %s (the limit): "+
				"not sent; run the same command again later to send it", wait, MaxWait))
		}
		if try >= o.MaxSends {
			return o.answer(ctx, entry, res, OutFailed, fmt.Sprintf("not taken after %d tries (the limit): %v", try, err))
		}
		// Surely not taken: say so in the journal before waiting, so a
		// crash now leaves a row a rerun may send.
		entry.State, entry.Err = Failed, err.Error()
		if jerr := o.Journal.Answer(ctx, entry); jerr != nil {
			return res, jerr
		}
		if wait <= 0 {
			wait = backoff(try)
		} else if wait >= longWait && o.Waiting != nil {
			o.Waiting(row, wait)
		}
		interrupted := o.Sleep(ctx, wait)
		paced, perr := o.pace(ctx)
		if interrupted != nil || perr != nil {
			res.Outcome, res.Err = OutFailed, "not sent: interrupted while waiting to try again ("+err.Error()+")"
			return res, nil
		}
		ctx = paced
		var ok bool
		if entry, ok, err = o.Journal.ClaimRow(ctx, row.Key, row.Where(), false); err != nil || !ok {
			if err == nil {
				res.Outcome, res.Err = OutUnknown, "another run took the row over"
			}
			return res, err
		}
	}
}

// sendable says whether a row in state st may be sent (see Journal.Claim).
func sendable(st State, force bool) bool {
	return st == Failed || force && (st == Unknown || st == Sending)
}

// pace waits for the Poster's rate cap when it has one.
func (o *Options) pace(ctx context.Context) (context.Context, error) {
	if p, ok := o.Poster.(Pacer); ok {
		return p.Pace(ctx)
	}
	return ctx, ctx.Err()
}

// answer records a claimed row's outcome and returns it as a Result.
func (o *Options) answer(ctx context.Context, e Entry, res Result, out Outcome, msg string) (Result, error) {
	e.State, e.Err, e.JobID, e.VideoID = Failed, msg, res.JobID, res.VideoID
	switch out {
	case OutCreated:
		e.State = Created
	case OutUnknown:
		e.State = Unknown
	}
	res.Outcome, res.Err = out, msg
	// Written even when the run is stopped: this is the answer to keep.
	return res, o.Journal.Answer(context.WithoutCancel(ctx), e)
}

// classify reads a failed POST: whether it may be sent again (the request
// surely was not taken), after how long, and otherwise what the row's
// outcome is. Only an answer that refuses the request (4xx) makes a row
// failed; anything that may have reached the server's logic after the
// request went out (5xx, a dropped connection, a timeout, an answer that
// cannot be read) makes it unknown.
func classify(err error, connected bool) (wait time.Duration, retry bool, out Outcome) {
	var (
		rl  *api.RateLimitedError
		tr  *api.TransientError
		br  *api.BadRequestError
		nf  *api.NotFoundError
		st  *api.StatusError
		key *api.KeyRejectedError
	)
	switch {
	case errors.As(err, &rl):
		return rl.RetryAfter, true, ""
	case errors.As(err, &key), errors.As(err, &br), errors.As(err, &nf):
		return 0, false, OutFailed
	case errors.As(err, &st) && st.StatusCode >= 400 && st.StatusCode < 500:
		return 0, false, OutFailed
	case errors.As(err, &tr) && tr.StatusCode == 503 && tr.RetryAfter > 0:
		return tr.RetryAfter, true, ""
	case !connected:
		return 0, true, "" // never reached the server: refused, no route, no name
	}
	return 0, false, OutUnknown
}

// retryBackoff spaces tries when the server named no wait: 1 s, 2 s,
// 4 s... up to 30 s, with jitter so workers do not return together. The
// downloader's own spacing, so the program has one.
var retryBackoff = retry.Backoff{Base: time.Second, Max: 30 * time.Second}

// backoff is the wait before try+1.
func backoff(try int) time.Duration { return retryBackoff.Delay(try, rand.Float64()) }

// withCallback adds the callback URL and the row's key to a row's body.
func withCallback(row Row, callbackURL string) (json.RawMessage, error) {
	if callbackURL == "" {
		return row.Body, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(row.Body, &obj); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	field := "callback"
	if row.Kind == Template {
		field = "callbackUrl"
	}
	if _, ok := obj[field]; !ok {
		obj[field], _ = json.Marshal(callbackURL)
	}
	payload := map[string]json.RawMessage{}
	if p, ok := obj["callbackPayload"]; ok {
		if err := json.Unmarshal(p, &payload); err != nil {
			return nil, fmt.Errorf("callbackPayload: %w", err)
		}
	}
	payload[PayloadKey], _ = json.Marshal(row.Key)
	obj["callbackPayload"], _ = json.Marshal(payload)
	return json.Marshal(obj)
}
