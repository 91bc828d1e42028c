package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/track/tracktest"
)

// waitSim starts a simulator for a test, fast enough for jobs to end in a
// second or two.
func waitSim(t *testing.T, opts sim.Options) *sim.Server {
	t.Helper()
	if opts.Speed == 0 {
		opts.Speed = 20
	}
	opts.CallbackEvery = -1
	srv, err := sim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// waitDirect runs runWait against srv with a poll interval too short for
// the command line (which wants at least 1s), so tests end in a second or two.
func waitDirect(t *testing.T, srv *sim.Server, o waitOptions, list ...string) (int, string, string) {
	t.Helper()
	c, err := api.New(srv.URL(), sim.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	var out, errs strings.Builder
	sio := IO{In: strings.NewReader(""), Out: &out, Err: &errs, Getenv: func(string) string { return "" }, Now: time.Now}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := ExitOK
	if err := runWait(ctx, sio, c, list, o); err != nil {
		var ee *ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("runWait: %v", err)
		}
		code = ee.Code
	}
	return code, out.String(), errs.String()
}

// waitLines parses NDJSON output into objects.
func waitLines(t *testing.T, out string) []statusJSON {
	t.Helper()
	var lines []statusJSON
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var w statusJSON
		if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		lines = append(lines, w)
	}
	return lines
}

// finals picks the final lines, by ID.
func finals(lines []statusJSON) map[string]statusJSON {
	out := map[string]statusJSON{}
	for _, l := range lines {
		if l.Final {
			out[l.ID] = l
		}
	}
	return out
}

// quick is a job spec that ends in about 1.5 s at speed 20.
func quick(fail bool) sim.JobSpec {
	return sim.JobSpec{Queued: 4 * time.Second, Preprocessing: 4 * time.Second, Handoff: 2 * time.Second, Generating: 20 * time.Second, Fail: fail}
}

// reel wait against a simulator that fails 30% of requests (5xx, 429 with
// Retry-After, resets, truncated and HTML bodies, stalls): every job reaches
// its right end, and the exit code says some failed.
func TestWaitThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds of real time")
	}
	srv := waitSim(t, sim.Options{Seed: 11, Faults: 0.3, StallFor: 300 * time.Millisecond})
	ok1, _ := srv.AddJob(quick(false))
	ok2, v2 := srv.AddJob(quick(false))
	bad, _ := srv.AddJob(quick(true))
	del, _ := srv.AddJob(sim.JobSpec{Queued: 2 * time.Second, Generating: time.Hour, DeleteAfter: 20 * time.Second})
	bare := srv.AddVideo(sim.VideoSpec{})
	missing := "0badc0de-0000-4000-8000-000000000000"

	start := time.Now()
	code, out, errs := waitDirect(t, srv, waitOptions{JSON: true, Interval: 200 * time.Millisecond, Timeout: 50 * time.Second},
		ok1, v2, bad, del, bare, missing)
	t.Logf("took %s, %+v", time.Since(start).Round(time.Millisecond), srv.Requests().Faults)
	if code != ExitJobFailed {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	got := finals(waitLines(t, out))
	want := map[string]string{ok1: "finished", v2: "finished", bad: "failed", del: "deleted", bare: "finished", missing: "not_found"}
	for id, st := range want {
		f, ok := got[id]
		if !ok {
			t.Errorf("no final line for %s", id)
			continue
		}
		if f.Status != st {
			t.Errorf("%s ended %q (%s), want %q", id, f.Status, f.Error, st)
		}
		if st == "finished" && len(f.Video) == 0 {
			t.Errorf("%s finished without its video", id)
		}
	}
	if f := got[v2]; f.JobID != ok2 {
		t.Errorf("video id %s: jobId %q, want %q", v2, f.JobID, ok2)
	}
	if n := len(srv.Requests().Faults); n == 0 {
		t.Error("no faults were injected: the test proves nothing")
	}
}

// Exit codes: 0 all finished, 1 some not, 3 key rejected, 124 timeout, 2 usage.
func TestWaitExitCodes(t *testing.T) {
	srv := waitSim(t, sim.Options{Seed: 3})
	done1, _ := srv.AddJob(sim.JobSpec{})
	done2, _ := srv.AddJob(sim.JobSpec{Age: time.Hour, Queued: time.Second})
	long, _ := srv.AddJob(sim.JobSpec{Queued: time.Hour})
	tests := []struct {
		name string
		key  string
		args []string
		code int
		has  string // in stdout or stderr
	}{
		{"all finished", sim.DefaultToken, []string{"wait", done1, done2}, ExitOK, "✓ finished"},
		{"one not found", sim.DefaultToken, []string{"wait", done1, "0badc0de-0000-4000-8000-000000000000"}, ExitJobFailed, "? not found"},
		{"key rejected", "wrong", []string{"wait", done1}, ExitKeyRejected, "API key rejected"},
		{"timeout", sim.DefaultToken, []string{"wait", "--timeout", "300ms", long}, ExitTimeout, "--timeout 300ms ran out"},
		{"no ids", sim.DefaultToken, []string{"wait"}, ExitUsage, "no IDs"},
		{"bad flag", sim.DefaultToken, []string{"wait", "--timeout", "soon", done1}, ExitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := simExec(t, srv, tt.key, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errs)
			}
			if !strings.Contains(out+errs, tt.has) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tt.has, out, errs)
			}
			if strings.Contains(out+errs, "\x1b") {
				t.Errorf("escape sequences in output that is not a terminal")
			}
		})
	}
}

