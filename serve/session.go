package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/track"
	"github.com/reel-dev/reel/ui"
)

// session runs one viewer's dashboard until they quit or the connection
// ends. Everything it starts ends with it: the subscriptions are closed,
// the size forwarder ends when the session's requests do, the keepalive
// with the session's context.
func (s *Server) session(sess ssh.Session) {
	var ctx context.Context = sess.Context()
	fp := gossh.FingerprintSHA256(sess.PublicKey())
	remote := sess.RemoteAddr().String()
	k := s.o.Keys.Lookup(sess.PublicKey())
	if k == nil { // cannot happen: the handshake checked it
		_ = sess.Exit(1)
		return
	}
	pty, winch, ok := sess.Pty()
	// The viewer's window changes come from the session's guard (see
	// guard), the newest only, clamped, until the session's requests end;
	// the SSH library's own winch then only ever holds the first size. The
	// forwarder keeps the newest for the dashboard and ends with the
	// requests, whether the session runs or is refused.
	var changes <-chan ssh.Window = winch
	if g := s.sizesOf(sess); g != nil {
		changes = g
	}
	sizes := make(chan tea.WindowSizeMsg, 1)
	if changes != nil {
		go func() {
			for w := range changes {
				cw, ch := clampWindow(w.Width, w.Height)
				latest(sizes, tea.WindowSizeMsg{Width: cw, Height: ch})
			}
		}()
	}
	if !ok {
		s.o.Log.Info("session refused: no terminal", "fingerprint", fp, "remote", remote)
		fmt.Fprintln(sess.Stderr(), "reel serve shows a dashboard and needs a terminal: connect with ssh -t, without a command")
		_ = sess.Exit(1)
		return
	}
	if n := s.live.Add(1); n > int64(s.o.MaxSessions) {
		s.live.Add(-1)
		s.o.Log.Info("session refused: too many", "fingerprint", fp, "remote", remote, "max", s.o.MaxSessions, "limit", "--max-sessions")
		fmt.Fprintf(sess.Stderr(), "reel serve: %d sessions already run, the most it allows (--max-sessions); try again later\r\n", s.o.MaxSessions)
		_ = sess.Exit(1)
		return
	}
	admitted, closing := s.admit(fp)
	if closing {
		s.live.Add(-1)
		s.o.Log.Info("session refused: the server is shutting down", "fingerprint", fp, "remote", remote)
		fmt.Fprint(sess.Stderr(), "reel serve is shutting down; try again later\r\n")
		_ = sess.Exit(1)
		return
	}
	if !admitted {
		s.live.Add(-1)
		s.o.Log.Info("session refused: too many for this key", "fingerprint", fp, "remote", remote, "max", s.o.MaxSessionsPerKey,
			"limit", "--max-sessions-per-key")
		fmt.Fprintf(sess.Stderr(), "reel serve: this key already runs the most sessions one key may (%d, --max-sessions-per-key); "+
			"close one and try again\r\n", s.o.MaxSessionsPerKey)
		_ = sess.Exit(1)
		return
	}
	defer func() { s.release(fp); s.live.Add(-1) }()
	width, height := clampWindow(pty.Window.Width, pty.Window.Height)
	mode := "full"
	if k.ReadOnly {
		mode = "read-only"
	}
	s.o.Log.Info("login", "fingerprint", fp, "key", k.Comment, "mode", mode, "user", sess.User(), "remote", remote,
		"term", pty.Term, "size", fmt.Sprintf("%dx%d", width, height),
		// For an operator (and bench/serve) to see that sessions leave nothing behind.
		"sessions", s.live.Load(), "goroutines", runtime.NumGoroutine())
	start := time.Now()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.keepAlive(ctx, sess)

	env := append(acceptedEnv(sess.Environ()), "TERM="+pty.Term)
	events := s.events.subscribe()
	defer events.Close()
	var dl ui.Downloader
	if s.dls != nil && !k.ReadOnly {
		sub := s.dls.subscribe()
		defer sub.Close()
		dl = sessionDownloads{m: s.o.Downloads, sub: sub}
	}

	o := s.o.Dashboard
	o.Engine = sessionEngine{Engine: s.o.Engine, sub: events, readOnly: k.ReadOnly, limit: &s.refresh}
	o.Downloader = dl
	o.History = s.o.History
	o.Thumbs = s.o.Thumbs
	o.DownloadDir = ""
	if dl != nil {
		o.DownloadDir = s.o.DownloadDir + " on the server"
	}
	if k.ReadOnly {
		o.ReloadKey = nil
	}
	o.Input, o.Output = sess, sess
	o.Env = lookup(env)
	o.OpenURL = func(string) error { return errors.New("reel serve opens no browser on the server") }
	o.TmuxPassthrough = false // the server's tmux is not the viewer's
	o.InputTTY = false
	o.Session = ui.Session{Remote: true, ReadOnly: k.ReadOnly, Label: k.Comment, Sizes: sizes}
	o.ProgramOptions = append(o.ProgramOptions[:len(o.ProgramOptions):len(o.ProgramOptions)],
		tea.WithEnvironment(env),
		tea.WithColorProfile(profile(env)),
		tea.WithWindowSize(width, height),
		// ctrl+z would stop the program on the server, not the viewer's.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.SuspendMsg); ok {
				return nil
			}
			return msg
		}),
	)
	summary, err := ui.Run(ctx, o)
	if err != nil && ctx.Err() == nil {
		s.o.Log.Warn("dashboard ended with an error", "fingerprint", fp, "err", err)
	}
	if summary != "" && ctx.Err() == nil {
		_, _ = io.WriteString(sess, strings.TrimRight(summary, "\n")+"\n")
	}
	s.o.Log.Info("logout", "fingerprint", fp, "remote", remote, "after", time.Since(start).Round(time.Second).String(),
		"missed", events.Replaced())
	_ = sess.Exit(0)
}

