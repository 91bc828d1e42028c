package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/serve"
	"github.com/reel-dev/reel/ui"
)

// serveFlags are reel serve's own flags.
type serveFlags struct {
	addr           string
	authorizedKeys string
	hostKey        string
	maxSessions    int
	maxPerKey      int
	maxConns       int
	idleTimeout    time.Duration
	keepAlive      time.Duration
}

// newServeCmd is reel serve; runF, when set, gets its flags and arguments
// instead of serving (for tests of the flags).
func newServeCmd(sio IO, g *globals, runF func(f serveFlags, args []string) error) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [ID|FILE|-]...",
		Short: "The dashboard over SSH for the whole team, from one engine",
		Long: `Serve runs one engine on this host (one set of polls, one store) and gives every
SSH session a dashboard of its own: ssh -p 2222 HOST, with nothing installed
and no API key on the viewer's machine.

Only public keys get in, listed in an authorized_keys file (default beside
the config file). A key whose line starts with the option reel-readonly may
only look: no a, x, u, D or R, and d gives the video's link instead of saving it
on this host. o never opens a browser here: it sends the link to the viewer's
clipboard (OSC 52) and shows it. The host key is made once, mode 0600, beside
the store. Every login and refusal is logged to standard error with the key's
fingerprint.`,
		Example: `  # the team's dashboard on port 2222, with callbacks received on 8080
  reel serve --addr :2222 --listen :8080

  # in ~/.config/reel/authorized_keys:
  ssh-ed25519 AAAAC3Nza... alice@laptop
  reel-readonly ssh-ed25519 AAAAC3Nza... bob@phone`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(f, args)
			}
			return runServe(cmd.Context(), sio, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", ":2222", "listen for SSH on HOST:PORT")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "public keys allowed in (default $XDG_CONFIG_HOME/reel/authorized_keys)")
	fl.StringVar(&f.hostKey, "host-key", "", "the server's private key, made if missing (default $XDG_STATE_HOME/reel/ssh_host_ed25519_key)")
	fl.IntVar(&f.maxSessions, "max-sessions", serve.DefaultMaxSessions, "most SSH sessions at once")
	fl.IntVar(&f.maxPerKey, "max-sessions-per-key", serve.DefaultMaxSessionsPerKey, "most SSH sessions at once for one key")
	fl.IntVar(&f.maxConns, "max-connections", serve.DefaultMaxConnections, "most TCP connections at once, logged in or not")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a connection that has no session for this long")
	fl.DurationVar(&f.keepAlive, "keepalive", serve.DefaultKeepAlive, "close a connection silent for twice this (a cut network)")
	return takesShared(cmd, "config", "base-url", "store", "interval", "download-dir", "listen", "callback-secret", "debug", "max-rps", "max-in-flight")
}

// check refuses flags no server can run with.
func (f serveFlags) check() error {
	if f.maxSessions < 1 {
		return usageErr(fmt.Errorf("--max-sessions must be at least 1, not %d", f.maxSessions))
	}
	if f.maxPerKey < 1 {
		return usageErr(fmt.Errorf("--max-sessions-per-key must be at least 1, not %d", f.maxPerKey))
	}
	if f.maxConns < 1 {
		return usageErr(fmt.Errorf("--max-connections must be at least 1, not %d", f.maxConns))
	}
	if f.idleTimeout < time.Second {
		return usageErr(fmt.Errorf("--idle-timeout must be at least 1s, not %s", f.idleTimeout))
	}
	if f.keepAlive < time.Second {
		return usageErr(fmt.Errorf("--keepalive must be at least 1s, not %s", f.keepAlive))
	}
	return nil
}

func runServe(ctx context.Context, sio IO, g *globals, f serveFlags, args []string) error {
	keysPath := f.authorizedKeys
	if keysPath == "" {
		if keysPath = config.ConfigFile(sio.Getenv, "authorized_keys"); keysPath == "" {
			return usageErr(errors.New("no place for the authorized keys: set XDG_CONFIG_HOME or HOME, or pass --authorized-keys FILE"))
		}
	}
	hostPath := f.hostKey
	if hostPath == "" {
		if hostPath = config.StateFile(sio.Getenv, "ssh_host_ed25519_key"); hostPath == "" {
			return usageErr(errors.New("no place for the host key: set XDG_STATE_HOME or HOME, or pass --host-key FILE"))
		}
	}
	keys, err := serve.LoadKeys(keysPath)
	if err != nil {
		return usageErr(err)
	}
	for _, p := range keys.Problems {
		fmt.Fprintf(sio.Err, "reel serve: warning: %s: %s\n", keysPath, p)
	}
	host, err := serve.HostKey(hostPath)
	if err != nil {
		return usageErr(err)
	}
	s, err := g.settings(sio)
	if err != nil {
		return err
	}
	var list []string
	if len(args) > 0 {
		if list, err = readIDs(sio, args); err != nil {
			return err
		}
	}
	c, err := g.client(s)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(sio.Err, nil)) // logins and refusals, for journald

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usageErr(fmt.Errorf("--addr %s: %w (is another server on that port?)", f.addr, err))
	}
	defer ln.Close()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	run, err := g.startSession(ctx, sio, dashboard{client: c, settings: s, ids: list}, cancel)
	if err != nil {
		return err
	}
	defer run.close()
	engineLog, downloads, dir := run.log, run.downloads, run.dir

	notice := "reel serve · ? lists the keys"
	if run.callbackURL != "" {
		notice = "this server receives the callbacks · ? lists the keys"
	}
	srv, err := serve.New(serve.Options{
		Engine:            run.eng,
		Downloads:         downloads,
		DownloadDir:       dir,
		History:           run.st,
		Keys:              keys,
		HostKey:           host,
		Log:               log,
		MaxSessions:       f.maxSessions,
		MaxSessionsPerKey: f.maxPerKey,
		MaxConnections:    f.maxConns,
		IdleTimeout:       f.idleTimeout,
		KeepAlive:         f.keepAlive,
		Thumbs:            thumbFetcher(c, sio.Getenv),
		Dashboard: ui.Options{
			Now:        sio.Now,
			Logger:     engineLog,
			Notify:     s.Notify,
			Version:    g.version,
			Notice:     notice,
			Listening:  run.callbackURL != "",
			ReloadKey:  g.keyReloader(sio, c, s.APIKey),
			Thumbnails: s.Thumbnails,
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(sio.Err, "reel serve: SSH on %s for %d keys (%d read-only) from %s; host key %s\n",
		ln.Addr(), keys.Len(), keys.ReadOnly(), keysPath, gossh.FingerprintSHA256(host.PublicKey()))
	if run.callbackURL != "" {
		fmt.Fprintf(sio.Err, "reel serve: callbacks at %s\n", hiddenSecret(run.callbackURL, s))
	}
	err = srv.Serve(ctx, ln)
	if werr := wrongURL(ctx); werr != nil {
		return werr
	}
	if err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "use of closed network connection") {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
