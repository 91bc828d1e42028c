// Package store remembers: the tracked jobs, their last known state, video
// details, download state and every status change, in one SQLite file that
// several reel processes share. It never holds the API key.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is an open store file. Its methods are safe for concurrent use.
type Store struct {
	path     string // the file, or the PostgreSQL URL without its password
	db       dbx
	pg       *pgSide // nil on SQLite
	readOnly bool
	now      func() time.Time
	writer   string // tells this Store's writes from other processes'

	watchMu sync.Mutex // one Poll at a time; guards the fields below
	watch   *sql.Conn  // PRAGMA data_version is per connection
	dataVer int64
	seen    int64 // meta.rev already reported (or written by us)
}

// Options adjust Open. The zero value is a read-write store on the real
// clock.
type Options struct {
	// ReadOnly opens for reading, for status, wait and download: Add,
	// Remove, Save and SaveDownload return ErrReadOnly, and a missing or
	// empty file is an error wrapping fs.ErrNotExist, never a new store.
	// An older schema is still upgraded (that changes no job).
	ReadOnly bool
	// Now stamps writes; nil is time.Now.
	Now func() time.Time
}

// Open opens the store at path read-write, creating it (and its folder,
// private to the user) when missing and upgrading an older schema.
func Open(path string) (*Store, error) { return OpenWith(context.Background(), path, Options{}) }

// OpenReadOnly opens the store at path for reading only. See Options.ReadOnly.
func OpenReadOnly(path string) (*Store, error) {
	return OpenWith(context.Background(), path, Options{ReadOnly: true})
}

// OpenWith opens the store at path with the given options.
//
// A file that is damaged or not a reel store gives a *CorruptError and is
// left as it was; one made by a newer reel gives a *NewerSchemaError.
func OpenWith(ctx context.Context, path string, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if scheme, ok := urlScheme(path); ok {
		if scheme == "postgres" || scheme == "postgresql" {
			return openPostgres(ctx, path, o)
		}
		return nil, unsupported(path, scheme)
	}
	if err := precheck(path); err != nil {
		return nil, err
	}
	if o.ReadOnly {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", path, err)
		}
		if st.Size() == 0 {
			return nil, fmt.Errorf("store %s is empty: %w", path, fs.ErrNotExist)
		}
	} else if err := create(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, !o.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{path: path, db: dbx{DB: db}, readOnly: o.ReadOnly, now: o.Now, writer: newWriter()}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// create makes the file's folder (0700) and the file itself (0600) when
// missing, so SQLite, which would use the umask, never makes them readable
// by others. Its -wal and -shm files inherit the file's mode.
func create(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store %s: making its folder: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	return f.Close()
}

// dsn: WAL so readers never block the writer, a busy timeout so processes
// wait their turn rather than fail, IMMEDIATE transactions so a writer takes
// the lock up front instead of failing to upgrade a read, and
// synchronous=NORMAL, durable against a crash of reel (and FULL where a
// change must survive power loss too; see Add). A reader (wal false) leaves
// the journal mode as the file has it: setting it is a write.
func dsn(path string, wal bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if wal {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// SQLite reads "file://big.db" as a host named big.db: a path made
	// absolute (and rooted, as C:/ is not) has no authority to mistake.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if path = filepath.ToSlash(path); !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

func newWriter() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// init brings the schema up to date and takes the watcher's starting point.
func (s *Store) init(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return classify(s.path, "opening", err)
	}
	s.watch = c
	if err := c.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&s.dataVer); err != nil {
		return classify(s.path, "opening", err)
	}
	if err := c.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'rev'`).Scan(&s.seen); err != nil {
		return classify(s.path, "opening", err)
	}
	return nil
}

// migrate reads the schema version and applies the missing steps in one
// transaction, so a crash mid-way leaves the old version whole. Two
// processes opening at once take turns on the write lock; the second finds
// nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	have, err := s.version(ctx, s.db)
	if err != nil {
		return err
	}
	if have > SchemaVersion {
		return &NewerSchemaError{Path: s.path, Found: have, Known: SchemaVersion}
	}
	if have == SchemaVersion {
		return nil
	}
	// A read-only store still upgrades an older schema (that changes no
	// job), but never turns an empty file into a store.
	if s.readOnly && have == 0 {
		return fmt.Errorf("store %s is empty: %w", s.path, fs.ErrNotExist)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, "upgrading the schema", err)
	}
	defer tx.Rollback()
	have, err = s.version(ctx, tx)
	if err != nil {
		return err
	}
	if have > SchemaVersion {
		return &NewerSchemaError{Path: s.path, Found: have, Known: SchemaVersion}
	}
	for v := have; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return classify(s.path, fmt.Sprintf("upgrading the schema to version %d", v+1), err)
		}
		if after := afterMigration[v+1]; after != nil {
			if err := after(ctx, tx); err != nil {
				return classify(s.path, fmt.Sprintf("upgrading the schema to version %d", v+1), err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO meta(key, value) VALUES ('schema_version', ?)
		 ON CONFLICT(key) DO UPDATE SET value = excluded.value`, SchemaVersion); err != nil {
		return classify(s.path, "upgrading the schema", err)
	}
	return classify(s.path, "upgrading the schema", tx.Commit())
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// version is the store's schema version: 0 for an empty file (on
// PostgreSQL, an empty search_path schema). A database with tables but no
// meta table is someone else's, not an old reel store.
func (s *Store) version(ctx context.Context, q querier) (int, error) {
	tablesQ, whose := `SELECT count(*), count(*) FILTER (WHERE name = 'meta')
		FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, "an SQLite database, but not reel's"
	if s.pg != nil {
		tablesQ, whose = `SELECT count(*), count(*) FILTER (WHERE table_name = 'meta')
		FROM information_schema.tables WHERE table_schema = current_schema()`, "the database has tables, but not reel's"
	}
	var tables, metas int
	err := q.QueryRowContext(ctx, tablesQ).Scan(&tables, &metas)
	if err != nil {
		return 0, classify(s.path, "reading the schema", err)
	}
	if tables == 0 {
		return 0, nil
	}
	if metas == 0 {
		return 0, &CorruptError{Path: s.path, Reason: whose}
	}
	var v int
	err = q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, &CorruptError{Path: s.path, Reason: "no schema version recorded"}
	}
	if err != nil {
		return 0, classify(s.path, "reading the schema version", err)
	}
	return v, nil
}

// Path is the store's file, or its PostgreSQL URL with the password left
// out: fit for output and logs.
func (s *Store) Path() string { return s.path }

// Close closes the store. Writes already returned are on disk.
func (s *Store) Close() error {
	if s.pg != nil {
		s.pg.close()
	}
	s.watchMu.Lock()
	if s.watch != nil {
		s.watch.Close()
		s.watch = nil
	}
	s.watchMu.Unlock()
	return s.db.Close()
}

// Check runs SQLite's full integrity check, which reads every page: too
// slow for every start, right for a "something is wrong" moment.
func (s *Store) Check(ctx context.Context) error {
	if s.pg != nil {
		// The server keeps its own pages whole: ask only that it answers.
		var one int
		return classify(s.path, "checking", s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one))
	}
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return classify(s.path, "checking", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return classify(s.path, "checking", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(s.path, "checking", err)
	}
	if len(problems) > 0 {
		return &CorruptError{Path: s.path, Reason: "integrity check: " + strings.Join(problems, "; ")}
	}
	return nil
}
