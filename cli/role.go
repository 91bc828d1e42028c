package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
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

// holderGone reports whether a lease holder is a process of this machine,
// in this process's pid namespace, that has ended, so a dashboard restarted
// after a crash polls at once rather than once the dead one's lease lapses.
// The holder's nonce says where it runs (see thisMachine): a name's host
// and pid alone are no proof, since two containers can share a hostname and
// number their processes alike.
func holderGone(h track.Holder) bool {
	host, pidText, ok := strings.Cut(h.Name, ":")
	if !ok {
		return false
	}
	where, _, ok := strings.Cut(h.Nonce, "/")
	if !ok || where != machine() {
		return false // another machine's or namespace's: only its lease's expiry tells
	}
	me, err := os.Hostname()
	if err != nil || host != me {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return processGone(pid)
}

// machine names where this process's pids mean something: Linux's boot id
// and pid namespace, read once; elsewhere (or when /proc is not there) a
// random name, which no other process shares, so no lease is taken from
// a process reel cannot see.
var machine = sync.OnceValue(func() string {
	boot, err1 := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, err2 := os.Readlink("/proc/self/ns/pid")
	if err1 == nil && err2 == nil && len(bytes.TrimSpace(boot)) > 0 {
		sum := sha256.Sum256([]byte(strings.TrimSpace(string(boot)) + " " + ns))
		return hex.EncodeToString(sum[:8])
	}
	return "r" + randomHex(8)
})

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// thisProcess names this process for the lease: host:pid, shown on the
// other dashboards, and a nonce: where it runs (machine) and a random part.
func thisProcess() track.Holder {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return track.Holder{Name: fmt.Sprintf("%s:%d", host, os.Getpid()), Nonce: machine() + "/" + randomHex(8)}
}
