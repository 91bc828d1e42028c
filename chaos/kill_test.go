package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/termtest"
)

// killRounds is how many dashboards are killed with SIGKILL in a row on
// one store.
const killRounds = 20

// TestKillDashboardLosesNoID starts the dashboard again and again on one
// store, adds IDs both as arguments and through the a prompt, and kills it
// with SIGKILL at a random moment after the screen shows them: every ID the
// dashboard showed as added must be in the store, which must open and
// pass its integrity check.
func TestKillDashboardLosesNoID(t *testing.T) {
	t.Parallel()
	srv, err := sim.Start(sim.Options{Seed: 3, Speed: 200, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	home := t.TempDir()
	env := termtest.Env(home, srv.URL(), srv.Token())
	dbPath := filepath.Join(home, "state", "reel", "reel.db")
	rnd := rand.New(rand.NewPCG(11, 12))
	// Jobs that keep changing while the dashboard runs, so the store is
	// being written when the kill comes.
	newJob := func(r, i int, prefix string) string {
		id, _ := srv.AddJob(sim.JobSpec{
			ID: fmt.Sprintf("%s%02d-%d", prefix, r, i), Queued: time.Duration(rnd.IntN(60)) * time.Second,
			Generating: time.Duration(60+rnd.IntN(600)) * time.Second, Fail: rnd.IntN(4) == 0,
		})
		return id
	}
	shown := map[string]bool{}
	for r := range killRounds {
		args := []string{newJob(r, 0, "arg"), newJob(r, 1, "arg")}
		typed := []string{newJob(r, 0, "key"), newJob(r, 1, "key"), newJob(r, 2, "key")}
		tm := startTerm(t, env, args...)
		// Rows scroll off a full screen, so the footer's count is what
		// shows the new IDs were added.
		tm.WaitScreen("the IDs given as arguments", jobCount(len(shown)+len(args)), 20*time.Second)
		for _, id := range args {
			shown[id] = true
		}
		tm.Press("a")
		tm.Press(strings.Join(typed, " "))
		tm.Press("\r")
		tm.WaitScreen("the IDs typed at the a prompt", jobCount(len(shown)+len(typed)), 20*time.Second)
		for _, id := range typed {
			shown[id] = true
		}
		// A random moment: at once, or while polls are being stored.
		if d := time.Duration(rnd.IntN(400)) * time.Millisecond; d > 0 {
			time.Sleep(d) // the kill's moment is the point of the test, not a wait for something
		}
		if err := kill9(tm.Pid()); err != nil {
			t.Fatal(err)
		}
		tm.Exit(20 * time.Second)

		st, err := store.Open(dbPath)
		if err != nil {
			t.Fatalf("round %d: the store does not open after kill -9: %v", r, err)
		}
		ctx := context.Background()
		if err := st.Check(ctx); err != nil {
			t.Errorf("round %d: integrity check: %v", r, err)
		}
		jobs, err := st.Load(ctx)
		st.Close()
		if err != nil {
			t.Fatalf("round %d: load: %v", r, err)
		}
		have := map[string]bool{}
		for _, j := range jobs {
			have[j.ID] = true
		}
		for id := range shown {
			if !have[id] {
				t.Errorf("round %d: %s was shown as added but is not in the store", r, id)
			}
		}
	}
	t.Logf("kill -9 × %d: %d IDs shown as added, 0 lost unless reported above", killRounds, len(shown))
}

// jobCount is a screen condition: the footer counts n jobs.
func jobCount(n int) func(string) bool {
	re := regexp.MustCompile(fmt.Sprintf(`(?m)\s%d jobs\s*$`, n))
	return func(s string) bool { return re.MatchString(s) }
}

// rangeLog wraps a handler and notes every Range header asked of it.
type rangeLog struct {
	next   http.Handler
	mu     sync.Mutex
	ranges []string
}

func (l *rangeLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/files/") {
		l.mu.Lock()
		l.ranges = append(l.ranges, r.Header.Get("Range"))
		l.mu.Unlock()
	}
	l.next.ServeHTTP(w, r)
}

// TestKillDownloadResumes kills reel download with SIGKILL mid-transfer of
// a 300 MB video, several times at different points, then lets it finish:
// no file may stand under the final name until it is whole, every restart
// must resume with Range, and the end result must be byte-identical.
func TestKillDownloadResumes(t *testing.T) {
	t.Parallel()
	s, rl, env, dir := bigVideo(t, 5, "big-job", "big-video", "Big")
	id, vid := "big-job", "big-video"
	final := filepath.Join(dir, "Big-big-video.mp4")

	kills := []int64{20 << 20, 110 << 20, 230 << 20} // bytes on disk when killed
	for _, at := range kills {
		cmd := exec.Command(reelBin, "download", "--dir", dir, id)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		got, err := waitPart(dir, at, 60*time.Second)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if err != nil {
			t.Fatal(err)
		}
		names := dirNames(t, dir)
		for _, n := range names {
			if !strings.HasSuffix(n, ".part") && !strings.HasSuffix(n, ".part.meta") {
				t.Errorf("after kill -9 at %d MB, %s stands in the folder (only .part files may)", got>>20, n)
			}
		}
		t.Logf("killed at %d MB on disk; folder: %v", got>>20, names)
	}
	out, err := runReel(env, "download", "--dir", dir, id)
	if err != nil {
		t.Fatalf("the last download: %v\n%s", err, out)
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != filepath.Base(final) {
		t.Errorf("folder after the last run: %v, want only %s", names, filepath.Base(final))
	}
	if err := sameBytes(final, s.NewContent(vid)); err != nil {
		t.Errorf("the resumed file: %v", err)
	}
	ranges, resumed := rl.resumes()
	if resumed < len(kills) {
		t.Errorf("only %d of %d restarts asked for a Range past 0: %q", resumed, len(kills), ranges)
	}
	t.Logf("kill -9 × %d mid-transfer of %d MB: resumed %d times (%q), final file byte-identical", len(kills), bigVideoSize>>20, resumed, ranges)
}

// bigVideoSize is the video the download kill tests cut short.
const bigVideoSize = 300 << 20

// bigVideo serves a finished job with a 300 MB video through a recorder of
// the Range headers asked for, and returns the environment that points
// reel at it and a download folder.
func bigVideo(t *testing.T, seed int64, jobID, videoID, name string) (*sim.Sim, *rangeLog, []string, string) {
	t.Helper()
	s := sim.New(sim.Options{Seed: seed, CallbackEvery: -1})
	s.AddJob(sim.JobSpec{ID: jobID, VideoID: videoID, Name: name, Age: time.Hour, VideoSize: bigVideoSize})
	rl := &rangeLog{next: s.Handler()}
	srv := httptest.NewServer(rl)
	t.Cleanup(srv.Close)
	return s, rl, termtest.Env(t.TempDir(), srv.URL+sim.APIPrefix, s.Token()), t.TempDir()
}

// resumes returns the Range headers the file host saw, and how many of
// them resumed past byte 0.
func (l *rangeLog) resumes() ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.ranges {
		if r != "" && !strings.HasPrefix(r, "bytes=0-") {
			n++
		}
	}
	return append([]string(nil), l.ranges...), n
}

// waitPart polls dir until a .part file holds at least n bytes, and
// returns its size.
func waitPart(dir string, n int64, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		parts, _ := filepath.Glob(filepath.Join(dir, "*.part"))
		for _, p := range parts {
			if fi, err := os.Stat(p); err == nil && fi.Size() >= n {
				return fi.Size(), nil
			}
		}
		time.Sleep(2 * time.Millisecond) // polling a file's size; nothing to wait on
	}
	return 0, fmt.Errorf("no .part file reached %d bytes within %v", n, timeout)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// runReel runs the binary without a terminal and returns its output.
func runReel(env []string, args ...string) (string, error) {
	cmd := exec.Command(reelBin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestKillDashboardDownloadResumes presses d in the dashboard on a 300 MB
// video, kills the dashboard with SIGKILL mid-transfer, and starts it again
// on the same store: the job is still tracked, only .part files stood in
// the folder, and d again resumes with Range to a byte-identical file.
func TestKillDashboardDownloadResumes(t *testing.T) {
	t.Parallel()
	s, rl, env, dir := bigVideo(t, 6, "dash-job", "dash-video", "Dash")
	id, vid := "dash-job", "dash-video"

	tm := startTerm(t, env, "--download-dir", dir, id)
	tm.WaitScreen("the finished row", func(sc string) bool {
		return strings.Contains(termtest.LineWith(sc, id), "✓ finished")
	}, 20*time.Second)
	tm.Press("d")
	got, err := waitPart(dir, 60<<20, 60*time.Second)
	if kerr := kill9(tm.Pid()); kerr != nil {
		t.Fatal(kerr)
	}
	tm.Exit(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range dirNames(t, dir) {
		if !strings.HasSuffix(n, ".part") && !strings.HasSuffix(n, ".part.meta") {
			t.Errorf("after kill -9 at %d MB, %s stands in the folder (only .part files may)", got>>20, n)
		}
	}

	// Started again with no arguments: the store brings the job back.
	tm = startTerm(t, env, "--download-dir", dir)
	tm.WaitScreen("the job, back from the store", func(sc string) bool {
		return strings.Contains(termtest.LineWith(sc, id), "✓ finished")
	}, 20*time.Second)
	tm.Press("d")
	tm.WaitScreen("the download saved", func(sc string) bool {
		return strings.Contains(termtest.LineWith(sc, id), "saved")
	}, 90*time.Second)
	tm.Press("q")
	tm.Exit(20 * time.Second)

	final := filepath.Join(dir, "Dash-dash-video.mp4")
	if names := dirNames(t, dir); len(names) != 1 || names[0] != filepath.Base(final) {
		t.Errorf("folder at the end: %v, want only %s", names, filepath.Base(final))
	}
	if err := sameBytes(final, s.NewContent(vid)); err != nil {
		t.Errorf("the resumed file: %v", err)
	}
	ranges, resumed := rl.resumes()
	if resumed == 0 {
		t.Errorf("the second dashboard did not resume with a Range past 0: %q", ranges)
	}
	t.Logf("dashboard killed at %d MB of %d; resumed with %q; final file byte-identical", got>>20, bigVideoSize>>20, ranges)
}
