package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
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

// insertJobSQL adds a tracked job, leaving one already tracked as it is.
// Its arguments are id, seq, added_at, stateArgs, snap, updated_at, rev,
// added_rev and writer.
var insertJobSQL = `INSERT INTO jobs (` + jobCols + `, snap, updated_at, rev, added_rev, writer)
	VALUES (?, ?, ?, ` + strings.Repeat("?, ", 16) + `?, ?, ?, ?, ?)
	ON CONFLICT(id) DO NOTHING`

// Add records newly tracked jobs in one transaction, durable (fsync'd) when
// it returns, so an ID the user added is never lost once its row shows. IDs
// already tracked are left as they are. A job's Seq and state are kept as
// given, so Add also serves to undo a Remove.
func (s *Store) Add(ctx context.Context, jobs ...track.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.write(ctx, true, "adding jobs", func(tx *txx, rev int64, now int64) error {
		ins, err := tx.PrepareContext(ctx, insertJobSQL)
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
			args = append(args, encodeSnap(nil, &j), now, rev, rev, s.writer)
			if _, err := ins.ExecContext(ctx, pgArgs(tx.pg, args)...); err != nil {
				return err
			}
		}
		return s.untomb(ctx, tx, jobs)
	})
}

func (s *Store) untomb(ctx context.Context, tx *txx, jobs []track.Job) error {
	del, err := tx.PrepareContext(ctx, `DELETE FROM removed WHERE id = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	for _, j := range jobs {
		if _, err := del.ExecContext(ctx, pgArgs(tx.pg, []any{j.ID})...); err != nil {
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
	return s.write(ctx, true, "removing jobs", func(tx *txx, rev int64, now int64) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE id = ?`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO removed(id, rev, writer, at) VALUES (?, ?, ?, ?)
				ON CONFLICT(id) DO UPDATE SET rev = excluded.rev, writer = excluded.writer, at = excluded.at`,
				id, rev, s.writer, now); err != nil {
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
	return s.write(ctx, false, "saving "+j.ID, func(tx *txx, rev int64, now int64) error {
		return s.saveTx(ctx, tx, &j, args, rev, now)
	})
}

// saveTx writes a job's state (args from stateArgs) inside a write.
func (s *Store) saveTx(ctx context.Context, tx *txx, j *track.Job, args []any, rev, now int64) error {
	args = append(args, encodeSnap(nil, j), now, rev, s.writer, j.ID)
	_, err := tx.ExecContext(ctx, `UPDATE jobs SET (`+stateCols+`, snap, updated_at, rev, writer) =
		(`+strings.Repeat("?, ", 19)+`?) WHERE id = ?`, args...)
	return err
}

// write runs f in one IMMEDIATE transaction with the next revision number.
// durable asks for an fsync at commit (synchronous=FULL), for changes to
// the tracked list; state saves stay at NORMAL, safe against a crash of reel
// though the last ones may be lost to a power cut, and fast.
func (s *Store) write(ctx context.Context, durable bool, doing string, f func(tx *txx, rev, now int64) error) error {
	if s.readOnly {
		return fmt.Errorf("store %s: %s: %w", s.path, doing, ErrReadOnly)
	}
	var tx *txx
	if s.pg != nil {
		// Every write takes meta.rev's row lock first and keeps it to its
		// commit, so writes take turns and revisions grow in commit order,
		// as under SQLite's one write lock.
		t, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return classify(s.path, doing, err)
		}
		tx = t
	} else {
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
		t, err := c.BeginTx(ctx, nil)
		if err != nil {
			return classify(s.path, doing, err)
		}
		tx = &txx{Tx: t}
	}
	defer tx.Rollback()
	var rev int64
	if err := tx.QueryRowContext(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value`).Scan(&rev); err != nil {
		return classify(s.path, doing, err)
	}
	if err := f(tx, rev, nanos(s.now())); err != nil {
		return classify(s.path, doing, err)
	}
	if s.pg != nil {
		// Delivered at commit to every listening process (watch_pg.go).
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify('`+notifyChannel+`', ?)`, s.writer); err != nil {
			return classify(s.path, doing, err)
		}
	}
	return classify(s.path, doing, tx.Commit())
}

// Load returns the tracked jobs in the order they were added.
func (s *Store) Load(ctx context.Context) ([]track.Job, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil {
		return nil, classify(s.path, "loading jobs", err)
	}
	jobs, _, err := readJobs(ctx, s.db, n, ``)
	return jobs, classify(s.path, "loading jobs", err)
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// readJobs reads the jobs matching where (a WHERE clause, or "" for all), in
// Seq order, with the revision each was added at. sizeHint, the number of
// rows expected, saves regrowing a slice of large structs. It reads each row's snap;
// the few rows without a readable one are read again from their columns.
func readJobs(ctx context.Context, q queryer, sizeHint int, where string, args ...any) ([]track.Job, []int64, error) {
	// No ORDER BY: SQLite would sort whole rows, snaps and all; rows come
	// in insertion order, nearly sorted already, so Go sorts them cheaply.
	rows, err := q.QueryContext(ctx, `SELECT id, seq, added_at, added_rev, snap FROM jobs `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		jobs      = make([]track.Job, 0, sizeHint)
		addedRevs = make([]int64, 0, sizeHint)
		again     []int // indexes of jobs whose snap would not do
	)
	for rows.Next() {
		var (
			j               track.Job
			added, addedRev int64
			snap            sql.RawBytes
		)
		if err := rows.Scan(&j.ID, &j.Seq, &added, &addedRev, &snap); err != nil {
			return nil, nil, err
		}
		j.Added = fromNanos(added)
		if decodeSnap(snap, &j) != nil {
			again = append(again, len(jobs))
		}
		jobs, addedRevs = append(jobs, j), append(addedRevs, addedRev)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	sortJobs(jobs, addedRevs)
	for _, i := range again {
		j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, jobs[i].ID))
		if err != nil {
			return nil, nil, err
		}
		jobs[i] = j
	}
	return jobs, addedRevs, nil
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

// sortJobs puts jobs (and their added revisions) in Seq order, then by time
// added and ID, as the dashboard lists them.
func sortJobs(jobs []track.Job, addedRevs []int64) {
	less := func(a, b *track.Job) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), a.Added.Compare(b.Added), strings.Compare(a.ID, b.ID))
	}
	if slices.IsSortedFunc(jobs, func(a, b track.Job) int { return less(&a, &b) }) {
		return
	}
	idx := make([]int, len(jobs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return less(&jobs[a], &jobs[b]) })
	sj, sr := make([]track.Job, len(jobs)), make([]int64, len(jobs))
	for to, from := range idx {
		sj[to], sr[to] = jobs[from], addedRevs[from]
	}
	copy(jobs, sj)
	copy(addedRevs, sr)
}
