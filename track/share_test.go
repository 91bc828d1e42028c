package track_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// A callback is unsigned: it may set a running job's share link, but a
// settled job's link is never changed by one.
func TestCallbackNeverChangesASettledJobsLink(t *testing.T) {
	h := start(t, track.Options{})
	h.api.Job("run", tracktest.Steps(queued))
	h.api.Job("done", tracktest.Steps(tracktest.Step{Job: jobAt(api.StatusFailed, 0)}))
	h.e.Add("run", "done")
	h.run(5 * time.Second)
	if !h.job("done").Settled {
		t.Fatal("the failed job did not settle: the test proves nothing")
	}
	at := h.clk.Now()
	h.e.Callback("done", "https://evil.example/login", at)
	h.e.Callback("run", "https://app.colossyan.com/share/run", at)
	h.idle()
	if j := h.job("done"); j.ShareURL != "" {
		t.Errorf("settled job's link changed to %q", j.ShareURL)
	}
	if j := h.job("run"); j.ShareURL != "https://app.colossyan.com/share/run" {
		t.Errorf("running job's link %q", j.ShareURL)
	}
}

// A poller's callback link reaches the store through the elector (the
// engine's Persister, writing under the lease), and neither later polls nor
// callbacks without a link (another site's, dropped by the receiver) take
// it away: the engine, the store's row and a viewer observing that row all
// keep it.
func TestCallbackLinkKeptThroughTheElectorsStore(t *testing.T) {
	clk, ctx, wg := virtualRun(t)
	s := openVirtual(ctx, t, clk)
	fake := tracktest.NewAPI(clk)
	running := api.Job{ID: "run", Status: api.StatusGenerating, Progress: 10, MaximumProgress: 100}
	fake.Job("run", tracktest.Steps(tracktest.Step{Job: &running}))
	b := &busyStore{Workspace: s}
	el := track.NewElector(track.ElectorOptions{Store: b, Workspace: "ws", Holder: track.Holder{Name: "a:1", Nonce: "a"}, Clock: clk})
	eng := track.New(track.Options{Client: fake, Clock: clk, Persist: el, Rand: rand.New(rand.NewPCG(1, 2))})
	el.Attach(eng)
	wg.Go(func() { _ = eng.Run(ctx) })
	wg.Go(func() { el.Run(ctx) })
	// Virtual time moves once the engine and the store have done what is due.
	until := (&stepper{t: t, clk: clk, stores: []*busyStore{b}, engines: []*track.Engine{eng}}).until
	until("polling", 10*time.Second, el.Polling)
	eng.Add("run")
	until("run answered", 5*time.Second, func() bool { j, _ := eng.Job("run"); return j.Status == api.StatusGenerating })

	own := "https://app.colossyan.com/share/run"
	asked := fake.Count("job", "run")
	eng.Callback("run", "", clk.Now())
	eng.Callback("run", own, clk.Now())
	eng.Callback("run", "", clk.Now())
	until("the callbacks' poll and two more", 60*time.Second, func() bool { return fake.Count("job", "run") >= asked+3 })
	if j, _ := eng.Job("run"); j.ShareURL != own {
		t.Errorf("the poller's job has link %q, want %q", j.ShareURL, own)
	}
	rows, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ShareURL != own {
		t.Fatalf("the store holds %+v, want run with link %q", rows, own)
	}
	viewer := track.New(track.Options{Client: tracktest.NewAPI(clk), Clock: clk})
	viewer.StopPolling("a:1", func(track.Request) {})
	viewer.Load(rows...)
	viewer.Observe(rows...)
	if j, _ := viewer.Job("run"); j.ShareURL != own {
		t.Errorf("a viewer of the store shows link %q, want %q", j.ShareURL, own)
	}
}
