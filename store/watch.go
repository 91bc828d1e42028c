package store

import (
	"context"
	"time"

	"github.com/reel-dev/reel/track"
)

// Diff is what other processes changed in the store since the last Poll.
// This Store's own writes are never in it.
type Diff struct {
	Added   []track.Job // newly tracked elsewhere (or a Remove undone), in Seq order
	Updated []track.Job // states saved elsewhere for jobs already tracked
	Removed []string    // no longer tracked
}

// Empty reports whether nothing changed.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Updated)+len(d.Removed) == 0 }

// Poll reports what other processes changed since the last Poll (or since
// Open). When nothing was committed it costs one PRAGMA data_version on a
// connection kept for the purpose; otherwise it reads only the rows whose
// revision is newer than the last one seen.
//
// Every write bumps meta.rev inside its transaction, and writes take the
// lock in turn, so revisions grow in commit order: all rows up to the rev
// read here are settled, and later ones wait for the next Poll. The rev and
// the rows are read in one read transaction, from one snapshot.
func (s *Store) Poll(ctx context.Context) (Diff, error) {
	if s.pg != nil {
		return s.pollPG(ctx)
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	var d Diff
	if s.watch == nil {
		return d, classify(s.path, "watching", errClosed)
	}
	var ver int64
	if err := s.watch.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&ver); err != nil {
		return d, classify(s.path, "watching", err)
	}
	if ver == s.dataVer {
		return d, nil
	}
	// One read transaction, so the revision and the rows come from the
	// same snapshot: read apart, a job added and then saved by another
	// process in between would have its rows past the revision read, and
	// come next time as an update of a job this process never saw added.
	if _, err := s.watch.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return d, classify(s.path, "watching", err)
	}
	d, rev, err := s.readChanges(ctx, s.watch)
	if _, cerr := s.watch.ExecContext(context.WithoutCancel(ctx), `COMMIT`); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return Diff{}, classify(s.path, "watching", err)
	}
	s.dataVer, s.seen = ver, rev
	return d, nil
}

// Watch polls on every tick and sends each non-empty Diff, or an error
// (after which it keeps going: a busy or briefly unreadable store heals).
// The channel closes when ctx is done. ticks is injected so tests can
// drive it; in the program use time.NewTicker(time.Second).C.
//
// On PostgreSQL it also polls as soon as another process's change is
// notified, rather than at the next tick.
func (s *Store) Watch(ctx context.Context, ticks <-chan time.Time) <-chan WatchEvent {
	out := make(chan WatchEvent)
	var wake <-chan struct{}
	if s.pg != nil {
		wake = s.pg.listen()
	}
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			case <-wake:
			}
			d, err := s.Poll(ctx)
			if err == nil && d.Empty() {
				continue
			}
			select {
			case out <- WatchEvent{Diff: d, Err: err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// WatchEvent is one result of Watch: a Diff, or the error a Poll met.
type WatchEvent struct {
	Diff Diff
	Err  error
}

// readChanges reads what other processes changed since the last look, and
// the revision it read up to. Called inside Poll's read transaction.
func (s *Store) readChanges(ctx context.Context, q queryer) (Diff, int64, error) {
	var d Diff
	var rev int64
	if err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'rev'`).Scan(&rev); err != nil {
		return d, 0, err
	}
	jobs, addedRevs, err := readJobs(ctx, q, 0, `WHERE rev > ? AND rev <= ? AND writer <> ?`, s.seen, rev, s.writer)
	if err != nil {
		return d, 0, err
	}
	for i, j := range jobs {
		if addedRevs[i] > s.seen {
			d.Added = append(d.Added, j)
		} else {
			d.Updated = append(d.Updated, j)
		}
	}
	gone, err := q.QueryContext(ctx, `SELECT id FROM removed
		WHERE rev > ? AND rev <= ? AND writer <> ? ORDER BY rev`, s.seen, rev, s.writer)
	if err != nil {
		return Diff{}, 0, err
	}
	defer gone.Close()
	for gone.Next() {
		var id string
		if err := gone.Scan(&id); err != nil {
			return Diff{}, 0, err
		}
		d.Removed = append(d.Removed, id)
	}
	if err := gone.Err(); err != nil {
		return Diff{}, 0, err
	}
	return d, rev, nil
}
