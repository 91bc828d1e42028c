package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey reads the server's host key from path, making it once (Ed25519,
// mode 0600, in a folder made 0700) when there is none. A key that others
// may read is refused, as OpenSSH refuses one: whoever reads it can pose
// as this server.
func HostKey(path string) (gossh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if pemBytes, err = makeHostKey(path); err != nil {
			return nil, fmt.Errorf("make the host key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read the host key: %w", err)
	} else if err := checkPrivate(path); err != nil {
		return nil, err
	}
	s, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("the host key %s is not an unencrypted private key in OpenSSH or PEM form: %w "+
			"(move it away and reel serve makes a new one)", path, err)
	}
	return s, nil
}

func makeHostKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "reel serve host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	// O_EXCL: two servers started at once do not both write it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return data, f.Close()
}

// checkPrivate refuses a host key that group or others may read.
func checkPrivate(path string) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix modes to check
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("read the host key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("the host key %s may be read by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return nil
}
