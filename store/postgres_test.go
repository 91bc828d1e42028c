package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://reel:s3cret-pw@db.example:5432/reel?sslmode=require&password=other": "postgres://reel@db.example:5432/reel",
		"postgresql://u:p%40ss@h/d":   "postgresql://u@h/d",
		"postgres://h/d":              "postgres://h/d",
		"/home/me/.local/reel.db":     "/home/me/.local/reel.db",
		"postgres://u:pw@h:bad port/": "postgres://(a URL that does not parse)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// openErr opens where and returns the error's text, failing when it opens
// or when the text leaks secret.
func openErr(t *testing.T, where, secret string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := OpenWith(ctx, where, Options{})
	if err == nil {
		s.Close()
		t.Fatalf("%s opened", Redact(where))
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Fatalf("the error shows the password: %v", err)
	}
	return err.Error()
}

func wants(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%q does not say %q", msg, p)
		}
	}
}

func TestPostgresBadInput(t *testing.T) {
	t.Run("no database name", func(t *testing.T) {
		msg := openErr(t, "postgres://reel:hunter2-secret@127.0.0.1:44999", "hunter2-secret")
		wants(t, msg, "names no database", "postgres://user@host:5432/reel", "createdb")
	})
	t.Run("unreachable", func(t *testing.T) {
		// Nothing listens on 44999 (this test's own port range).
		msg := openErr(t, "postgres://reel:hunter2-secret@127.0.0.1:44999/reel?connect_timeout=3", "hunter2-secret")
		wants(t, msg, "cannot reach the PostgreSQL server at 127.0.0.1:44999", "server is running", "postgres://reel@127.0.0.1:44999/reel")
	})
	t.Run("unparsable", func(t *testing.T) {
		msg := openErr(t, "postgres://reel:hunter2-secret@127.0.0.1:44999/reel?sslmode=sometimes", "hunter2-secret")
		wants(t, msg, "does not parse", "postgres://user:password@host:5432/database")
	})
	admin := pgAdmin(t)
	u, _ := url.Parse(admin)
	t.Run("wrong password", func(t *testing.T) {
		w := *u
		w.User = url.UserPassword(u.User.Username(), "Wrong-Pass-9fd2")
		msg := openErr(t, w.String(), "Wrong-Pass-9fd2")
		wants(t, msg, "refused user", "check the user and password", "not shown")
		if real, _ := u.User.Password(); strings.Contains(msg, real) {
			t.Fatalf("the error shows the right password: %s", msg)
		}
	})
	t.Run("no such database", func(t *testing.T) {
		w := *u
		w.Path = "/reel_nowhere"
		pw, _ := u.User.Password()
		msg := openErr(t, w.String(), pw)
		wants(t, msg, `database "reel_nowhere" does not exist`, "createdb reel_nowhere")
	})
	t.Run("someone else's database", func(t *testing.T) {
		where := pgDatabase(t)
		db, err := sql.Open("pgx", where)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE invoices (n int)`); err != nil {
			t.Fatal(err)
		}
		pw, _ := u.User.Password()
		msg := openErr(t, where, pw)
		wants(t, msg, "not a reel store", "left it untouched", "empty database")
	})
}

// A notification sent while the LISTEN connection is down is lost: the
// reconnection resyncs by revision, so the change still arrives.
func TestPostgresResyncAfterLostConnection(t *testing.T) {
	where := pgDatabase(t)
	ctx := context.Background()
	a, b := openAt(t, where, Options{}), openAt(t, where, Options{})
	if _, err := b.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	waitListens(t, b, 1)
	admin, err := sql.Open("pgx", pgAdmin(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dbname := strings.TrimPrefix(mustURL(t, where).Path, "/")
	for round := 1; round <= 3; round++ {
		// Cut b's LISTEN connection, as a server restart or a network
		// fault would, and write while it is (or may be) down.
		res, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND query LIKE 'LISTEN%'`, dbname)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("round %d: cut %d LISTEN connections, want 1", round, n)
		}
		id := "after-cut-" + string(rune('0'+round))
		if err := a.Add(ctx, track.Job{ID: id, Seq: int64(round)}); err != nil {
			t.Fatal(err)
		}
		waitListens(t, b, int64(round+1))
		// Keep the backstop out of it: only the reconnection may resync.
		b.watchMu.Lock()
		b.pg.lastRead = time.Now()
		b.watchMu.Unlock()
		d := pollUntil(t, b, id+" seen", func(d Diff) bool { return len(d.Added) == 1 })
		if d.Added[0].ID != id {
			t.Fatalf("round %d: got %v", round, ids(d.Added))
		}
	}
}

