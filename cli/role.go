package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
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
		Gone:      holderGone,
	}), nil
}

// holderGone reports whether a lease holder named host:pid is a process
// of this machine that has ended, so a dashboard restarted after a crash
// polls at once rather than once the dead one's lease lapses.
func holderGone(name string) bool {
	host, pidText, ok := strings.Cut(name, ":")
	if !ok {
		return false
	}
	me, err := os.Hostname()
	if err != nil || host != me {
		return false // another machine's: only its lease's expiry tells
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return processGone(pid)
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
