package store

import (
	"context"
	"slices"
	"time"

	"github.com/reel-dev/reel/api"
)

// Change is one status change of a job, as recorded.
type Change struct {
	Status api.Status
	At     time.Time
}

// History returns a job's status changes, oldest first. It outlives the
// job's removal from the tracked list.
func (s *Store) History(ctx context.Context, id string) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, at FROM history WHERE id = ? ORDER BY at, rowid`, id)
	if err != nil {
		return nil, classify(s.path, "reading history", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at int64
		if err := rows.Scan(&c.Status, &at); err != nil {
			return nil, classify(s.path, "reading history", err)
		}
		c.At = fromNanos(at)
		out = append(out, c)
	}
	return out, classify(s.path, "reading history", rows.Err())
}

// Typical is how long recent jobs took, for a new job's finish-time
// estimate before its progress moves.
type Typical struct {
	Queue  time.Duration // median time in_queue before work began
	Render time.Duration // median time from work beginning to finished
	// Samples is how many finished jobs the medians come from; 0 means
	// there is no history yet and both durations are 0.
	Samples int
}

// typicalOf is how many of the most recently finished jobs Typical uses:
// enough to smooth one odd job, recent enough to follow the service's mood.
const typicalOf = 50

// Typical gives the median queue and render times of the recently finished
// jobs whose whole run reel saw (first seen in_queue). Jobs first seen
// already under way, or that jumped from the queue straight to finished
// between two polls, would skew the figures and are left out.
func (s *Store) Typical(ctx context.Context) (Typical, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH recent AS (
			SELECT id, max(at) AS done FROM history WHERE status = 'finished'
			GROUP BY id ORDER BY done DESC LIMIT ?)
		SELECT h.id, h.status, h.at FROM history h JOIN recent r ON h.id = r.id
		WHERE h.at <= r.done
		ORDER BY h.id, h.at, h.rowid`, typicalOf)
	if err != nil {
		return Typical{}, classify(s.path, "reading history", err)
	}
	defer rows.Close()
	var (
		queues, renders []time.Duration
		id              string
		run             []Change
	)
	flush := func() {
		if q, r, ok := durations(run); ok {
			queues, renders = append(queues, q), append(renders, r)
		}
	}
	for rows.Next() {
		var rid string
		var c Change
		var at int64
		if err := rows.Scan(&rid, &c.Status, &at); err != nil {
			return Typical{}, classify(s.path, "reading history", err)
		}
		c.At = fromNanos(at)
		if rid != id {
			flush()
			id, run = rid, run[:0]
		}
		run = append(run, c)
	}
	if err := rows.Err(); err != nil {
		return Typical{}, classify(s.path, "reading history", err)
	}
	flush()
	return Typical{Queue: median(queues), Render: median(renders), Samples: len(queues)}, nil
}

// durations reads one finished job's run: queued from its first in_queue,
// working from its first later status, done at its last finished.
func durations(run []Change) (queue, render time.Duration, ok bool) {
	if len(run) < 3 || run[0].Status != api.StatusInQueue || run[len(run)-1].Status != api.StatusFinished {
		return 0, 0, false
	}
	for _, c := range run[1 : len(run)-1] {
		if c.Status != api.StatusInQueue {
			queue, render = c.At.Sub(run[0].At), run[len(run)-1].At.Sub(c.At)
			return queue, render, queue >= 0 && render >= 0
		}
	}
	return 0, 0, false
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}
