//go:build unix

package download

import (
	"errors"
	"os"
	"syscall"
)

// placeWhileOpen: the finished file is linked into place before the .part
// is closed, so the lock covers the whole hand-over.
const placeWhileOpen = true

// lockPart takes an exclusive, non-blocking lock on an open .part file, so
// two reel processes (a dashboard's D and a `reel wait --download` into the
// same folder) never write one file at once. The lock goes with the file's
// last close, crash included.
func lockPart(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrBusy
	}
	return err
}
