package track_test

import (
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// A job that queues, renders and finishes: its video is asked for once at
// the start for its name, fetched once at the end for its links, and then
// nothing is polled, ever.
func TestFinishedFetchesVideoOnceThenStops(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("j1", func(n int, now time.Time) tracktest.Step {
		el := now.Sub(t0)
		switch {
		case el < time.Minute:
			return tracktest.Step{Job: jobAt(api.StatusInQueue, 0)}
		case el < 3*time.Minute:
			return tracktest.Step{Job: jobAt(api.StatusGenerating, float64(el-time.Minute)/float64(2*time.Minute)*100)}
		}
		return tracktest.Step{Job: jobAt(api.StatusFinished, 100)}
	})
	h.api.Video("vid", tracktest.Steps(
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro"}},
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro", PublicURL: "https://cdn/v.mp4"}}))

	h.e.Add("j1")
	h.runUntil(time.Minute, func() bool { return h.job("j1").Video != nil })
	if j := h.job("j1"); j.Status != api.StatusInQueue || j.Video.Name != "Intro" {
		t.Fatalf("while queued: status %s, video %+v; want the name known", j.Status, j.Video)
	}
	h.runUntil(10*time.Minute, func() bool { return h.job("j1").Video.PublicURL != "" })
	j := h.job("j1")
	if j.Status != api.StatusFinished || j.Kind != api.KindJob || j.JobID != "j1" || j.VideoID != "vid" {
		t.Fatalf("job = %+v", j)
	}
	if j.Started.IsZero() || j.Ended.IsZero() || !j.NextPoll.IsZero() {
		t.Errorf("times: started %v ended %v next %v", j.Started, j.Ended, j.NextPoll)
	}
	calls := h.api.Count("", "")
	h.run(24 * time.Hour)
	if got := h.api.Count("", ""); got != calls {
		t.Errorf("polled %d more times after the end", got-calls)
	}
	if n := h.api.Count("video", "vid"); n != 2 {
		t.Errorf("video fetched %d times, want 2 (name, then links)", n)
	}
	if n := h.clk.Pending(); n != 0 {
		t.Errorf("%d timers pending with nothing to do, want 0", n)
	}
}

// How each kind of answer ends (or does not end) tracking.
func TestEndings(t *testing.T) {
	video := &api.Video{ID: "v1", PublicURL: "https://cdn/v.mp4"}
	tests := []struct {
		name      string
		jobs      map[string]tracktest.Script
		videos    map[string]tracktest.Script
		want      api.Status
		notFound  bool
		kind      api.Kind
		jobID     string
		errHas    bool
		videoSeen bool
	}{
		{
			name: "failed stops",
			jobs: map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFailed, 40)})},
			want: api.StatusFailed, kind: api.KindJob, jobID: "x",
		},
		{
			name: "deleted stops",
			jobs: map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusDeleted, 40)})},
			want: api.StatusDeleted, kind: api.KindJob, jobID: "x",
		},
		{
			name:     "404 twice is not found",
			want:     "",
			notFound: true, errHas: true,
		},
		{
			name:     "400 is not found, with the message",
			jobs:     map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Err: &api.BadRequestError{ID: "x", Message: "malformed"}})},
			notFound: true, errHas: true,
		},
		{
			name:   "video with no job is finished",
			videos: map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "x", PublicURL: "https://cdn/x"}})},
			want:   api.StatusFinished, kind: api.KindVideo, videoSeen: true,
		},
		{
			name:   "video id follows its job",
			videos: map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "x", JobID: "j9"}}), "v1": tracktest.Steps(tracktest.Step{Video: video})},
			jobs: map[string]tracktest.Script{"j9": tracktest.Steps(
				tracktest.Step{Job: &api.Job{Status: api.StatusGenerating, Progress: 50, MaximumProgress: 100}},
				tracktest.Step{Job: &api.Job{Status: api.StatusFinished, Progress: 100, MaximumProgress: 100, VideoID: "x"}})},
			videoSeen: true, want: api.StatusFinished, kind: api.KindVideo, jobID: "j9",
		},
		{
			name:   "video whose job is gone is finished",
			videos: map[string]tracktest.Script{"x": tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "x", JobID: "gone", PublicURL: "https://cdn/x"}})},
			want:   api.StatusFinished, kind: api.KindVideo, jobID: "gone", videoSeen: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, track.Options{})
			for id, s := range tt.jobs {
				h.api.Job(id, s)
			}
			for id, s := range tt.videos {
				h.api.Video(id, s)
			}
			h.e.Add("x")
			h.run(time.Hour)
			j := h.job("x")
			if j.Status != tt.want || j.NotFound != tt.notFound || j.Kind != tt.kind || j.JobID != tt.jobID {
				t.Errorf("got status %q notFound %v kind %q jobID %q, want %q %v %q %q",
					j.Status, j.NotFound, j.Kind, j.JobID, tt.want, tt.notFound, tt.kind, tt.jobID)
			}
			if (j.Err != "") != tt.errHas {
				t.Errorf("Err = %q", j.Err)
			}
			if (j.Video != nil) != tt.videoSeen {
				t.Errorf("Video = %+v", j.Video)
			}
			if !j.Terminal() {
				t.Errorf("not terminal: %+v", j)
			}
			calls := h.api.Count("", "")
			h.run(24 * time.Hour)
			if got := h.api.Count("", ""); got != calls {
				t.Errorf("%d polls after the end", got-calls)
			}
		})
	}
}

