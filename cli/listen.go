package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/reel-dev/reel/callback"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

// startReceiver starts the callback receiver when --listen (or listen in
// the config file) asks for one, and returns the callback URL to show the
// user (http://HOST:PORT/callback/SECRET) and a stop that closes it. With
// no listen address it does nothing: stop is a no-op and url is "".
//
// It may write warnings and a note to sio.Err, so call it before the
// dashboard takes the screen. The receiver also stops when ctx ends.
func startReceiver(ctx context.Context, sio IO, s *config.Settings, eng *track.Engine, log *slog.Logger) (stop func(), url string, err error) {
	return startReceiverWith(ctx, sio, s, eng, log, nil)
}

// startReceiverWith is startReceiver with a hook that hears of each
// accepted callback (for a status line); on may be nil, and must return
// quickly.
func startReceiverWith(ctx context.Context, sio IO, s *config.Settings, eng *track.Engine, log *slog.Logger, on func(callback.Event)) (stop func(), url string, err error) {
	if s.Listen == "" {
		return func() {}, "", nil
	}
	_, exposed, err := callback.ResolveAddr(s.Listen)
	if err != nil {
		return nil, "", usageErr(err)
	}
	secret, err := callbackSecret(sio, s)
	if err != nil {
		return nil, "", err
	}
	rows := &journalRows{path: s.StorePath}
	r := callback.New(callback.Options{
		Addr:       s.Listen,
		Secret:     secret,
		Engine:     eng,
		APIBase:    s.BaseURL,
		Now:        sio.Now,
		Log:        log,
		OnCallback: on,
		RowJob:     rows.lookup,
	})
	url, err = r.Start(ctx)
	if err != nil {
		return nil, "", err
	}
	if exposed {
		fmt.Fprintf(sio.Err, "reel: warning: the callback receiver listens on %s: any machine that can reach this one on that port "+
			"can connect to it. Whoever learns the callback URL (its secret) can make reel ask the API about your jobs at will, "+
			"though not change a job or see your key. To keep it to this machine, listen on 127.0.0.1:PORT and put a tunnel in front.\n", s.Listen)
	}
	return func() { r.Close(); rows.close() }, url, nil
}

// hiddenSecret is the callback URL with its secret left out, for output
// that logs keep (a CI job's standard error), and where the secret is.
func hiddenSecret(url string, s *config.Settings) string {
	base, _, _ := strings.Cut(url, "/callback/")
	where := "the callback secret you set"
	if s.CallbackSecret == "" && s.StorePath != "" && !store.IsPostgres(s.StorePath) {
		where = filepath.Join(filepath.Dir(s.StorePath), callback.SecretFile)
	}
	return base + "/callback/SECRET (SECRET is " + where + "; --show-callback-url prints the whole URL)"
}

// callbackSecret is the secret from --callback-secret or the config file,
// else the one kept next to the store, made on first use so the URL given
// to Colossyan stays valid from run to run.
func callbackSecret(sio IO, s *config.Settings) (string, error) {
	if s.CallbackSecret != "" {
		return s.CallbackSecret, nil
	}
	if s.StorePath == "" {
		return "", usageErr(fmt.Errorf("no place to keep a callback secret: set --callback-secret, " +
			"callback_secret in the config file, or XDG_STATE_HOME"))
	}
	if store.IsPostgres(s.StorePath) {
		// The receivers of a team store run on several hosts behind one
		// URL: they must share the secret, which no local file can do.
		return "", usageErr(errors.New("with a PostgreSQL store, set --callback-secret or callback_secret " +
			"(the same on every host that receives callbacks)"))
	}
	dir := filepath.Dir(s.StorePath)
	secret, created, err := callback.LoadOrCreateSecret(dir)
	if err != nil {
		return "", usageErr(fmt.Errorf("%w (or set --callback-secret)", err))
	}
	if created {
		fmt.Fprintf(sio.Err, "reel: made a callback secret and kept it in %s: the callback URL stays the same next time\n",
			filepath.Join(dir, callback.SecretFile))
	}
	return secret, nil
}
