package track_test

import (
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
