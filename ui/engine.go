package ui

import (
	"context"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// Engine is what the dashboard needs of the tracking engine; *track.Engine
// satisfies it. The dashboard calls it only from commands, never from
// Update, because calls may block briefly.
type Engine interface {
	// Add tracks new IDs and returns the snapshots of those it added.
	Add(ids ...string) []track.Job
	// Remove stops tracking and returns the removed snapshots, for undo.
	Remove(ids ...string) []track.Job
	// Restore re-tracks removed jobs with their old order and state.
	Restore(jobs ...track.Job)
	// Refresh polls the given jobs now; no IDs means all.
	Refresh(ids ...string)
	// Jobs returns every tracked job in the order added.
	Jobs() []track.Job
	// Conn returns how the connection to the API fares.
	Conn() track.Conn
	// Next blocks until events are pending and returns all of them.
	Next(ctx context.Context) ([]track.Event, error)
}

// RefreshLimiter is an Engine that may turn a refresh down: reel serve's
// viewers share one pace of refreshes. The dashboard asks such an engine
// through TryRefresh, and says at once when it was refused, rather than
// "refreshing" for answers that will not come.
type RefreshLimiter interface {
	// TryRefresh is Refresh, or an error saying why it was refused and
	// when to try again; its text is shown in the status line.
	TryRefresh(ids ...string) error
}

// Downloader is the optional hook for the d and D keys; *download.Manager
// satisfies it. A nil Downloader makes those keys say that downloads are
// not available. Like the engine, it is called only from commands.
type Downloader interface {
	// Start queues a download of a finished job's video and returns at
	// once; false means it is already queued or running.
	Start(v *api.Video) bool
	// Active reports how many downloads are queued or running, so
	// quitting can ask first.
	Active() int
	// Next blocks until downloads have moved and returns the newest
	// progress of each, throttled by the downloader.
	Next(ctx context.Context) ([]download.Progress, error)
}

// The real engine and downloader must keep satisfying what the dashboard
// needs.
var (
	_ Engine     = (*track.Engine)(nil)
	_ Downloader = (*download.Manager)(nil)
)
