package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/callback"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/track"
)

// noAPI is a client the engine never calls: it is not run here.
type noAPI struct{}

func (noAPI) GetJob(context.Context, string) (*api.Job, error) { return nil, errors.New("not called") }
func (noAPI) GetVideo(context.Context, string) (*api.Video, error) {
	return nil, errors.New("not called")
}

func TestStartReceiver(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "state", "reel", "reel.db")
	eng := track.New(track.Options{Client: noAPI{}})
	var errOut bytes.Buffer
	sio := IO{Err: &errOut, Now: time.Now, Getenv: func(string) string { return "" }}
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()

	stop, url, err := startReceiver(ctx, sio, &config.Settings{}, eng, log)
	if err != nil || url != "" {
		t.Fatalf("no --listen: %q, %v", url, err)
	}
	stop()

	s := &config.Settings{Listen: "127.0.0.1:0", StorePath: store}
	stop, url, err = startReceiver(ctx, sio, s, eng, log)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(filepath.Join(filepath.Dir(store), callback.SecretFile))
	if err != nil {
		t.Fatalf("secret not kept: %v", err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/callback/"+strings.TrimSpace(string(kept))) {
		t.Errorf("url %q does not use the kept secret", url)
	}
	if !strings.Contains(errOut.String(), "made a callback secret") || strings.Contains(errOut.String(), strings.TrimSpace(string(kept))) {
		t.Errorf("note: %q (must say it was made, must not print the secret)", errOut.String())
	}
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"status":"finished"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("POST to the URL: %d", resp.StatusCode)
	}
	stop()

	// Next run: same secret, no note; a secret that is set wins.
	errOut.Reset()
	stop, url2, err := startReceiver(ctx, sio, s, eng, log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if url2[strings.LastIndex(url2, "/"):] != url[strings.LastIndex(url, "/"):] || errOut.Len() != 0 {
		t.Errorf("second run: secret changed or note repeated (%q)", errOut.String())
	}
	s.CallbackSecret = "set-by-the-user-0123456789"
	stop, url3, err := startReceiver(ctx, sio, s, eng, log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if !strings.HasSuffix(url3, "/callback/set-by-the-user-0123456789") {
		t.Errorf("set secret ignored: %q", url3)
	}

	// Nowhere to keep a secret: a usage error that says what to do.
	_, _, err = startReceiver(ctx, sio, &config.Settings{Listen: "127.0.0.1:0"}, eng, log)
	if err == nil || !strings.Contains(err.Error(), "--callback-secret") {
		t.Errorf("no store, no secret: %v", err)
	}
}
