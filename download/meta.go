package download

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// partMeta is what a resume needs besides the bytes: the validator of the
// response the bytes came from, for If-Range, and the full size. It sits
// next to the .part file (as .part.meta), so a resume works across runs
// without a store.
type partMeta struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Size         int64  `json:"size"` // -1: unknown
}

// validator is the If-Range value: a strong ETag, else Last-Modified.
// A weak ETag may not be used with If-Range (RFC 9110, 13.1.5).
func (m partMeta) validator() string {
	if m.ETag != "" && !strings.HasPrefix(m.ETag, "W/") {
		return m.ETag
	}
	return m.LastModified
}

func metaFrom(resp *http.Response, size int64) partMeta {
	return partMeta{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Size: size}
}

// maxMetaBytes caps what is read of a .part.meta: reel's own are under
// 200 bytes, and anything may be planted under the name.
const maxMetaBytes = 4 << 10

// readMeta reads the meta at path: only a regular file (never through a
// symlink, never blocking on a FIFO), at most maxMetaBytes of it.
func readMeta(path string) (partMeta, bool) {
	f, err := openRegular(path, os.O_RDONLY, 0)
	if err != nil {
		return partMeta{}, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetaBytes+1))
	if err != nil || len(b) > maxMetaBytes {
		return partMeta{}, false
	}
	var m partMeta
	if json.Unmarshal(b, &m) != nil {
		return partMeta{}, false
	}
	return m, true
}

// writeMeta records m before any byte of the body is written, so a .part
// with bytes always has the validator they came with. It writes a new
// file and renames it over path: whatever stood there (a symlink to
// another file, say) is replaced, never written through.
func writeMeta(path string, m partMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".reel-meta-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a rename, nothing is there to remove
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