func waitListens(t *testing.T, s *Store, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Listens() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d LISTEN connections after 10 s, want %d", s.Listens(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Every connection carries timeouts, so one stalled transaction cannot hold
// the others up for ever, and names itself reel.
func TestPostgresSessionTimeouts(t *testing.T) {
	s := openAt(t, pgDatabase(t), Options{})
	ctx := context.Background()
	for k, want := range map[string]string{"lock_timeout": "3s", "statement_timeout": "10s",
		"idle_in_transaction_session_timeout": "10s", "application_name": "reel"} {
		var got string
		if err := s.db.QueryRowContext(ctx, `SELECT current_setting($1)`, k).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// A transaction stalled inside one workspace's election holds up neither
// another workspace's election (the lock is the workspace's) nor, beyond
// lock_timeout, its own workspace's.
func TestPostgresStalledElectionBlocksNoOther(t *testing.T) {
	where := pgDatabase(t)
	s := openAt(t, where, Options{})
	ctx := context.Background()
	h := track.Holder{Name: "h:1", Nonce: "n"}
	if _, err := s.Claim(ctx, "stalled", h, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Another process stops mid-claim of "stalled", holding its locks.
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1::int4, hashtext('stalled'))`, leaseLockKey); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, leaseLockKey); err != nil {
		t.Fatal(err) // the lock one workspace's election used to take for all
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM leases WHERE workspace = 'stalled' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}

	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if l, err := s.Claim(cctx, "other", h, time.Minute); err != nil || !l.Mine {
		t.Fatalf("another workspace's claim = %+v, %v: held up by a stalled election", l, err)
	}
	start := time.Now()
	cctx, cancel = context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	_, err = s.Claim(cctx, "stalled", h, time.Minute)
	if err == nil || cctx.Err() != nil {
		t.Fatalf("the stalled workspace's claim = %v after %s: want lock_timeout's error within 3 s", err, time.Since(start))
	}
}

// Expiry is the server's clock's to decide: a process whose clock runs an
// hour ahead does not take a live lease.
func TestPostgresLeaseOnServerClock(t *testing.T) {
	where := pgDatabase(t)
	ctx := context.Background()
	a := openAt(t, where, Options{})
	ahead := openAt(t, where, Options{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	la, err := a.Claim(ctx, "w", track.Holder{Name: "a:1", Nonce: "na"}, 15*time.Second)
	if err != nil || !la.Mine {
		t.Fatalf("a's claim = %+v, %v", la, err)
	}
	lb, err := ahead.Claim(ctx, "w", track.Holder{Name: "b:2", Nonce: "nb"}, 15*time.Second)
	if err != nil || lb.Mine || lb.Holder != "a:1" {
		t.Fatalf("the fast clock's claim = %+v, %v: want a's live lease", lb, err)
	}
	// Expiries come back in each process's own time.
	if d := lb.Expires.Sub(time.Now().Add(time.Hour)); d < 10*time.Second || d > 16*time.Second {
		t.Errorf("the fast clock sees the lease end in %s, want about 15 s", d)
	}
	if l, err := ahead.Lease(ctx, "w"); err != nil || l.Expires.Sub(time.Now().Add(time.Hour)) < 10*time.Second {
		t.Errorf("Lease = %+v, %v: want it live in the fast clock's time", l, err)
	}
}

// A --store URL's scheme is read in any case; a URL of another kind is
// refused, and never becomes an SQLite file named like it.
func TestStoreURLSchemes(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://h/d": true, "POSTGRES://h/d": true, "PostgreSQL://h/d": true, "postgresql://h/d": true,
		"/tmp/reel.db": false, `C:\Users\me\reel.db`: false, "mysql://h/d": false, "reel.db": false,
	} {
		if got := IsPostgres(in); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", in, got, want)
		}
	}
	t.Chdir(t.TempDir())
	for _, in := range []string{"mysql://u:Sup3rSecret@db/reel", "http://db.example/reel", "file:///tmp/reel.db", "sqlite://reel.db"} {
		s, err := OpenWith(context.Background(), in, Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s opened", in)
			continue
		}
		wants(t, err.Error(), "SQLite file", "postgres://")
		if strings.Contains(err.Error(), "Sup3rSecret") {
			t.Errorf("the error shows the password: %v", err)
		}
		if Redact(in) != in && strings.Contains(Redact(in), "Sup3rSecret") {
			t.Errorf("Redact(%q) shows the password", in)
		}
	}
	if left, _ := filepath.Glob("*"); len(left) > 0 {
		t.Errorf("refused URLs left files behind: %v", left)
	}
	if strings.Contains(Redact("mysql://u:Sup3rSecret@db/reel"), "Sup3rSecret") {
		t.Error("Redact shows a mysql:// URL's password")
	}
	// Upper case reaches the server as any URL would.
	msg := openErr(t, "POSTGRES://reel:hunter2-secret@127.0.0.1:48999/reel?connect_timeout=3", "hunter2-secret")
	wants(t, msg, "cannot reach the PostgreSQL server at 127.0.0.1:48999")
}

// The scrubber replaces whole words only, and only passwords long enough
// that their gaps would not spell them out.
func TestScrubWholeWordsOnly(t *testing.T) {
	for _, c := range []struct{ pw, in, want string }{
		{"a", "cannot reach a server at a host", "cannot reach a server at a host"},
		{"pw1", "pw1 was refused", "pw1 was refused"},
		{"hunter2", "password hunter2 refused (user:hunter2@h)", "password xxxxx refused (user:xxxxx@h)"},
		{"hunter2", "hunter22 and xhunter2 are other words", "hunter22 and xhunter2 are other words"},
		{"p@ss:w", "auth p@ss:w failed", "auth xxxxx failed"},
	} {
		if got := scrub(errors.New(c.in), []string{c.pw}).Error(); got != c.want {
			t.Errorf("scrub(%q, %q) = %q, want %q", c.in, c.pw, got, c.want)
		}
	}
}

// A host name that does not resolve is named, with what to check.
func TestPostgresUnknownHost(t *testing.T) {
	msg := openErr(t, "postgres://reel:hunter2-secret@reel-db.invalid:5432/reel?connect_timeout=3", "hunter2-secret")
	wants(t, msg, `cannot find the PostgreSQL server's host "reel-db.invalid"`, "check the host name")
}

// Server text with NUL bytes or invalid UTF-8, which PostgreSQL's TEXT
// refuses, is kept with U+FFFD in their place; a value no retry could
// store is a named error.
func TestPostgresHostileTextIsStored(t *testing.T) {
	s := openAt(t, pgDatabase(t), Options{})
	ctx := context.Background()
	hostile := "bad\x00news \xff\xfe end"
	j := track.Job{ID: "j\x001", Seq: 1, Status: api.Status("fail\x00ed"), Err: hostile, ShareURL: "https://x/\xff"}
	if err := s.Add(ctx, j); err != nil {
		t.Fatalf("Add: %v", err)
	}
	j.Err = hostile + "\x00again"
	if err := s.Save(ctx, j); err != nil {
		t.Fatalf("Save: %v", err)
	}
	var id, status, msg, share string
	if err := s.db.QueryRowContext(ctx, `SELECT id, status, err, share_url FROM jobs`).Scan(&id, &status, &msg, &share); err != nil {
		t.Fatal(err)
	}
	if want := "bad\uFFFDnews \uFFFD end\uFFFDagain"; msg != want { // a run of bad bytes is one U+FFFD
		t.Errorf("err column = %q, want %q", msg, want)
	}
	if id != "j\uFFFD1" || share != "https://x/\uFFFD" || status != "fail\uFFFDed" {
		t.Errorf("stored %q %q %q", id, status, share)
	}
	// The job reads back whole: its snapshot keeps the text byte for byte.
	if jobs, err := s.Load(ctx); err != nil || len(jobs) != 1 || jobs[0].Err != j.Err {
		t.Errorf("Load = %+v, %v", jobs, err)
	}
	// An ID longer than an index row can hold: refused for good, and said so.
	b := make([]byte, 12000)
	_, _ = rand.Read(b)
	err := s.Add(ctx, track.Job{ID: hex.EncodeToString(b), Seq: 2})
	if !errors.Is(err, track.ErrUnstorable) {
		t.Fatalf("Add of a 12 kB ID = %v, want ErrUnstorable", err)
	}
}

// A wrong one-letter password: the message is whole (no letter of it
// masked, which would spell the password out by its gaps) and shows no
// URL with it.
func TestPostgresShortWrongPassword(t *testing.T) {
	u := mustURL(t, pgAdmin(t))
	u.User = url.UserPassword(u.User.Username(), "a")
	msg := openErr(t, u.String(), "")
	wants(t, msg, "refused user", "check the user and password", "not shown")
	if strings.Contains(msg, ":a@") || strings.Contains(msg, "xxxxx") {
		t.Errorf("the message shows or marks the password: %s", msg)
	}
}

// A password in the URL's query, short or percent-encoded, and a short
// userinfo password stay out of a parse error's text.
func TestPostgresParseErrorHidesQueryPassword(t *testing.T) {
	for _, c := range []struct{ url, secret string }{
		{"postgres://u@h/db?password=abc&sslmode=nope", "abc"},
		{"postgres://u@h/db?password=s3cr%21t&sslmode=nope", "s3cr"},
		{"postgres://u@h/db?sslpassword=s3cr%21t&sslmode=nope", "s3cr"},
		{"postgres://u:abc@h/db?sslmode=nope", "abc"},
		{"postgres://u:s3cr%21t@h/db?sslmode=nope&password=xyz", "s3cr"},
	} {
		msg := openErr(t, c.url, c.secret)
		wants(t, msg, "does not parse", "sslmode")
		if strings.Contains(msg, "xyz") {
			t.Errorf("the error shows the password: %s", msg)
		}
	}
}

// Opening waits for another process's schema upgrade longer than the
// session's lock_timeout (3 s), and opens once that upgrade is done.
func TestPostgresOpenWaitsForAnotherUpgrade(t *testing.T) {
	where := pgDatabase(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec(`SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
		t.Fatal(err)
	}
	type opened struct {
		s   *Store
		err error
	}
	done := make(chan opened, 1)
	go func() {
		s, err := OpenWith(ctx, where, Options{})
		done <- opened{s, err}
	}()
	// Wait until Open waits on the lock.
	for waiting := false; !waiting; {
		select {
		case o := <-done:
			t.Fatalf("Open returned while the lock was held: %v", o.err)
		default:
		}
		if err := db.QueryRow(`SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
			migrateLockKey).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	// Past the session's lock_timeout, Open still waits.
	select {
	case o := <-done:
		t.Fatalf("Open gave up while another upgrade ran: %v", o.err)
	case <-time.After(4 * time.Second):
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil {
		t.Fatalf("Open after the other upgrade: %v", o.err)
	}
	o.s.Close()
}
