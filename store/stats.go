package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
)

// Runs hands fn each job's milestones, one job at a time in no set order
// (a sort would cost more than the figures need), for the jobs whose last
// change is at or after since (zero: every job in the history), with its
// video's length and a failed job's reason, kept even after the job
// stopped being tracked. To stay within its budget it reads only what the
// figures need: First.Status is in_queue or "", and Name is left empty
// (Summarize fills in the slowest jobs' names). The Run is reused between
// calls. Memory stays flat in the history's size.
//
// It reads the runs table, one short row a job that triggers keep as
// history grows (reading every change of 50,000 jobs took SQLite alone
// twice the budget), and it reads it through an aggregate function,
// reel_runs, whose step SQLite calls once a row: that costs a third of
// stepping database/sql's Rows and scanning each row's columns, which
// took most of the budget at 50,000 rows.
func (s *Store) Runs(ctx context.Context, since time.Time, fn func(*stats.Run) error) error {
	return s.runs(ctx, since, &runSink{fn: fn})
}

// runs reads the runs from since into sink, in ID order (the table's
// key), so that what a fold keeps of the first rows (the first MaxReasons
// failure reasons) is the same whether or not a span is asked for.
//
// A panic in the sink's fn is caught in the aggregate's step, where it
// would leave SQLite's statement and its read transaction open and the
// connection taken, and raised again here once the query has ended.
func (s *Store) runs(ctx context.Context, since time.Time, sink *runSink) error {
	where, args := ``, []any{}
	if !since.IsZero() {
		where, args = `WHERE last_at >= ?`, []any{nanos(since)}
	}
	where += ` ORDER BY id`
	if s.pg != nil {
		return s.runsRows(ctx, where, args, sink)
	}
	h := sinks.add(sink)
	defer sinks.remove(h)
	// Only what the figures need: the first status only as "was it
	// queued", the names only for the few slowest (Summarize's job).
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT `+runsFunc+`(?, id, first_status = 'in_queue', first_at, left_at, prep_at, gen_at,
			last_status, last_at, video_seconds, failure)
		FROM (SELECT * FROM runs `+where+`)`, append([]any{h}, args...)...).Scan(&n)
	if sink.panicked != nil {
		panic(sink.panicked.v)
	}
	if sink.err != nil {
		return sink.err // fn's own error, which SQLite only carried
	}
	return classify(s.path, "reading history", err)
}

// runsFunc is the aggregate function Runs reads the runs table through.
const runsFunc = "reel_runs"

func init() {
	sqlite.MustRegisterFunction(runsFunc, &sqlite.FunctionImpl{
		NArgs: 11,
		// The strings and bytes a step gets are views into SQLite's row:
		// a Run gets copies, the Summarizer copies what it keeps, and a
		// failure's reason is read from the bytes at once.
		VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &runsAgg{}, nil
		},
	})
}

// runSink is one reader of the runs: fn for Runs, or fold for Summarize
// (which takes the rows as they are, strings still SQLite's, and copies
// what it keeps); the Run and Marks it reuses, and their error.
type runSink struct {
	fn    func(*stats.Run) error
	fold  func(*stats.Marks)
	run   stats.Run
	marks stats.Marks
	err   error
	// panicked holds a panic of fn's, caught in a step and raised again
	// once the query has let go of its connection.
	panicked *caught
}

// caught is a recovered panic's value (which may itself be nil).
type caught struct{ v any }

// sinkTable hands each Runs call's sink to the aggregate's steps by a
// handle bound into the query, since SQLite gives a function no other way
// to reach its caller's state. Handles are random 63-bit numbers, claimed
// afresh for each query, so that reel_runs typed into another query on
// the same process cannot guess a live reader's.
type sinkTable struct {
	mu sync.Mutex
	m  map[int64]*runSink
}

var sinks = sinkTable{m: map[int64]*runSink{}}

func (t *sinkTable) add(s *runSink) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		var b [8]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand)
		h := int64(binary.LittleEndian.Uint64(b[:]) >> 1)
		if _, taken := t.m[h]; h != 0 && !taken {
			t.m[h] = s
			return h
		}
	}
}

func (t *sinkTable) get(h int64) *runSink {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[h]
}

func (t *sinkTable) remove(h int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, h)
}

// errNoSink is a reel_runs call without a live Runs behind it, as from a
// query typed by hand.
var errNoSink = errors.New(runsFunc + ": no reader for these rows")

// runsAgg is one evaluation of reel_runs: it turns each row into the
// sink's Run and hands it to fn.
type runsAgg struct {
	sink *runSink
	n    int64
}

func (a *runsAgg) Step(_ *sqlite.FunctionContext, v []driver.Value) error {
	if a.sink == nil {
		h, _ := v[0].(int64)
		if a.sink = sinks.get(h); a.sink == nil {
			return errNoSink
		}
	}
	a.n++
	return a.sink.step(v)
}

// step is take for SQLite's step: a panic in fn is kept for runs to raise
// again and ends the query as an error, so SQLite closes the statement
// and database/sql releases the connection first.
func (k *runSink) step(v []driver.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			k.panicked = &caught{v: r}
			err = errors.New(runsFunc + ": the reader panicked")
		}
	}()
	return k.take(v)
}

// take turns one row of the runs (v[1:], v[0] being the sink's number)
// into the sink's Marks, and hands them to fold, or a Run to fn.
func (k *runSink) take(v []driver.Value) error {
	m := &k.marks
	*m = stats.Marks{
		ID: text(v[1]), Queued: integer(v[2]) != 0,
		First: integer(v[3]), LeftQueue: integer(v[4]), Prep: integer(v[5]), Gen: integer(v[6]),
		LastStatus: api.Status(text(v[7])), Last: integer(v[8]),
	}
	switch x := v[9].(type) {
	case float64:
		m.VideoSeconds = x
	case int64:
		m.VideoSeconds = float64(x)
	}
	// The job object as stored: a BLOB, or TEXT where a copy made it so.
	if failure := raw(v[10]); len(failure) > 0 && m.LastStatus == api.StatusFailed {
		job := api.Job{Raw: failure} // read now: the bytes are SQLite's
		m.Reason = job.Reason()
	}
	if k.fold != nil {
		k.fold(m)
		return nil
	}
	// A Run for fn, whose strings outlive the row.
	r := &k.run
	*r = stats.Run{
		ID:        strings.Clone(m.ID),
		Last:      stats.Change{Status: status(string(m.LastStatus)), At: fromNanos(m.Last)},
		First:     stats.Change{At: fromNanos(m.First)},
		LeftQueue: fromNanos(m.LeftQueue), Prep: fromNanos(m.Prep), Gen: fromNanos(m.Gen),
		VideoSeconds: m.VideoSeconds, Reason: m.Reason,
	}
	if m.Queued {
		r.First.Status = api.StatusInQueue
	} // else some other status: the figures need no more
	if err := k.fn(r); err != nil {
		k.err = err
		return err
	}
	return nil
}

func (a *runsAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New(runsFunc + ": not a window function")
}

func (a *runsAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return a.n, nil }

func (a *runsAgg) Final(*sqlite.FunctionContext) {}

// runsRows reads the runs as plain rows, for PostgreSQL, which has no
// reel_runs: each row through the same take as SQLite's steps.
func (s *Store) runsRows(ctx context.Context, where string, args []any, sink *runSink) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, CASE WHEN first_status = 'in_queue' THEN 1 ELSE 0 END, first_at, left_at, prep_at, gen_at, last_status, last_at,
			video_seconds, failure
		FROM runs `+where, args...)
	if err != nil {
		return classify(s.path, "reading history", err)
	}
	defer rows.Close()
	v := make([]driver.Value, 11)
	for rows.Next() {
		var id, lastStatus string
		var queued, first, left, prep, gen, last int64
		var seconds float64
		var failure []byte
		if err := rows.Scan(&id, &queued, &first, &left, &prep, &gen, &lastStatus, &last, &seconds, &failure); err != nil {
			return classify(s.path, "reading history", err)
		}
		v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10] = id, queued, first, left, prep, gen, lastStatus, last, seconds, failure
		if err := sink.take(v); err != nil {
			return err
		}
	}
	return classify(s.path, "reading history", rows.Err())
}

// text is a TEXT (or BLOB) argument as a string view; "" for NULL.
func text(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// raw is a BLOB (or TEXT) argument as bytes; nil for NULL or anything else.
func raw(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

// integer is an INTEGER argument; 0 for NULL or anything else.
func integer(v driver.Value) int64 {
	n, _ := v.(int64)
	return n
}

// status is s as a status word that outlives the row: one of stats's
// own words (s is a view into SQLite's memory), or a copy.
func status(s string) api.Status {
	if k, ok := stats.KnownStatus(s); ok {
		return k
	}
	return api.Status(strings.Clone(s))
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
	// How many there are, from the index alone: a hint, so the fold
	// need not grow its durations as they come.
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE last_at >= ?`, nanos(since)).Scan(&n); err != nil {
		return stats.Summary{}, classify(s.path, "reading history", err)
	}
	z.Grow(n)
	// The rows as they come, with no time.Time made: the Summarizer
	// copies the little it keeps (the slowest jobs' IDs).
	if err := s.runs(ctx, since, &runSink{fold: z.AddMarks}); err != nil {
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
