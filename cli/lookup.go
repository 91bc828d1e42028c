package cli

import (
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/config"
)

// lookupWorkers is how many IDs are read at once when --max-in-flight (or
// max_in_flight) is not set. The client's pacing caps the rate; the pool
// caps the requests in flight and the goroutines: a fixed pool, whatever the
// number of IDs.
const lookupWorkers = 4

// maxLookupWorkers is the largest pool the one-shot commands take: a worker
// more than the window could never have an ID to read.
const maxLookupWorkers = lookupWindow

// lookupPool is the pool size for the one-shot lookups: the program-wide cap
// on requests in flight when the user set one, else lookupWorkers. The cap is
// a most, shared with the engine (config allows up to 256), so over
// maxLookupWorkers the pool is maxLookupWorkers: it still keeps the cap, and
// a config file written for the dashboard does not break the scripts.
func lookupPool(s *config.Settings) (int, error) {
	n := s.MaxInFlight
	switch {
	case n <= 0:
		return lookupWorkers, nil
	case n > maxLookupWorkers:
		return maxLookupWorkers, nil
	}
	return n, nil
}

// lookupWindow is how far the workers may run ahead of the first result not
// yet emitted. Results wait in order for at most this many slots, so memory
// stays flat however many IDs there are, and one slow ID holds up at most
// this many answers.
const lookupWindow = 64

// lookuper is what the scripting commands ask about an ID; *api.Client is
// one, and tests and benchmarks give their own.
type lookuper interface {
	Lookup(ctx context.Context, id string) (*api.Lookup, error)
}

// lookupEach reads every ID with a fixed pool of workers (lookupWorkers
// when workers is 0), retrying
// transient errors with backoff (and the server's Retry-After) before giving
// up on an ID, and calls emit with each result in the order of ids, as soon
// as every result before it is in. A rejected key or a base URL that is not
// the API's stops everything: no point asking again; the IDs not yet read
// then carry that error. emit runs on the
// caller's goroutine, one result at a time.
func lookupEach(ctx context.Context, c lookuper, ids iter.Seq[string], workers int, rp retryPolicy, emit func(result)) {
	if workers <= 0 {
		workers = lookupWorkers
	}
	workers = min(workers, maxLookupWorkers)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type job struct {
		i  int
		id string
	}
	type answer struct {
		i int
		r result
	}
	jobs := make(chan job)
	answers := make(chan answer, lookupWindow)
	slots := make(chan struct{}, lookupWindow) // one per ID handed out and not yet emitted

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the feeder: hands out IDs as ids gives them, never more than the window ahead
		defer wg.Done()
		defer close(jobs)
		i := 0
		for id := range ids {
			slots <- struct{}{} // the emitter frees one as it emits, whatever happens
			select {
			case jobs <- job{i, id}:
			case <-ctx.Done():
				// The key was rejected, or ctx ended: the rest are never
				// asked about, and carry the reason.
				answers <- answer{i, result{ID: id, Err: context.Cause(ctx)}}
			}
			i++
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := result{ID: j.id}
				if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
					r.Err = err
				} else {
					r.Lookup, r.Err = lookupWithRetry(ctx, c, j.id, rp)
					if api.IsKeyRejected(r.Err) || api.IsWrongURL(r.Err) {
						cancel(r.Err)
					}
				}
				answers <- answer{j.i, r} // never blocks: the window bounds what is out
			}
		}()
	}
	go func() { wg.Wait(); close(answers) }()

	pending := make(map[int]result, lookupWindow)
	next := 0
	for a := range answers {
		pending[a.i] = a.r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-slots
			emit(r)
		}
	}
}

// lookupAll is lookupEach gathered into a slice, for the commands that need
// every answer before they act.
func lookupAll(ctx context.Context, c lookuper, ids []string, rp retryPolicy) []result {
	out := make([]result, 0, len(ids))
	lookupEach(ctx, c, slices.Values(ids), 0, rp, func(r result) { out = append(out, r) })
	return out
}

// namedLookups makes a job still rendering carry its video too, for the
// video's name: wait and the dashboard show it, so status does as well.
type namedLookups struct{ c *api.Client }

func (n namedLookups) Lookup(ctx context.Context, id string) (*api.Lookup, error) {
	l, err := n.c.Lookup(ctx, id)
	if err != nil || l.Video != nil || l.Job == nil || l.Job.VideoID == "" || l.Job.Status == api.StatusDeleted {
		return l, err
	}
	// A name is a nicety: when it cannot be read, the row goes without.
	if v, err := n.c.GetVideo(ctx, l.Job.VideoID); err == nil {
		l.Video = v
	}
	return l, nil
}
