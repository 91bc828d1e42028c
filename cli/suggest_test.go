package cli

import (
	"strings"
	"testing"
)

func TestOneEdit(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"stauts", "status", true}, // two letters swapped
		{"statu", "status", true},  // one dropped
		{"statuss", "status", true},
		{"stutus", "status", true},
		{"status", "status", false},
		{"stat", "status", false},
		{"wiat", "wait", true},
		{"dowload", "download", true},
		{"sim", "demo", false},
		{"tsatus", "status", true},
		{"satuts", "status", false},
	} {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// A typo of a command is not tracked as a job: it gets a suggestion and
// exit 2. Things shaped like IDs are left alone.
func TestMistypedCommand(t *testing.T) {
	env := map[string]string{"COLOSSYAN_API_KEY": "k", "XDG_STATE_HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir()}
	for _, tt := range []struct{ arg, want string }{
		{"stauts", "did you mean status or stats?"},
		{"wiat", "did you mean wait?"},
		{"dowload", "did you mean download?"},
		{"deom", "did you mean demo?"},
	} {
		_, stderr, code := runCLI(t, env, "", tt.arg, "6f1c2b3a-job")
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("reel %s ID: exit %d, stderr %q; want 2 and %q", tt.arg, code, stderr, tt.want)
		}
	}
	root := NewRoot(IO{}, "test")
	for _, arg := range []string{"status-1", "6f1c2b3a", "Status", "job_abc", "x"} {
		if err := mistypedCommand(root, []string{arg}); err != nil {
			t.Errorf("%q taken for a typo: %v", arg, err)
		}
	}
}

// Without a terminal the dashboard says so in plain words, before it
// touches the store.
func TestDashboardWithoutATerminal(t *testing.T) {
	env := map[string]string{"COLOSSYAN_API_KEY": "k", "XDG_STATE_HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(),
		"COLOSSYAN_BASE_URL": "http://127.0.0.1:1/api/v1"}
	for _, args := range [][]string{{"6f1c2b3a-job"}, {"demo"}} {
		_, stderr, code := runCLI(t, env, "", args...)
		if code != ExitUsage || !strings.Contains(stderr, "needs a terminal") || strings.Contains(stderr, "TTY") {
			t.Errorf("reel %s: exit %d, stderr %q; want 2 and a plain word on the terminal", args[0], code, stderr)
		}
	}
}
