package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"
)

// CallbackRecord is one callback the simulator sent, or tried to.
type CallbackRecord struct {
	JobID      string
	URL        string
	Body       map[string]any
	StatusCode int   // the receiver's answer; 0 when none came
	Err        error // why it could not be delivered, if so
	At         time.Time
}

// Flush sends the callbacks of every job that has ended by now and not had
// its callback yet, waits for the receivers' answers, and returns what was
// sent. Each job's callback goes once: Colossyan documents no retries.
// Tests on a fake clock call it after moving the clock; a started Server
// also calls it in the background.
func (s *Sim) Flush(ctx context.Context) []CallbackRecord {
	now := s.now()
	var due []CallbackRecord
	s.mu.Lock()
	for _, id := range s.jobOrder {
		j := s.jobs[id]
		if j.fired || j.spec.Callback == "" {
			continue
		}
		st := s.at(j, now)
		if st.status == statusDeleted {
			// Deleted after it ended: the callback was due at the end.
			st = s.at(&job{spec: j.spec, created: j.created}, j.deleted)
			if st.status != statusFinished && st.status != statusFailed {
				st.status = statusDeleted
			}
		}
		switch st.status {
		case statusFinished:
		case statusFailed:
			if s.opts.NoFailureCallbacks {
				j.fired = true
				continue
			}
		case statusDeleted:
			j.fired = true // a deleted job never ends: no callback
			continue
		default:
			continue
		}
		j.fired = true
		due = append(due, CallbackRecord{JobID: id, URL: j.spec.Callback, Body: s.callbackBody(j, st, now)})
	}
	s.mu.Unlock()
	if len(due) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	for i := range due {
		wg.Go(func() { s.post(ctx, &due[i]) })
	}
	wg.Wait()
	s.mu.Lock()
	s.callbacks = append(s.callbacks, due...)
	s.mu.Unlock()
	return due
}

// Callbacks lists every callback sent so far, in the order sent.
func (s *Sim) Callbacks() []CallbackRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackRecord(nil), s.callbacks...)
}

// RunCallbacks calls Flush every interval until ctx ends; Start runs it.
func (s *Sim) RunCallbacks(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Flush(ctx)
		}
	}
}

// callbackBody is the documented body: dynamicVariables and callbackPayload
// merged in, then url, videoUrl, shareUrl and status, which win a clash
// (the docs do not say; a receiver must not trust either way). Call with
// s.mu held.
func (s *Sim) callbackBody(j *job, st state, now time.Time) map[string]any {
	body := map[string]any{}
	maps.Copy(body, j.spec.DynamicVariables)
	maps.Copy(body, j.spec.CallbackPayload)
	body["status"] = st.status
	body["url"], body["videoUrl"], body["shareUrl"] = nil, nil, nil
	if st.status == statusFinished {
		apiOrigin := j.origin
		for _, o := range []string{s.lastOrigin, s.originHint, "http://127.0.0.1"} {
			if apiOrigin == "" {
				apiOrigin = o
			}
		}
		file := s.link(s.fileOriginFor(apiOrigin), j.spec.VideoID, "mp4", now)
		body["url"], body["videoUrl"] = file, file
		body["shareUrl"] = apiOrigin + "/share/" + j.spec.VideoID
	}
	return body
}

func (s *Sim) post(ctx context.Context, rec *CallbackRecord) {
	rec.At = s.now()
	b, err := json.Marshal(rec.Body)
	if err != nil {
		rec.Err = fmt.Errorf("encode callback body: %w", err)
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rec.URL, bytes.NewReader(b))
	if err != nil {
		rec.Err = fmt.Errorf("callback URL %q: %w", rec.URL, err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "reel-sim-callback/1")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		rec.Err = err
		if s.opts.Logf != nil {
			s.opts.Logf("callback for job %s to %s: %v", rec.JobID, req.URL.Host, err)
		}
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	rec.StatusCode = resp.StatusCode
	if s.opts.Logf != nil {
		// The host only: a receiver's path may hold its secret.
		s.opts.Logf("callback for job %s (%v) to %s -> %d", rec.JobID, rec.Body["status"], req.URL.Host, resp.StatusCode)
	}
}
