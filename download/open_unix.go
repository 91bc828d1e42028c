//go:build unix

package download

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens path without following a symlink at its last element
// (the open fails) and without blocking on a FIFO or device planted there;
// the caller then checks with fstat that it is a regular file.
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link, which reel does not follow; remove it and try again", path)
	}
	return f, err
}

// ownedHere reports whether fi is a file this user owns with no other name
// (no hard link to it elsewhere): a file no one else could have put there.
func ownedHere(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid() && st.Nlink == 1
}

// othersCanWrite reports whether users other than the owner may create
// files in dir: a shared folder such as /tmp.
func othersCanWrite(fi fs.FileInfo) bool {
	return fi.Mode().Perm()&0o002 != 0
}