// latest puts v in a one-place channel, replacing what is there; only one
// goroutine sends.
func latest[T any](ch chan T, v T) {
	for {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// admit counts a new session of the key fp, within --max-sessions-per-key,
// unless the server is shutting down (closing): under the same lock as
// closeConns, so Serve's wait for the sessions never meets a late one.
func (s *Server) admit(fp string) (ok, closing bool) {
	s.limits.Lock()
	defer s.limits.Unlock()
	if s.closing {
		return false, true
	}
	if s.perKey[fp]+1 > s.o.MaxSessionsPerKey {
		return false, false
	}
	s.perKey[fp]++
	s.sessions.Add(1)
	return true, false
}

// release ends a session admit counted.
func (s *Server) release(fp string) {
	s.limits.Lock()
	defer s.limits.Unlock()
	if s.perKey[fp]--; s.perKey[fp] <= 0 {
		delete(s.perKey, fp)
	}
	s.sessions.Done()
}

// acceptedEnv keeps the variables guard lets through (envAccepted): the
// guard already answers no to the others, this keeps it so whatever the
// library let by.
func acceptedEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok && envAccepted[name] && len(val) <= maxEnvValue && len(out) < maxEnv {
			out = append(out, kv)
		}
	}
	return out
}

// profile is the colours the viewer's terminal takes, from its TERM and
// environment: the session has no terminal of its own to ask. Any
// NO_COLOR turns colour off, as no-color.org says and the dashboard does.
func profile(env []string) colorprofile.Profile {
	if lookup(env)("NO_COLOR") != "" {
		return colorprofile.Ascii
	}
	return colorprofile.Env(env)
}

// lookup reads a session's environment as os.Getenv reads the process's.
func lookup(env []string) func(string) string {
	return func(k string) string {
		v := ""
		for _, kv := range env { // the last one wins, as in os/exec
			if name, val, ok := strings.Cut(kv, "="); ok && name == k {
				v = val
			}
		}
		return v
	}
}

// keepAlive asks the client every KeepAlive whether it is there, and
// closes the connection when no answer comes within as long again: a cut
// network otherwise holds a session for as long as TCP takes to notice.
func (s *Server) keepAlive(ctx context.Context, sess ssh.Session) {
	t := time.NewTicker(s.o.KeepAlive)
	defer t.Stop()
	conn, _ := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		answer := make(chan error, 1)
		go func() {
			// Ends with an answer, or when the connection is closed.
			_, err := sess.SendRequest("keepalive@openssh.com", true, nil)
			answer <- err
		}()
		timer := time.NewTimer(s.o.KeepAlive)
		select {
		case err := <-answer:
			timer.Stop()
			if err == nil {
				continue
			}
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
			s.o.Log.Info("connection lost: no answer to keepalive", "remote", sess.RemoteAddr().String())
		}
		if conn != nil {
			_ = conn.Close()
		}
		_ = sess.Close()
		return
	}
}

