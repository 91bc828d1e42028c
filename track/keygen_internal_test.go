package track

import (
	"testing"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track/tracktest"
)

// TestOldKeysRejectionAfterRefresh: a 401 to a request sent before the
// user's refresh (after which the dashboard may use a new key) does not
// reject the key; the job is asked again, and its answer counts.
func TestOldKeysRejectionAfterRefresh(t *testing.T) {
	e, _, fake, ctx := startHeld(t, Options{MaxRPS: 1000})
	fake.Hold()
	queued := tracktest.Step{Job: &api.Job{Status: api.StatusInQueue}}
	fake.Job("a", tracktest.Steps(tracktest.Step{Err: &api.KeyRejectedError{StatusCode: 401}}, queued))
	e.Add("a")
	if err := fake.WaitCalls(ctx, 1); err != nil {
		t.Fatal(err)
	}
	e.Refresh() // the user fixed the key while the request was on its way
	fake.Release()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if c := e.Conn(); c.KeyRejected {
		t.Errorf("a 401 to a request sent before the refresh rejected the key: %+v", c)
	}
	if n := fake.Count("job", "a"); n != 2 {
		t.Errorf("%d requests for a, want 2: the old key's and the new one's", n)
	}
	if j := e.Jobs(); len(j) != 1 || j[0].Status != api.StatusInQueue || j[0].Err != "" {
		t.Errorf("after the refresh: %+v", j)
	}
}
