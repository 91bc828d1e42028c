package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/reel-dev/reel/track"
)

// *Store is the shared store that elects one poller per workspace.
var _ track.Workspace = (*Store)(nil)

// Salt implements track.Workspace: the random number schema 3 drew, as
// bytes. It only makes the workspace keys of two stores differ.
func (s *Store) Salt(ctx context.Context) ([]byte, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'workspace_salt'`).Scan(&v)
	if err != nil {
		return nil, classify(s.path, "reading the workspace salt", err)
	}
	return binary.BigEndian.AppendUint64(nil, uint64(v)), nil
}

// Claim implements track.Workspace, in one IMMEDIATE transaction, so two
// processes claiming at once take turns and the second sees the first's
// lease.
func (s *Store) Claim(ctx context.Context, ws string, h track.Holder, ttl time.Duration) (track.Lease, error) {
	return s.claim(ctx, ws, h, 0, ttl)
}

// TakeFrom implements track.Workspace.
func (s *Store) TakeFrom(ctx context.Context, ws string, h track.Holder, term int64, ttl time.Duration) (track.Lease, error) {
	return s.claim(ctx, ws, h, term, ttl)
}

// claim is Claim, taking the lease regardless of its expiry when it is at
// the term gone (0: none is).
func (s *Store) claim(ctx context.Context, ws string, h track.Holder, gone int64, ttl time.Duration) (track.Lease, error) {
	var l track.Lease
	err := s.leaseTx(ctx, ws, "claiming the poller lease", func(tx *txx) error {
		now, skew, err := s.leaseNow(ctx, tx)
		if err != nil {
			return err
		}
		var (
			holder, nonce string
			term, expires int64
		)
		err = tx.QueryRowContext(ctx, `SELECT holder, nonce, term, expires_at FROM leases WHERE workspace = ?`+s.forUpdate(), ws).
			Scan(&holder, &nonce, &term, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			term = 1
		case err != nil:
			return err
		case nonce == h.Nonce:
			// Ours: renew at the same term, even when it ran out meanwhile,
			// since nobody else took it and so nobody wrote in between.
		case expires > now.UnixNano() && (gone == 0 || term != gone):
			l = track.Lease{Holder: holder, Nonce: nonce, Term: term, Expires: time.Unix(0, expires).Add(skew)}
			return nil
		default:
			term++ // expired or resigned: taken over
		}
		until := now.Add(ttl)
		if _, err := tx.ExecContext(ctx, `INSERT INTO leases(workspace, holder, nonce, term, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT(workspace) DO UPDATE SET
			holder = excluded.holder, nonce = excluded.nonce, term = excluded.term, expires_at = excluded.expires_at`,
			ws, h.Name, h.Nonce, term, until.UnixNano()); err != nil {
			return err
		}
		l = track.Lease{Holder: h.Name, Nonce: h.Nonce, Term: term, Expires: until.Add(skew), Mine: true}
		return nil
	})
	return l, err
}

// Resign implements track.Workspace: the lease expires now, so a viewer's
// next Claim takes it without waiting out the TTL.
func (s *Store) Resign(ctx context.Context, ws string, h track.Holder, term int64) error {
	return s.leaseTx(ctx, ws, "resigning the poller lease", func(tx *txx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = 0
			WHERE workspace = ? AND nonce = ? AND term = ?`, ws, h.Nonce, term)
		return err
	})
}

// SaveFenced implements track.Workspace: Save, refused in the same
// transaction when h no longer holds the lease at term.
func (s *Store) SaveFenced(ctx context.Context, ws string, h track.Holder, term int64, j track.Job) error {
	args, err := stateArgs(&j)
	if err != nil {
		return fmt.Errorf("store %s: saving %s: %w", s.path, j.ID, err)
	}
	var fenced bool
	err = s.write(ctx, false, "saving "+j.ID, func(tx *txx, rev int64, now int64) error {
		ok, err := s.holds(ctx, tx, ws, h, term)
		if err != nil || !ok {
			fenced = !ok
			return err
		}
		return s.saveTx(ctx, tx, &j, args, rev, now)
	})
	if err == nil && fenced {
		return fmt.Errorf("store %s: saving %s: %w", s.path, j.ID, track.ErrFenced)
	}
	return err
}

// holds reports whether h holds ws's lease at term. A lease past its
// expiry still counts until someone takes it: the term, not the clock,
// fences, so clocks that disagree a little cannot let two writers in.
func (s *Store) holds(ctx context.Context, tx *txx, ws string, h track.Holder, term int64) (bool, error) {
	// On PostgreSQL the row is locked for share until the commit: a claim
	// (which updates it) waits for this write, so the check and the write
	// are one step, as under SQLite's one write lock.
	lock := ""
	if s.pg != nil {
		lock = " FOR SHARE"
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM leases
		WHERE workspace = ? AND nonce = ? AND term = ?`+lock, ws, h.Nonce, term).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// forUpdate locks the rows read for the rest of the transaction on
// PostgreSQL; SQLite's transactions already hold the one write lock.
func (s *Store) forUpdate() string {
	if s.pg != nil {
		return " FOR UPDATE"
	}
	return ""
}

// Ask implements track.Workspace.
func (s *Store) Ask(ctx context.Context, ws string, r track.Request) error {
	return s.leaseTx(ctx, ws, "asking the poller", func(tx *txx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO requests(workspace, kind, job, share_url, at) VALUES (?, ?, ?, ?, ?)`,
			ws, string(r.Kind), r.ID, r.ShareURL, nanos(r.At))
		return err
	})
}

