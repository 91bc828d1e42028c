package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestServeRefusesToStartWhenNobodyCouldLogIn: reel serve stops with exit 2
// and says what to do before it listens, when no key could log in or the
// host key is not private.
func TestServeRefusesToStartWhenNobodyCouldLogIn(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	good := write("good_keys", string(gossh.MarshalAuthorizedKey(sp)), 0o600)
	garbage := write("garbage_keys", "# the team\nssh-ed25519 nope alice\n", 0o600)
	open := write("open_host_key", "not even a key", 0o644)
	writable := write("writable_keys", string(gossh.MarshalAuthorizedKey(sp)), 0o664)
	env := map[string]string{
		"COLOSSYAN_API_KEY":  "test-key",
		"COLOSSYAN_BASE_URL": "http://127.0.0.1:1/api/v1", // nothing listens: no case may get this far
		"XDG_CONFIG_HOME":    dir,
		"XDG_STATE_HOME":     dir,
		"HOME":               dir,
	}
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no authorized_keys", []string{"serve", "--addr", "127.0.0.1:45090"},
			[]string{filepath.Join(dir, "reel", "authorized_keys"), "--authorized-keys"}},
		{"no usable key", []string{"serve", "--addr", "127.0.0.1:45090", "--authorized-keys", garbage},
			[]string{"nobody could log in", "line 2"}},
		{"host key others may read", []string{"serve", "--addr", "127.0.0.1:45090", "--authorized-keys", good, "--host-key", open},
			[]string{"chmod 600"}},
		{"no sessions allowed", []string{"serve", "--max-sessions", "0"}, []string{"--max-sessions"}},
		{"keys others may write", []string{"serve", "--addr", "127.0.0.1:45090", "--authorized-keys", writable},
			[]string{"writable by others", "chmod go-w " + writable}},
		{"no sessions for a key", []string{"serve", "--max-sessions-per-key", "0"}, []string{"--max-sessions-per-key"}},
		{"no connections", []string{"serve", "--max-connections", "0"}, []string{"--max-connections"}},
		{"no idle time", []string{"serve", "--idle-timeout", "0s"}, []string{"--idle-timeout"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runCLIWithin(t, 5*time.Second, env, "", c.args...)
			if code != ExitUsage {
				t.Errorf("reel %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, ExitUsage, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("reel %s: stderr does not name %q:\n%s", strings.Join(c.args, " "), w, stderr)
				}
			}
		})
	}
}
