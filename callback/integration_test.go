package callback

import (
	"context"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/track"
)

// With polls a minute apart, a callback still ends the row within a
// second: the simulator, the real engine on the real clock, and the
// receiver on a loopback socket.
func TestCallbackEndsRowWithinASecond(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a safety net only
	defer cancel()

	srv, err := sim.Start(sim.Options{CallbackEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, err := api.New(srv.URL(), srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	eng := track.New(track.Options{Client: client, Interval: 60 * time.Second})
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(ctx) }()

	arrived := make(chan Event, 1)
	r := New(Options{Secret: NewSecret(), Engine: eng, APIBase: srv.URL(), OnCallback: func(e Event) {
		select {
		case arrived <- e:
		default:
		}
	}})
	url, err := r.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	jobID, videoID := srv.AddJob(sim.JobSpec{Generating: 1500 * time.Millisecond, Callback: url})
	eng.Add(jobID)

	var firstStatus api.Status
	var cb *Event
	for {
		evs, err := eng.Next(ctx)
		if err != nil {
			t.Fatalf("no finish seen: %v (first status %q, callback %v)", err, firstStatus, cb)
		}
		select {
		case e := <-arrived:
			cb = &e
		default:
		}
		var fin *track.Job
		for _, ev := range evs {
			if ev.Job == nil || ev.Job.ID != jobID || ev.Job.Status == "" {
				continue
			}
			if firstStatus == "" {
				firstStatus = ev.Job.Status
			}
			if ev.Job.Status == api.StatusFinished {
				fin = ev.Job
				break
			}
		}
		if fin == nil {
			continue
		}
		seen := time.Now()
		if firstStatus == api.StatusFinished {
			t.Fatal("the first poll already saw it finished: the test proves nothing")
		}
		if cb == nil {
			select {
			case e := <-arrived:
				cb = &e
			default:
				t.Fatal("finished before any callback came: polled on its own")
			}
		}
		lag := seen.Sub(cb.At)
		t.Logf("first poll saw %q; callback at +%v named %q; finished seen %v after it",
			firstStatus, cb.At.Sub(fin.Added).Round(time.Millisecond), cb.IDs, lag.Round(time.Millisecond))
		if lag < 0 || lag > time.Second {
			t.Errorf("finished seen %v after the callback, want within 1s", lag)
		}
		if len(cb.IDs) != 1 || cb.IDs[0] != jobID {
			t.Errorf("callback matched %q, want %q", cb.IDs, jobID)
		}
		if want := srv.Origin() + "/share/" + videoID; fin.ShareURL != want {
			// The share link may land in the event before or with the
			// finish; the engine's snapshot has it by now.
			if j, _ := eng.Job(jobID); j.ShareURL != want {
				t.Errorf("share link %q, want %q", j.ShareURL, want)
			}
		}
		break
	}
	r.Close()
	cancel()
	<-engDone
}
