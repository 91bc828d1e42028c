package track_test

import (
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// A watching engine asks the API nothing, takes the states the poller
// stored, keeps a next poll for each as the poller would, and forwards its
// user's requests; polling again, it asks from those next-poll times.
func TestWatchingEngineObservesAndForwards(t *testing.T) {
	h := start(t, track.Options{})
	var asked []track.Request
	h.e.StopPolling("host:1", func(r track.Request) { asked = append(asked, r) })
	if got := h.e.Conn().Role; got != "watching host:1" {
		t.Fatalf("role = %q", got)
	}
	h.e.Load(track.Job{ID: "j1", Seq: 1}, track.Job{ID: "j2", Seq: 2})
	h.run(time.Minute)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Fatalf("a watching engine asked the API: %+v", calls)
	}

	seen := t0.Add(time.Minute)
	h.e.Observe(
		track.Job{ID: "j1", Seq: 1, Kind: api.KindJob, JobID: "j1", Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, LastPoll: seen},
		track.Job{ID: "j2", Seq: 2, Kind: api.KindJob, JobID: "j2", Status: api.StatusFailed, LastPoll: seen, Ended: seen},
		track.Job{ID: "nope", LastPoll: seen}, // not tracked here: Load's business
	)
	j1, j2 := h.job("j1"), h.job("j2")
	if j1.Status != api.StatusGenerating || j1.Progress != 40 || j1.Settled || !j1.NextPoll.After(seen) {
		t.Errorf("j1 = %+v; want generating at 40, a next poll after %v", j1, seen)
	}
	if j2.Status != api.StatusFailed || !j2.Settled || !j2.NextPoll.IsZero() {
		t.Errorf("j2 = %+v; want failed, settled, no next poll", j2)
	}
	if _, ok := h.e.Job("nope"); ok {
		t.Error("Observe tracked a job")
	}
	// An older state does not undo a newer one.
	h.e.Observe(track.Job{ID: "j1", Status: api.StatusInQueue, LastPoll: t0})
	if h.job("j1").Status != api.StatusGenerating {
		t.Error("an older state undid a newer one")
	}

	h.e.Refresh()
	h.e.Refresh("j1")
	h.e.Callback("j1", "https://share/x", seen)
	h.e.Nudge("j2")
	want := []track.Request{
		{Kind: track.AskRefresh}, {Kind: track.AskRefresh, ID: "j1"},
		{Kind: track.AskCallback, ID: "j1", ShareURL: "https://share/x", At: seen}, {Kind: track.AskNudge, ID: "j2"},
	}
	if len(asked) != len(want) {
		t.Fatalf("forwarded %+v; want %d requests", asked, len(want))
	}
	for i := range want {
		if asked[i].Kind != want[i].Kind || asked[i].ID != want[i].ID || asked[i].ShareURL != want[i].ShareURL {
			t.Errorf("request %d = %+v; want %+v", i, asked[i], want[i])
		}
	}
	h.run(time.Second)
	if calls := h.api.Calls(); len(calls) != 0 {
		t.Fatalf("forwarded requests were polled here: %+v", calls)
	}

	// Polling again: j1 is asked at its next-poll time, not at once; j2 never.
	next := h.job("j1").NextPoll
	h.e.StartPolling()
	h.idle()
	if n := h.api.Count("job", "j1"); n != 0 && h.clk.Now().Before(next) {
		t.Errorf("j1 asked %d times before its next poll %v", n, next)
	}
	h.runUntil(time.Minute, func() bool { return h.api.Count("job", "j1") > 0 })
	if h.api.Count("job", "j2") != 0 {
		t.Error("a settled job was asked again after the takeover")
	}
	// A polling engine ignores the store's states.
	before := h.job("j1")
	h.e.Observe(track.Job{ID: "j1", Status: api.StatusFinished, LastPoll: h.clk.Now().Add(time.Hour)})
	if h.job("j1").Status != before.Status {
		t.Error("a polling engine took a state from the store")
	}
}
