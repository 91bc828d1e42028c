//go:build unix

package download

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// sharedDir is a download folder others may write to, as /tmp is.
func sharedDir(t *testing.T, f *Fetcher) {
	t.Helper()
	if err := os.Chmod(f.Dir, 0o1777); err != nil {
		t.Fatal(err)
	}
}

func TestPlantedSymlinkPartIsNotWrittenThrough(t *testing.T) {
	h := newFileHost(t, 4096)
	f, _ := testFetcher(t, nil)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	v := &api.Video{ID: "v", Name: "x", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(4096)}
	final := filepath.Join(f.Dir, FileName(v))
	if err := os.Symlink(victim, final+".part"); err != nil {
		t.Fatal(err)
	}
	_, err := f.Fetch(context.Background(), v)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("err = %v, want the symlink refused", err)
	}
	if got := readFile(t, victim); string(got) != "precious" {
		t.Errorf("the file the symlink points at was written: %q…", got[:min(len(got), 20)])
	}
}

func TestPlantedMetaSymlinkIsReplacedNotWrittenThrough(t *testing.T) {
	h := newFileHost(t, 4096)
	f, _ := testFetcher(t, nil)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	v := &api.Video{ID: "v", Name: "x", PublicURL: h.url("a")}
	final := filepath.Join(f.Dir, FileName(v))
	if err := os.Symlink(victim, final+".part.meta"); err != nil {
		t.Fatal(err)
	}
	path, err := f.Fetch(context.Background(), v)
	if err != nil || !bytes.Equal(readFile(t, path), h.content) {
		t.Fatalf("got %s, %v", path, err)
	}
	if got := readFile(t, victim); string(got) != "precious" {
		t.Errorf("the meta was written through the symlink: %q", got)
	}
}

func TestPlantedMetaOfZerosIsReadWithinALimit(t *testing.T) {
	f, _ := testFetcher(t, nil)
	p := filepath.Join(f.Dir, "m.part.meta")
	if err := os.Symlink("/dev/zero", p); err != nil {
		t.Fatal(err)
	}
	if _, ok := readMeta(p); ok {
		t.Error("a symlink to /dev/zero read as a meta")
	}
	big := filepath.Join(f.Dir, "big.part.meta")
	if err := os.WriteFile(big, append([]byte(`{"size":5}`), bytes.Repeat([]byte(" "), maxMetaBytes)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := readMeta(big); ok {
		t.Errorf("a meta over %d bytes was accepted", maxMetaBytes)
	}
}

func TestPlantedFIFODoesNotHang(t *testing.T) {
	h := newFileHost(t, 4096)
	f, _ := testFetcher(t, nil)
	v := &api.Video{ID: "v", Name: "x", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(4096)}
	final := filepath.Join(f.Dir, FileName(v))
	for _, name := range []string{final + ".part.meta", final + ".part"} {
		if err := syscall.Mkfifo(name, 0o666); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
	}
	done := make(chan error, 1)
	go func() { _, err := f.Fetch(context.Background(), v); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("err = %v, want the FIFO refused", err)
		}
	case <-time.After(20 * time.Second): // a deadlock guard, not a timing assertion
		t.Fatal("reel hangs on a FIFO")
	}
}

func TestPlantedFinishedFileIsNotTrusted(t *testing.T) {
	h := newFileHost(t, 4096)
	f, _ := testFetcher(t, nil)
	sharedDir(t, f)
	v := &api.Video{ID: "v", Name: "x", PublicURL: h.url("a"), VideoSizeBytes: sizePtr(4096)}
	plain := filepath.Join(f.Dir, FileName(v))
	planted := bytes.Repeat([]byte{'A'}, 4096) // the announced size, other bytes
	if err := os.WriteFile(plain, planted, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := f.Download(context.Background(), v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped || res.Path == plain || len(h.seen()) != 1 {
		t.Fatalf("the planted file was taken for the download: %+v after %d requests", res, len(h.seen()))
	}
	if !bytes.Equal(readFile(t, res.Path), h.content) || !bytes.Equal(readFile(t, plain), planted) {
		t.Fatal("contents mixed up")
	}
	// A planted file with the video's own bytes is the same video: kept,
	// but only once fetched and compared.
	h2 := newFileHost(t, 4096)
	f2, _ := testFetcher(t, nil)
	sharedDir(t, f2)
	if err := os.WriteFile(filepath.Join(f2.Dir, FileName(v)), h2.content, 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := *v
	v2.PublicURL = h2.url("a")
	res, err = f2.Download(context.Background(), &v2, nil)
	if err != nil || !res.Skipped || len(h2.seen()) != 1 {
		t.Fatalf("same bytes: %+v, %v after %d requests", res, err, len(h2.seen()))
	}
}

func TestFolderWarning(t *testing.T) {
	dir := t.TempDir()
	if w := FolderWarning(dir); w != "" {
		t.Errorf("own folder: %q", w)
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	if w := FolderWarning(dir); !strings.Contains(w, "can be written by other users") {
		t.Errorf("shared folder: %q", w)
	}
}

// endless is a file host that sends a chunked body that never ends.
func endless(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		chunk := bytes.Repeat([]byte{'z'}, 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v.mp4"
}

func TestBodyPastTheAnnouncedSizeIsStopped(t *testing.T) {
	f, _ := testFetcher(t, nil)
	_, err := f.Fetch(context.Background(), &api.Video{ID: "v", PublicURL: endless(t), VideoSizeBytes: sizePtr(1000)})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != 1000 || le.Got > 1000+bufSize || !strings.Contains(err.Error(), "more than videoSizeBytes announced") {
		t.Fatalf("err = %v, want a LimitError at 1000 naming videoSizeBytes", err)
	}
	if names := dirNames(t, f.Dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

func TestUnannouncedSizeIsCapped(t *testing.T) {
	f, _ := testFetcher(t, nil)
	f.MaxUnknownSize = 1 << 20
	_, err := f.Fetch(context.Background(), &api.Video{ID: "v", PublicURL: endless(t)})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != 1<<20 || !strings.Contains(err.Error(), "MaxUnknownSize") {
		t.Fatalf("err = %v, want the cap named", err)
	}
	if names := dirNames(t, f.Dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

func TestUnannouncedSizeStopsOnLowSpace(t *testing.T) {
	f, _ := testFetcher(t, nil)
	free := int64(3 << 30)
	f.FreeSpace = func(string) (int64, bool) { free -= 1 << 30; return free, true }
	_, err := f.Fetch(context.Background(), &api.Video{ID: "v", PublicURL: endless(t)})
	var le *LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "MinFree") || le.Got < spaceEvery {
		t.Fatalf("err = %v, want the free-space check named, after one look", err)
	}
}
