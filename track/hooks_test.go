package track_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// A callback records the share link and polls its job at once; one that
// names no tracked job polls every running job.
func TestCallbackPollsNow(t *testing.T) {
	h := start(t, track.Options{})
	for _, id := range []string{"a", "b"} {
		h.api.Job(id, tracktest.Steps(queued))
	}
	h.api.Job("done", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFailed, 0)}))
	h.e.Add("a", "b", "done")
	h.run(5 * time.Second)
	before := h.api.Count("", "")

	at := h.clk.Now()
	h.e.Callback("a", "https://share/a", at)
	h.idle()
	if got := h.api.Count("job", "a"); got != 2 {
		t.Errorf("a polled %d times, want a poll right at the callback", got)
	}
	if h.api.Count("", "") != before+1 {
		t.Errorf("a callback for a polled others too")
	}
	if j := h.job("a"); j.ShareURL != "https://share/a" || !j.CallbackAt.Equal(at) {
		t.Errorf("a = %+v", j)
	}

	h.e.Callback("", "", at)
	h.idle()
	if h.api.Count("job", "b") != 2 || h.api.Count("job", "a") != 3 || h.api.Count("job", "done") != 1 {
		t.Errorf("unmatched callback: calls %v, want every running job polled once more", h.api.Calls())
	}
}

// Nudge polls now; a job in backoff is nudged too; ended ones are not.
func TestNudge(t *testing.T) {
	h := start(t, track.Options{Interval: time.Hour})
	h.api.Job("a", tracktest.Steps(queued))
	h.e.Add("a")
	h.idle()
	h.e.Nudge("a")
	h.idle()
	h.e.Nudge("nope")
	h.idle()
	if n := h.api.Count("job", "a"); n != 2 {
		t.Errorf("a polled %d times, want 2", n)
	}
}

// recorder is a Persister that notes what it is told.
type recorder struct {
	mu  sync.Mutex
	log []string
	e   *track.Engine
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

// entries is what was noted so far; the engine may be noting more.
func (r *recorder) entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func (r *recorder) Added(jobs []track.Job) error {
	for _, j := range jobs {
		r.note("added " + j.ID)
	}
	return nil
}

func (r *recorder) Removed(ids []string) error {
	for _, id := range ids {
		r.note("removed " + id)
	}
	return nil
}

func (r *recorder) Changed(j track.Job) error {
	r.note(fmt.Sprintf("changed %s %s %v", j.ID, j.Status, j.Progress))
	return nil
}

// The persister hears of additions before they show, of real changes but
// not of every poll, and of removals.
func TestPersister(t *testing.T) {
	rec := &recorder{}
	h := start(t, track.Options{Persist: rec})
	h.api.Job("a", tracktest.Steps(queued, queued, queued, queued, tracktest.Step{Job: jobAt(api.StatusFailed, 20)}))
	h.e.Add("a")
	if log := rec.entries(); len(log) == 0 || log[0] != "added a" {
		t.Fatalf("Add returned before the job was persisted: %v", log)
	}
	h.runUntil(10*time.Minute, func() bool { return h.job("a").Terminal() })
	h.e.Remove("a")
	want := []string{"added a", "changed a in_queue 0", "changed a failed 20", "removed a"}
	if log := rec.entries(); fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("persister heard %q, want %q", log, want)
	}
}

// Jobs loaded from the store are not polled once ended, except a finished
// one whose video was never fetched; running ones resume on their job id
// (and have their video's name looked up once).
func TestLoad(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Video("v1", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "v1", PublicURL: "u"}}))
	h.api.Job("j3", tracktest.Steps(queued))
	h.e.Load(
		track.Job{ID: "fin", Seq: 7, JobID: "fin", VideoID: "v1", Status: api.StatusFinished},
		track.Job{ID: "failed", Seq: 3, JobID: "failed", Status: api.StatusFailed},
		track.Job{ID: "gone", Seq: 4, NotFound: true},
		track.Job{ID: "v3", Seq: 5, Kind: api.KindVideo, JobID: "j3", VideoID: "v3", Status: api.StatusGenerating},
	)
	h.run(time.Second)
	calls := fmt.Sprint(h.api.Calls())
	// The running one's video is asked for once too, for its name.
	if h.api.Count("", "") != 3 || h.api.Count("video", "v1") != 1 || h.api.Count("job", "j3") != 1 || h.api.Count("video", "vid") != 1 {
		t.Errorf("calls %s, want only the video of fin, job j3 and the name of j3's video", calls)
	}
	if j := h.job("fin"); j.Video == nil {
		t.Error("fin's video not fetched")
	}
	if got := h.e.Jobs(); got[0].ID != "failed" || got[3].ID != "fin" {
		t.Errorf("not in Seq order: %v", got)
	}
	if added := h.e.Add("new"); added[0].Seq != 8 {
		t.Errorf("new job's Seq %d, want 8 (after the loaded ones)", added[0].Seq)
	}
}

