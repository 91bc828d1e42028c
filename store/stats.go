package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
)

// Runs hands fn each job's milestones, one job at a time, for the jobs
// whose last change is at or after since (zero: every job in the history),
// with a finished video's name and length and a failed job's reason while
// the job is still tracked. The Run is reused between calls. Memory stays flat in
// the history's size.
//
// It reads the runs table, one short row a job that a trigger keeps as
// history grows (reading every change of 50,000 jobs took SQLite alone
// twice the budget), and the tracked jobs in the same id order, joined in
// step: no row is looked up twice and nothing is sorted.
func (s *Store) Runs(ctx context.Context, since time.Time, fn func(*stats.Run) error) error {
	where, args := ``, []any{}
	if !since.IsZero() {
		where, args = `WHERE last_at >= ?`, []any{nanos(since)}
	}
	runs, err := s.db.QueryContext(ctx, `SELECT id, first_status, first_at, left_at, prep_at, gen_at, last_status, last_at
		FROM runs `+where+` ORDER BY id`, args...)
	if err != nil {
		return classify(s.path, "reading history", err)
	}
	defer runs.Close()
	// The JSON columns are text in BLOBs: cast, or SQLite reads them as JSONB.
	info, err := s.db.QueryContext(ctx, `SELECT id,
			coalesce(json_extract(CAST(video_json AS TEXT), '$.name'), ''),
			coalesce(json_extract(CAST(video_json AS TEXT), '$.videoDurationSeconds'), 0),
			CASE WHEN status = 'failed' THEN job_json END
		FROM jobs WHERE status IN ('finished', 'failed') ORDER BY id`)
	if err != nil {
		return classify(s.path, "reading history", err)
	}
	defer info.Close()
	j := &joiner{rows: info}

	var r stats.Run
	for runs.Next() {
		var first, left, prep, gen, last int64
		r = stats.Run{}
		if err := runs.Scan(&r.ID, &r.First.Status, &first, &left, &prep, &gen, &r.Last.Status, &last); err != nil {
			return classify(s.path, "reading history", err)
		}
		r.First.At, r.LeftQueue, r.Prep, r.Gen, r.Last.At = fromNanos(first), fromNanos(left), fromNanos(prep), fromNanos(gen), fromNanos(last)
		if err := j.fill(&r); err != nil {
			return classify(s.path, "reading history", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return classify(s.path, "reading history", runs.Err())
}

// fillRuns writes the milestones of the jobs already in the history when
// the runs table is made (schema 3); the trigger keeps them from then on.
func fillRuns(ctx context.Context, tx *sql.Tx) error {
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
	return nil
}

// joiner walks the tracked jobs in id order beside the history.
type joiner struct {
	rows *sql.Rows
	done bool
	have bool
	id   string
	name string
	secs float64
	job  []byte
	err  error
}

// fill gives r what the tracked job with r's ID knows, if it is tracked.
// IDs come in ascending order, as SQLite's BINARY collation sorts them,
// which is Go's string order.
func (j *joiner) fill(r *stats.Run) error {
	for !j.done && (!j.have || j.id < r.ID) {
		if !j.rows.Next() {
			j.done = true
			if err := j.rows.Err(); err != nil {
				return err
			}
			break
		}
		var secs sql.NullFloat64
		if err := j.rows.Scan(&j.id, &j.name, &secs, &j.job); err != nil {
			return err
		}
		j.secs, j.have = secs.Float64, true
	}
	if j.have && j.id == r.ID {
		r.Name, r.VideoSeconds = j.name, j.secs
		if len(j.job) > 0 {
			job := api.Job{Raw: j.job}
			r.Reason = job.Reason()
		}
	}
	return nil
}

// Summarize is the statistics of the history from since (zero: all of it)
// to now.
func (s *Store) Summarize(ctx context.Context, since, now time.Time) (stats.Summary, error) {
	z := stats.NewSummarizer(since, now)
	if err := s.Runs(ctx, since, func(r *stats.Run) error { z.Add(r); return nil }); err != nil {
		return stats.Summary{}, err
	}
	return z.Summary(), nil
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
	err := s.write(ctx, false, "pruning history", func(tx *sql.Tx, _ int64, _ int64) error {
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
