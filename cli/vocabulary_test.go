package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
)

// status and wait say the same things in the same words: a rendering job's
// name, LENGTH for the video's length, "! unreadable" for a job a rejected
// key kept from being read, and "not found" with no dashboard key to press.
func TestStatusAndWaitSpeakAlike(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 5, CallbackEvery: -1})
	running, _ := srv.AddJob(sim.JobSpec{Name: "Quarterly update", Queued: time.Second, Generating: 10 * time.Hour, Age: time.Hour})

	out, stderr, _ := runCLI(t, env, "", "status", running)
	if !strings.Contains(out, "Quarterly update") {
		t.Errorf("status shows no name for a rendering job:\n%s%s", out, stderr)
	}
	if !strings.Contains(out, "LENGTH") || strings.Contains(out, "DURATION") {
		t.Errorf("status header: want LENGTH, as the dashboard says:\n%s", out)
	}

	// The change line may not come before the end (the final table then
	// says it): look at both.
	out, stderr, code := runCLIWithin(t, 30*time.Second, env, "", "wait", "nope-123")
	if all := out + stderr; code != ExitJobFailed || strings.Contains(all, "press") ||
		!strings.Contains(all, "? not found") || !strings.Contains(all, "neither a job nor a video") {
		t.Errorf("wait nope-123: exit %d, output %q: want 1, what status says and no key to press", code, all)
	}
	out, _, _ = runCLI(t, env, "", "status", "nope-123")
	if !strings.Contains(out, "? not found") || !strings.Contains(out, "neither a job nor a video") {
		t.Errorf("status nope-123:\n%s", out)
	}

	// download says it in the same words as status (it used to pass on the
	// API client's own: `job "nope-123" not found`).
	_, stderr, code = runCLI(t, env, "", "download", "--dir", t.TempDir(), "nope-123")
	if code != ExitJobFailed || !strings.Contains(stderr, "nope-123: ? not found: neither a job nor a video") || strings.Contains(stderr, `"nope-123"`) {
		t.Errorf("download nope-123: exit %d, stderr %q: want 1 and status's words", code, stderr)
	}

	env["COLOSSYAN_API_KEY"] = "wrong-key"
	out, _, _ = runCLI(t, env, "", "status", running)
	if !strings.Contains(out, "! unreadable") {
		t.Errorf("status with a rejected key:\n%s", out)
	}
	out, stderr, _ = runCLIWithin(t, 30*time.Second, env, "", "wait", running)
	if !strings.Contains(out+stderr, "! unreadable") || strings.Contains(out+stderr, "waiting") {
		t.Errorf("wait with a rejected key says other words than status:\n%s%s", out, stderr)
	}
}
