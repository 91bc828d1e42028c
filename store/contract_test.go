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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for the test databases

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/stats"
	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/track"
)

// The contract: what every backend of the store does alike. Each test runs
// on SQLite (always) and on PostgreSQL (when REEL_TEST_POSTGRES names a
// server, each test in a database of its own; in CI it must be set, so the
// PostgreSQL half never skips there).

// pgEnv names the PostgreSQL server the tests use: a URL whose user may
// create databases, as `.ci/postgres start` prints.
const pgEnv = "REEL_TEST_POSTGRES"

// backends runs f once a backend, with where the store lives (a file, or a
// URL naming a fresh database).
func backends(t *testing.T, f func(t *testing.T, where string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "reel.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, pgDatabase(t)) })
}

// pgAdmin is the server's URL, or a skip (a failure in CI) when none is set.
func pgAdmin(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(pgEnv)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is not: .ci/run starts a PostgreSQL server and sets it", pgEnv)
		}
		t.Skipf("no PostgreSQL server: set %s (.ci/postgres start DIR prints one)", pgEnv)
	}
	return admin
}

// pgDatabase makes an empty database for one test, dropped after it, and
// returns its URL.
func pgDatabase(t *testing.T) string {
	t.Helper()
	admin := pgAdmin(t)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "reel_test_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("making a test database on %s: %v", Redact(admin), err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func openAt(t *testing.T, where string, o Options) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), where, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pollUntil polls s until cond holds of everything it reported, or fails
// after 5 s: PostgreSQL's notifications arrive a moment after the commit.
func pollUntil(t *testing.T, s *Store, what string, cond func(all Diff) bool) Diff {
	t.Helper()
	var all Diff
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := s.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all.Added = append(all.Added, d.Added...)
		all.Updated = append(all.Updated, d.Updated...)
		all.Removed = append(all.Removed, d.Removed...)
		if cond(all) {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s, still not %s: %+v", what, all)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestContractTrackedList(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s := openAt(t, where, Options{})
		if err := s.Add(ctx, track.Job{ID: "b", Seq: 2, Added: t0}, track.Job{ID: "a", Seq: 1, Added: t0}); err != nil {
			t.Fatal(err)
		}
		// Adding again leaves the row as it is.
		if err := s.Add(ctx, track.Job{ID: "a", Seq: 9, Added: t0}); err != nil {
			t.Fatal(err)
		}
		j := track.Job{ID: "a", Seq: 1, Added: t0, Kind: api.KindJob, JobID: "a", VideoID: "v1",
			Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, StatusSince: t0.Add(time.Minute),
			Started: t0, LastPoll: t0.Add(2 * time.Minute), Err: "slow", ShareURL: "https://x.example/s",
			Job:   &api.Job{ID: "a", Status: api.StatusGenerating, Raw: []byte(`{"id":"a","status":"generating","extra":7}`)},
			Video: &api.Video{ID: "v1", Name: "Intro"}}
		if err := s.Save(ctx, j); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), []string{"a", "b"}) {
			t.Fatalf("Load = %v, want a then b (Seq order)", ids(got))
		}
		g := got[0]
		if g.Seq != 1 || g.Status != api.StatusGenerating || g.Progress != 40 || g.MaximumProgress != 100 ||
			!g.StatusSince.Equal(j.StatusSince) || !g.LastPoll.Equal(j.LastPoll) || !g.Added.Equal(t0) ||
			g.Err != "slow" || g.ShareURL != j.ShareURL || g.VideoID != "v1" || g.Kind != api.KindJob ||
			g.Job == nil || g.Video == nil || g.Video.Name != "Intro" {
			t.Fatalf("saved job read back as %+v", g)
		}
		if err := s.Remove(ctx, "a", "nope"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Load(ctx)
		if !slices.Equal(ids(got), []string{"b"}) {
			t.Fatalf("after Remove: %v, want b", ids(got))
		}
		// A save of a removed job does not bring it back.
		if err := s.Save(ctx, j); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Load(ctx); len(got) != 1 {
			t.Fatalf("a save brought a removed job back: %v", ids(got))
		}
	})
}

