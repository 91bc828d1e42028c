package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/download"
)

// finishedVideo answers every lookup with a finished job whose video is at url.
type finishedVideo struct{ url string }

func (f finishedVideo) Lookup(_ context.Context, id string) (*api.Lookup, error) {
	size := int64(1 << 20)
	return &api.Lookup{Kind: api.KindJob,
		Job:   &api.Job{ID: id, VideoID: "v-" + id, Status: api.StatusFinished, Progress: 100, MaximumProgress: 100},
		Video: &api.Video{ID: "v-" + id, Name: "clip", PublicURL: f.url, VideoSizeBytes: &size}}, nil
}

// Ctrl+C during a download exits 130 and says how to resume, not that the
// download failed.
func TestDownloadInterruptedExits130(t *testing.T) {
	started := make(chan struct{}, 1)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1048576")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done() // the rest never comes: the user presses Ctrl+C
	}))
	defer host.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	sio := IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }, Now: time.Now}
	f := &download.Fetcher{Dir: t.TempDir(), HTTP: download.NewHTTPClient()}
	done := make(chan error, 1)
	go func() {
		done <- runDownload(ctx, sio, finishedVideo{host.URL}, f, sliceIDs{"j1"}, downloadOptions{Retry: noRetry})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the download never started")
	}
	cancel()
	err := <-done
	if code := exitCode(err); code != ExitInterrupted {
		t.Errorf("exit %d (%v), want %d", code, err, ExitInterrupted)
	}
	stderr := errb.String()
	if !strings.Contains(stderr, "run the same command again to resume") || strings.Contains(stderr, "download failed") {
		t.Errorf("stderr %q: want how to resume, and no failure", stderr)
	}
}

// wait, with or without --download, exits 130 when interrupted; with
// --download it says how to resume, as download does.
func TestWaitInterruptedExits130(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 9, CallbackEvery: -1})
	id, _ := srv.AddJob(sim.JobSpec{Queued: time.Hour, Age: time.Minute})
	for _, args := range [][]string{{"wait", id}, {"wait", "--download", t.TempDir(), id}} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errb bytes.Buffer
		sio := IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, Now: time.Now}
		code := Execute(ctx, sio, "test", args)
		if code != ExitInterrupted {
			t.Errorf("reel %s: exit %d, want %d; stderr %q", strings.Join(args, " "), code, ExitInterrupted, errb.String())
		}
		if len(args) > 2 && !strings.Contains(errb.String(), "run the same command again to resume") {
			t.Errorf("reel %s: stderr %q: want how to resume", strings.Join(args, " "), errb.String())
		}
	}
}