// An unknown status word is shown as it is and polled on.
func TestUnknownStatusPolledOn(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("x", tracktest.Steps(tracktest.Step{Job: &api.Job{Status: "rendering_hd", Progress: 10, MaximumProgress: 100}}))
	h.e.Add("x")
	h.run(5 * time.Minute)
	j := h.job("x")
	if j.Status != "rendering_hd" || j.Terminal() {
		t.Fatalf("job = %+v", j)
	}
	if n := h.api.Count("job", "x"); n < 10 {
		t.Errorf("polled %d times in 5 min, want it polled on", n)
	}
}

// Not found is polled no more until the user refreshes; then it is looked up
// again from the start.
func TestRefreshRevivesNotFound(t *testing.T) {
	h := start(t, track.Options{})
	h.e.Add("x")
	h.run(time.Minute)
	if !h.job("x").NotFound {
		t.Fatal("want not found")
	}
	h.api.Job("x", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFailed, 0)}))
	h.run(time.Hour)
	if h.job("x").NotFound == false {
		t.Fatal("polled again without a refresh")
	}
	h.e.Refresh("x")
	h.idle()
	if j := h.job("x"); j.NotFound || j.Status != api.StatusFailed || j.Err != "" {
		t.Fatalf("after refresh: %+v", j)
	}
}

// The name lookup is a courtesy: a video the API will not show yet, or an
// error, costs that one request and leaves no error on the row.
func TestNameLookupFailureIsNoError(t *testing.T) {
	for _, fail := range []tracktest.Step{{Err: &api.NotFoundError{Kind: "video", ID: "vid"}}, {Err: err500}} {
		h := start(t, track.Options{})
		h.api.Job("j1", tracktest.Steps(queued))
		h.api.Video("vid", tracktest.Steps(fail))
		h.e.Add("j1")
		h.run(time.Minute)
		j := h.job("j1")
		if j.Err != "" || j.Retrying || j.NotFound || j.Video != nil {
			t.Errorf("%v: job after a failed name lookup: err %q retrying %v notFound %v video %v", fail.Err, j.Err, j.Retrying, j.NotFound, j.Video)
		}
		if n := h.api.Count("video", "vid"); n != 1 {
			t.Errorf("%v: video asked %d times, want 1", fail.Err, n)
		}
		if n := h.api.Count("job", "j1"); n < 3 {
			t.Errorf("%v: job polled %d times in a minute of queue, want it polled on", fail.Err, n)
		}
	}
}

// A finished job's video that comes without links is asked for again a few
// times before the job settles, so `reel wait` ends with the links.
func TestFinishedVideoWithoutLinksIsAskedAgain(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("j1", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFinished, 100)}))
	h.api.Video("vid", tracktest.Steps(
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro"}},
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro"}},
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro", PublicURL: "https://cdn/v.mp4"}}))
	h.e.Add("j1")
	h.runUntil(time.Minute, func() bool { return h.job("j1").Settled })
	if j := h.job("j1"); j.Video == nil || j.Video.PublicURL == "" {
		t.Fatalf("settled with video %+v, want its link", j.Video)
	}
	if n := h.api.Count("video", "vid"); n != 3 {
		t.Errorf("video asked %d times, want 3", n)
	}

	// A video that never gets links settles after a bounded number of tries.
	h2 := start(t, track.Options{})
	h2.api.Job("j2", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFinished, 100)}))
	h2.api.Video("vid", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "vid"}}))
	h2.e.Add("j2")
	h2.run(10 * time.Minute)
	if j := h2.job("j2"); !j.Settled {
		t.Errorf("never settled: %+v", j)
	}
	if n := h2.api.Count("video", "vid"); n != 4 {
		t.Errorf("video asked %d times, want 4 (1 + 3 retries)", n)
	}
}