func TestContractHistoryRunsAndPrune(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s := openAt(t, where, Options{Now: func() time.Time { return t0 }})
		if err := s.Add(ctx, track.Job{ID: "j", Seq: 1}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			st api.Status
			at time.Duration
		}{{api.StatusInQueue, 0}, {api.StatusGenerating, time.Minute}, {api.StatusGenerating, 2 * time.Minute}, {api.StatusFinished, 5 * time.Minute}}
		for _, st := range steps {
			j := track.Job{ID: "j", Seq: 1, Status: st.st, StatusSince: t0.Add(st.at)}
			if st.st == api.StatusFinished {
				secs := 42.0
				j.Video = &api.Video{ID: "v", Name: "Demo", VideoDurationSeconds: &secs}
			}
			if err := s.Save(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.History(ctx, "j")
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].Status != api.StatusInQueue || h[1].Status != api.StatusGenerating ||
			h[2].Status != api.StatusFinished || !h[2].At.Equal(t0.Add(5*time.Minute)) {
			t.Fatalf("history = %+v, want in_queue, generating, finished (one row per change)", h)
		}
		typ, err := s.Typical(ctx)
		if err != nil || typ.Samples != 1 || typ.Queue != time.Minute || typ.Render != 4*time.Minute {
			t.Fatalf("Typical = %+v, %v; want 1 sample, 1m queue, 4m render", typ, err)
		}
		sum, err := s.Summarize(ctx, time.Time{}, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Slowest) != 1 || sum.Slowest[0].Name != "Demo" {
			t.Fatalf("Summarize slowest = %+v, want the job named Demo (from the runs trigger)", sum.Slowest)
		}
		var runs int
		err = s.Runs(ctx, time.Time{}, func(r *stats.Run) error {
			runs++
			if r.First.Status != api.StatusInQueue || !r.Gen.Equal(t0.Add(time.Minute)) || r.VideoSeconds != 42 ||
				r.Last.Status != api.StatusFinished {
				t.Errorf("run = %+v", *r)
			}
			return nil
		})
		if err != nil || runs != 1 {
			t.Fatalf("Runs: %d, %v; want 1", runs, err)
		}
		// Tracked jobs keep their history; removed ones lose it once old.
		if p, _ := s.Prune(ctx, t0.Add(time.Hour)); p.Changes != 0 {
			t.Fatalf("Prune took %d changes of a tracked job", p.Changes)
		}
		if err := s.Remove(ctx, "j"); err != nil {
			t.Fatal(err)
		}
		if p, err := s.Prune(ctx, t0.Add(time.Hour)); err != nil || p.Changes != 3 || p.Removals != 1 {
			t.Fatalf("Prune = %+v, %v; want 3 changes, 1 removal", p, err)
		}
	})
}

