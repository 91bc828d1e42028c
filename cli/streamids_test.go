package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// status and download read their IDs twice, the first time only to check
// them: a bad line at the very end of a long list, in a file or on
// standard input, stops the command before a single request or row.
func TestStreamedIDsAreAllCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&b, "job-%d\n", i)
	}
	b.WriteString("bad!id\n")
	list := b.String()
	path := filepath.Join(dir, "ids.txt")
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"COLOSSYAN_API_KEY":  "test-key",
		"COLOSSYAN_BASE_URL": "http://127.0.0.1:1/api/v1", // nothing listens: no request may be made
		"XDG_CONFIG_HOME":    dir,
		"XDG_STATE_HOME":     dir,
		"HOME":               dir,
	}
	t.Setenv("TMPDIR", dir) // where the copy of stdin goes
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"status, file", "", []string{"status", "--json", path}, "ids.txt:20001"},
		{"status, stdin", list, []string{"status", "--json", "-"}, "stdin:20001"},
		{"download, file", "", []string{"download", "--dir", dir, path}, "ids.txt:20001"},
		{"download, stdin", list, []string{"download", "--dir", dir, "-"}, "stdin:20001"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runCLIWithin(t, 10*time.Second, env, c.stdin, c.args...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, `"bad!id"`) {
				t.Fatalf("exit %d (want %d)\nstdout: %q\nstderr: %s", code, ExitUsage, stdout, stderr)
			}
			spools, _ := filepath.Glob(filepath.Join(dir, "reel-stdin-*"))
			if len(spools) > 0 {
				t.Fatalf("the copy of stdin was left behind: %v", spools)
			}
		})
	}
}

// The lookups start on the first IDs while the rest are still to be read,
// and run at most the window ahead of the rows: the list is never held.
func TestLookupEachPullsIDsAsItGoes(t *testing.T) {
	const n = 10_000
	var pulled atomic.Int64 // the feeder pulls, the test reads
	seq := func(yield func(string) bool) {
		for i := range n {
			pulled.Add(1)
			if !yield(fmt.Sprint("job-", i)) {
				return
			}
		}
	}
	got := 0
	lookupEach(t.Context(), &fakeLookups{}, seq, 0, noRetry, func(r result) {
		if r.ID != fmt.Sprint("job-", got) || r.Err != nil {
			t.Fatalf("result %d: %+v", got, r)
		}
		got++
		if ahead := int(pulled.Load()) - got; ahead > lookupWindow+1 {
			t.Fatalf("%d IDs pulled with %d emitted: more than the window ahead", pulled.Load(), got)
		}
	})
	if got != n {
		t.Fatalf("%d results, want %d", got, n)
	}
}
