//go:build !unix

package download

import (
	"fmt"
	"io/fs"
	"os"
)

// openNoFollow refuses a symlink where the system has no O_NOFOLLOW (a
// small window remains between the look and the open); the caller then
// checks that the file is a regular one.
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link", path)
	}
	return os.OpenFile(path, flag, perm)
}

// ownedHere: there is no shared, world-writable download folder by
// default on these systems, and no owner to compare cheaply.
func ownedHere(fs.FileInfo) bool { return true }

// othersCanWrite: permissions are ACLs here, not mode bits.
func othersCanWrite(fs.FileInfo) bool { return false }