func TestContractOtherProcessesChanges(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		a, b := openAt(t, where, Options{}), openAt(t, where, Options{})
		if d, err := b.Poll(ctx); err != nil || !d.Empty() {
			t.Fatalf("first Poll = %+v, %v; want nothing", d, err)
		}
		if err := a.Add(ctx, track.Job{ID: "x", Seq: 1}, track.Job{ID: "y", Seq: 2}); err != nil {
			t.Fatal(err)
		}
		d := pollUntil(t, b, "x and y added", func(d Diff) bool { return len(d.Added) == 2 })
		if !slices.Equal(ids(d.Added), []string{"x", "y"}) {
			t.Fatalf("added = %v", ids(d.Added))
		}
		if err := a.Save(ctx, track.Job{ID: "x", Seq: 1, Status: api.StatusFinished}); err != nil {
			t.Fatal(err)
		}
		if err := a.Remove(ctx, "y"); err != nil {
			t.Fatal(err)
		}
		d = pollUntil(t, b, "x updated and y removed", func(d Diff) bool { return len(d.Updated) == 1 && len(d.Removed) == 1 })
		if d.Updated[0].Status != api.StatusFinished || d.Removed[0] != "y" {
			t.Fatalf("diff = %+v", d)
		}
		// Its own writes are never reported back to a store.
		if d, err := a.Poll(ctx); err != nil || !d.Empty() {
			t.Fatalf("a saw its own writes: %+v, %v", d, err)
		}
		if err := b.Save(ctx, track.Job{ID: "x", Seq: 1, Status: api.StatusFailed}); err != nil {
			t.Fatal(err)
		}
		pollUntil(t, a, "x failed, seen by a", func(d Diff) bool { return len(d.Updated) == 1 })
		if d, err := b.Poll(ctx); err != nil || !d.Empty() {
			t.Fatalf("b saw its own write: %+v, %v", d, err)
		}
		// Watch delivers the same.
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ticks := make(chan time.Time)
		go func() {
			for wctx.Err() == nil {
				select {
				case ticks <- time.Now():
				case <-wctx.Done():
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		events := b.Watch(wctx, ticks)
		if err := a.Add(ctx, track.Job{ID: "z", Seq: 3}); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-events:
			if ev.Err != nil || len(ev.Diff.Added) != 1 || ev.Diff.Added[0].ID != "z" {
				t.Fatalf("Watch sent %+v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Watch sent nothing in 5 s")
		}
	})
}

func TestContractLeaseAndFencing(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		clk := &leaseClock{t: t0}
		a, b := openAt(t, where, Options{Now: clk.now}), openAt(t, where, Options{Now: clk.now})
		ha, hb := track.Holder{Name: "a:1", Nonce: "na"}, track.Holder{Name: "b:2", Nonce: "nb"}
		const ws, ttl = "w", 15 * time.Second
		if err := a.Add(ctx, track.Job{ID: "j", Seq: 1}); err != nil {
			t.Fatal(err)
		}
		sa, _ := a.Salt(ctx)
		sb, _ := b.Salt(ctx)
		if len(sa) != 8 || string(sa) != string(sb) {
			t.Fatalf("salts %x and %x: want one 8-byte salt a store", sa, sb)
		}
		la, err := a.Claim(ctx, ws, ha, ttl)
		if err != nil || !la.Mine || la.Term != 1 {
			t.Fatalf("a's claim = %+v, %v", la, err)
		}
		lb, err := b.Claim(ctx, ws, hb, ttl)
		if err != nil || lb.Mine || lb.Holder != "a:1" {
			t.Fatalf("b's claim = %+v, %v; want a's lease", lb, err)
		}
		if l, _ := b.Lease(ctx, ws); l.Holder != "a:1" || l.Term != 1 {
			t.Fatalf("Lease = %+v", l)
		}
		if err := b.SaveFenced(ctx, ws, hb, 1, track.Job{ID: "j", Seq: 1, Status: api.StatusFailed}); !errors.Is(err, track.ErrFenced) {
			t.Fatalf("b's fenced save = %v, want ErrFenced", err)
		}
		if err := a.SaveFenced(ctx, ws, ha, 1, track.Job{ID: "j", Seq: 1, Status: api.StatusGenerating}); err != nil {
			t.Fatal(err)
		}
		clk.add(ttl + time.Second)
		if a.pg != nil {
			// PostgreSQL's leases run on the server's clock: run it out there.
			if _, err := a.db.ExecContext(ctx, `UPDATE leases SET expires_at = expires_at - ?`, int64(ttl+time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		lb, err = b.Claim(ctx, ws, hb, ttl)
		if err != nil || !lb.Mine || lb.Term != 2 {
			t.Fatalf("b's claim after expiry = %+v, %v; want mine at term 2", lb, err)
		}
		if err := a.SaveFenced(ctx, ws, ha, 1, track.Job{ID: "j", Seq: 1, Status: api.StatusFinished}); !errors.Is(err, track.ErrFenced) {
			t.Fatalf("the old poller's save = %v, want ErrFenced", err)
		}
		jobs, _ := a.Load(ctx)
		if jobs[0].Status != api.StatusGenerating {
			t.Fatalf("status %q: a fenced write got through", jobs[0].Status)
		}
		if err := b.Resign(ctx, ws, hb, 2); err != nil {
			t.Fatal(err)
		}
		la, err = a.Claim(ctx, ws, ha, ttl)
		if err != nil || !la.Mine || la.Term != 3 {
			t.Fatalf("a's claim after b resigned = %+v, %v; want mine at term 3", la, err)
		}
		lb, err = b.TakeFrom(ctx, ws, hb, 3, ttl)
		if err != nil || !lb.Mine || lb.Term != 4 {
			t.Fatalf("TakeFrom = %+v, %v; want mine at term 4", lb, err)
		}
	})
}

// Many processes claiming a new workspace at once: exactly one wins.
func TestContractOneWinnerAmongClaims(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		const n = 6
		stores := make([]*Store, n)
		for i := range stores {
			stores[i] = openAt(t, where, Options{})
		}
		for round := range 5 {
			ws := fmt.Sprintf("w%d", round)
			var mu sync.Mutex
			var mine []string
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := track.Holder{Name: fmt.Sprint(i), Nonce: fmt.Sprint("n", i)}
					l, err := s.Claim(ctx, ws, h, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if l.Mine {
						mu.Lock()
						mine = append(mine, h.Name)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(mine) != 1 {
				t.Fatalf("round %d: %v hold the lease; want exactly one", round, mine)
			}
		}
	})
}

func TestContractRequests(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		a, b := openAt(t, where, Options{}), openAt(t, where, Options{})
		ha, hb := track.Holder{Name: "a", Nonce: "na"}, track.Holder{Name: "b", Nonce: "nb"}
		if l, err := a.Claim(ctx, "w", ha, time.Minute); err != nil || !l.Mine {
			t.Fatal(l, err)
		}
		if rs, err := a.Take(ctx, "w", ha, 1); err != nil || len(rs) != 0 {
			t.Fatalf("Take with none asked = %v, %v", rs, err)
		}
		at := t0.Add(time.Second)
		for _, r := range []track.Request{{Kind: track.AskRefresh}, {Kind: track.AskNudge, ID: "j1"},
			{Kind: track.AskCallback, ID: "j2", ShareURL: "https://s.example/x", At: at}} {
			if err := b.Ask(ctx, "w", r); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Ask(ctx, "other", track.Request{Kind: track.AskRefresh}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Take(ctx, "w", hb, 1); !errors.Is(err, track.ErrFenced) {
			t.Fatalf("a viewer's Take = %v, want ErrFenced", err)
		}
		rs, err := a.Take(ctx, "w", ha, 1)
		if err != nil || len(rs) != 3 || rs[0].Kind != track.AskRefresh || rs[1].ID != "j1" ||
			rs[2].Kind != track.AskCallback || rs[2].ShareURL != "https://s.example/x" || !rs[2].At.Equal(at) {
			t.Fatalf("Take = %+v, %v; want the three, in order", rs, err)
		}
		if rs, _ := a.Take(ctx, "w", ha, 1); len(rs) != 0 {
			t.Fatalf("taken twice: %+v", rs)
		}
	})
}

func TestContractDownloadsAndJournal(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		ctx := context.Background()
		a, b := openAt(t, where, Options{}), openAt(t, where, Options{})
		d := Download{VideoID: "v", Path: "/tmp/x.mp4", Bytes: 10, Total: 100, State: DownloadRunning}
		if err := a.SaveDownload(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, ok, err := b.Download(ctx, "v")
		if err != nil || !ok || got.Bytes != 10 || got.State != DownloadRunning || got.Path != d.Path {
			t.Fatalf("Download = %+v, %v, %v", got, ok, err)
		}
		if _, ok, _ := b.Download(ctx, "none"); ok {
			t.Fatal("a download never made was found")
		}
		e, ok, err := a.ClaimRow(ctx, "k1", "rows.csv:2", false)
		if err != nil || !ok || e.State != submit.Sending || e.Attempts != 1 {
			t.Fatalf("ClaimRow = %+v, %v, %v", e, ok, err)
		}
		if _, ok, _ := b.ClaimRow(ctx, "k1", "rows.csv:2", false); ok {
			t.Fatal("a row being sent was claimed twice")
		}
		e.State, e.JobID, e.VideoID = submit.Created, "job-1", "vid-1"
		if err := a.Answer(ctx, e); err != nil {
			t.Fatal(err)
		}
		got2, ok, err := b.Submission(ctx, "k1")
		if err != nil || !ok || got2.State != submit.Created || got2.JobID != "job-1" {
			t.Fatalf("Submission = %+v, %v, %v", got2, ok, err)
		}
		pollUntil(t, b, "the created job tracked", func(d Diff) bool { return len(d.Added) == 1 && d.Added[0].ID == "job-1" })
	})
}

func TestContractReadOnly(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		if _, err := OpenReadOnly(where); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("read-only open of nothing = %v, want fs.ErrNotExist", err)
		}
		s := openAt(t, where, Options{})
		if err := s.Add(context.Background(), track.Job{ID: "j", Seq: 1}); err != nil {
			t.Fatal(err)
		}
		ro := openAt(t, where, Options{ReadOnly: true})
		if jobs, err := ro.Load(context.Background()); err != nil || len(jobs) != 1 {
			t.Fatalf("read-only Load = %v, %v", jobs, err)
		}
		if err := ro.Add(context.Background(), track.Job{ID: "k"}); !errors.Is(err, ErrReadOnly) {
			t.Fatalf("read-only Add = %v, want ErrReadOnly", err)
		}
		if err := ro.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestContractNewerSchemaRefused(t *testing.T) {
	backends(t, func(t *testing.T, where string) {
		s, err := Open(where)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(context.Background(), `UPDATE meta SET value = ? WHERE key = 'schema_version'`, 99); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err = Open(where)
		var ne *NewerSchemaError
		if !errors.As(err, &ne) || ne.Found != 99 {
			t.Fatalf("open = %v, want a NewerSchemaError at 99", err)
		}
		for _, want := range []string{"newer reel", "upgrade reel", "--store"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %q", err, want)
			}
		}
	})
}

func TestSchemaVersions(t *testing.T) {
	if PostgresSchemaVersion != len(pgMigrations) {
		t.Fatalf("PostgresSchemaVersion %d, %d steps", PostgresSchemaVersion, len(pgMigrations))
	}
}
