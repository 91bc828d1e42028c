package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A store on PostgreSQL: --store postgres://user:password@host:5432/reel
// puts the tracked list, the lease and the requests of a whole team on one
// server. The SQL is the SQLite store's (dialect.go); what differs lives
// here: the connection, the schema (pgMigrations), and how other processes'
// changes are noticed (LISTEN/NOTIFY instead of PRAGMA data_version).

// notifyChannel is the channel every write notifies at commit, with the
// writing Store's id as payload.
const notifyChannel = "reel_changes"

// leaseLockKey is the first half of the advisory lock a workspace's lease
// transactions take turns on; the second is a hash of the workspace, so
// one stalled workspace never holds up another's election.
const leaseLockKey = 7_270_016

// pgSessionParams bound what one stalled transaction can do to the others:
// a lock waited for longer than lock_timeout, a statement running longer
// than statement_timeout and a transaction left open without a word longer
// than idle_in_transaction_session_timeout end with an error instead of
// holding everyone up. application_name shows reel in pg_stat_activity.
var pgSessionParams = map[string]string{
	"lock_timeout":                        "3s",
	"statement_timeout":                   "10s",
	"idle_in_transaction_session_timeout": "10s",
	"application_name":                    "reel",
}

// migrateLockKey is the advisory lock migrations take turns on.
const migrateLockKey = 7_270_017

// migrateLockWait is how long opening waits for another process's schema
// upgrade to finish.
const migrateLockWait = "120s"

// pgResyncEvery is how often a watcher reads by revision though no
// notification came: a backstop, should one be lost some way reel did not
// foresee (reconnects already resync).
const pgResyncEvery = 5 * time.Second

// IsPostgres reports whether a --store value names a PostgreSQL server
// rather than a file: a postgres:// or postgresql:// URL, in any case.
func IsPostgres(store string) bool {
	scheme, ok := urlScheme(store)
	return ok && (scheme == "postgres" || scheme == "postgresql")
}