// Next hands over every pending event in order; each change bumps Version.
func TestEventsAndVersions(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("a", tracktest.Steps(queued, tracktest.Step{Job: jobAt(api.StatusFailed, 0)}))
	h.e.Add("a", "b")
	h.runUntil(time.Hour, func() bool { return h.job("a").Terminal() && h.job("b").Terminal() })
	h.e.Remove("b")
	evs, err := h.e.Next(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]uint64{}
	var removed bool
	for _, ev := range evs {
		switch {
		case ev.Job != nil:
			if ev.Job.Version <= last[ev.Job.ID] {
				t.Errorf("%s: version %d after %d", ev.Job.ID, ev.Job.Version, last[ev.Job.ID])
			}
			last[ev.Job.ID] = ev.Job.Version
		case ev.Removed == "b":
			removed = true
		}
	}
	if !removed || last["a"] == 0 || last["b"] == 0 {
		t.Errorf("events %+v", evs)
	}
	if a := h.job("a"); a.Version != last["a"] {
		t.Errorf("snapshot version %d, last event %d", a.Version, last["a"])
	}
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Millisecond)
	defer cancel()
	if more, err := h.e.Next(ctx); err == nil {
		t.Errorf("Next returned %v with nothing pending", more)
	}
}

// Run returns once its context ends, with every request goroutine gone.
func TestRunLeavesNoGoroutines(t *testing.T) {
	clk := tracktest.NewClock(t0)
	fake := tracktest.NewAPI(clk)
	fake.Hold()
	e := track.New(track.Options{Client: fake, Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	const label = "TestRunLeavesNoGoroutines"
	goLabelled(label, func() { done <- e.Run(ctx) })
	e.Add("a", "b", "c")
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if err := fake.WaitCalls(wctx, 3); err != nil {
		t.Fatal(err)
	}
	if n := countLabelled(t, label); n < 4 {
		t.Fatalf("%d labelled goroutines with three requests held, want Run's and the three requests'", n)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	// Run has returned, so every goroutine it started has called Done; each
	// may still be running its last instructions. Wait for them to end: a
	// goroutine that never does is a leak, and the deadline reports it.
	deadline := time.Now().Add(10 * time.Second)
	for countLabelled(t, label) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines started by Run still alive 10 s after it returned:\n%s", labelledStacks(t, label))
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	if clk.Pending() != 0 {
		t.Error("a timer outlived Run")
	}
}

// A nudge (a callback, the user's r) while a job's name lookup still waits
// for its turn asks the job first: the job may have just finished, and that
// must be seen at once, not after the name.
func TestNudgeAsksTheJobBeforeItsName(t *testing.T) {
	h := start(t, track.Options{MaxRPS: 0.1}) // one request every 10 s
	h.api.Job("j1", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusGenerating, 10)}, tracktest.Step{Job: jobAt(api.StatusFinished, 100)}))
	h.api.Video("vid", tracktest.Steps(tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro", PublicURL: "https://cdn/v.mp4"}}))
	h.e.Add("j1")
	h.run(time.Second) // the first poll; the name lookup now waits for a token
	h.e.Nudge("j1")
	h.run(15 * time.Second)
	calls := h.api.Calls()
	if len(calls) < 2 || calls[1].Kind != "job" {
		t.Fatalf("calls %v: after the nudge, want the job asked before its video", calls)
	}
	if j := h.job("j1"); j.Status != api.StatusFinished {
		t.Errorf("status %s after the nudge's poll, want finished", j.Status)
	}
}

// Settled: a finished job settles only once its video's links are in, so
// `reel wait` does not end with a name-only video.
func TestSettledWaitsForTheLinks(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("j1", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusGenerating, 50)}, tracktest.Step{Job: jobAt(api.StatusFinished, 100)}))
	h.api.Video("vid", tracktest.Steps(
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro"}},
		tracktest.Step{Video: &api.Video{ID: "vid", Name: "Intro", PublicURL: "https://cdn/v.mp4"}}))
	h.e.Add("j1")
	h.runUntil(10*time.Minute, func() bool { return h.job("j1").Settled })
	j := h.job("j1")
	if j.Status != api.StatusFinished || j.Video == nil || j.Video.PublicURL == "" {
		t.Fatalf("settled as %s with video %+v, want finished with its links", j.Status, j.Video)
	}
}

// Forget drops jobs another process stopped tracking without telling the
// store: the removal is already there, and echoing it could undo an undo.
func TestForgetDoesNotPersist(t *testing.T) {
	rec := &recorder{}
	h := start(t, track.Options{Persist: rec})
	h.api.Job("a", tracktest.Steps(queued))
	h.e.Add("a", "b")
	h.e.Forget("a")
	h.e.Remove("b")
	if _, ok := h.e.Job("a"); ok {
		t.Error("a still tracked after Forget")
	}
	log := rec.entries()
	if slices.Contains(log, "removed a") {
		t.Errorf("Forget wrote to the store: %v", log)
	}
	if !slices.Contains(log, "removed b") {
		t.Errorf("Remove did not write to the store: %v", log)
	}
}