// sessionEngine is the shared engine as one session sees it: its changes
// come through the session's own subscription, and a read-only key's
// session changes nothing, whatever its dashboard asks.
type sessionEngine struct {
	*track.Engine
	sub      *Sub[track.Event]
	readOnly bool
	limit    *refreshLimit
}

// Refresh asks again, within the limit the viewers share: the engine
// polls for everyone, so one viewer holding r down must not make it
// hammer the API.
func (e sessionEngine) Refresh(ids ...string) { _ = e.TryRefresh(ids...) }

// TryRefresh is Refresh, with the refusal handed back for the viewer's
// status line (see ui.RefreshLimiter).
func (e sessionEngine) TryRefresh(ids ...string) error {
	if err := e.limit.allow(ids); err != nil {
		return err
	}
	e.Engine.Refresh(ids...)
	return nil
}

var _ ui.RefreshLimiter = sessionEngine{}

// refreshLimit lets through one refresh of all jobs, and one of each job,
// per every; a refresh of all counts for each job too.
type refreshLimit struct {
	every time.Duration
	now   func() time.Time

	mu  sync.Mutex
	all time.Time
	one map[string]time.Time
}

// refreshRefused is a refresh the limit turned down: every job (all), or
// the job asked about, was refreshed ago, by this viewer or another, and
// the next may come in wait.
type refreshRefused struct {
	all       bool
	ago, wait time.Duration
}

// Error is said in the viewer's status line, short enough for 80 columns
// (a dashboard's r asks about one job: the selected one).
func (e *refreshRefused) Error() string {
	what := "this job was refreshed"
	if e.all {
		what = "all jobs were refreshed"
	}
	ago := "just now"
	if e.ago >= time.Second {
		ago = human.Duration(e.ago.Truncate(time.Second)) + " ago"
	}
	// Rounded up: trying again after as long as it says is let through.
	wait := (e.wait + time.Second - 1).Truncate(time.Second)
	return fmt.Sprintf("refresh limited: %s %s; try again in %s", what, ago, human.Duration(wait))
}

// allow takes a refresh of ids (none: all) within the limit, or says why
// not.
func (l *refreshLimit) allow(ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	refused := func(all bool, at time.Time) error {
		return &refreshRefused{all: all, ago: now.Sub(at), wait: l.every - now.Sub(at)}
	}
	if !l.all.IsZero() && now.Sub(l.all) < l.every {
		return refused(true, l.all)
	}
	if len(ids) == 0 {
		l.all = now
		clear(l.one)
		return nil
	}
	for _, id := range ids {
		if t, ok := l.one[id]; ok && now.Sub(t) < l.every {
			return refused(false, t)
		}
	}
	if len(l.one) > 1024 { // forget what no longer limits anything
		for id, t := range l.one {
			if now.Sub(t) >= l.every {
				delete(l.one, id)
			}
		}
	}
	for _, id := range ids {
		l.one[id] = now
	}
	return nil
}

func (e sessionEngine) Next(ctx context.Context) ([]track.Event, error) { return e.sub.Next(ctx) }

func (e sessionEngine) Add(ids ...string) []track.Job {
	if e.readOnly {
		return nil
	}
	return e.Engine.Add(ids...)
}

func (e sessionEngine) Remove(ids ...string) []track.Job {
	if e.readOnly {
		return nil
	}
	return e.Engine.Remove(ids...)
}

func (e sessionEngine) Restore(jobs ...track.Job) {
	if !e.readOnly {
		e.Engine.Restore(jobs...)
	}
}

// sessionDownloads is the shared download manager as one session sees it.
// Downloads belong to the server: leaving does not stop them, so quitting
// never asks about them.
type sessionDownloads struct {
	m   *download.Manager
	sub *Sub[download.Progress]
}

func (d sessionDownloads) Start(v *api.Video) bool { return d.m.Start(v) }
func (d sessionDownloads) Active() int             { return 0 }
func (d sessionDownloads) Next(ctx context.Context) ([]download.Progress, error) {
	return d.sub.Next(ctx)
}
