package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func help(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, code := runCLI(t, map[string]string{}, "", args...)
	if code != 0 {
		t.Fatalf("reel %s: exit %d, %s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// Each command's help lists the shared flags it takes and no others, in
// words without pflag's backticks or a second default.
func TestHelpListsOwnFlags(t *testing.T) {
	for _, tt := range []struct {
		cmd       string
		want, not []string
	}{
		{"sim", []string{"--addr", "--seed"}, []string{"--store", "--listen", "--download-dir", "--base-url", "--interval"}},
		{"status", []string{"--json", "--base-url", "--config", "--max-rps", "--max-in-flight"}, []string{"--store", "--listen", "--download-dir", "--interval"}},
		{"download", []string{"--dir", "--download-dir", "--max-rps"}, []string{"--store", "--listen", "--interval"}},
		{"wait", []string{"--timeout", "--listen", "--interval", "no limit", "--max-rps", "--max-in-flight"}, []string{"--download-dir", "--debug", "(0s)"}},
		{"", []string{"--store", "--listen", "man ", "adaptive", "--max-rps"}, []string{"(0s)"}},
	} {
		args := []string{"--help"}
		if tt.cmd != "" {
			args = []string{tt.cmd, "--help"}
		}
		out := help(t, args...)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("reel %s --help lacks %q", tt.cmd, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("reel %s --help shows %q", tt.cmd, n)
			}
		}
		if strings.Contains(out, "`") {
			t.Errorf("reel %s --help shows backticks", tt.cmd)
		}
	}
	_, stderr, code := runCLI(t, map[string]string{}, "", "status", "--store", "x", "abc-1")
	if code != ExitUsage || !strings.Contains(stderr, "--store: not a flag of reel status") {
		t.Errorf("status --store: exit %d, %q", code, stderr)
	}
}

// The man page keeps sentences in their paragraphs and has no markdown.
func TestManPage(t *testing.T) {
	out := help(t, "man")
	if strings.Contains(out, "`") {
		t.Error("the man page shows backticks")
	}
	if strings.Contains(out, "powershell") {
		t.Error("the man page lists the completion scripts, one by one")
	}
	for _, want := range []string{
		"a live dashboard of their progress, and scripting", // one paragraph, not two
		".SH REEL STATUS", "130 when interrupted", "Exit status: 0 when every job could be read",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, tt := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", "94b3e9063cdf47c7092822d07755f681900ac5fb", "vcs.time", "2026-11-30T19:15:08Z", "vcs.modified", "true")},
			"dev-94b3e9063cdf-dirty (2026-11-30T19:15:08 UTC)"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev (no version or VCS revision in this build)"},
	} {
		if got := versionFrom(&tt.info); got != tt.want {
			t.Errorf("versionFrom = %q, want %q", got, tt.want)
		}
	}
	if got := buildVersion("v2.0.0"); got != "v2.0.0" {
		t.Errorf("a version set at build time became %q", got)
	}
}
