package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

// watchEvery is how often a dashboard looks for other processes' writes
// to the store: a viewer shows the poller's news within it, and the poller
// takes up a viewer's new jobs within it. A look costs one PRAGMA when
// nothing changed.
const watchEvery = 250 * time.Millisecond

// newElector prepares this process's part in polling c's workspace on st:
// the engine's Persister, which Attach and Run then drive.
func newElector(ctx context.Context, st *store.Store, c *api.Client, log *slog.Logger) (*track.Elector, error) {
	salt, err := st.Salt(ctx)
	if err != nil {
		return nil, err
	}
	return track.NewElector(track.ElectorOptions{
		Store:     st,
		Workspace: c.Workspace(salt),
		Holder:    thisProcess(),
		Log:       log,
	}), nil
}

// thisProcess names this process for the lease: host:pid, shown on the
// other dashboards, and a random nonce.
func thisProcess() track.Holder {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return track.Holder{Name: fmt.Sprintf("%s:%d", host, os.Getpid()), Nonce: hex.EncodeToString(b)}
}
