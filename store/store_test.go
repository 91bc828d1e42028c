package store

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "reel.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// fullJob is a job with every persisted field set.
func fullJob(id string, seq int64) track.Job {
	var aj api.Job
	if err := json.Unmarshal([]byte(`{"id":"`+id+`","videoId":"v-`+id+`","status":"generating","progress":40,"maximumProgress":100,"extra":{"kept":true}}`), &aj); err != nil {
		panic(err)
	}
	var av api.Video
	if err := json.Unmarshal([]byte(`{"id":"v-`+id+`","name":"Intro","videoSizeBytes":1234,"unknown":[1,2]}`), &av); err != nil {
		panic(err)
	}
	return track.Job{
		ID: id, Seq: seq, Added: t0, Kind: api.KindJob, JobID: id, VideoID: "v-" + id,
		Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100,
		Job: &aj, Video: &av,
		StatusSince: t0.Add(time.Minute), Started: t0.Add(30 * time.Second), Ended: t0.Add(time.Hour),
		LastPoll: t0.Add(2 * time.Minute), Err: "timeout", ShareURL: "https://share/x",
		CallbackAt: t0.Add(3 * time.Minute),
	}
}

// persisted strips what the store does not keep (runtime scheduling) and
// normalises times, so a loaded job can be compared with a saved one.
func persisted(j track.Job) track.Job {
	j.NextPoll, j.ETA, j.Retrying, j.Version = time.Time{}, time.Time{}, false, 0
	for _, t := range []*time.Time{&j.Added, &j.StatusSince, &j.Started, &j.Ended, &j.LastPoll, &j.CallbackAt} {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	return j
}

func TestRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	bare := track.Job{ID: "bare", Seq: 2, Added: t0}
	full := fullJob("full", 1)
	full.NextPoll, full.ETA, full.Retrying, full.Version = t0, t0, true, 9
	if err := s.Add(ctx, bare, full); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("loaded %d jobs, want 2", len(got))
	}
	for i, want := range []track.Job{full, bare} { // Seq order
		if g, w := persisted(got[i]), persisted(want); !reflect.DeepEqual(g, w) {
			t.Errorf("job %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if !strings.Contains(string(got[0].Job.Raw), `"kept":true`) || !strings.Contains(string(got[0].Video.Raw), `"unknown"`) {
		t.Errorf("unknown fields lost: %s %s", got[0].Job.Raw, got[0].Video.Raw)
	}
}

func TestAddKeepsExisting(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	first := fullJob("a", 1)
	if err := s.Add(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, track.Job{ID: "a", Seq: 7}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Load(ctx)
	if len(got) != 1 || got[0].Seq != 1 || got[0].Status != api.StatusGenerating {
		t.Fatalf("re-adding changed the job: %+v", got)
	}
}

func TestSaveRemoveHistory(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	j := track.Job{ID: "a", Seq: 1, Added: t0}
	if err := s.Add(ctx, j); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		status api.Status
		at     time.Duration
	}{
		{api.StatusInQueue, 1}, {api.StatusInQueue, 1}, {api.StatusGenerating, 5}, {api.StatusGenerating, 5}, {api.StatusFinished, 9},
	}
	for _, st := range steps {
		j.Status, j.StatusSince = st.status, t0.Add(st.at*time.Minute)
		j.Progress += 10
		if err := s.Save(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Load(ctx)
	if len(got) != 1 || got[0].Status != api.StatusFinished || got[0].Progress != 50 {
		t.Fatalf("after saves: %+v", got)
	}
	if err := s.Remove(ctx, "a", "never-tracked"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx); len(got) != 0 {
		t.Fatalf("after remove: %+v", got)
	}
	// A save racing a remove does not bring the job back.
	if err := s.Save(ctx, j); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx); len(got) != 0 {
		t.Fatalf("save after remove resurrected: %+v", got)
	}
	h, err := s.History(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{api.StatusInQueue, t0.Add(time.Minute)},
		{api.StatusGenerating, t0.Add(5 * time.Minute)},
		{api.StatusFinished, t0.Add(9 * time.Minute)},
	}
	if len(h) != len(want) {
		t.Fatalf("history %+v, want %+v", h, want)
	}
	for i := range want {
		if h[i].Status != want[i].Status || !h[i].At.Equal(want[i].At) {
			t.Errorf("history[%d] = %+v, want %+v", i, h[i], want[i])
		}
	}
}

func TestTypical(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if ty, err := s.Typical(ctx); err != nil || ty.Samples != 0 {
		t.Fatalf("empty store: %+v, %v", ty, err)
	}
	type step struct {
		status api.Status
		at     int // minutes
	}
	runs := map[string][]step{
		// whole runs: queue 2, 4, 6 min; render 10, 20, 30 min
		"a": {{api.StatusInQueue, 0}, {api.StatusPreprocessing, 2}, {api.StatusGenerating, 5}, {api.StatusFinished, 12}},
		"b": {{api.StatusInQueue, 0}, {api.StatusGenerating, 4}, {api.StatusFinished, 24}},
		"c": {{api.StatusInQueue, 10}, {api.StatusGenerating, 16}, {api.StatusFinished, 46}},
		// left out: first seen under way, jumped straight to finished,
		// failed, still running
		"late":  {{api.StatusGenerating, 0}, {api.StatusFinished, 500}},
		"jump":  {{api.StatusInQueue, 0}, {api.StatusFinished, 900}},
		"fail":  {{api.StatusInQueue, 0}, {api.StatusGenerating, 100}, {api.StatusFailed, 900}},
		"going": {{api.StatusInQueue, 0}, {api.StatusGenerating, 100}},
	}
	seq := int64(0)
	for id, run := range runs {
		seq++
		j := track.Job{ID: id, Seq: seq, Added: t0}
		if err := s.Add(ctx, j); err != nil {
			t.Fatal(err)
		}
		for _, st := range run {
			j.Status, j.StatusSince = st.status, t0.Add(time.Duration(st.at)*time.Minute)
			if err := s.Save(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Remove(ctx, "a"); err != nil { // history outlives the row
		t.Fatal(err)
	}
	ty, err := s.Typical(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Typical{Queue: 4 * time.Minute, Render: 20 * time.Minute, Samples: 3}
	if ty != want {
		t.Fatalf("Typical = %+v, want %+v", ty, want)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0}, {[]time.Duration{5}, 5}, {[]time.Duration{9, 1, 5}, 5}, {[]time.Duration{4, 1, 3, 2}, 2},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDownloads(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, ok, err := s.Download(ctx, "v1"); ok || err != nil {
		t.Fatalf("unknown download: ok=%v err=%v", ok, err)
	}
	for _, d := range []Download{
		{VideoID: "v1", Path: "/x/a-v1.mp4", Bytes: 10, Total: 100, State: DownloadRunning},
		{VideoID: "v1", Path: "/x/a-v1.mp4", Bytes: 100, Total: 100, State: DownloadDone},
	} {
		if err := s.SaveDownload(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	d, ok, err := s.Download(ctx, "v1")
	if err != nil || !ok || d.State != DownloadDone || d.Bytes != 100 || d.Path != "/x/a-v1.mp4" || d.Updated.IsZero() {
		t.Fatalf("Download = %+v, %v, %v", d, ok, err)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "none.db")
	if _, err := OpenReadOnly(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only open of a missing store: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("read-only open created the file")
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read-only open of an empty file: %v, want fs.ErrNotExist", err)
	}
	if st, err := os.Stat(empty); err != nil || st.Size() != 0 {
		t.Fatalf("read-only open wrote to an empty file: %v, %v", st, err)
	}
	s, path := openTemp(t)
	if err := s.Add(ctx, fullJob("a", 1)); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.Load(ctx); err != nil || len(got) != 1 {
		t.Fatalf("read-only Load = %v, %v", got, err)
	}
	for name, err := range map[string]error{
		"Add":          ro.Add(ctx, track.Job{ID: "b"}),
		"Remove":       ro.Remove(ctx, "a"),
		"Save":         ro.Save(ctx, fullJob("a", 1)),
		"SaveDownload": ro.SaveDownload(ctx, Download{VideoID: "v"}),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", name, err)
		}
	}
	if got, _ := s.Load(ctx); len(got) != 1 || got[0].Status != api.StatusGenerating {
		t.Fatalf("read-only store changed the list: %+v", got)
	}
}

func TestFileModes(t *testing.T) {
	_, path := openTemp(t)
	for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700 | fs.ModeDir} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
		}
	}
}

// The store has nowhere to put an API key: no column is named like one,
// and track.Job (all Save ever sees) has no field for one.
func TestNoKeyColumn(t *testing.T) {
	s, _ := openTemp(t)
	rows, err := s.db.Query(`SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		n++
		for _, bad := range []string{"key", "token", "secret", "auth", "password", "bearer"} {
			if strings.Contains(strings.ToLower(col), bad) && !(table == "meta" && col == "key") {
				t.Errorf("column %s.%s looks like it could hold a credential", table, col)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d columns seen; the query is wrong", n)
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[track.Job]()) {
		for _, bad := range []string{"key", "token", "secret", "auth"} {
			if strings.Contains(strings.ToLower(f.Name), bad) {
				t.Errorf("track.Job.%s looks like a credential; the store would keep it", f.Name)
			}
		}
	}
}

func TestSchemaVersionMatchesMigrations(t *testing.T) {
	if SchemaVersion != len(migrations) {
		t.Fatalf("SchemaVersion = %d, but there are %d migrations", SchemaVersion, len(migrations))
	}
}
