package download

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// FolderWarning says what is risky about downloading into dir ("" when
// nothing is): a folder others can write to lets them plant files under
// the names reel will use. reel refuses what it finds there that it did
// not write, but the user should know, and choose a folder of their own.
func FolderWarning(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil || !othersCanWrite(fi) {
		return ""
	}
	return fmt.Sprintf("%s can be written by other users, who can plant files under the names reel saves to: "+
		"reel will not trust them, but a folder of your own is safer", dir)
}

// trusted reports whether a complete-looking file found at a final name can
// be taken as reel's own earlier download without fetching anything: it is
// a regular file this user owns, with one name, in a folder only its owner
// may write to. Anything else is downloaded and compared.
func trusted(dir string, fi fs.FileInfo) bool {
	di, err := os.Stat(dir)
	return err == nil && !othersCanWrite(di) && fi.Mode().IsRegular() && ownedHere(fi)
}

// openRegular opens path without following a symlink or blocking, and
// refuses what is not a regular file (a FIFO, a device, a folder).
func openRegular(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := openNoFollow(path, flag, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s); remove it and try again", path, fi.Mode().Type())
	}
	return f, nil
}

// sameContent reports whether the regular files a and b hold the same
// bytes, reading both with fixed buffers.
func sameContent(a, b string) (bool, error) {
	fa, err := openRegular(a, os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := openRegular(b, os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		aEnd := errors.Is(ea, io.EOF) || errors.Is(ea, io.ErrUnexpectedEOF)
		bEnd := errors.Is(eb, io.EOF) || errors.Is(eb, io.ErrUnexpectedEOF)
		switch {
		case aEnd && bEnd:
			return true, nil
		case ea != nil && !aEnd:
			return false, ea
		case eb != nil && !bEnd:
			return false, eb
		case aEnd != bEnd:
			return false, nil
		}
	}
}
