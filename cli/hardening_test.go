package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
