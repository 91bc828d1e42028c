package sim

import (
	"net/http"
	"slices"
)

// Creation is one job made by a POST, for tests that count duplicates:
// the same row created twice shows as two creations with the same
// variables or payload.
type Creation struct {
	JobID, VideoID   string
	Source           string // "api" (manual) or "template"
	TemplateJobID    string
	Callback         string // callback, or callbackUrl for a template job
	DynamicVariables map[string]any
	CallbackPayload  map[string]any
}

// Creations returns every job created by POST so far, in order.
func (s *Sim) Creations() []Creation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.creations)
}

// noteCreation records j's creation; s.mu is held.
func (s *Sim) noteCreation(j *job) {
	s.stats.Created++
	s.creations = append(s.creations, Creation{
		JobID: j.spec.ID, VideoID: j.spec.VideoID, Source: j.source, TemplateJobID: j.template, Callback: j.spec.Callback,
		DynamicVariables: j.spec.DynamicVariables, CallbackPayload: j.spec.CallbackPayload,
	})
}

// lostAnswer serves the request (a POST creates its job) and then drops
// the connection before the answer leaves: the client cannot tell it from
// a request that never arrived, the hard case for a client that must not
// create a job twice.
func lostAnswer(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	next(&discard{h: http.Header{}}, r)
	reset(w)
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
