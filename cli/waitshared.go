package cli

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

// follow is o.Follow, or false when there is none.
func (o *waitOptions) follow(ctx context.Context, e *track.Engine, list []string) (func(), bool) {
	if o.Follow == nil {
		return nil, false
	}
	return o.Follow(ctx, e, list)
}

// followPoller lets `reel wait` ask the API nothing when a dashboard
// already polls its jobs: when the store at path has a live poller for c's
// workspace and tracks every listed ID, the engine watches instead of
// polling and takes the states from the store. Should that poller go
// without a successor, the engine polls again, as wait does alone.
func followPoller(path string, c *api.Client, clk track.Clock) func(ctx context.Context, e *track.Engine, list []string) (func(), bool) {
	if clk == nil {
		clk = track.RealClock{}
	}
	return func(ctx context.Context, e *track.Engine, list []string) (func(), bool) {
		if path == "" {
			return nil, false
		}
		st, err := store.OpenReadOnly(path)
		if err != nil {
			return nil, false
		}
		jobs, ws, holder, ok := followed(ctx, st, c, list)
		if !ok {
			st.Close()
			return nil, false
		}
		e.StopPolling(holder, nil)
		e.Load(jobs...)
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { observe(ctx, st, e, ws, clk) })
		return func() { cancel(); wg.Wait(); st.Close() }, true
	}
}

// followed returns list's jobs from st, and who polls them, when a live
// poller holds c's workspace and st tracks every listed ID.
func followed(ctx context.Context, st *store.Store, c *api.Client, list []string) ([]track.Job, string, string, bool) {
	salt, err := st.Salt(ctx)
	if err != nil {
		return nil, "", "", false
	}
	ws := c.Workspace(salt)
	l, err := st.Lease(ctx, ws)
	if err != nil || !live(l, time.Now()) {
		return nil, "", "", false
	}
	all, err := st.Load(ctx)
	if err != nil {
		return nil, "", "", false
	}
	byID := make(map[string]track.Job, len(all))
	for _, j := range all {
		byID[j.ID] = j
	}
	var jobs []track.Job
	seen := map[string]bool{}
	for _, id := range list {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		j, ok := byID[id]
		if !ok {
			return nil, "", "", false // one the poller does not follow: poll them all, as alone
		}
		jobs = append(jobs, j)
	}
	return jobs, ws, l.Holder, len(jobs) > 0
}

// live: someone holds the lease and it has not run out by now.
func live(l track.Lease, now time.Time) bool { return l.Holder != "" && l.Expires.After(now) }

// followGiveUp is how long wait follows a store that answers only errors
// before it asks the API itself: the lease's TTL, after which its poller,
// cut off from the store as wait is, has stopped polling too.
const followGiveUp = track.DefaultLeaseTTL

// followed is what observe reads of the store.
type followedStore interface {
	Poll(ctx context.Context) (store.Diff, error)
	Lease(ctx context.Context, ws string) (track.Lease, error)
}

// observe hands the poller's writes to e until ctx ends, and lets e poll
// again once the lease has lapsed without a successor, or once the store
// has answered nothing but errors for followGiveUp.
func observe(ctx context.Context, st followedStore, e *track.Engine, ws string, clk track.Clock) {
	var lastLook, lapsed, failing time.Time
	for {
		tick := make(chan struct{})
		stop := clk.AfterFunc(watchEvery, func() { close(tick) })
		select {
		case <-ctx.Done():
			stop()
			return
		case <-tick:
		}
		now := clk.Now()
		d, err := st.Poll(ctx)
		if err == nil {
			e.Observe(d.Updated...)
			for _, id := range d.Removed {
				if _, ok := e.Job(id); ok {
					e.StartPolling() // no longer followed there: ask ourselves
					return
				}
			}
		}
		if err == nil && now.Sub(lastLook) < time.Second {
			failing = time.Time{}
			continue
		}
		var l track.Lease
		if err == nil {
			lastLook = now
			l, err = st.Lease(ctx, ws)
		}
		if err != nil {
			if failing.IsZero() {
				failing = now
			}
			if now.Sub(failing) >= followGiveUp {
				e.StartPolling() // the store is gone for us: ask the API
				return
			}
			continue
		}
		failing = time.Time{}
		switch {
		case live(l, now):
			lapsed = time.Time{}
		case lapsed.IsZero():
			lapsed = now // a takeover takes a moment: look again
		case now.Sub(lapsed) > 2*time.Second:
			e.StartPolling()
			return
		}
	}
}
