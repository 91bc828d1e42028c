package callback

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SecretFile is the name of the file, next to the store, that keeps a
// generated secret so the callback URL stays the same from run to run (a
// job created yesterday still calls back to today's receiver).
const SecretFile = "callback-secret"

// NewSecret returns a fresh random secret: 26 base-32 characters from
// crypto/rand (128 bits), usable as one URL path segment as it is.
func NewSecret() string { return rand.Text() }

// LoadOrCreateSecret returns the secret kept in dir/callback-secret, and
// whether it was made just now. With no file, it makes one and writes it
// (mode 0600, the folder 0700, created if missing). A file that exists but
// holds no usable secret is an error rather than replaced: someone may have
// put it there on purpose, and a silent new secret would break every job
// already pointed at the old URL.
func LoadOrCreateSecret(dir string) (secret string, created bool, err error) {
	if dir == "" {
		return "", false, errors.New("no folder to keep the callback secret in: set --callback-secret, callback_secret in the config file, or XDG_STATE_HOME")
	}
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if msg := CheckSecret(s); msg != "" {
			return "", false, fmt.Errorf("callback secret in %s %s; fix or delete the file", path, msg)
		}
		if runtime.GOOS != "windows" {
			if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
				return "", false, fmt.Errorf("callback secret in %s can be read by others: chmod 600 %s", path, path)
			}
		}
		return s, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("read the callback secret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("make a folder for the callback secret: %w", err)
	}
	s := NewSecret()
	// Written whole to a temporary file, then linked into place: the link
	// fails if the name exists, so two reels starting at once cannot each
	// keep their own secret (the loser reads the winner's), and neither can
	// read a file still being written.
	tmp, err := os.CreateTemp(dir, ".callback-secret-*")
	if err != nil {
		return "", false, fmt.Errorf("keep the callback secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		_ = tmp.Close()
		return "", false, fmt.Errorf("keep the callback secret: %w", err)
	}
	if _, err := tmp.WriteString(s + "\n"); err != nil {
		_ = tmp.Close()
		return "", false, fmt.Errorf("keep the callback secret in %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", false, fmt.Errorf("keep the callback secret in %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateSecret(dir)
		}
		return "", false, fmt.Errorf("keep the callback secret in %s: %w", path, err)
	}
	return s, true, nil
}

// CheckSecret says what is wrong with a secret ("" when nothing is): it
// must be one URL path segment of unreserved characters, long enough not to
// be guessed. The secret itself is never quoted.
func CheckSecret(s string) string {
	if len(s) < MinSecretLen {
		return fmt.Sprintf("is shorter than %d characters", MinSecretLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return "may hold only letters, digits, '-', '_', '.' and '~'"
		}
	}
	return ""
}

// MinSecretLen is the shortest secret a stored file may hold. A secret the
// user sets is only warned about (by config), not refused.
const MinSecretLen = 16
