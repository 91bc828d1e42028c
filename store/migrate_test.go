package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// rawDB opens path with the plain driver: no migrations, as an old or a
// future reel would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	fixture, err := os.ReadFile("testdata/schema-v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "reel.db")
	db := rawDB(t, path)
	if _, err := db.Exec(string(fixture)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("schema version after open = %d, %v; want %d", v, err, SchemaVersion)
	}
	var noSnap int
	if err := s.db.QueryRow(`SELECT count(*) FROM jobs WHERE snap IS NULL`).Scan(&noSnap); err != nil || noSnap != 0 {
		t.Fatalf("%d rows without a snap after migration (%v): their loads would be slow", noSnap, err)
	}
	jobs, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(jobs); strings.Join(got, ",") != "j1,j2" {
		t.Fatalf("jobs after migration: %v", got)
	}
	j1 := jobs[0]
	if j1.Status != api.StatusFinished || j1.Video == nil || j1.Video.Name != "Old intro" ||
		!strings.Contains(string(j1.Job.Raw), `"old":"field"`) || j1.Added.UTC() != t0 {
		t.Fatalf("j1 after migration: %+v", j1)
	}
	ty, err := s.Typical(ctx)
	if err != nil || ty != (Typical{Queue: 2 * time.Minute, Render: 10 * time.Minute, Samples: 1}) {
		t.Fatalf("Typical from v1 history = %+v, %v", ty, err)
	}
	// Version 3's runs are filled from the old history and jobs.
	sum, err := s.Summarize(ctx, time.Time{}, t0.Add(24*time.Hour))
	if err != nil || sum.Jobs == 0 || sum.Counts["finished"] != 1 || sum.Rendering.Count != 1 || sum.Rendering.Median != 600 {
		t.Fatalf("Summarize from v1 history = %+v, %v", sum, err)
	}
	if len(sum.Slowest) == 0 || sum.Slowest[0].Name != "Old intro" {
		t.Fatalf("slowest from v1 history: %+v", sum.Slowest)
	}
	// What version 2 added works on the migrated rows.
	if err := s.SaveDownload(ctx, Download{VideoID: "v1", State: DownloadDone}); err != nil {
		t.Fatal(err)
	}
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Remove(ctx, "j2"); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Poll(ctx); err != nil || strings.Join(d.Removed, ",") != "j2" {
		t.Fatalf("Poll after migration = %+v, %v", d, err)
	}
}

// Each migration step runs on the result of the ones before it, from any
// starting version, and a second Open finds nothing to do.
func TestMigrateEachStep(t *testing.T) {
	for from := 0; from <= SchemaVersion; from++ {
		path := filepath.Join(t.TempDir(), "reel.db")
		db := rawDB(t, path)
		for v := 0; v < from; v++ {
			if _, err := db.Exec(migrations[v]); err != nil {
				t.Fatal(err)
			}
		}
		if from > 0 {
			if _, err := db.Exec(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)`, from); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		for range 2 {
			s, err := Open(path)
			if err != nil {
				t.Fatalf("from version %d: %v", from, err)
			}
			if err := s.Add(context.Background(), track.Job{ID: "a"}); err != nil {
				t.Fatalf("from version %d: %v", from, err)
			}
			s.Close()
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	s, path := openTemp(t)
	if err := s.Add(context.Background(), track.Job{ID: "a", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`UPDATE meta SET value = ? WHERE key = 'schema_version'`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func(string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		_, err = open(path)
		var ne *NewerSchemaError
		if !errors.As(err, &ne) || ne.Found != SchemaVersion+1 || ne.Known != SchemaVersion {
			t.Fatalf("%s of a newer store: %v, want *NewerSchemaError", name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "made by a newer reel") || !strings.Contains(msg, path) {
			t.Errorf("%s: message %q should say it was made by a newer reel and name the file", name, msg)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("opening a newer store changed the file")
	}
	db = rawDB(t, path)
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil || v != SchemaVersion+1 {
		t.Fatalf("schema version now %d, %v: downgraded", v, err)
	}
}
