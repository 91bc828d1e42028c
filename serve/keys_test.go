package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"
)

func newPub(t *testing.T) (gossh.PublicKey, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k)))
}

func TestParseKeysNamesBadLinesAndKeepsTheKeysAfterThem(t *testing.T) {
	a, aLine := newPub(t)
	b, bLine := newPub(t)
	c, cLine := newPub(t)
	d, dLine := newPub(t)
	e, eLine := newPub(t)
	text := strings.Join([]string{
		"# the team",
		aLine + " alice@laptop",
		"",
		"ssh-ed25519 AAAAnot-a-key bad",
		"reel-readonly " + bLine + " bob",
		`from="10.0.0.0/8" ` + cLine + " carol",
		"restrict,no-port-forwarding " + dLine + " dave",
		eLine + " erin",
		"reel-readonly " + eLine + " erin again",
	}, "\n")
	keys, err := ParseKeys(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"line 4: not a public key", `line 6: option "from" is not one reel serve understands`}
	if len(keys.Problems) != len(want) {
		t.Fatalf("problems %q, want %d", keys.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(keys.Problems[i], w) {
			t.Errorf("problem %d = %q, want it to start %q", i, keys.Problems[i], w)
		}
	}
	for _, c := range []struct {
		key      gossh.PublicKey
		in, ro   bool
		comment  string
		lineWant int
	}{
		{a, true, false, "alice@laptop", 2},
		{b, true, true, "bob", 5},
		{c, false, false, "", 0}, // a restriction reel cannot keep leaves the key out
		{d, true, false, "dave", 7},
		{e, true, true, "erin", 8}, // read-only if any of its lines says so
	} {
		k := keys.Lookup(c.key)
		if (k != nil) != c.in {
			t.Errorf("%s: let in %v, want %v", c.comment, k != nil, c.in)
			continue
		}
		if k == nil {
			continue
		}
		if k.ReadOnly != c.ro || k.Comment != c.comment || k.Line != c.lineWant {
			t.Errorf("key %+v, want read-only %v, comment %q, line %d", *k, c.ro, c.comment, c.lineWant)
		}
		if k.Fingerprint != gossh.FingerprintSHA256(c.key) {
			t.Errorf("fingerprint %s", k.Fingerprint)
		}
	}
	if keys.Len() != 4 || keys.ReadOnly() != 2 {
		t.Errorf("%d keys, %d read-only; want 4 and 2", keys.Len(), keys.ReadOnly())
	}
}

func TestLoadKeysRefusesAFileThatLetsNobodyIn(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none")
	if _, err := LoadKeys(missing); err == nil || !strings.Contains(err.Error(), "--authorized-keys") {
		t.Errorf("a missing file: %v, want an error naming --authorized-keys", err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("# nobody\nssh-rsa garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKeys(bad)
	if err == nil || !strings.Contains(err.Error(), "nobody could log in") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a file with no usable key: %v, want an error saying nobody could log in, naming line 2", err)
	}
	long := filepath.Join(dir, "long")
	if err := os.WriteFile(long, []byte(strings.Repeat("x", maxKeysLine+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeys(long); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("an overlong line: %v, want the limit named", err)
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add("reel-readonly ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEPYlK0+opnfJwvDpZ+PhxVxT0lWJh6mSk1ALvKJ5Lr a\n# c\n\nbad")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseKeys(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, k := range keys.byWire {
			if strings.ContainsAny(k.Comment, "\x1b\x07") {
				t.Fatalf("comment %q keeps a control character", k.Comment)
			}
		}
	})
}

func TestHostKeyIsMadeOncePrivateAndRefusedWhenOthersMayReadIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "reel", "host_key")
	first, err := HostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", fi.Mode().Perm())
	}
	again, err := HostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(first.PublicKey()) != gossh.FingerprintSHA256(again.PublicKey()) {
		t.Error("a second start made a new host key")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := HostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a host key others may read: %v, want a refusal saying chmod 600", err)
	}
}

func TestProfileTakesNoColorFromTheSession(t *testing.T) {
	if p := profile([]string{"TERM=xterm-256color", "NO_COLOR=yes please"}); p != colorprofile.Ascii {
		t.Errorf("NO_COLOR in the session: profile %v, want Ascii", p)
	}
	if p := profile([]string{"TERM=xterm-256color", "COLORTERM=truecolor"}); p != colorprofile.TrueColor {
		t.Errorf("a truecolor terminal: profile %v, want TrueColor", p)
	}
}
