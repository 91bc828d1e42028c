package download

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseContentRange: whatever a file host sends, an accepted range
// starts inside the file, so a resume never seeks past its end or before
// its start.
func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{
		"bytes 0-99/100", "bytes 50-99/100", "bytes */100", "bytes 0-0/1", " bytes 5-9/10 ",
		"bytes 9-5/10", "bytes 0-100/100", "bytes -1-5/10", "bytes 0-9/-1", "bytes 0-9/*",
		"bytes 9223372036854775806-9223372036854775806/9223372036854775807", "bits 0-1/2", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, size, ok := parseContentRange(s)
		if !ok {
			return
		}
		if size < 0 || first < 0 || (first > 0 && first >= size) {
			t.Fatalf("parseContentRange(%q) = %d, %d: outside the file", s, first, size)
		}
	})
}

// FuzzReadMeta: a .part.meta left by a crash, another program or a disk
// error is either refused or read, never a panic. (A size of 0 or below is
// read as it is; openPart then restarts the .part, which is safe.)
func FuzzReadMeta(f *testing.F) {
	for _, s := range []string{
		`{"etag":"\"abc\"","lastModified":"Mon, 02 Jan 2006 15:04:05 GMT","size":100}`,
		`{"size":-1}`, `{"size":-7}`, `{"size":1e30}`, `{"etag":5}`, `[]`, `null`, ``, "\x00\xff", `{"size":100`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "x.part.meta")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		readMeta(p)
	})
}
