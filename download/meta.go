package download

import (
	"encoding/json"
	"net/http"
	"os"
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

func readMeta(path string) (partMeta, bool) {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 4<<10 {
		return partMeta{}, false
	}
	var m partMeta
	if json.Unmarshal(b, &m) != nil {
		return partMeta{}, false
	}
	return m, true
}

// writeMeta records m before any byte of the body is written, so a .part
// with bytes always has the validator they came with.
func writeMeta(path string, m partMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
