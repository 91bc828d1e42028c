package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/reel-dev/reel/track"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrReadOnly is returned by writes to a store opened with OpenReadOnly.
var ErrReadOnly = errors.New("store is open read-only")

// CorruptError says the store file is damaged, or is not a reel store at
// all. reel never repairs or replaces such a file: the user decides.
type CorruptError struct {
	Path   string
	Reason string // what is wrong, in a few words
	Err    error  // the underlying error, if any
}

func (e *CorruptError) Error() string {
	if IsPostgres(e.Path) {
		return fmt.Sprintf("store %s is damaged or not a reel store (%s); reel left it untouched: "+
			"name an empty database (or one reel made) in --store", e.Path, e.Reason)
	}
	return fmt.Sprintf("store %s is damaged or not a reel store (%s); reel left it untouched: "+
		"move it aside (mv %q %q) to start a fresh store, or use --store to pick another file",
		e.Path, e.Reason, e.Path, e.Path+".bad")
}

func (e *CorruptError) Unwrap() error { return e.Err }

// NewerSchemaError says the store was made by a newer reel than this one.
// Opening it anyway could lose what that reel wrote, so reel stops.
type NewerSchemaError struct {
	Path  string
	Found int // the store's schema version
	Known int // the newest this reel knows
}

func (e *NewerSchemaError) Error() string {
	if IsPostgres(e.Path) {
		return fmt.Sprintf("store %s was made by a newer reel (PostgreSQL schema version %d; this reel knows up to %d): "+
			"upgrade reel, or name another database in --store", e.Path, e.Found, e.Known)
	}
	return fmt.Sprintf("store %s was made by a newer reel (schema version %d; this reel knows up to %d): "+
		"upgrade reel, or use --store to pick another file", e.Path, e.Found, e.Known)
}

// classify turns SQLite's "corrupt" and "not a database" answers into a
// CorruptError naming the file, and wraps anything else with what was being
// done.
func classify(path, doing string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || pe.Code == "54000") {
		// A data exception (text the column refuses, a number out of
		// range) or a value past a limit (an index row too long): trying
		// again would fail again.
		return fmt.Errorf("store %s: %s: %w: %w", path, doing, track.ErrUnstorable, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT:
			return &CorruptError{Path: path, Reason: "SQLite reports the file is malformed", Err: err}
		case sqlite3.SQLITE_NOTADB:
			return &CorruptError{Path: path, Reason: "not an SQLite database", Err: err}
		}
	}
	return fmt.Errorf("store %s: %s: %w", path, doing, err)
}

var errClosed = errors.New("store is closed")
