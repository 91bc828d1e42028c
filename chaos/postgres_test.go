package chaos

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the store as the test's eyes

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/termtest"
)

// A team store on PostgreSQL (issue 16), on the real binary: three reel
// processes, stand-ins for three machines, on one database.

// pgServer is the PostgreSQL server of REEL_TEST_POSTGRES, or a skip (a
// failure when CI is set: there the server must be there).
func pgServer(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("REEL_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but REEL_TEST_POSTGRES is not: .ci/run starts a PostgreSQL server and sets it")
		}
		t.Skip("no PostgreSQL server: set REEL_TEST_POSTGRES (.ci/postgres start DIR prints one)")
	}
	return admin
}

// pgFreshDB makes an empty database on the server of admin for one test,
// dropped after it, and returns its URL.
func pgFreshDB(t *testing.T, admin string) string {
	t.Helper()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "reel_chaos_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("making a database: %v", err)
	}
	t.Cleanup(func() { _, _ = db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`) })
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

// addrIn is a free loopback address with a port from lo up.
func addrIn(t *testing.T, lo int) string {
	t.Helper()
	for p := lo; p < lo+100; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			addr := l.Addr().String()
			l.Close()
			return addr
		}
	}
	t.Fatalf("no free port from %d", lo)
	return ""
}

// cluster is a private PostgreSQL cluster, started with .ci/postgres, that
// a test may stop and start again without disturbing other tests.
type cluster struct {
	dir, port, url string
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	pgServer(t) // the machine has PostgreSQL
	dir, err := os.MkdirTemp("", "reel-chaos-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // the server's own user reads it when the tests run as root
	_, port, _ := net.SplitHostPort(addrIn(t, 44460))
	c := &cluster{dir: dir, port: port}
	c.url = strings.TrimSpace(c.run(t, "start"))
	t.Cleanup(func() {
		c.run(t, "stop")
		os.RemoveAll(dir)
	})
	return c
}

func (c *cluster) run(t *testing.T, cmd string) string {
	t.Helper()
	out, err := exec.Command("../.ci/postgres", cmd, c.dir, c.port).CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/postgres %s: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// pgCounts is the store's finished and failed counts, "F/X", as the
// headers show them.
func pgCounts(ctx context.Context, db *sql.DB) (string, error) {
	var f, x int
	err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'finished'),
		count(*) FILTER (WHERE status = 'failed') FROM jobs`).Scan(&f, &x)
	return fmt.Sprintf("%d/%d", f, x), err
}

