package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/track"
)

// The store is reel submit's journal (submit.Journal): a row's intent is
// committed, fsync'd, before its POST, and its answer after.
var _ submit.Journal = (*Store)(nil)

const submissionCols = `row, source, state, job_id, video_id, err, attempts, updated_at`

// ClaimRow implements submit.Journal: it marks the row Sending if it may be
// sent, in one IMMEDIATE transaction, so of two runs racing for a row one
// wins and the other sees it Sending.
func (s *Store) ClaimRow(ctx context.Context, key, source string, force bool) (submit.Entry, bool, error) {
	var (
		e  submit.Entry
		ok bool
	)
	err := s.write(ctx, true, "journaling row "+source, func(tx *txx, _ int64, now int64) error {
		var err error
		e, err = readSubmission(ctx, tx, key)
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if found && e.State != submit.Failed && !(force && (e.State == submit.Unknown || e.State == submit.Sending)) {
			return nil
		}
		ok = true
		e = submit.Entry{Key: key, Source: source, State: submit.Sending, Attempts: e.Attempts + 1, At: fromNanos(now)}
		_, err = tx.ExecContext(ctx, `INSERT INTO submissions (`+submissionCols+`) VALUES (?, ?, ?, '', '', '', ?, ?)
			ON CONFLICT(row) DO UPDATE SET source = excluded.source, state = excluded.state, job_id = '',
			video_id = '', err = '', attempts = excluded.attempts, updated_at = excluded.updated_at`,
			key, source, string(submit.Sending), e.Attempts, now)
		return err
	})
	return e, ok, err
}

// Answer implements submit.Journal. A created row's job is added to the
// tracked list in the same transaction: no crash can leave a created job
// that reel does not follow.
func (s *Store) Answer(ctx context.Context, e submit.Entry) error {
	return s.write(ctx, true, "journaling row "+e.Source, func(tx *txx, rev int64, now int64) error {
		res, err := tx.ExecContext(ctx, `UPDATE submissions SET state = ?, job_id = ?, video_id = ?, err = ?, updated_at = ?
			WHERE row = ?`, string(e.State), e.JobID, e.VideoID, e.Err, now, e.Key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("row %s was never claimed", e.Source)
		}
		if e.State != submit.Created || e.JobID == "" {
			return nil
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM jobs`).Scan(&seq); err != nil {
			return err
		}
		j := track.Job{ID: e.JobID, Seq: seq, Added: fromNanos(now), JobID: e.JobID, VideoID: e.VideoID}
		args, err := stateArgs(&j)
		if err != nil {
			return err
		}
		args = append([]any{j.ID, j.Seq, now}, args...)
		args = append(args, encodeSnap(nil, &j), now, rev, rev, s.writer)
		if _, err := tx.ExecContext(ctx, insertJobSQL, args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM removed WHERE id = ?`, j.ID)
		return err
	})
}

// Submission returns a row's journal entry; ok is false when the row was
// never journaled.
func (s *Store) Submission(ctx context.Context, key string) (e submit.Entry, ok bool, err error) {
	e, err = readSubmission(ctx, s.db, key)
	if errors.Is(err, sql.ErrNoRows) {
		return submit.Entry{}, false, nil
	}
	if err != nil {
		return submit.Entry{}, false, classify(s.path, "reading the submit journal", err)
	}
	return e, true, nil
}

func readSubmission(ctx context.Context, q queryer, key string) (submit.Entry, error) {
	var (
		e     submit.Entry
		state string
		at    int64
	)
	err := q.QueryRowContext(ctx, `SELECT `+submissionCols+` FROM submissions WHERE row = ?`, key).
		Scan(&e.Key, &e.Source, &state, &e.JobID, &e.VideoID, &e.Err, &e.Attempts, &at)
	e.State, e.At = submit.State(state), fromNanos(at)
	return e, err
}
