package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

func TestStatsCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reel.db")
	env := map[string]string{"REEL_STORE": path, "XDG_CONFIG_HOME": dir, "HOME": dir}

	// No store yet: said plainly, exit 0, and the JSON says zero jobs.
	out, errOut, code := runCLI(t, env, "", "stats")
	if code != 0 || !strings.Contains(out, "No history yet") || errOut != "" {
		t.Fatalf("no store: code %d, out %q, err %q", code, out, errOut)
	}
	out, _, code = runCLI(t, env, "", "stats", "--json")
	var sum struct {
		Jobs   int            `json:"jobs"`
		Counts map[string]int `json:"counts"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Jobs != 0 {
		t.Fatalf("no store, --json: code %d, out %q", code, out)
	}

	// A history: one job recent, one from two days ago.
	now := time.Now()
	st, err := store.OpenWith(context.Background(), path, store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, ago := range []time.Duration{48 * time.Hour, time.Hour} {
		j := track.Job{ID: []string{"old", "new"}[i], Seq: int64(i + 1)}
		if err := st.Add(ctx, j); err != nil {
			t.Fatal(err)
		}
		for k, s := range []api.Status{api.StatusInQueue, api.StatusGenerating, api.StatusFinished} {
			j.Status, j.StatusSince = s, now.Add(-ago+time.Duration(k)*5*time.Minute)
			if err := st.Save(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.Close()

	out, _, code = runCLI(t, env, "", "stats")
	for _, want := range []string{"Where the time goes", "all history", "2 jobs", "Queue wait  median 5m 00s", "Slowest jobs"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("stats (code %d) lacks %q:\n%s", code, want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("escape sequences in output that is not a terminal:\n%q", out)
	}
	out, _, code = runCLI(t, env, "", "stats", "--since", "1d", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Jobs != 1 || sum.Counts["finished"] != 1 {
		t.Fatalf("--since 1d --json: code %d, %+v, out %q", code, sum, out)
	}
	out, _, _ = runCLI(t, env, "", "stats", "--since", "10m")
	if !strings.Contains(out, "No job changed status in the last 10m") {
		t.Errorf("an empty span is not said plainly:\n%s", out)
	}

	for _, bad := range []string{"soon", "-5m", "1.5d"} {
		_, errOut, code := runCLI(t, env, "", "stats", "--since", bad)
		if code != ExitUsage || !strings.Contains(errOut, "since") {
			t.Errorf("--since %s: code %d, err %q; want a usage error naming --since", bad, code, errOut)
		}
	}
}
