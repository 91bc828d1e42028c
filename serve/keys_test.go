package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
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
	want := []string{"line 4: not a public key", `line 6: option "from" is not one reel serve enforces`}
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

// TestReadOnlyHoldsOnALineWithOptions: reel-readonly counts wherever it
// stands among the options, quoted values with commas included, and a line
// refused for another option still takes the key's rights away: it never
// leaves the key with full rights from another line. Each problem says
// truthfully what the key may still do.
func TestReadOnlyHoldsOnALineWithOptions(t *testing.T) {
	a, aLine := newPub(t)
	b, bLine := newPub(t)
	c, cLine := newPub(t)
	d, dLine := newPub(t)
	text := strings.Join([]string{
		aLine + " alice",
		`from="10.0.0.0/8,192.168.0.0/16",reel-readonly ` + aLine + " alice from the office",
		`Restrict,REEL-READONLY,no-pty="x,y" ` + bLine + " bob",
		`no-agent-forwarding,Reel-ReadOnly,No-X11-Forwarding ` + cLine + " carol",
		`command="echo a, b",reel-readonly ` + dLine + " dave",
	}, "\n")
	keys, err := ParseKeys(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if k := keys.Lookup(a); k == nil || !k.ReadOnly {
		t.Errorf("alice: %+v, want her let in read-only (line 2 says so, though refused for from=)", k)
	}
	if k := keys.Lookup(b); k != nil {
		t.Errorf("bob: %+v, want him left out: no-pty is not enforced", k)
	}
	if k := keys.Lookup(c); k == nil || !k.ReadOnly || k.Comment != "carol" {
		t.Errorf("carol: %+v, want her read-only (options in any case)", k)
	}
	if k := keys.Lookup(d); k != nil {
		t.Errorf("dave: %+v, want him left out", k)
	}
	want := []string{
		`line 2: option "from" is not one reel serve enforces`,
		`line 3: option "no-pty"`,
		`line 5: option "command"`,
	}
	if len(keys.Problems) != len(want) {
		t.Fatalf("problems %q, want %d", keys.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(keys.Problems[i], w) {
			t.Errorf("problem %d = %q, want it to start %q", i, keys.Problems[i], w)
		}
	}
	if p := keys.Problems[0]; !strings.HasSuffix(p, "that key still logs in through line 1, read-only") {
		t.Errorf("problem %q: want it to say the key still logs in through line 1, read-only", p)
	}
	if p := keys.Problems[1]; !strings.HasSuffix(p, "that key cannot log in") {
		t.Errorf("problem %q: want it to say the key cannot log in", p)
	}
}

func TestLoadKeysRefusesAFileOthersMayWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	_, line := newPub(t)
	path := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o620, 0o602, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKeys(path); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
			t.Errorf("mode %04o: %v, want a refusal saying chmod go-w", mode, err)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o644, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKeys(path); err != nil {
			t.Errorf("mode %04o: %v, want the keys read", mode, err)
		}
	}
}
