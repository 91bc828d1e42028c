package cli

import (
	"context"
	"errors"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// urlGuard passes the engine's requests on, and stops the command at the
// first answer that shows the base URL is not the API's (a 404 web page):
// every job would otherwise read as "not found", for ever.
type urlGuard struct {
	track.Client
	stop context.CancelCauseFunc
}

// guardURL wraps c so that a wrong base URL cancels, with that error as the
// cause, the context stop belongs to.
func guardURL(c track.Client, stop context.CancelCauseFunc) track.Client {
	return &urlGuard{Client: c, stop: stop}
}

func (g *urlGuard) GetJob(ctx context.Context, id string) (*api.Job, error) {
	j, err := g.Client.GetJob(ctx, id)
	g.check(err)
	return j, err
}

func (g *urlGuard) GetVideo(ctx context.Context, id string) (*api.Video, error) {
	v, err := g.Client.GetVideo(ctx, id)
	g.check(err)
	return v, err
}

func (g *urlGuard) check(err error) {
	if api.IsWrongURL(err) {
		g.stop(err)
	}
}

// wrongURL is the wrong-URL error that ended ctx, if that is what ended it,
// as a usage error (exit 2).
func wrongURL(ctx context.Context) error {
	var w *api.WrongURLError
	if errors.As(context.Cause(ctx), &w) {
		return usageErr(w)
	}
	return nil
}
