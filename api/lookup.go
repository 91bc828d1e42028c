package api

import (
	"context"
	"errors"
)

// Kind tells what an ID turned out to name.
type Kind string

// The kinds of ID a user may paste.
const (
	KindJob   Kind = "job"
	KindVideo Kind = "video"
)

// Lookup is the current state of whatever an ID names: a job (with its video
// once finished) or a video (with its job when it has one).
type Lookup struct {
	Kind  Kind
	Job   *Job   // nil for a video without a job
	Video *Video // set once the job finished, or when the ID was a video
}

// Status is the job's status, or finished for a video with no job.
func (l *Lookup) Status() Status {
	if l.Job != nil {
		return l.Job.Status
	}
	if l.Video != nil {
		return StatusFinished
	}
	return ""
}

// Lookup reads what id names: first as a job; on 404, as a video, following
// the video's jobId when it has one. A finished job's video is fetched too.
func (c *Client) Lookup(ctx context.Context, id string) (*Lookup, error) {
	job, err := c.GetJob(ctx, id)
	if err == nil {
		l := &Lookup{Kind: KindJob, Job: job}
		if job.Status == StatusFinished && job.VideoID != "" {
			v, err := c.GetVideo(ctx, job.VideoID)
			if err != nil {
				return l, err
			}
			l.Video = v
		}
		return l, nil
	}
	if !IsNotFound(err) {
		return nil, err
	}
	v, verr := c.GetVideo(ctx, id)
	if verr != nil {
		if IsNotFound(verr) {
			return nil, &NotFoundError{Kind: "job or video", ID: id}
		}
		return nil, verr
	}
	l := &Lookup{Kind: KindVideo, Video: v}
	if v.JobID != "" {
		j, err := c.GetJob(ctx, v.JobID)
		var nf *NotFoundError
		switch {
		case err == nil:
			l.Job = j
		case errors.As(err, &nf):
			// The job is gone but the video stands: finished, as far as we can tell.
		default:
			return l, err
		}
	}
	return l, nil
}
