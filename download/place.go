package download

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxCopies bounds the search for a free "name (n).mp4".
const maxCopies = 999

// numbered is base with " (n)" before its extension; n = 1 is base itself.
func numbered(base string, n int) string {
	if n <= 1 {
		return base
	}
	ext := filepath.Ext(base)
	return fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(base, ext), n, ext)
}

// findComplete looks for a file of exactly size bytes that reel can trust
// as its own earlier download (see trusted) among base, "base (2)", ... up
// to the first name that is free. It reports its path.
func findComplete(dir, base string, size int64) (string, bool, error) {
	for n := 1; n <= maxCopies; n++ {
		p := filepath.Join(dir, numbered(base, n))
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", false, nil
		case err != nil:
			return "", false, err
		case fi.Mode().IsRegular() && fi.Size() == size && trusted(dir, fi):
			return p, true, nil
		}
	}
	return "", false, nil
}

// place gives the finished part file its final name without ever
// replacing an existing file: a hard link fails if the name is taken, and
// the next name is tried. A file already there with the same bytes is the
// same video: the part is dropped and that file reported, skipped. File systems without hard links get a rename
// after a check, which leaves only a tiny window for a race.
func place(part, dir, base string, size int64) (path string, skipped bool, err error) {
	for n := 1; n <= maxCopies; n++ {
		p := filepath.Join(dir, numbered(base, n))
		fi, err := os.Lstat(p)
		if err == nil {
			if fi.Mode().IsRegular() && fi.Size() == size {
				// The same size is no proof: a file planted under the name
				// must not pass for the video.
				if same, err := sameContent(part, p); err == nil && same {
					_ = os.Remove(part)
					return p, true, nil
				}
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("checking %s: %w", p, err)
		}
		lerr := os.Link(part, p)
		if lerr == nil {
			if err := os.Remove(part); err != nil {
				return "", false, fmt.Errorf("removing %s: %w", part, err)
			}
			return p, false, nil
		}
		if errors.Is(lerr, fs.ErrExist) {
			continue // taken since the Lstat
		}
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := os.Rename(part, p); err != nil {
			return "", false, fmt.Errorf("renaming %s: %w", part, err)
		}
		return p, false, nil
	}
	return "", false, fmt.Errorf("%s: %d copies already in %s; move some away", base, maxCopies, dir)
}

// syncDir makes the rename durable. Not every system can open a folder
// (Windows cannot), so failure is not an error.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
