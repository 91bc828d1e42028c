package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-dev/reel/track"
)

// goodStore writes a closed, checkpointed store with n jobs and returns its
// bytes.
func goodStore(t *testing.T, n int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "good.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []track.Job
	for i := range n {
		jobs = append(jobs, fullJob(fmt.Sprintf("job-%05d", i), int64(i+1)))
	}
	if err := s.Add(context.Background(), jobs...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorruptFileReportedAndUntouched(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	good := goodStore(t, 300)
	pageSize := 4096
	if len(good) < 8*pageSize {
		t.Fatalf("good store only %d bytes; the truncation cases need more", len(good))
	}
	garbled := bytes.Clone(good)
	copy(garbled[pageSize:], random(len(good)-pageSize))

	other := filepath.Join(t.TempDir(), "other.db")
	db := rawDB(t, other)
	if _, err := db.Exec(`CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	otherApp, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, reason string
		data         []byte
	}{
		{"random bytes", "not an SQLite database", random(3 * pageSize)},
		{"text file", "not an SQLite database", []byte("ids:\nabc\ndef\n")},
		{"png", "not an SQLite database", append([]byte("\x89PNG\r\n\x1a\n"), random(500)...)},
		{"header cut short", "shorter than an SQLite header", good[:50]},
		{"cut mid-page", "not a whole number", good[:3*pageSize+1000]},
		{"cut at a page", "header promises", good[:len(good)/2/pageSize*pageSize]},
		{"pages garbled", "malformed", garbled},
		{"another app's database", "not reel's", otherApp},
	} {
		for opener, open := range map[string]func(string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
			t.Run(tc.name+"/"+opener, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "reel.db")
				if err := os.WriteFile(path, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
				s, err := open(path)
				if err == nil {
					// Damage SQLite can only find by reading must surface on
					// the first full read.
					_, err = s.Load(context.Background())
					s.Close()
				}
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Fatalf("got %v, want a *CorruptError", err)
				}
				msg := err.Error()
				for _, want := range []string{path, tc.reason, "untouched", "move it aside"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q lacks %q", msg, want)
					}
				}
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(after, tc.data) {
					t.Error("the file was changed")
				}
			})
		}
	}
}

func TestNotAFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Open(a folder) = %v", err)
	}
}

// An empty file (touch reel.db) is a new store, not damage.
func TestEmptyFileIsNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reel.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// Check finds damage that opening does not look for.
func TestCheck(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}
