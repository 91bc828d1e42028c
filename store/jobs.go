package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// stateCols are the columns of a job's last known state, in the order
// stateArgs gives them and scanJob reads them (after id, seq, added_at).
const stateCols = `kind, job_id, video_id, status, not_found, progress, maximum_progress,
	job_json, video_json, status_since, started_at, ended_at, last_poll, err, share_url, callback_at`

const jobCols = `id, seq, added_at, ` + stateCols

// Add records newly tracked jobs in one transaction, durable (fsync'd) when
// it returns, so an ID the user added is never lost once its row shows. IDs
// already tracked are left as they are. A job's Seq and state are kept as
// given, so Add also serves to undo a Remove.
func (s *Store) Add(ctx context.Context, jobs ...track.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.write(ctx, true, "adding jobs", func(tx *sql.Tx, rev int64, now int64) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO jobs (`+jobCols+`, updated_at, rev, added_rev, writer)
			VALUES (?, ?, ?, `+strings.Repeat("?, ", 16)+`?, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, j := range jobs {
			args, err := stateArgs(&j)
			if err != nil {
				return err
			}
			added := j.Added
			if added.IsZero() {
				added = s.now()
			}
			args = append([]any{j.ID, j.Seq, nanos(added)}, args...)
			args = append(args, now, rev, rev, s.writer)
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		return s.untomb(ctx, tx, jobs)
	})
}

func (s *Store) untomb(ctx context.Context, tx *sql.Tx, jobs []track.Job) error {
	del, err := tx.PrepareContext(ctx, `DELETE FROM removed WHERE id = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	for _, j := range jobs {
		if _, err := del.ExecContext(ctx, j.ID); err != nil {
			return err
		}
	}
	return nil
}

// Remove stops tracking the IDs, durably. Their status history stays: it
// feeds finish-time estimates. Unknown IDs are ignored.
func (s *Store) Remove(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.write(ctx, true, "removing jobs", func(tx *sql.Tx, rev int64, _ int64) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO removed(id, rev, writer) VALUES (?, ?, ?)
				ON CONFLICT(id) DO UPDATE SET rev = excluded.rev, writer = excluded.writer`,
				id, rev, s.writer); err != nil {
				return err
			}
		}
		return nil
	})
}

// Save records a tracked job's new state; a changed status also lands in
// the history, with the job's StatusSince as its time. A job no longer
// tracked (another process removed it) is not brought back.
func (s *Store) Save(ctx context.Context, j track.Job) error {
	args, err := stateArgs(&j)
	if err != nil {
		return fmt.Errorf("store %s: saving %s: %w", s.path, j.ID, err)
	}
	return s.write(ctx, false, "saving "+j.ID, func(tx *sql.Tx, rev int64, now int64) error {
		args = append(args, now, rev, s.writer, j.ID)
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET (`+stateCols+`, updated_at, rev, writer) =
			(`+strings.Repeat("?, ", 18)+`?) WHERE id = ?`, args...)
		return err
	})
}

// write runs f in one IMMEDIATE transaction with the next revision number.
// durable asks for an fsync at commit (synchronous=FULL), for changes to
// the tracked list; state saves stay at NORMAL, safe against a crash of reel
// though the last ones may be lost to a power cut, and fast.
func (s *Store) write(ctx context.Context, durable bool, doing string, f func(tx *sql.Tx, rev, now int64) error) error {
	if s.readOnly {
		return fmt.Errorf("store %s: %s: %w", s.path, doing, ErrReadOnly)
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return classify(s.path, doing, err)
	}
	defer c.Close()
	if durable {
		if _, err := c.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
			return classify(s.path, doing, err)
		}
		defer c.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`)
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, doing, err)
	}
	defer tx.Rollback()
	var rev int64
	if err := tx.QueryRowContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value`).Scan(&rev); err != nil {
		return classify(s.path, doing, err)
	}
	if err := f(tx, rev, nanos(s.now())); err != nil {
		return classify(s.path, doing, err)
	}
	return classify(s.path, doing, tx.Commit())
}

// Load returns the tracked jobs in the order they were added.
func (s *Store) Load(ctx context.Context) ([]track.Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobCols+` FROM jobs ORDER BY seq, added_at, id`)
	if err != nil {
		return nil, classify(s.path, "loading jobs", err)
	}
	jobs, err := scanJobs(rows)
	return jobs, classify(s.path, "loading jobs", err)
}

func scanJobs(rows *sql.Rows) ([]track.Job, error) {
	defer rows.Close()
	var jobs []track.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanJob(r scanner) (track.Job, error) {
	var (
		j                                        track.Job
		kind, status                             string
		notFound                                 bool
		jobJSON, videoJSON                       []byte
		added, since, started, ended, poll, cbAt int64
	)
	err := r.Scan(&j.ID, &j.Seq, &added, &kind, &j.JobID, &j.VideoID, &status, &notFound,
		&j.Progress, &j.MaximumProgress, &jobJSON, &videoJSON, &since, &started, &ended, &poll,
		&j.Err, &j.ShareURL, &cbAt)
	if err != nil {
		return j, err
	}
	j.Kind, j.Status, j.NotFound = api.Kind(kind), api.Status(status), notFound
	j.Added, j.StatusSince, j.Started, j.Ended, j.LastPoll, j.CallbackAt =
		fromNanos(added), fromNanos(since), fromNanos(started), fromNanos(ended), fromNanos(poll), fromNanos(cbAt)
	if len(jobJSON) > 0 {
		j.Job = new(api.Job)
		if err := json.Unmarshal(jobJSON, j.Job); err != nil {
			return j, fmt.Errorf("job %s: stored job object: %w", j.ID, err)
		}
	}
	if len(videoJSON) > 0 {
		j.Video = new(api.Video)
		if err := json.Unmarshal(videoJSON, j.Video); err != nil {
			return j, fmt.Errorf("job %s: stored video object: %w", j.ID, err)
		}
	}
	return j, nil
}

// stateArgs are the values for stateCols.
func stateArgs(j *track.Job) ([]any, error) {
	jobJSON, err := marshal(j.Job)
	if err != nil {
		return nil, fmt.Errorf("job object: %w", err)
	}
	videoJSON, err := marshal(j.Video)
	if err != nil {
		return nil, fmt.Errorf("video object: %w", err)
	}
	return []any{string(j.Kind), j.JobID, j.VideoID, string(j.Status), j.NotFound,
		j.Progress, j.MaximumProgress, jobJSON, videoJSON, nanos(j.StatusSince),
		nanos(j.Started), nanos(j.Ended), nanos(j.LastPoll), j.Err, j.ShareURL,
		nanos(j.CallbackAt)}, nil
}

// marshal gives nil (SQL NULL) for a nil object.
func marshal[T any](v *T) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
