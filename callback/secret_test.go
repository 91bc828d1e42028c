package callback

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "reel") // not there yet
	s1, created, err := LoadOrCreateSecret(dir)
	if err != nil || !created {
		t.Fatalf("first call: %q, created %v, %v", s1, created, err)
	}
	if msg := CheckSecret(s1); msg != "" {
		t.Fatalf("generated secret %s", msg)
	}
	path := filepath.Join(dir, SecretFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	s2, created, err := LoadOrCreateSecret(dir)
	if err != nil || created || s2 != s1 {
		t.Fatalf("second call: created %v, same %v, %v", created, s2 == s1, err)
	}
}

func TestLoadOrCreateSecretRacers(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			s, _, err := LoadOrCreateSecret(dir)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got {
		if s != got[0] {
			t.Fatalf("racing starts made different secrets")
		}
	}
}

func TestLoadOrCreateSecretRefuses(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"short", "abc\n", 0o600, "shorter than"},
		{"not one path segment", "abcdefghijklmnop/q\n", 0o600, "may hold only"},
		{"empty", "", 0o600, "shorter than"},
		{"readable by others", "abcdefghijklmnopqrstuvwxyz\n", 0o644, "chmod 600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mode&0o077 != 0 && runtime.GOOS == "windows" {
				t.Skip("no Unix modes")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, SecretFile)
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			s, _, err := LoadOrCreateSecret(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %q, %v; want an error saying %q", s, err, tt.want)
			}
			if tt.content != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.content)) {
				t.Errorf("error quotes the secret: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("file changed to %q", b)
			}
		})
	}
	if _, _, err := LoadOrCreateSecret(""); err == nil {
		t.Error("no folder: no error")
	}
}
