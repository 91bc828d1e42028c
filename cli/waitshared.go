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
func followPoller(path string, c *api.Client) func(ctx context.Context, e *track.Engine, list []string) (func(), bool) {
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
		wg.Go(func() { observe(ctx, st, e, ws) })
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
	if err != nil || !live(l) {
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

// live: someone holds the lease and it has not run out.
func live(l track.Lease) bool { return l.Holder != "" && l.Expires.After(time.Now()) }

// observe hands the poller's writes to e until ctx ends, and lets e poll
// again once the lease has lapsed without a successor.
func observe(ctx context.Context, st *store.Store, e *track.Engine, ws string) {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	var lastLook, lapsed time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if d, err := st.Poll(ctx); err == nil {
			e.Observe(d.Updated...)
			for _, id := range d.Removed {
				if _, ok := e.Job(id); ok {
					e.StartPolling() // no longer followed there: ask ourselves
					return
				}
			}
		}
		if time.Since(lastLook) < time.Second {
			continue
		}
		lastLook = time.Now()
		l, err := st.Lease(ctx, ws)
		switch {
		case err != nil || live(l):
			lapsed = time.Time{}
		case lapsed.IsZero():
			lapsed = lastLook // a takeover takes a moment: look again
		case time.Since(lapsed) > 2*time.Second:
			e.StartPolling()
			return
		}
	}
}
