package cli

import (
	"strings"
	"testing"
	"time"
)

// --since takes up to a hundred years; more is refused by name, not
// wrapped into a negative duration or a span in the future.
func TestStatsSinceLimit(t *testing.T) {
	var got statsFlags
	if err := runFlags(newStatsCmd(flagIO(), &globals{}, func(f statsFlags) error { got = f; return nil }), "--since", "36500d"); err != nil {
		t.Fatalf("36500d: %v", err)
	}
	if got.Since != 36500*24*time.Hour {
		t.Errorf("36500d read as %v", got.Since)
	}
	for _, v := range []string{"36501d", "300000d", "9999999999d", "876001h", "99999999999999h"} {
		err := runFlags(newStatsCmd(flagIO(), &globals{}, func(statsFlags) error { return nil }), "--since", v)
		if err == nil || !strings.Contains(err.Error(), "36500d") {
			t.Errorf("--since %s: %v; want it refused, naming the limit 36500d", v, err)
		}
	}
}

// reel stats takes the shared flags it reads (where the store is, and the
// config that may say so) and refuses the others, in its help too.
func TestStatsSharedFlags(t *testing.T) {
	out := help(t, "stats", "--help")
	for _, w := range []string{"--store", "--config", "--since", "--json"} {
		if !strings.Contains(out, w) {
			t.Errorf("reel stats --help lacks %s", w)
		}
	}
	for _, n := range []string{"--base-url", "--listen", "--interval", "--download-dir", "--max-rps", "--debug"} {
		if strings.Contains(out, n) {
			t.Errorf("reel stats --help shows %s", n)
		}
	}
	for _, bad := range [][]string{{"--base-url", "http://x"}, {"--interval", "5s"}, {"--listen", ":1"}, {"--max-rps", "3"}} {
		_, stderr, code := runCLI(t, map[string]string{}, "", append([]string{"stats"}, bad...)...)
		if code != ExitUsage || !strings.Contains(stderr, bad[0]+": not a flag of reel stats") {
			t.Errorf("stats %s: exit %d, %q", bad[0], code, stderr)
		}
	}
}
