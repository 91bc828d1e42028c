// Package api talks to the Colossyan video generation API: jobs, generated
// videos, and the errors callers branch on.
package api

import (
	"bytes"
	"encoding/json"
	"time"
)

// Status is a job's status word as the API gives it. Unknown words are kept
// as they are.
type Status string

// The statuses colossyan-api.md documents.
const (
	StatusInQueue               Status = "in_queue"
	StatusPreprocessing         Status = "preprocessing"
	StatusPreprocessingFinished Status = "preprocessing_finished"
	StatusGenerating            Status = "generating"
	StatusFinished              Status = "finished"
	StatusFailed                Status = "failed"
	StatusDeleted               Status = "deleted"
)

// Terminal reports whether a job in this status will change no more.
func (s Status) Terminal() bool {
	return s == StatusFinished || s == StatusFailed || s == StatusDeleted
}

// Known reports whether the status is one the docs name.
func (s Status) Known() bool {
	switch s {
	case StatusInQueue, StatusPreprocessing, StatusPreprocessingFinished,
		StatusGenerating, StatusFinished, StatusFailed, StatusDeleted:
		return true
	}
	return false
}

// Job is a video generation job. Raw keeps the object exactly as received,
// unknown fields included.
type Job struct {
	ID              string  `json:"id,omitempty"`
	VideoID         string  `json:"videoId,omitempty"`
	Status          Status  `json:"status"`
	Progress        float64 `json:"progress"`
	MaximumProgress float64 `json:"maximumProgress"`
	// Raw is the job object as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// Fraction is progress over maximumProgress, clamped to [0, 1]. A missing or
// zero maximum counts as 100.
func (j *Job) Fraction() float64 {
	maxP := j.MaximumProgress
	if maxP <= 0 {
		maxP = 100
	}
	f := j.Progress / maxP
	switch {
	case f < 0 || f != f:
		return 0
	case f > 1:
		return 1
	}
	return f
}

// UnmarshalJSON decodes the known fields and keeps the whole object in Raw.
// Numbers that arrive as strings or null are tolerated.
func (j *Job) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              flexString `json:"id"`
		VideoID         flexString `json:"videoId"`
		Status          flexString `json:"status"`
		Progress        flexNumber `json:"progress"`
		MaximumProgress flexNumber `json:"maximumProgress"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*j = Job{
		ID:              cutText(string(w.ID)),
		VideoID:         cutText(string(w.VideoID)),
		Status:          Status(cutText(string(w.Status))),
		Progress:        w.Progress.v,
		MaximumProgress: w.MaximumProgress.v,
	}
	raw := bytes.TrimSpace(b)
	if len(raw) > MaxRawBytes {
		fields := map[string]any{"id": j.ID, "videoId": j.VideoID, "status": j.Status,
			"progress": j.Progress, "maximumProgress": j.MaximumProgress}
		if k, reason := reasonOf(raw); k != "" {
			fields[k] = cutText(reason)
		}
		j.Raw = cutRaw(raw, fields)
	} else {
		j.Raw = append(json.RawMessage(nil), raw...)
	}
	return nil
}

// MarshalJSON writes Raw when there is one, so unknown fields survive.
func (j Job) MarshalJSON() ([]byte, error) {
	if len(j.Raw) > 0 {
		return j.Raw, nil
	}
	type plain Job
	return json.Marshal(plain(j))
}

// Video is a generated video. Nullable numbers stay nil when the server sent
// null or nothing. Raw keeps the object as received.
type Video struct {
	ID                   string   `json:"id,omitempty"`
	JobID                string   `json:"jobId,omitempty"`
	Name                 string   `json:"name,omitempty"`
	PublicURL            string   `json:"publicUrl,omitempty"`
	ThumbnailURL         string   `json:"thumbnailUrl,omitempty"`
	CreatedAt            string   `json:"createdAt,omitempty"`
	VideoSizeBytes       *int64   `json:"videoSizeBytes"`
	VideoDurationSeconds *float64 `json:"videoDurationSeconds"`
	// Raw is the video object as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// Created parses CreatedAt (RFC 3339); the zero time when absent or invalid.
func (v *Video) Created() time.Time {
	t, err := time.Parse(time.RFC3339Nano, v.CreatedAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

// UnmarshalJSON decodes the known fields and keeps the whole object in Raw.
func (v *Video) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                   flexString `json:"id"`
		JobID                flexString `json:"jobId"`
		Name                 flexString `json:"name"`
		PublicURL            flexString `json:"publicUrl"`
		ThumbnailURL         flexString `json:"thumbnailUrl"`
		CreatedAt            flexString `json:"createdAt"`
		VideoSizeBytes       flexNumber `json:"videoSizeBytes"`
		VideoDurationSeconds flexNumber `json:"videoDurationSeconds"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*v = Video{
		ID:           cutText(string(w.ID)),
		JobID:        cutText(string(w.JobID)),
		Name:         cutText(string(w.Name)),
		PublicURL:    string(w.PublicURL),
		ThumbnailURL: string(w.ThumbnailURL),
		CreatedAt:    cutText(string(w.CreatedAt)),
	}
	if w.VideoSizeBytes.ok {
		n := int64(w.VideoSizeBytes.v)
		v.VideoSizeBytes = &n
	}
	if w.VideoDurationSeconds.ok {
		d := w.VideoDurationSeconds.v
		v.VideoDurationSeconds = &d
	}
	// Links are not cut (a cut link is no link), so a raw object over the
	// cap keeps them whole: the answer's own cap bounds them.
	v.Raw = cutRaw(bytes.TrimSpace(b), map[string]any{"id": v.ID, "jobId": v.JobID, "name": v.Name,
		"publicUrl": v.PublicURL, "thumbnailUrl": v.ThumbnailURL, "createdAt": v.CreatedAt,
		"videoSizeBytes": v.VideoSizeBytes, "videoDurationSeconds": v.VideoDurationSeconds})
	return nil
}

// MarshalJSON writes Raw when there is one, so unknown fields survive.
func (v Video) MarshalJSON() ([]byte, error) {
	if len(v.Raw) > 0 {
		return v.Raw, nil
	}
	type plain Video
	return json.Marshal(plain(v))
}

// Created is the answer to a create request.
type Created struct {
	ID      string `json:"id"`
	VideoID string `json:"videoId"`
}

// CreateJobRequest is the body of POST /video-generation-jobs. VideoCreative
// is passed through as given.
type CreateJobRequest struct {
	VideoCreative    json.RawMessage `json:"videoCreative"`
	DynamicVariables map[string]any  `json:"dynamicVariables,omitempty"`
	Callback         string          `json:"callback,omitempty"`
	CallbackPayload  map[string]any  `json:"callbackPayload,omitempty"`
}

// TemplateJobRequest is the body of POST /video-generation-jobs/template-jobs.
type TemplateJobRequest struct {
	TemplateJobID    string         `json:"templateJobId"`
	DynamicVariables map[string]any `json:"dynamicVariables"`
	CallbackURL      string         `json:"callbackUrl,omitempty"`
	CallbackPayload  map[string]any `json:"callbackPayload,omitempty"`
}
