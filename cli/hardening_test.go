package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/config"
)

// --null ends each path with NUL, for xargs -0: a name may hold quotes,
// spaces and what was a newline, and no path starts with "-".
func TestDownloadNullOutput(t *testing.T) {
	srv := dlSim(t)
	job, videoID := srv.AddJob(sim.JobSpec{Name: "--rm it's \"odd\"\nname", VideoSize: 20 << 10})
	dir := t.TempDir()
	code, out, errs := simExec(t, srv, srv.Token(), "download", "--null", "--dir", dir, job)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	want := filepath.Join(dir, `rm it's _odd_ name-`+videoID+".mp4")
	if out != want+"\x00" {
		t.Fatalf("stdout %q, want %q", out, want+"\x00")
	}
	if b, err := os.ReadFile(want); err != nil || !bytes.Equal(b, dlSimBytes(t, srv, videoID)) {
		t.Fatalf("%s: %v", want, err)
	}
}

func TestWaitDownloadNullOutput(t *testing.T) {
	srv := dlSim(t)
	job, videoID := srv.AddJob(sim.JobSpec{Name: "waited", VideoSize: 20 << 10})
	dir := t.TempDir()
	code, out, errs := simExec(t, srv, srv.Token(), "wait", "--download", dir, "--null", job)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	p := filepath.Join(dir, "waited-"+videoID+".mp4")
	if out != p+"\x00" {
		t.Fatalf("stdout %q, want only %q", out, p+"\x00")
	}
	if !strings.Contains(errs, "STATUS") {
		t.Errorf("the final table is not on stderr: %q", errs)
	}
	if code, _, errs := simExec(t, srv, srv.Token(), "wait", "--null", job); code != ExitUsage || !strings.Contains(errs, "--null goes with --download") {
		t.Errorf("--null alone: exit %d, %q", code, errs)
	}
}

// reel wait's standard error ends up in CI logs: the callback URL's
// secret is left out unless asked for. A short secret is warned of,
// wherever it was set.
func TestWaitCallbackSecretOnlyWhereAsked(t *testing.T) {
	srv := dlSim(t)
	job, _ := srv.AddJob(sim.JobSpec{Name: "cb", VideoSize: 1 << 10})
	const secret = "env-secret-0123456789abcdef"
	env := envFor(t, srv, srv.Token())
	env[config.SecretEnv] = secret
	_, errs, code := runCLI(t, env, "", "wait", "--listen", "127.0.0.1:0", job)
	if code != ExitOK || strings.Contains(errs, secret) || !strings.Contains(errs, "/callback/SECRET (SECRET is the callback secret you set") {
		t.Errorf("exit %d; stderr shows the secret or no hidden URL:\n%s", code, errs)
	}
	_, errs, _ = runCLI(t, env, "", "wait", "--listen", "127.0.0.1:0", "--show-callback-url", job)
	if !strings.Contains(errs, "/callback/"+secret+"\n") {
		t.Errorf("--show-callback-url: stderr %q", errs)
	}
	env[config.SecretEnv] = "abc"
	_, errs, _ = runCLI(t, env, "", "wait", "--listen", "127.0.0.1:0", job)
	if !strings.Contains(errs, "reel: warning: the callback secret (REEL_CALLBACK_SECRET) is 3 characters, short and easy to guess") {
		t.Errorf("short secret not warned of: %q", errs)
	}
}

func TestDownloadWarnsOfASharedFolder(t *testing.T) {
	srv := dlSim(t)
	job, _ := srv.AddJob(sim.JobSpec{Name: "shared", VideoSize: 1 << 10})
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	code, _, errs := simExec(t, srv, srv.Token(), "download", "--dir", dir, job)
	if code != ExitOK || !strings.Contains(errs, "can be written by other users") {
		t.Errorf("exit %d, stderr %q: want a warning about the shared folder", code, errs)
	}
}

// wait --download --null writes from the loop and from each download's
// goroutine to the same standard error: every line must come out whole,
// and the race detector must find nothing (CI once did, on one job).
func TestWaitDownloadNullManyJobsWriteWholeLines(t *testing.T) {
	srv := dlSim(t)
	var jobs []string
	want := map[string]bool{}
	dir := t.TempDir()
	for i := range 12 {
		job, videoID := srv.AddJob(sim.JobSpec{Name: fmt.Sprintf("many%02d", i), VideoSize: 4 << 10})
		jobs = append(jobs, job)
		want[filepath.Join(dir, fmt.Sprintf("many%02d-%s.mp4", i, videoID))] = true
	}
	code, out, errs := simExec(t, srv, srv.Token(), append([]string{"wait", "--download", dir, "--null"}, jobs...)...)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	got := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	for _, p := range got {
		if !want[p] {
			t.Errorf("stdout holds %q, not one of the saved paths", p)
		}
		delete(want, p)
	}
	if len(want) > 0 {
		t.Errorf("paths missing from stdout: %v", want)
	}
	for line := range strings.Lines(errs) {
		if strings.Contains(line, ": saved ") && (!strings.HasPrefix(line, "reel: ") || strings.Count(line, "reel: ") != 1) {
			t.Errorf("a saved line was broken by another write: %q", line)
		}
	}
}

// Serialized's two writers share one lock: goroutines writing to both
// streams of one buffer lose no byte (and -race sees no race).
func TestSerializedWritersShareALock(t *testing.T) {
	var buf bytes.Buffer
	sio := IO{Out: &buf, Err: &buf}.Serialized()
	if again := sio.Serialized(); again.Out != sio.Out || again.Err != sio.Err {
		t.Error("Serialized twice wraps again")
	}
	var wg sync.WaitGroup
	for g := range 8 {
		w := sio.Out
		if g%2 == 1 {
			w = sio.Err
		}
		wg.Go(func() {
			for range 200 {
				fmt.Fprintf(w, "goroutine %d\n", g)
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 8*200 {
		t.Fatalf("%d lines, want %d", len(lines), 8*200)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "goroutine ") || len(l) != len("goroutine 0") {
			t.Fatalf("a line was broken: %q", l)
		}
	}
}

// blockingWriter holds every write until released, saying when one began.
type blockingWriter struct {
	began   chan struct{}
	release chan struct{}
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	b.began <- struct{}{}
	<-b.release
	return len(p), nil
}

// Two streams apart keep a lock each: a reader stuck on standard output
// (a pager, xargs) does not hold up what goes to standard error.
func TestSerializedStreamsApartDoNotWaitOnEachOther(t *testing.T) {
	out := &blockingWriter{began: make(chan struct{}), release: make(chan struct{})}
	var errs bytes.Buffer
	sio := IO{Out: out, Err: &errs}.Serialized()
	go func() { _, _ = sio.Out.Write([]byte("row\n")) }()
	<-out.began // standard output is stuck
	done := make(chan struct{})
	go func() { fmt.Fprintln(sio.Err, "reel: a change"); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a write to standard error waited 10 s on a stuck standard output")
	}
	close(out.release)
	if errs.String() != "reel: a change\n" {
		t.Errorf("standard error holds %q", errs.String())
	}
}
