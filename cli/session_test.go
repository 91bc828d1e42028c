package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-dev/reel/api/sim"
)

// The dashboard and reel serve start on one setup: startSession gives the
// engine, its store, the debug log and the downloads into the folder made
// absolute, whichever of them asks.
func TestStartSessionIsTheSharedSetup(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 2, CallbackEvery: -1})
	id, _ := srv.AddJob(sim.JobSpec{Name: "one"})
	s := mustSettings(env)
	s.StorePath = filepath.Join(t.TempDir(), "reel.db")
	s.DownloadDir = "videos"
	debug := filepath.Join(t.TempDir(), "debug.log")
	g := &globals{version: "test", debugFile: debug}
	c, err := g.client(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sio := flagIO()
	sio.Getenv = func(k string) string { return env[k] }
	run, err := g.startSession(ctx, sio, dashboard{client: c, settings: s, ids: []string{id}}, cancel)
	if err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	if want := filepath.Join(cwd, "videos"); run.dir != want {
		t.Errorf("download folder %q, want %q", run.dir, want)
	}
	if run.eng == nil || run.st == nil || run.downloads == nil || run.log == nil {
		t.Fatalf("session lacks a part: %+v", run)
	}
	if _, ok := run.eng.Job(id); !ok {
		t.Errorf("the session's engine does not track %s", id)
	}
	run.close()
	if _, err := os.Stat(debug); err != nil {
		t.Errorf("--debug: the log was not opened: %v", err)
	}
	if got := downloadFolder(""); got != cwd {
		t.Errorf("downloadFolder(\"\") = %q, want the current folder %q", got, cwd)
	}
}
