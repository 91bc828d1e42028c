package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
)

// A base URL without /api/v1 gets web-server 404s for everything: each
// command says the URL looks wrong, naming it, and exits 2, instead of
// calling every job "not found".
func TestWrongBaseURL(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 3, CallbackEvery: -1})
	id, _ := srv.AddJob(sim.JobSpec{Age: time.Hour, Generating: time.Second})
	base := strings.TrimSuffix(srv.URL(), "/api/v1")
	if base == srv.URL() {
		t.Fatalf("the simulator's URL %s has no /api/v1 to drop", srv.URL())
	}
	env["COLOSSYAN_BASE_URL"] = base
	for _, args := range [][]string{
		{"status", id, "other-id"},
		{"status", "--json", id},
		{"download", "--dir", t.TempDir(), id},
		{"wait", id},
	} {
		out, stderr, code := runCLIWithin(t, 30*time.Second, env, "", args...)
		if code != ExitUsage {
			t.Errorf("reel %s: exit %d, want %d; stderr %q", strings.Join(args, " "), code, ExitUsage, stderr)
		}
		if !strings.Contains(stderr, base) || !strings.Contains(stderr, "looks wrong") || strings.Count(stderr, "looks wrong") != 1 {
			t.Errorf("reel %s: stderr %q: want the URL named as wrong, once", strings.Join(args, " "), stderr)
		}
		if strings.Contains(out+stderr, "not found") {
			t.Errorf("reel %s: jobs called not found:\n%s%s", strings.Join(args, " "), out, stderr)
		}
	}
}
