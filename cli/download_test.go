package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/download"
)

func dlSim(t *testing.T) *sim.Server {
	t.Helper()
	srv, err := sim.Start(sim.Options{Seed: 9, FileAddr: "127.0.0.1:0", CallbackEvery: -1, Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func dlSimBytes(t *testing.T, srv *sim.Server, videoID string) []byte {
	t.Helper()
	b, err := io.ReadAll(srv.NewContent(videoID))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDownloadCommand(t *testing.T) {
	srv := dlSim(t)
	bare := srv.AddVideo(sim.VideoSpec{Name: "Bare video", Size: 300 << 10})
	job, jobVideo := srv.AddJob(sim.JobSpec{Name: "From a job", VideoSize: 200 << 10})
	dir := t.TempDir()

	code, out, errs := simExec(t, srv, srv.Token(), "download", "--dir", dir, bare, job)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if len(dlLines(out)) != 2 {
		t.Fatalf("stdout %q: want two paths", out)
	}
	want := map[string]string{
		filepath.Join(dir, "Bare video-"+bare+".mp4"):     bare,
		filepath.Join(dir, "From a job-"+jobVideo+".mp4"): jobVideo,
	}
	for _, p := range strings.Split(strings.TrimSpace(out), "\n") {
		id, ok := want[p]
		if !ok {
			t.Fatalf("unexpected path %q (stdout %q)", p, out)
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, dlSimBytes(t, srv, id)) {
			t.Fatalf("%s: wrong content (%v)", p, err)
		}
	}
	if errs != "" {
		t.Errorf("stderr not a terminal, yet: %q", errs)
	}

	// Again: the files are there, so nothing is written; paths still print.
	code, out2, _ := simExec(t, srv, srv.Token(), "download", "--dir", dir, bare, job)
	if code != ExitOK || len(dlLines(out2)) != 2 {
		t.Fatalf("second run: exit %d, stdout %q", code, out2)
	}
	es, _ := os.ReadDir(dir)
	if len(es) != 2 {
		t.Fatalf("%d files after two runs, want 2", len(es))
	}
}

func TestDownloadCommandProblems(t *testing.T) {
	srv := dlSim(t)
	done := srv.AddVideo(sim.VideoSpec{Name: "ok", Size: 1000})
	running, _ := srv.AddJob(sim.JobSpec{Generating: time.Hour * 100})
	failed, _ := srv.AddJob(sim.JobSpec{Fail: true})
	tests := []struct {
		name    string
		key     string
		args    []string
		code    int
		errHas  []string
		outRows int
	}{
		{"not finished", srv.Token(), []string{running, done}, ExitJobFailed,
			[]string{"not finished yet (", "reel wait --download"}, 1},
		{"failed job", srv.Token(), []string{failed}, ExitJobFailed, []string{"job failed: nothing to download"}, 0},
		{"not found", srv.Token(), []string{"no-such-id"}, ExitJobFailed, []string{"not found"}, 0},
		{"key rejected", "wrong-key", []string{done}, ExitKeyRejected, []string{"rejected"}, 0},
		{"no ids", srv.Token(), nil, ExitUsage, []string{"no IDs"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"download", "--dir", t.TempDir()}, tt.args...)
			code, out, errs := simExec(t, srv, tt.key, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr %q lacks %q", errs, s)
				}
			}
			if n := len(dlLines(out)); n != tt.outRows {
				t.Errorf("stdout %q: want %d paths", out, tt.outRows)
			}
		})
	}
}

func TestDownloadDirSetting(t *testing.T) {
	srv := dlSim(t)
	id := srv.AddVideo(sim.VideoSpec{Name: "set", Size: 1000})
	dir := t.TempDir()
	code, out, errs := simExec(t, srv, srv.Token(), "--download-dir", dir, "download", id)
	if code != ExitOK || strings.TrimSpace(out) != filepath.Join(dir, "set-"+id+".mp4") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestWaitDownload(t *testing.T) {
	srv := dlSim(t)
	job, videoID := srv.AddJob(sim.JobSpec{Name: "waited", VideoSize: 50 << 10})
	dir := t.TempDir()
	code, _, errs := simExec(t, srv, srv.Token(), "wait", "--download", dir, job)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	p := filepath.Join(dir, "waited-"+videoID+".mp4")
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, dlSimBytes(t, srv, videoID)) {
		t.Fatalf("%s: %v", p, err)
	}
	if !strings.Contains(errs, "saved "+p) {
		t.Errorf("stderr %q does not name the file", errs)
	}
}

func TestDownloadLine(t *testing.T) {
	// A fixed line for a known state: what a person sees on the terminal.
	got := downloadLineFor(t)
	for _, s := range []string{"name-v.mp4", "50%", "5.0 MB of 10.0 MB", "1.0 MB/s", "5s left"} {
		if !strings.Contains(got, s) {
			t.Errorf("line %q lacks %q", got, s)
		}
	}
}

func downloadLineFor(t *testing.T) string {
	t.Helper()
	return downloadLine(download.Progress{VideoID: "v", Path: "/x/name-v.mp4", Done: 5e6, Total: 10e6,
		Rate: 1e6, ETA: 5 * time.Second, State: download.StateRunning}, 120)
}

// lines splits output into its non-empty lines (paths may hold spaces).
func dlLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// A job id and its own video id given together are one video: wait
// --download fetches it once and does not trip over itself.
func TestWaitDownloadJobAndItsVideo(t *testing.T) {
	srv := dlSim(t)
	job, videoID := srv.AddJob(sim.JobSpec{Name: "twice", VideoSize: 300 << 10})
	dir := t.TempDir()
	code, _, errs := simExec(t, srv, srv.Token(), "wait", "--download", dir, job, videoID)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	if n := strings.Count(errs, "saved "); n != 1 {
		t.Errorf("%d saves reported, want 1:\n%s", n, errs)
	}
	names, err := os.ReadDir(dir)
	if err != nil || len(names) != 1 {
		t.Fatalf("folder: %v, %v; want the one video", names, err)
	}
}

// Every byte in but the download not yet done: the bar is not full, and
// reads with the percent beside it (it was full beside "99%"); the
// progress line of the lookups keeps the same rule.
func TestProgressBarsNeverFullBeforeDone(t *testing.T) {
	line := downloadLine(download.Progress{VideoID: "v", Path: "/x/name-v.mp4", Done: 10e6, Total: 10e6,
		State: download.StateRunning}, 120)
	if !strings.Contains(line, "99%") || strings.Contains(line, strings.Repeat("█", 20)) {
		t.Errorf("a download with all its bytes but not done: %q, want 99%% and a bar short of full", line)
	}
	line = downloadLine(download.Progress{VideoID: "v", Path: "/x/name-v.mp4", Done: 995, Total: 1000,
		State: download.StateRunning}, 120)
	if !strings.Contains(line, "99%") || !strings.Contains(line, strings.Repeat("█", 19)+"·") {
		t.Errorf("a download at 99.5%%: %q, want 19 cells of 20 beside 99%%", line)
	}
	p := newProgressLine(io.Discard, "reading", 1000, time.Now)
	p.count = 999
	if s := p.text(); !strings.Contains(s, "99%") || strings.Contains(s, strings.Repeat("█", 20)) {
		t.Errorf("999 of 1000 read: %q", s)
	}
	p.count = 1000
	if s := p.text(); !strings.Contains(s, "100%") || !strings.Contains(s, strings.Repeat("█", 20)) {
		t.Errorf("1000 of 1000 read: %q", s)
	}
}
