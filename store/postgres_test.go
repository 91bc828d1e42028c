package store

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

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
