package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
)

// maxRequestBody caps a create request; a video creative is small.
const maxRequestBody = 1 << 20

func (s *Sim) getJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeJSON(w, http.StatusBadRequest, message("Invalid job id"))
		return
	}
	now := s.now()
	s.mu.Lock()
	j, ok := s.jobs[id]
	var obj jobJSON
	if ok {
		obj = s.jobObject(j, now)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, message("Video generation job not found"))
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// deleteJob deletes the job, which stops its rendering; the job then
// reports "deleted". A finished job's video stays until deleted itself.
func (s *Sim) deleteJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeJSON(w, http.StatusBadRequest, message("Invalid job id"))
		return
	}
	now := s.now()
	s.mu.Lock()
	j, ok := s.jobs[id]
	var obj jobJSON
	if ok {
		if j.deleted.IsZero() || j.deleted.After(now) {
			j.deleted = now
		}
		obj = s.jobObject(j, now)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, message("Video generation job not found"))
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

type createBody struct {
	VideoCreative    json.RawMessage `json:"videoCreative"`
	DynamicVariables map[string]any  `json:"dynamicVariables"`
	Callback         string          `json:"callback"`
	CallbackPayload  map[string]any  `json:"callbackPayload"`
}

type templateBody struct {
	TemplateJobID    string         `json:"templateJobId"`
	DynamicVariables map[string]any `json:"dynamicVariables"`
	CallbackURL      string         `json:"callbackUrl"`
	CallbackPayload  map[string]any `json:"callbackPayload"`
}

type created struct {
	ID      string `json:"id"`
	VideoID string `json:"videoId"`
}

func (s *Sim) createJob(w http.ResponseWriter, r *http.Request) {
	var b createBody
	if !decodeBody(w, r, &b) {
		return
	}
	if c := bytes.TrimSpace(b.VideoCreative); len(c) == 0 || c[0] != '{' {
		writeJSON(w, http.StatusBadRequest, message("videoCreative must be an object"))
		return
	}
	if !validCallback(b.Callback) {
		writeJSON(w, http.StatusBadRequest, message("callback must be an absolute http or https URL"))
		return
	}
	s.mu.Lock()
	sp := s.specFor()
	sp.Callback, sp.CallbackPayload, sp.DynamicVariables = b.Callback, b.CallbackPayload, b.DynamicVariables
	j := s.addJobLocked(sp, "api")
	j.creative = append(json.RawMessage(nil), bytes.TrimSpace(b.VideoCreative)...)
	s.noteCreation(j)
	out := created{j.spec.ID, j.spec.VideoID}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) createTemplateJob(w http.ResponseWriter, r *http.Request) {
	var b templateBody
	if !decodeBody(w, r, &b) {
		return
	}
	if !validID(b.TemplateJobID) {
		writeJSON(w, http.StatusBadRequest, message("templateJobId is required"))
		return
	}
	if !validCallback(b.CallbackURL) {
		writeJSON(w, http.StatusBadRequest, message("callbackUrl must be an absolute http or https URL"))
		return
	}
	s.mu.Lock()
	sp := s.specFor()
	sp.Callback, sp.CallbackPayload, sp.DynamicVariables = b.CallbackURL, b.CallbackPayload, b.DynamicVariables
	j := s.addJobLocked(sp, "template")
	j.template = b.TemplateJobID
	s.noteCreation(j)
	out := created{j.spec.ID, j.spec.VideoID}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// decodeBody reads a JSON object, answering 400 itself when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, message("could not read the request body"))
		return false
	}
	if len(data) > maxRequestBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, message("request body too large"))
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		writeJSON(w, http.StatusBadRequest, message("request body is not valid JSON: "+err.Error()))
		return false
	}
	return true
}

func validCallback(u string) bool {
	if u == "" {
		return true
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func (s *Sim) getVideo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeJSON(w, http.StatusBadRequest, message("Invalid video id"))
		return
	}
	_, fileOrigin := s.origins(r)
	now := s.now()
	s.mu.Lock()
	v, createdAt, ready, ok := s.lookupVideo(id, now)
	var obj videoJSON
	if ok {
		obj = s.videoObject(v, createdAt, ready, fileOrigin, now)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, message("Generated video not found"))
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

func (s *Sim) deleteVideo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		writeJSON(w, http.StatusBadRequest, message("Invalid video id"))
		return
	}
	now := s.now()
	s.mu.Lock()
	v, _, _, ok := s.lookupVideo(id, now)
	if ok {
		v.deleted = true
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, message("Generated video not found"))
		return
	}
	writeJSON(w, http.StatusOK, message("Generated video deleted"))
}
