package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// sqliteMagic opens every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// precheck reads the file's header before SQLite touches it. Opening a
// damaged file in WAL mode could write to it; reel must never do that, so
// the plain signs of damage (not SQLite at all, cut short) are caught here,
// read-only. A missing or empty file passes: it becomes a new store.
func precheck(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return &CorruptError{Path: path, Reason: "not a regular file"}
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	hdr := make([]byte, 100)
	n, err := io.ReadFull(f, hdr)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if !bytes.HasPrefix(hdr[:n], sqliteMagic[:min(n, len(sqliteMagic))]) {
		return &CorruptError{Path: path, Reason: "not an SQLite database"}
	}
	if n < len(hdr) {
		return &CorruptError{Path: path, Reason: fmt.Sprintf("only %d bytes, shorter than an SQLite header", size)}
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return &CorruptError{Path: path, Reason: fmt.Sprintf("header gives an impossible page size %d", pageSize)}
	}
	if size%pageSize != 0 {
		return &CorruptError{Path: path, Reason: fmt.Sprintf("truncated: %d bytes is not a whole number of %d-byte pages", size, pageSize)}
	}
	// The header's page count is trustworthy only when its change counter
	// matches "version valid for". With a write-ahead log present, the log
	// may legitimately hold pages the main file lacks after a crash mid-
	// checkpoint, so a short file is damage only without one.
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	valid := pages > 0 && bytes.Equal(hdr[24:28], hdr[92:96])
	if valid && size < pages*pageSize && !hasWAL(path) {
		return &CorruptError{Path: path, Reason: fmt.Sprintf("truncated: %d bytes where the header promises %d pages of %d bytes", size, pages, pageSize)}
	}
	return nil
}

func hasWAL(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 0
}