// --json: a line per change, then one final line per job in the order given.
func TestWaitJSONStream(t *testing.T) {
	srv := waitSim(t, sim.Options{Seed: 5})
	// Queued 2 s of real time (40 s at speed 20), not quick's 200 ms: the
	// first poll, which must find the job in_queue, comes after the client
	// and the engine start, which a loaded machine under -race can take
	// 200 ms to do.
	spec := quick(false)
	spec.Queued = 40 * time.Second
	a, _ := srv.AddJob(spec)
	b, _ := srv.AddJob(sim.JobSpec{})
	code, out, errs := waitDirect(t, srv, waitOptions{JSON: true, Interval: 100 * time.Millisecond}, a, b)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	lines := waitLines(t, out)
	n := len(lines)
	if n < 4 || !lines[n-2].Final || !lines[n-1].Final || lines[n-2].ID != a || lines[n-1].ID != b {
		t.Fatalf("want change lines then finals for %s and %s:\n%s", a, b, out)
	}
	var statuses []string
	for _, l := range lines[:n-2] {
		if l.Final {
			t.Errorf("a final line among the changes: %+v", l)
		}
		if l.ID == a && (len(statuses) == 0 || statuses[len(statuses)-1] != l.Status) {
			statuses = append(statuses, l.Status)
		}
	}
	if statuses[0] != "in_queue" || statuses[len(statuses)-1] != "finished" {
		t.Errorf("%s went %v, want from in_queue to finished", a, statuses)
	}
	for i := 1; i < n-2; i++ {
		if lines[i].equal(lines[i-1]) {
			t.Errorf("line %d repeats line %d: %+v", i, i-1, lines[i])
		}
	}
	// The final state carries the video's links: wait does not stop at the
	// status word while the video is still being fetched.
	for _, l := range lines[n-2:] {
		var v struct {
			PublicURL string `json:"publicUrl"`
		}
		if err := json.Unmarshal(l.Video, &v); err != nil || v.PublicURL == "" {
			t.Errorf("final line for %s has no publicUrl: %s", l.ID, l.Video)
		}
	}
}

// Without --json: a plain line per visible change on stderr (never the same
// line twice in a row), then a table on stdout.
func TestWaitTextLines(t *testing.T) {
	srv := waitSim(t, sim.Options{Seed: 9})
	a, _ := srv.AddJob(quick(false))
	code, out, errs := waitDirect(t, srv, waitOptions{Interval: 100 * time.Millisecond}, a)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var last string
	finished := 0
	for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
		_, body, _ := strings.Cut(l, "  ") // drop the time
		if body == last {
			t.Errorf("line repeated: %q", l)
		}
		last = body
		if strings.Contains(body, "✓ finished") {
			finished++
		}
	}
	if finished != 1 {
		t.Errorf("%d finished lines, want 1:\n%s", finished, errs)
	}
	if !strings.HasPrefix(out, "ID") || !strings.Contains(out, a) || !strings.Contains(out, "✓ finished  100%") {
		t.Errorf("table:\n%s", out)
	}
}

// wait returns only once its hooks (downloads) have: a timeout that comes
// while one winds down does not leave it writing after the final report
// (or racing the test's buffer, or lost when the process exits).
func TestWaitReturnsAfterItsHooks(t *testing.T) {
	srv := dlSim(t)
	done, _ := srv.AddJob(sim.JobSpec{Name: "done", Age: time.Hour})
	stuck, _ := srv.AddJob(sim.JobSpec{Name: "stuck", Queued: 100 * time.Hour})
	clk := tracktest.NewClock(time.Now())
	var returned atomic.Bool
	hook := func(ctx context.Context, j track.Job) error {
		clk.Advance(time.Minute) // the timeout runs out while this hook works
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // winding down takes a moment
		returned.Store(true)
		return ctx.Err()
	}
	code, _, _ := waitDirect(t, srv, waitOptions{Clock: clk, Timeout: time.Minute, OnFinished: []func(context.Context, track.Job) error{hook}}, done, stuck)
	if code != ExitTimeout {
		t.Fatalf("exit %d, want %d", code, ExitTimeout)
	}
	if !returned.Load() {
		t.Error("wait returned while a hook was still running")
	}
}