// maxTake bounds the requests one Take returns; the rest wait for the next.
const maxTake = 1000

// Take implements track.Workspace. It looks first with a read, which
// takes no lock, so polling it often costs little while nobody asks.
func (s *Store) Take(ctx context.Context, ws string, h track.Holder, term int64) ([]track.Request, error) {
	var waiting bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM requests WHERE workspace = ?)`, ws).Scan(&waiting); err != nil {
		return nil, classify(s.path, "reading requests", err)
	}
	if !waiting {
		return nil, nil
	}
	var out []track.Request
	var fenced bool
	err := s.leaseTx(ctx, ws, "taking requests", func(tx *txx) error {
		ok, err := s.holds(ctx, tx, ws, h, term)
		if err != nil || !ok {
			fenced = !ok
			return err
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM requests WHERE n IN
			(SELECT n FROM requests WHERE workspace = ? ORDER BY n LIMIT ?)
			RETURNING n, kind, job, share_url, at`, ws, maxTake)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ns []int64
		for rows.Next() {
			var (
				n, at int64
				r     track.Request
				kind  string
			)
			if err := rows.Scan(&n, &kind, &r.ID, &r.ShareURL, &at); err != nil {
				return err
			}
			r.Kind, r.At = track.RequestKind(kind), fromNanos(at)
			out, ns = append(out, r), append(ns, n)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// RETURNING gives no order: put them back in the order asked.
		sortBy(out, ns)
		return nil
	})
	if err == nil && fenced {
		return nil, fmt.Errorf("store %s: taking requests: %w", s.path, track.ErrFenced)
	}
	return out, err
}

// sortBy orders rs by ns (insertion sort: a Take is short).
func sortBy(rs []track.Request, ns []int64) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && ns[j] < ns[j-1]; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

// leaseTx runs f in one IMMEDIATE transaction that, unlike write, bumps
// no revision: leases and requests are no job's change, and other
// dashboards' watchers need not read anything for them.
func (s *Store) leaseTx(ctx context.Context, ws, doing string, f func(tx *txx) error) error {
	if s.readOnly {
		return fmt.Errorf("store %s: %s: %w", s.path, doing, ErrReadOnly)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, doing, err)
	}
	defer tx.Rollback()
	if s.pg != nil {
		// A workspace's lease transactions take turns, as under SQLite's
		// write lock: two first claims of a workspace would otherwise both
		// insert. Other workspaces' go on meanwhile.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?::int4, hashtext(?))`, leaseLockKey, ws); err != nil {
			return classify(s.path, doing, err)
		}
	}
	if err := f(tx); err != nil {
		return classify(s.path, doing, err)
	}
	return classify(s.path, doing, tx.Commit())
}

// leaseNow is the time leases expire by: on PostgreSQL the server's clock
// (now(), one for every process on it, whatever their own clocks say), with
// how far ahead of it this process's clock is, to give expiries back in
// this process's time; on SQLite, whose processes share one machine's
// clock, the store's own.
func (s *Store) leaseNow(ctx context.Context, q querier) (time.Time, time.Duration, error) {
	local := s.now()
	if s.pg == nil {
		return local, 0, nil
	}
	var server int64
	if err := q.QueryRowContext(ctx, `SELECT (extract(epoch FROM now()) * 1e6)::bigint`).Scan(&server); err != nil {
		return time.Time{}, 0, err
	}
	now := time.UnixMicro(server)
	return now, local.Sub(now), nil
}

// Lease implements track.Workspace: ws's lease as it stands, read only
// (a zero Lease when nobody ever held it), its expiry in this process's
// time.
func (s *Store) Lease(ctx context.Context, ws string) (track.Lease, error) {
	var (
		l             track.Lease
		term, expires int64
	)
	_, skew, err := s.leaseNow(ctx, s.db)
	if err != nil {
		return track.Lease{}, classify(s.path, "reading the poller lease", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT holder, nonce, term, expires_at FROM leases WHERE workspace = ?`, ws).
		Scan(&l.Holder, &l.Nonce, &term, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return track.Lease{}, nil
	}
	if err != nil {
		return track.Lease{}, classify(s.path, "reading the poller lease", err)
	}
	l.Term, l.Expires = term, fromNanos(expires)
	if expires > 0 {
		l.Expires = l.Expires.Add(skew)
	}
	return l, nil
}