// pgSettled reports whether every one of n jobs has ended, the finished
// ones with their video's link, as settled reads an SQLite store.
func pgSettled(ctx context.Context, db *sql.DB, n int) (string, bool) {
	var total, done int
	err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'failed'
		OR (status = 'finished' AND video_json IS NOT NULL AND convert_from(video_json, 'UTF8')::jsonb ->> 'publicUrl' <> ''))
		FROM jobs`).Scan(&total, &done)
	if err != nil {
		return "", false
	}
	f, _ := pgCounts(ctx, db)
	return f, total == n && done == n
}

// noSecret fails when the database password shows on a screen or in a log.
func noSecret(t *testing.T, where string, logs []string, screens []string) {
	t.Helper()
	u, _ := url.Parse(where)
	pw, _ := u.User.Password()
	if pw == "" {
		t.Fatal("the test's URL has no password to look for")
	}
	for _, l := range logs {
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), pw) {
			t.Errorf("%s shows the database password", l)
		}
	}
	for i, s := range screens {
		if strings.Contains(s, pw) {
			t.Errorf("screen %d shows the database password", i)
		}
	}
}

// runOnPostgres runs n processes on one fresh database on the same jobs
// until all have settled, sampling the store and every screen every 25 ms.
// It returns the simulator's request count and, for each finished/failed
// count the store reached and a screen showed, how long after the store
// that screen did.
func runOnPostgres(t *testing.T, admin string, n, jobs int) (int, []time.Duration) {
	srv, err := sim.Start(sim.Options{Seed: 16, Speed: 20, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ids := pollerJobs(srv, 16, jobs, "team", 8*time.Minute)
	where := pgFreshDB(t, admin)
	home := t.TempDir()
	env := append(termtest.Env(home, srv.URL(), srv.Token()), "REEL_STORE="+where)
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds := []dash{startDash(t, env, home, 0, ids...)}
	ds[0].WaitScreen("the first process polling", polling, 60*time.Second)
	for i := 1; i < n; i++ {
		// The flag, as well as the environment, names the store.
		ds = append(ds, startDash(t, env, home, i, append([]string{"--store", where}, ids...)...))
	}
	for _, d := range ds[1:] {
		d.WaitScreen("a viewer", func(s string) bool { return strings.Contains(header(s), "watching") }, 60*time.Second)
	}
	ctx := context.Background()
	storeAt := map[string]time.Time{}
	screenAt := make([]map[string]time.Time, n)
	for i := range screenAt {
		screenAt[i] = map[string]time.Time{}
	}
	deadline := time.Now().Add(5 * time.Minute)
	var final string
	for {
		now := time.Now()
		f, done := pgSettled(ctx, db, jobs)
		if f != "" {
			if _, ok := storeAt[f]; !ok {
				storeAt[f] = now
			}
		}
		for i, d := range ds {
			if e := ended(d.Screen()); e != "" {
				if _, ok := screenAt[i][e]; !ok {
					screenAt[i][e] = now
				}
			}
		}
		if done {
			final = f
			all := true
			for i := range screenAt {
				_, ok := screenAt[i][final]
				all = all && ok
			}
			if all {
				break
			}
		}
		if now.After(deadline) {
			t.Fatalf("%d processes: the jobs did not all settle and show within 5 min (store %s)", n, f)
		}
		time.Sleep(25 * time.Millisecond) // the sampling period
	}
	var lags []time.Duration
	for f, at := range storeAt {
		for i := range screenAt {
			if s, ok := screenAt[i][f]; ok {
				lags = append(lags, max(0, s.Sub(at)))
			}
		}
	}
	var logs, screens []string
	for _, d := range ds {
		screens = append(screens, d.Screen())
		d.Press("q")
		d.Exit(30 * time.Second)
		logs = append(logs, d.log)
	}
	noSecret(t, where, logs, screens)
	return srv.Requests().Total, lags
}

// TestThreeProcessesOnPostgres: three processes on one database, 1,000
// jobs: no more than 1.1 times the requests of one process, and every
// change on every screen within 1 s of the store. That promise is held
// whole without the race detector; under -race (CI: two cores shared with
// three reel children built with -race and other packages' tests) the
// median of the ~3,000 lags must still be within 1 s and the worst within
// 5 s: a change lost or stuck behind a timer still fails, one late screen
// of a starved machine does not. The log has the median, p90 and worst.
func TestThreeProcessesOnPostgres(t *testing.T) {
	admin := pgServer(t)
	const jobs = 1000
	one, _ := runOnPostgres(t, admin, 1, jobs)
	three, lags := runOnPostgres(t, admin, 3, jobs)
	ratio := float64(three) / float64(one)
	slices.Sort(lags)
	median, worst := lags[len(lags)/2], lags[len(lags)-1]
	t.Logf("%d jobs on PostgreSQL: 1 process %d requests, 3 processes %d (×%.3f); store → every screen over %d (count, screen) pairs: median %v, p90 %v, p99 %v, worst %v",
		jobs, one, three, ratio, len(lags), median.Round(time.Millisecond), lags[len(lags)*9/10].Round(time.Millisecond),
		lags[len(lags)*99/100].Round(time.Millisecond), worst.Round(time.Millisecond))
	if ratio > 1.1 {
		t.Errorf("3 processes made %d requests, 1 made %d: ×%.3f, budget ×1.1", three, one, ratio)
	}
	if limit := budget(time.Second, 5*time.Second); worst > limit {
		t.Errorf("a screen showed a change %v after the store had it; budget %v", worst, limit)
	}
	if median > time.Second {
		t.Errorf("half the screens showed a change over %v after the store had it; budget 1 s", median)
	}
}

// doublePolls counts, from the debug logs, a job polled by two processes
// in the same second away from the two seconds around a takeover.
func doublePolls(t *testing.T, logs []string, ids []string) int {
	var handovers []time.Time
	all := make([]map[string]map[int64]bool, len(logs))
	for i, l := range logs {
		var took []time.Time
		all[i], took = readPolls(t, l)
		handovers = append(handovers, took...)
	}
	near := func(sec int64) bool {
		for _, h := range handovers {
			if d := sec - h.Unix(); d >= -1 && d <= 1 {
				return true
			}
		}
		return false
	}
	doubles := 0
	for _, id := range ids {
		for i := range all {
			for sec := range all[i][id] {
				for k := i + 1; k < len(all); k++ {
					if all[k][id][sec] && !near(sec) {
						doubles++
						t.Errorf("%s polled by processes %d and %d in the same second %s", id, i, k, time.Unix(sec, 0).Format(time.TimeOnly))
					}
				}
			}
		}
	}
	return doubles
}

// TestKillThePollerOnPostgres: kill -9 of the polling process, three
// times: another polls within 15 s, and in the end every job settled,
// none polled by two processes at once.
func TestKillThePollerOnPostgres(t *testing.T) {
	where := pgFreshDB(t, pgServer(t))
	const jobs, rounds = 100, 3
	srv, err := sim.Start(sim.Options{Seed: 17, Speed: 8, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ids := pollerJobs(srv, 17, jobs, "kill", 8*time.Minute)
	home := t.TempDir()
	env := append(termtest.Env(home, srv.URL(), srv.Token()), "REEL_STORE="+where)
	n := 0
	ds := []dash{startDash(t, env, home, n, ids...)}
	ds[0].WaitScreen("the first process polling", polling, 60*time.Second)
	for n = 1; n < 3; n++ {
		ds = append(ds, startDash(t, env, home, n, ids...))
	}
	var logs []string
	var slowest time.Duration
	for r := range rounds {
		time.Sleep(time.Duration(2000+1500*r) * time.Millisecond) // different moments against the renewals
		pi := -1
		for i, d := range ds {
			if polling(d.Screen()) {
				pi = i
			}
		}
		if pi < 0 {
			t.Fatalf("round %d: no process says it polls", r)
		}
		if err := kill9(ds[pi].Pid()); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		ds[pi].Exit(20 * time.Second)
		logs = append(logs, ds[pi].log)
		ds = append(ds[:pi], ds[pi+1:]...)
		took := -time.Second
		for time.Since(killed) < 20*time.Second && took < 0 {
			for _, d := range ds {
				if polling(d.Screen()) {
					took = time.Since(killed)
				}
			}
			time.Sleep(20 * time.Millisecond) // sampling screens
		}
		if took < 0 || took > 15*time.Second {
			t.Errorf("round %d: no process polled within 15 s of the kill (%v)", r, took)
		}
		slowest = max(slowest, took)
		ds = append(ds, startDash(t, env, home, n, ids...))
		n++
	}
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(4 * time.Minute)
	for {
		if _, ok := pgSettled(context.Background(), db, jobs); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after the kills, the jobs did not all settle (lost or stuck)")
		}
		time.Sleep(200 * time.Millisecond) // sampling the store
	}
	var screens []string
	for _, d := range ds {
		screens = append(screens, d.Screen())
		d.Press("q")
		d.Exit(30 * time.Second)
		logs = append(logs, d.log)
	}
	doubles := doublePolls(t, logs, ids)
	noSecret(t, where, logs, screens)
	t.Logf("kill -9 of the poller × %d on PostgreSQL: slowest takeover %v; %d jobs settled; %d double polls", rounds, slowest.Round(time.Millisecond), jobs, doubles)
}

// TestPostgresStoppedThirtySeconds: the server stops for 30 s under three
// processes and starts again: every process reconnects and resyncs (each
// screen ends on the store's counts), one polls again within 15 s, no job
// is lost or polled by two processes at once.
func TestPostgresStoppedThirtySeconds(t *testing.T) {
	c := newCluster(t)
	where := pgFreshDB(t, c.url)
	const jobs = 100
	srv, err := sim.Start(sim.Options{Seed: 18, Speed: 4, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ids := pollerJobs(srv, 18, jobs, "outage", 6*time.Minute)
	home := t.TempDir()
	env := append(termtest.Env(home, srv.URL(), srv.Token()), "REEL_STORE="+where)
	ds := []dash{startDash(t, env, home, 0, ids...)}
	ds[0].WaitScreen("the first process polling", polling, 60*time.Second)
	for i := 1; i < 3; i++ {
		ds = append(ds, startDash(t, env, home, i, ids...))
	}
	for _, d := range ds[1:] {
		d.WaitScreen("a viewer", func(s string) bool { return strings.Contains(header(s), "watching") }, 60*time.Second)
	}
	time.Sleep(5 * time.Second) // some jobs move before the outage
	c.run(t, "stop")
	stopped := time.Now()
	time.Sleep(30 * time.Second) // the outage itself is the point
	c.run(t, "start")
	started := time.Now()
	t.Logf("server down %v", started.Sub(stopped).Round(time.Millisecond))
	took := -time.Second
	for time.Since(started) < 30*time.Second && took < 0 {
		for _, d := range ds {
			if polling(d.Screen()) {
				took = time.Since(started)
			}
		}
		time.Sleep(20 * time.Millisecond) // sampling screens
	}
	if took < 0 || took > 15*time.Second {
		t.Errorf("no process polled within 15 s of the restart (%v)", took)
	}
	db, err := sql.Open("pgx", where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(4 * time.Minute)
	var final string
	for {
		f, ok := pgSettled(context.Background(), db, jobs)
		if ok {
			final = f
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the outage, the jobs did not all settle (lost or stuck): %s", f)
		}
		time.Sleep(200 * time.Millisecond) // sampling the store
	}
	var logs, screens []string
	for i, d := range ds {
		d.WaitScreen(fmt.Sprintf("process %d showing %s ended", i, final), func(s string) bool { return ended(s) == final }, 10*time.Second)
		screens = append(screens, d.Screen())
	}
	for _, d := range ds {
		d.Press("q")
		d.Exit(30 * time.Second)
		logs = append(logs, d.log)
	}
	doubles := doublePolls(t, logs, ids)
	noSecret(t, where, logs, screens)
	t.Logf("PostgreSQL stopped 30 s: a poller again %v after the restart; %d jobs settled (%s) and shown on all 3 screens; %d double polls",
		took.Round(time.Millisecond), jobs, final, doubles)
}

// TestCallbacksOnTwoReceiversOnPostgres: callbacks posted to two
// receivers on different processes (both viewers) each make the poller
// poll their job within askBudget (1 s without the race detector).
func TestCallbacksOnTwoReceiversOnPostgres(t *testing.T) {
	where := pgFreshDB(t, pgServer(t))
	srv, err := sim.Start(sim.Options{Seed: 19, Speed: 1, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ids := pollerJobs(srv, 19, 4, "cb", time.Hour)
	home := t.TempDir()
	env := append(termtest.Env(home, srv.URL(), srv.Token()), "REEL_STORE="+where)
	const secret = "chaos-team-secret-0123456789"
	// At an hour's interval no poll falls due during the test: every poll
	// after the first looks is one a callback asked for.
	poller := startDash(t, env, home, 0, append([]string{"--interval", "1h"}, ids...)...)
	poller.WaitScreen("the poller", polling, 60*time.Second)
	addrs := []string{addrIn(t, 44480), ""}
	var viewers []dash
	for i := range 2 {
		if i == 1 {
			addrs[1] = addrIn(t, 44490)
		}
		v := startDash(t, env, home, i+1, append([]string{"--interval", "1h", "--listen", addrs[i], "--callback-secret", secret}, ids...)...)
		v.WaitScreen("a viewer", func(s string) bool { return strings.Contains(header(s), "watching") }, 60*time.Second)
		viewers = append(viewers, v)
	}
	time.Sleep(3 * time.Second) // the first looks end, so what follows is asked for, not due
	gets := func(id string) int { return srv.Requests().ByPath["GET /api/v1/video-generation-jobs/"+id] }
	for i, addr := range addrs {
		id := ids[i+1]
		before := gets(id)
		body := fmt.Sprintf(`{"status":"finished","videoUrl":"https://x/files/%s.mp4","callbackPayload":{"job":%q}}`, id, id)
		from := time.Now()
		resp, err := http.Post("http://"+addr+"/callback/"+secret, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for gets(id) <= before {
			if time.Since(from) > askGiveUp {
				t.Fatalf("a callback to process %d: %s not polled within %v", i+1, id, askGiveUp)
			}
			time.Sleep(10 * time.Millisecond) // sampling the simulator's count
		}
		took := time.Since(from)
		t.Logf("a callback to process %d's receiver: %s polled %v after (budget %v)", i+1, id, took.Round(time.Millisecond), askBudget())
		if took > askBudget() {
			t.Errorf("a callback to process %d: %s polled %v after; budget %v", i+1, id, took, askBudget())
		}
	}
	var logs []string
	for _, d := range append(viewers, poller) {
		d.Press("q")
		d.Exit(30 * time.Second)
		logs = append(logs, d.log)
	}
	noSecret(t, where, logs, nil)
}

// TestBadPostgresStoreOnTheBinary: the errors a user meets, from reel
// itself, never showing the password.
func TestBadPostgresStoreOnTheBinary(t *testing.T) {
	admin := pgServer(t)
	u, _ := url.Parse(admin)
	wrong := *u
	wrong.User = url.UserPassword(u.User.Username(), "Not-The-Pass-77")
	wrong.Path = "/postgres"
	nodb := *u
	nodb.Path = ""
	nodb.RawQuery = ""
	newer := pgFreshDB(t, admin)
	db, err := sql.Open("pgx", newer)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A store made by a newer reel: a version this one does not know.
	if _, err := db.Exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
		INSERT INTO meta VALUES ('schema_version', 99)`); err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	for _, tc := range []struct {
		name, store, secret string
		want                []string
	}{
		{"unreachable", "postgres://reel:Unreach-Pass-55@127.0.0.1:44999/reel", "Unreach-Pass-55", []string{"cannot reach the PostgreSQL server at 127.0.0.1:44999", "server is running"}},
		{"wrong password", wrong.String(), "Not-The-Pass-77", []string{"refused user", "check the user and password", "not shown"}},
		{"no database", nodb.String(), pw, []string{"names no database", "createdb"}},
		{"newer reel", newer, pw, []string{"newer reel", "upgrade reel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			env := append(termtest.Env(home, "http://127.0.0.1:9", "k"), "REEL_STORE="+tc.store)
			cmd := exec.Command(reelBin, "stats")
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("reel ran: %s", out)
			}
			if strings.Contains(string(out), tc.secret) {
				t.Fatalf("reel printed the password: %s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output %q does not say %q", out, w)
				}
			}
			t.Logf("%s: %s", tc.name, strings.TrimSpace(string(out)))
		})
	}
}
