package sim

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// video is a generated video: the one of a job, or a bare one with no job.
type video struct {
	id, jobID       string // jobID empty for a bare video
	name            string
	size            int64
	sizeUnknown     bool
	duration        float64
	durationUnknown bool
	created         time.Time // bare videos only; a job's video takes the job's
	deleted         bool
}

// VideoSpec describes a generated video with no job, as if uploaded or made
// in the web app.
type VideoSpec struct {
	ID   string // generated when empty
	Name string // made up when empty
	// Size in bytes (made up when zero); SizeUnknown reports null.
	Size        int64
	SizeUnknown bool
	// Duration in seconds (made up when zero); DurationUnknown reports null.
	Duration        float64
	DurationUnknown bool
	// Age backdates createdAt.
	Age time.Duration
}

// AddVideo adds a generated video with no job and returns its id. Its file
// can be downloaded at once.
func (s *Sim) AddVideo(spec VideoSpec) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addVideoLocked(spec).id
}

func (s *Sim) addVideoLocked(spec VideoSpec) *video {
	if spec.ID == "" {
		spec.ID = uuid(s.rng)
	}
	if spec.Name == "" {
		spec.Name = names[s.rng.IntN(len(names))] + " (uploaded)"
	}
	if spec.Size <= 0 {
		spec.Size = 1<<20 + s.rng.Int64N(20<<20)
	}
	if spec.Duration <= 0 {
		spec.Duration = float64(10+s.rng.IntN(120)) + float64(s.rng.IntN(1000))/1000
	}
	v := &video{id: spec.ID, name: spec.Name, size: spec.Size, sizeUnknown: spec.SizeUnknown,
		duration: spec.Duration, durationUnknown: spec.DurationUnknown,
		created: s.now().Add(-s.wall(spec.Age))}
	s.videos[v.id] = v
	s.videoOrder = append(s.videoOrder, v.id)
	return v
}

// videoJSON is the generated video object. Pointers are the nullable
// fields: null until the video is rendered, or when the spec says unknown.
type videoJSON struct {
	ID                   string   `json:"id"`
	JobID                *string  `json:"jobId"`
	Name                 string   `json:"name"`
	PublicURL            *string  `json:"publicUrl"`
	ThumbnailURL         *string  `json:"thumbnailUrl"`
	CreatedAt            string   `json:"createdAt"`
	VideoSizeBytes       *int64   `json:"videoSizeBytes"`
	VideoDurationSeconds *float64 `json:"videoDurationSeconds"`
	Width                int      `json:"width"`
	Height               int      `json:"height"`
}

// lookupVideo finds a video and whether its file exists now. A video whose
// job was deleted before it finished is gone.
func (s *Sim) lookupVideo(id string, now time.Time) (v *video, created time.Time, ready, ok bool) {
	v, ok = s.videos[id]
	if !ok || v.deleted {
		return nil, time.Time{}, false, false
	}
	if v.jobID == "" {
		return v, v.created, true, true
	}
	j := s.jobs[v.jobID]
	st := s.at(j, now)
	if st.status == statusDeleted && s.at(&job{spec: j.spec, created: j.created}, j.deleted).status != statusFinished {
		return nil, time.Time{}, false, false
	}
	return v, j.created, st.status == statusFinished || st.status == statusDeleted, true
}

// videoObject renders a video; links are fresh, valid for LinkTTL from now.
func (s *Sim) videoObject(v *video, created time.Time, ready bool, fileOrigin string, now time.Time) videoJSON {
	out := videoJSON{ID: v.id, Name: v.name, CreatedAt: created.UTC().Format(time.RFC3339), Width: 1920, Height: 1080}
	if v.jobID != "" {
		id := v.jobID
		out.JobID = &id
	}
	if !ready {
		return out
	}
	pub := s.link(fileOrigin, v.id, "mp4", now)
	thumb := s.link(fileOrigin, v.id, "png", now)
	out.PublicURL, out.ThumbnailURL = &pub, &thumb
	if !v.sizeUnknown {
		n := v.size
		out.VideoSizeBytes = &n
	}
	if !v.durationUnknown {
		d := v.duration
		out.VideoDurationSeconds = &d
	}
	return out
}

// contentKey seeds a video's bytes: the seed and the id, nothing else, so
// the same seed serves the same bytes.
func (s *Sim) contentKey(videoID string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(binary.LittleEndian.AppendUint64(nil, uint64(s.opts.Seed)))
	_, _ = h.Write([]byte(videoID))
	return h.Sum64()
}
