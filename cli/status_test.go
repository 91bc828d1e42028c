package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/config"
)

// runCLI runs the command line in-process with the given environment and
// returns stdout, stderr and the exit code. A run that outlasts a minute
// fails the test: it never stopped.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runCLIWithin(t, time.Minute, env, stdin, args...)
}

// runCLIWithin is runCLI with its own bound on the run.
func runCLIWithin(t *testing.T, limit time.Duration, env map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var out, errb bytes.Buffer
	sio := IO{
		In:     strings.NewReader(stdin),
		Out:    &out,
		Err:    &errb,
		Getenv: func(k string) string { return env[k] },
		Now:    time.Now,
	}
	code := Execute(ctx, sio, "test", args)
	if ctx.Err() != nil {
		t.Errorf("reel %s: still running after %v: it did not stop", strings.Join(args, " "), limit)
	}
	return out.String(), errb.String(), code
}

// envFor points reel at srv with key, its config and store in a folder of
// the test's own.
func envFor(t *testing.T, srv *sim.Server, key string) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"COLOSSYAN_BASE_URL": srv.URL(),
		"COLOSSYAN_API_KEY":  key,
		"XDG_CONFIG_HOME":    dir,
		"XDG_STATE_HOME":     dir,
		"HOME":               dir,
	}
}

// simExec runs reel with args against srv (key as given) and returns the
// exit code and both outputs.
func simExec(t *testing.T, srv *sim.Server, key string, args ...string) (int, string, string) {
	t.Helper()
	out, errs, code := runCLI(t, envFor(t, srv, key), "", args...)
	return code, out, errs
}

// simEnv starts a simulator and returns the environment that points reel
// at it, with the config file and store kept inside the test's folder.
func simEnv(t *testing.T, opts sim.Options) (*sim.Server, map[string]string) {
	t.Helper()
	srv, err := sim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, envFor(t, srv, sim.DefaultToken)
}

func TestStatusJSON(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 7, CallbackEvery: -1})
	finished, finishedVideo := srv.AddJob(sim.JobSpec{Name: "Quarterly update", MaximumProgress: 250, Age: time.Hour,
		Queued: time.Second, Generating: 10 * time.Second, VideoSize: 3_000_000, VideoDuration: 83})
	failed, _ := srv.AddJob(sim.JobSpec{Fail: true, FailReason: "avatar unavailable", Age: time.Hour, Generating: 10 * time.Second})
	running, _ := srv.AddJob(sim.JobSpec{Queued: time.Second, Generating: 10 * time.Hour, Age: time.Hour})
	bare := srv.AddVideo(sim.VideoSpec{Name: "Bare"})

	out, stderr, code := runCLI(t, env, "", "status", "--json", finished, failed, running, bare, "no-such-id")
	if code != ExitJobFailed {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	want := []struct{ id, status string }{
		{finished, "finished"}, {failed, "failed"}, {running, "generating"}, {bare, "finished"}, {"no-such-id", "not_found"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d objects, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i]["id"] != w.id || got[i]["status"] != w.status {
			t.Errorf("object %d = %v, want id %s status %s", i, got[i], w.id, w.status)
		}
	}
	video, _ := got[0]["video"].(map[string]any)
	if video["id"] != finishedVideo || video["name"] != "Quarterly update" || video["videoSizeBytes"] != float64(3_000_000) {
		t.Errorf("finished job's video = %v", video)
	}
	if got[0]["maximumProgress"] != float64(250) || got[0]["jobId"] != finished || got[0]["videoId"] != finishedVideo {
		t.Errorf("finished job = %v", got[0])
	}
	if got[3]["videoId"] != bare {
		t.Errorf("bare video = %v", got[3])
	}
	if strings.Contains(out+stderr, sim.DefaultToken) {
		t.Error("output carries the key")
	}
}

func TestStatusTablePlainWhenNotATerminal(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 1, CallbackEvery: -1})
	id, _ := srv.AddJob(sim.JobSpec{Name: "evil\x1b]0;pwned\x07name\x1b[2J", Age: time.Hour, Generating: time.Second, VideoSize: 3_000_000, VideoDuration: 83})
	out, _, code := runCLI(t, env, "", "status", id)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("escape bytes in plain output: %q", out)
	}
	for _, want := range []string{"✓ finished", "1m 23s", "3.0 MB", "100%"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestStatusExitCodes(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 2, CallbackEvery: -1})
	ok, _ := srv.AddJob(sim.JobSpec{Age: time.Hour, Generating: time.Second})

	if _, _, code := runCLI(t, env, "", "status", ok); code != ExitOK {
		t.Errorf("finished job: exit %d, want 0", code)
	}
	bad := map[string]string{}
	for k, v := range env {
		bad[k] = v
	}
	bad["COLOSSYAN_API_KEY"] = "wrong"
	_, stderr, code := runCLI(t, bad, "", "status", ok)
	if code != ExitKeyRejected || !strings.Contains(stderr, "API key rejected") || strings.Contains(stderr, "wrong") {
		t.Errorf("bad key: exit %d, stderr %q", code, stderr)
	}
	noKey := map[string]string{}
	for k, v := range env {
		noKey[k] = v
	}
	delete(noKey, "COLOSSYAN_API_KEY")
	if _, stderr, code := runCLI(t, noKey, "", "status", ok); code != ExitUsage || !strings.Contains(stderr, "COLOSSYAN_API_KEY") {
		t.Errorf("no key: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, env, "", "status"); code != ExitUsage || !strings.Contains(stderr, "no IDs") {
		t.Errorf("no IDs: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, env, "good-id\nbad id!\n", "status", "-"); code != ExitUsage || !strings.Contains(stderr, "stdin:2") {
		t.Errorf("bad line: exit %d, stderr %q", code, stderr)
	}
}

func TestStatusRetriesTransientErrors(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 3, CallbackEvery: -1})
	id, _ := srv.AddJob(sim.JobSpec{Age: time.Hour, Generating: time.Second})
	c, err := (&globals{version: "test"}).client(mustSettings(env))
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFaults(sim.FaultInternal, sim.FaultBadGateway, sim.FaultInternal)
	var slept []time.Duration
	rp := retryPolicy{Attempts: 5, Base: time.Second, Max: 8 * time.Second, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}, Jitter: func() float64 { return 1 }} // the whole delay: jitter only ever shortens it
	res := lookupAll(context.Background(), c, []string{id}, rp)
	if res[0].Err != nil || res[0].Lookup.Status() != "finished" {
		t.Fatalf("result %+v", res[0])
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !equalDurations(slept, want) {
		t.Errorf("backoff %v, want %v", slept, want)
	}
}

func mustSettings(env map[string]string) *config.Settings {
	s, err := config.Load(config.Flags{}, func(k string) string { return env[k] })
	if err != nil {
		panic(err)
	}
	return s
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