// urlScheme is the lower-cased scheme of a value written as a URL
// (scheme://…), and whether it is one. A file path never is: a Windows
// drive (C:\…) has no "//" after its colon.
func urlScheme(store string) (string, bool) {
	scheme, _, ok := strings.Cut(store, "://")
	if !ok || scheme == "" {
		return "", false
	}
	for i, c := range scheme {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	return strings.ToLower(scheme), true
}

// unsupported is the error for a --store URL of another kind than
// PostgreSQL's, which would otherwise become an SQLite file of that name.
func unsupported(store, scheme string) error {
	name := scheme + "://…"
	if scheme == "file" {
		return fmt.Errorf("store %s: give the SQLite file's path, not a file:// URL (or a postgres:// URL for PostgreSQL)", name)
	}
	return fmt.Errorf("store %s: reel keeps its store in an SQLite file (give its path) or on PostgreSQL (postgres://user@host:5432/database), not on %s", name, scheme)
}

// lowerScheme writes a PostgreSQL URL's scheme in lower case, as pgx
// wants it.
func lowerScheme(raw string) string {
	scheme, rest, _ := strings.Cut(raw, "://")
	return strings.ToLower(scheme) + "://" + rest
}

// HasPassword reports whether a --store value carries a password: a URL's
// user:password@, or a password= in its query.
func HasPassword(store string) bool {
	if _, ok := urlScheme(store); !ok {
		return false
	}
	u, err := url.Parse(store)
	if err != nil {
		return strings.Contains(store, "@") // cannot tell: assume it may
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Query().Get("password") != ""
}

// Redact is a store's name fit for output: a PostgreSQL URL without its
// password and query (which may carry one), a file path as it is.
func Redact(store string) string {
	scheme, ok := urlScheme(store)
	if !ok {
		return store
	}
	u, err := url.Parse(store)
	if err != nil {
		return scheme + "://(a URL that does not parse)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return u.String()
}

// pgSide is what a PostgreSQL store keeps beyond the SQL pool.
type pgSide struct {
	cfg    *pgx.ConnConfig
	secret []string // the password as given and decoded, scrubbed from errors
	writer string

	dirty    atomic.Bool   // a change may be waiting: read by revision
	wake     chan struct{} // a change was notified (1 buffered)
	lastRead time.Time     // guarded by Store.watchMu
	once     sync.Once
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}

	connects atomic.Int64 // LISTEN connections made, the first included
}

// openPostgres opens (and creates or upgrades the schema of) the store in
// the database the URL names.
func openPostgres(ctx context.Context, raw string, o Options) (*Store, error) {
	raw = lowerScheme(raw)
	name := Redact(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("store %s: the URL does not parse: write it as postgres://user:password@host:5432/database", name)
	}
	secret := urlSecrets(raw, u)
	if strings.Trim(u.Path, "/") == "" && u.Query().Get("dbname") == "" {
		return nil, fmt.Errorf("store %s: the URL names no database: add one after the host, "+
			"as in postgres://user@host:5432/reel (create it first with createdb reel)", name)
	}
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		// pgx's text quotes the URL with only the userinfo password
		// hidden (a ?password= stays): reel words its own message.
		return nil, scrub(fmt.Errorf("store %s: the URL does not parse (%s): write it as postgres://user:password@host:5432/database", name, parseWhy(err, secret)), secret)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	for k, v := range pgSessionParams {
		if _, set := cfg.RuntimeParams[k]; !set || k != "application_name" {
			cfg.RuntimeParams[k] = v
		}
	}
	d := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 15 * time.Second}
	cfg.DialFunc = d.DialContext
	db := stdlib.OpenDB(*cfg)
	// A few connections a process: the engine writes one job at a time,
	// the watcher reads, the elector claims.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	pctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		path: name, db: dbx{DB: db, pg: true}, readOnly: o.ReadOnly, now: o.Now, writer: newWriter(),
		pg: &pgSide{cfg: cfg, secret: secret, wake: make(chan struct{}, 1), ctx: pctx, cancel: cancel, done: make(chan struct{})},
	}
	s.pg.writer = s.writer
	if err := s.initPG(ctx, u); err != nil {
		cancel()
		db.Close()
		return nil, scrub(err, secret)
	}
	return s, nil
}

