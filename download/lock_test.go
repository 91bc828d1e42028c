//go:build unix

package download

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/reel-dev/reel/api"
)

// Another process holding the .part file's lock (a dashboard's D and a
// `reel wait --download` into one folder) makes this download stop with
// ErrBusy instead of writing over the other's bytes; once the lock is gone
// the download goes through.
func TestBusyPartFileIsLeftAlone(t *testing.T) {
	h := newFileHost(t, 1<<20)
	f, _ := testFetcher(t, nil)
	v := &api.Video{ID: "vid1", Name: "Intro", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(len(h.content))}
	part := filepath.Join(f.Dir, "Intro-vid1.mp4.part")
	other, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	_, err = f.Download(context.Background(), v, nil)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Download with the .part locked elsewhere: %v, want ErrBusy", err)
	}
	_ = other.Close() // the other process is done (or died): its lock goes
	res, err := f.Download(context.Background(), v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, res.Path), h.content) {
		t.Fatal("content differs")
	}
}
