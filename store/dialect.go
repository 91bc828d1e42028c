package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The store's SQL is written once, with SQLite's "?" placeholders; on
// PostgreSQL dbx and txx rewrite them to "$1", "$2"… before the driver sees
// them (cached: the queries are a fixed set). Where the two dialects
// differ in more than that, the code asks s.pg.

// dbx is the store's *sql.DB, rebinding placeholders for PostgreSQL.
type dbx struct {
	*sql.DB
	pg bool
}

func (d dbx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, rebind(d.pg, q), pgArgs(d.pg, args)...)
}

func (d dbx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, rebind(d.pg, q), pgArgs(d.pg, args)...)
}

func (d dbx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, rebind(d.pg, q), pgArgs(d.pg, args)...)
}

func (d dbx) BeginTx(ctx context.Context, o *sql.TxOptions) (*txx, error) {
	tx, err := d.DB.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	return &txx{tx, d.pg}, nil
}

// txx is a transaction of the store, rebinding placeholders for PostgreSQL.
type txx struct {
	*sql.Tx
	pg bool
}

func (t *txx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, rebind(t.pg, q), pgArgs(t.pg, args)...)
}

func (t *txx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, rebind(t.pg, q), pgArgs(t.pg, args)...)
}

func (t *txx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, rebind(t.pg, q), pgArgs(t.pg, args)...)
}

func (t *txx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, rebind(t.pg, q))
}

// pgArgs makes the text arguments fit PostgreSQL's TEXT, which refuses
// NUL bytes and invalid UTF-8 (SQLite keeps both): each becomes U+FFFD.
// Server-supplied text (an error, a name) can carry them, and a write
// refused for them would be refused again at every retry.
func pgArgs(pg bool, args []any) []any {
	if !pg {
		return args
	}
	var out []any
	for i, a := range args {
		s, ok := a.(string)
		if !ok || pgText(s) == s {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = pgText(s)
	}
	if out == nil {
		return args
	}
	return out
}

// pgText is s with NUL bytes and invalid UTF-8 as U+FFFD.
func pgText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

var rebound sync.Map // query → its PostgreSQL form

// rebind turns the "?" placeholders of q into PostgreSQL's "$n", leaving
// quoted text alone.
func rebind(pg bool, q string) string {
	if !pg || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	rebound.Store(q, b.String())
	return b.String()
}