func (s *Store) initPG(ctx context.Context, u *url.URL) error {
	if err := s.db.PingContext(ctx); err != nil {
		return connectError(s.path, u, s.pg.cfg, err)
	}
	if err := s.migratePG(ctx); err != nil {
		return err
	}
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'rev'`).Scan(&s.seen)
	return classify(s.path, "opening", err)
}

// urlSecrets is every password a PostgreSQL URL carries, as written
// (percent-encoded) and decoded: the userinfo's, and the query's password
// and sslpassword. pgx reads the password from PGPASSWORD and ~/.pgpass
// too: none of them reaches an error of reel's, which names the store by
// Redact and the server by host and user.
func urlSecrets(raw string, u *url.URL) []string {
	var secret []string
	add := func(s string) {
		if s != "" && !slices.Contains(secret, s) {
			secret = append(secret, s)
		}
	}
	if pw, ok := u.User.Password(); ok {
		add(pw)
		if enc := strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(raw, "postgresql://"), "postgres://"), "@", 2)[0]; strings.Contains(enc, ":") {
			add(enc[strings.Index(enc, ":")+1:])
		}
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if k != "password" && k != "sslpassword" {
			continue
		}
		add(v)
		if dv, err := url.QueryUnescape(v); err == nil {
			add(dv)
		}
	}
	return secret
}

// parseWhy names what pgx found wrong in a URL, without the URL: pgx's
// own reason, and its cause unless the cause quotes a password.
func parseWhy(err error, secret []string) string {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return "not a connection URL pgx reads"
	}
	c := *pe
	c.ConnString = ""
	why := strings.TrimPrefix(c.Error(), "cannot parse ``: ")
	if strings.HasPrefix(why, "cannot parse") {
		return "not a connection URL pgx reads"
	}
	for _, s := range secret {
		if strings.Contains(why, s) {
			// The cause quotes the password: keep pgx's reason alone.
			if inner := pe.Unwrap(); inner != nil {
				why = strings.TrimSuffix(why, " ("+inner.Error()+")")
			}
			if strings.Contains(why, s) {
				return "a setting in it is not valid"
			}
		}
	}
	return why
}

// connectError says what to do about a server that would not let reel in.
func connectError(name string, u *url.URL, cfg *pgx.ConnConfig, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("store %s: the PostgreSQL server refused user %q (%s): check the user and password in --store, REEL_STORE or the config's store (the password is not shown here)",
				name, cfg.User, pe.Code)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("store %s: the database %q does not exist on the server: create it (createdb %s) or name another in the URL",
				name, cfg.Database, cfg.Database)
		case "42501": // insufficient_privilege
			return fmt.Errorf("store %s: user %q may not use database %q: grant it CONNECT and CREATE, or use another user", name, cfg.User, cfg.Database)
		}
		return fmt.Errorf("store %s: the PostgreSQL server refused the connection: %s (%s)", name, pe.Message, pe.Code)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		why := "no such host"
		if !dns.IsNotFound {
			why = "the name could not be looked up: " + dns.Err
		}
		return fmt.Errorf("store %s: cannot find the PostgreSQL server's host %q (%s): check the host name in the URL, and this machine's DNS or network",
			name, u.Hostname(), why)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "dial") {
		why := "no answer in time"
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			why = oe.Err.Error() // "connect: connection refused", without the repeats pgconn adds
		}
		return fmt.Errorf("store %s: cannot reach the PostgreSQL server at %s (%s): check the host and port in the URL, and that the server is running and accepts connections from here",
			name, u.Host, why)
	}
	return fmt.Errorf("store %s: connecting: %w", name, err)
}

// scrubbed hides a password in an error's text, whatever wrapped it: a
// last guard, since reel's own messages never carry it (the URL goes out
// through Redact). Only whole words are replaced, and only for passwords
// of scrubMin characters or more: replacing every "a" of a message for a
// password "a" would show the password by its gaps.
type scrubbed struct {
	err    error
	secret []string
}

// scrubMin is the shortest password scrubbed from messages.
const scrubMin = 4

func (e *scrubbed) Error() string {
	msg := e.err.Error()
	for _, s := range e.secret {
		if len(s) >= scrubMin {
			msg = replaceWord(msg, s, "xxxxx")
		}
	}
	return msg
}

// replaceWord replaces the occurrences of word in s that no letter or
// digit touches on either side.
func replaceWord(s, word, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(word)
		if wordChar(s, i-1) || wordChar(s, j) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(with)
		s = s[j:]
	}
}

func wordChar(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func (e *scrubbed) Unwrap() error { return e.err }

func scrub(err error, secret []string) error {
	if err == nil || len(secret) == 0 {
		return err
	}
	return &scrubbed{err, secret}
}

// migratePG is migrate for PostgreSQL: one transaction, holding an
// advisory lock so that processes opening at once take turns.
func (s *Store) migratePG(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(s.path, "upgrading the schema", err)
	}
	defer tx.Rollback()
	// The session's bounds (pgSessionParams) are for everyday work: an
	// upgrade waits up to migrateLockWait for another process's upgrade,
	// and runs, and folds history on this side, for as long as it takes.
	for _, set := range []string{
		`SET LOCAL lock_timeout = '` + migrateLockWait + `'`,
		`SET LOCAL statement_timeout = 0`,
		`SET LOCAL idle_in_transaction_session_timeout = 0`,
	} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return classify(s.path, "upgrading the schema", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrateLockKey); err != nil {
		return classify(s.path, "upgrading the schema", err)
	}
	have, err := s.version(ctx, tx)
	if err != nil {
		return err
	}
	if have > PostgresSchemaVersion {
		return &NewerSchemaError{Path: s.path, Found: have, Known: PostgresSchemaVersion}
	}
	if have == PostgresSchemaVersion {
		return classify(s.path, "opening", tx.Commit())
	}
	if s.readOnly && have == 0 {
		return fmt.Errorf("store %s holds no reel store yet: %w", s.path, fs.ErrNotExist)
	}
	for v := have; v < PostgresSchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, pgMigrations[v]); err != nil {
			return classify(s.path, fmt.Sprintf("upgrading the schema to version %d", v+1), err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('schema_version', ?)
		 ON CONFLICT(key) DO UPDATE SET value = excluded.value`, PostgresSchemaVersion); err != nil {
		return classify(s.path, "upgrading the schema", err)
	}
	return classify(s.path, "upgrading the schema", tx.Commit())
}

