package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
)

// Runs hands fn each job's milestones, one job at a time, for the jobs
// whose last change is at or after since (zero: every job in the history),
// with its video's length and a failed job's reason, kept even after the
// job stopped being tracked. To stay within its budget it reads only what
// the figures need: First.Status is in_queue or "", and Name is left
// empty (Summarize fills in the slowest jobs' names). The Run is reused
// between calls.
// Memory stays flat in the history's size.
//
// It reads the runs table, one short row a job that triggers keep as
// history grows: reading every change of 50,000 jobs took SQLite alone
// twice the budget.
func (s *Store) Runs(ctx context.Context, since time.Time, fn func(*stats.Run) error) error {
	where, args := ``, []any{}
	if !since.IsZero() {
		where, args = `WHERE last_at >= ?`, []any{nanos(since)}
	}
	// Only what the figures need, and the status words as the API's: the
	// first only as "was it queued", the names only for the few slowest.
	rows, err := s.db.QueryContext(ctx, `SELECT id, CASE WHEN first_status = 'in_queue' THEN 1 ELSE 0 END, first_at, left_at, prep_at, gen_at, last_status, last_at,
			video_seconds, failure
		FROM runs `+where+` ORDER BY id`, args...)
	if err != nil {
		return classify(s.path, "reading history", err)
	}
	defer rows.Close()
	var r stats.Run
	var failure []byte
	for rows.Next() {
		// Plain types only: Scan converts named ones (api.Status, bool)
		// through reflection, a tenth of the budget at 50,000 rows.
		var first, left, prep, gen, last, queued int64
		var lastStatus string
		r = stats.Run{}
		if err := rows.Scan(&r.ID, &queued, &first, &left, &prep, &gen, &lastStatus, &last,
			&r.VideoSeconds, &failure); err != nil {
			return classify(s.path, "reading history", err)
		}
		r.Last.Status = api.Status(lastStatus)
		if queued != 0 {
			r.First.Status = api.StatusInQueue
		} else {
			r.First.Status = "" // some other status: the figures need no more
		}
		r.First.At, r.LeftQueue, r.Prep, r.Gen, r.Last.At = fromNanos(first), fromNanos(left), fromNanos(prep), fromNanos(gen), fromNanos(last)
		if len(failure) > 0 && r.Last.Status == api.StatusFailed {
			job := api.Job{Raw: failure}
			r.Reason = job.Reason()
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return classify(s.path, "reading history", rows.Err())
}

// fillRuns writes the milestones of the jobs already in the history when
// the runs table is made (schema 3); the trigger keeps them from then on.
func fillRuns(ctx context.Context, tx *txx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, status, at FROM history ORDER BY id, at, rowid`)
	if err != nil {
		return err
	}
	var all []stats.Run
	var id string
	var cs []stats.Change
	for rows.Next() {
		var rid string
		var c stats.Change
		var at int64
		if err := rows.Scan(&rid, &c.Status, &at); err != nil {
			rows.Close()
			return err
		}
		c.At = fromNanos(at)
		if rid != id && len(cs) > 0 {
			all = append(all, stats.RunOf(id, cs))
			cs = cs[:0]
		}
		id = rid
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cs) > 0 {
		all = append(all, stats.RunOf(id, cs))
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO runs(id, first_status, first_at, left_at, prep_at, gen_at, last_status, last_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, r := range all {
		if _, err := ins.ExecContext(ctx, r.ID, string(r.First.Status), nanos(r.First.At), nanos(r.LeftQueue),
			nanos(r.Prep), nanos(r.Gen), string(r.Last.Status), nanos(r.Last.At)); err != nil {
			return err
		}
	}
	// What the tracked jobs know of their videos and failures.
	_, err = tx.ExecContext(ctx, `UPDATE runs SET
			name = coalesce(CASE WHEN json_valid(CAST(j.video_json AS TEXT)) THEN json_extract(CAST(j.video_json AS TEXT), '$.name') END, ''),
			video_seconds = coalesce(CASE WHEN json_valid(CAST(j.video_json AS TEXT)) THEN json_extract(CAST(j.video_json AS TEXT), '$.videoDurationSeconds') END, 0),
			failure = CASE WHEN j.status = 'failed' THEN j.job_json END
		FROM jobs j WHERE j.id = runs.id`)
	return err
}

// Summarize is the statistics of the history from since (zero: all of it)
// to now.
func (s *Store) Summarize(ctx context.Context, since, now time.Time) (stats.Summary, error) {
	z := stats.NewSummarizer(since, now)
	if err := s.Runs(ctx, since, func(r *stats.Run) error { z.Add(r); return nil }); err != nil {
		return stats.Summary{}, err
	}
	sum := z.Summary()
	for i := range sum.Slowest {
		err := s.db.QueryRowContext(ctx, `SELECT name FROM runs WHERE id = ?`, sum.Slowest[i].ID).Scan(&sum.Slowest[i].Name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return stats.Summary{}, classify(s.path, "reading history", err)
		}
	}
	return sum, nil
}

// Timeline is one job's history as stats reads it, oldest first.
func (s *Store) Timeline(ctx context.Context, id string) ([]stats.Change, error) {
	cs, err := s.History(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]stats.Change, len(cs))
	for i, c := range cs {
		out[i] = stats.Change{Status: c.Status, At: c.At}
	}
	return out, nil
}

// Pruned is what Prune removed.
type Pruned struct {
	Changes  int64 // history rows
	Removals int64 // removal markers
}

// Prune forgets the history of jobs no longer tracked whose last change is
// before cutoff, whole jobs at a time so no timeline is left cut, and the
// removal markers made before cutoff: other processes have long seen them.
// Tracked jobs keep their history however old.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (Pruned, error) {
	var p Pruned
	err := s.write(ctx, false, "pruning history", func(tx *txx, _ int64, _ int64) error {
		c := nanos(cutoff)
		gone := `SELECT id FROM runs WHERE last_at < ? AND id NOT IN (SELECT id FROM jobs)`
		res, err := tx.ExecContext(ctx, `DELETE FROM history WHERE id IN (`+gone+`)`, c)
		if err != nil {
			return err
		}
		p.Changes, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE id IN (`+gone+`)`, c); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM removed WHERE at < ?`, c)
		if err != nil {
			return err
		}
		p.Removals, _ = res.RowsAffected()
		return nil
	})
	return p, err
}