// listen starts, once, the connection that LISTENs for other processes'
// changes, and returns the channel it signals them on.
func (p *pgSide) listen() <-chan struct{} {
	p.once.Do(func() { go p.run() })
	return p.wake
}

func (p *pgSide) kick() {
	p.dirty.Store(true)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run keeps one LISTEN connection up. A notification sent while it is down
// is lost for good, so every (re)connection marks the store dirty: the next
// Poll reads every row newer than the last revision seen.
func (p *pgSide) run() {
	defer close(p.done)
	wait := 100 * time.Millisecond
	for p.ctx.Err() == nil {
		if c, err := pgx.ConnectConfig(p.ctx, p.cfg.Copy()); err == nil {
			if _, err := c.Exec(p.ctx, `LISTEN `+notifyChannel); err == nil {
				p.connects.Add(1)
				wait = 100 * time.Millisecond
				p.kick()
				p.wait(c)
			}
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			c.Close(cctx)
			cancel()
		}
		select {
		case <-p.ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// wait hands on notifications until the connection fails; a quiet
// connection is pinged every 15 s, so a server gone without a word is
// noticed.
func (p *pgSide) wait(c *pgx.Conn) {
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
		n, err := c.WaitForNotification(ctx)
		cancel()
		switch {
		case err == nil:
			if n.Payload != p.writer {
				p.kick()
			}
		case p.ctx.Err() != nil:
			return
		case errors.Is(err, context.DeadlineExceeded) && !c.IsClosed():
			pctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		default:
			return
		}
	}
}

func (p *pgSide) close() {
	p.cancel()
	p.once.Do(func() { close(p.done) }) // never started: nothing to wait for
	<-p.done
}

// pollPG is Poll on PostgreSQL: nothing to read until a notification (or
// a reconnection, or the backstop) says something may have changed; then
// one repeatable-read transaction reads the revision and the newer rows
// from one snapshot.
func (s *Store) pollPG(ctx context.Context) (Diff, error) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.pg.ctx.Err() != nil {
		return Diff{}, classify(s.path, "watching", errClosed)
	}
	s.pg.listen()
	now := time.Now()
	if !s.pg.dirty.Swap(false) && now.Sub(s.pg.lastRead) < pgResyncEvery {
		return Diff{}, nil
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		s.pg.dirty.Store(true)
		return Diff{}, classify(s.path, "watching", err)
	}
	defer tx.Rollback()
	d, rev, err := s.readChanges(ctx, tx)
	if err != nil {
		s.pg.dirty.Store(true)
		return Diff{}, classify(s.path, "watching", err)
	}
	s.seen, s.pg.lastRead = rev, now
	return d, nil
}

// Listens is how many times this store's LISTEN connection was made (the
// first time included): each after the first followed a lost connection
// and was followed by a resync. 0 on SQLite, or before the first Poll.
func (s *Store) Listens() int64 {
	if s.pg == nil {
		return 0
	}
	return s.pg.connects.Load()
}
