// Command poller measures one poller per workspace on the real binary:
// the same jobs followed by one dashboard, then by several on one store,
// against the simulator. It reports the requests each run made (the
// several must stay within 1.1× of the one) and how long each change the
// poller stored took to show on every screen (within 1.5 s).
//
//	go run ./bench/poller [-jobs 200] [-dashboards 5]
//	go run ./bench/poller -postgres "$REEL_TEST_POSTGRES" -jobs 1000 -dashboards 3 -lag 1s
//
// With -postgres (a server URL whose user may create databases) each run
// has a fresh database of its own, dropped after.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop the databases

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/termtest"
)

type config struct {
	reel       string
	jobs, dash int
	seed       uint64
	speed      float64
	ratio      float64
	lag        time.Duration
	postgres   string
}

func main() {
	var c config
	flag.StringVar(&c.reel, "reel", "", "reel binary to measure; built from this module when empty")
	flag.IntVar(&c.jobs, "jobs", 200, "jobs every dashboard follows")
	flag.IntVar(&c.dash, "dashboards", 5, "dashboards on one store in the second run")
	flag.Uint64Var(&c.seed, "seed", 5, "seed for the jobs")
	flag.Float64Var(&c.speed, "speed", 20, "simulator speed")
	flag.Float64Var(&c.ratio, "ratio", 1.1, "budget: requests of the shared run over the single one")
	flag.DurationVar(&c.lag, "lag", 1500*time.Millisecond, "budget: from a change in the store to every screen")
	flag.StringVar(&c.postgres, "postgres", "", "PostgreSQL server URL: the store on a fresh database there instead of SQLite")
	flag.Parse()
	ok, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "poller:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(c config) (bool, error) {
	dir, err := os.MkdirTemp("", "reel-bench-poller-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	if c.reel == "" {
		if c.reel, err = termtest.Build(dir, false); err != nil {
			return false, err
		}
	}
	one, _, err := shared(c, 1)
	if err != nil {
		return false, err
	}
	many, lags, err := shared(c, c.dash)
	if err != nil {
		return false, err
	}
	ratio := float64(many) / float64(one)
	slices.Sort(lags)
	worst := lags[len(lags)-1]
	on := "SQLite"
	if c.postgres != "" {
		on = "PostgreSQL"
	}
	fmt.Printf("%d jobs, simulator at %gx, store on %s\n", c.jobs, c.speed, on)
	fmt.Printf("requests: 1 dashboard %d, %d dashboards %d: ×%.3f (budget ×%.2f)\n", one, c.dash, many, ratio, c.ratio)
	fmt.Printf("store → every screen, over %d (change, screen) pairs: median %v, p90 %v, worst %v (budget %v)\n",
		len(lags), lags[len(lags)/2].Round(time.Millisecond), lags[len(lags)*9/10].Round(time.Millisecond), worst.Round(time.Millisecond), c.lag)
	ok := ratio <= c.ratio && worst <= c.lag
	if !ok {
		fmt.Println("OVER BUDGET")
	}
	return ok, nil
}

// shared runs n dashboards on one store on the same jobs until all have
// settled, sampling the store and every screen every 25 ms; it returns the
// simulator's request count and, for each finished/failed count the store
// reached and a screen showed, how long after the store that screen did.
func shared(c config, n int) (int, []time.Duration, error) {
	srv, err := sim.Start(sim.Options{Seed: int64(c.seed), Speed: c.speed, CallbackEvery: -1})
	if err != nil {
		return 0, nil, err
	}
	defer srv.Close()
	rnd := rand.New(rand.NewPCG(c.seed, c.seed+1))
	ids := make([]string, c.jobs)
	for i := range ids {
		ids[i], _ = srv.AddJob(sim.JobSpec{
			ID:         fmt.Sprintf("bench-%03d", i),
			Queued:     time.Duration(rnd.IntN(60)) * time.Second,
			Generating: 4*time.Minute + time.Duration(rnd.Int64N(int64(8*time.Minute))),
			Fail:       rnd.IntN(8) == 0,
		})
	}
	home, err := os.MkdirTemp("", "reel-bench-home-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(home)
	env := termtest.Env(home, srv.URL(), srv.Token())
	db := filepath.Join(home, "state", "reel", "reel.db")
	if c.postgres != "" {
		where, drop, err := freshDatabase(c.postgres)
		if err != nil {
			return 0, nil, err
		}
		defer drop()
		db = where
		env = append(env, "REEL_STORE="+where)
	}
	var terms []*termtest.Term
	defer func() {
		for _, t := range terms {
			t.Close()
		}
	}()
	start := func() (*termtest.Term, error) {
		t, err := termtest.Start(c.reel, env, 160, 45, ids...)
		if err == nil {
			terms = append(terms, t)
		}
		return t, err
	}
	first, err := start()
	if err != nil {
		return 0, nil, err
	}
	if _, err := first.WaitScreen("polling", func(s string) bool { return strings.Contains(head(s), "polling") }, 30*time.Second); err != nil {
		return 0, nil, err
	}
	for range n - 1 {
		t, err := start()
		if err != nil {
			return 0, nil, err
		}
		if _, err := t.WaitScreen("watching", func(s string) bool { return strings.Contains(head(s), "watching") }, 30*time.Second); err != nil {
			return 0, nil, err
		}
	}
	ctx := context.Background()
	storeAt := map[string]time.Time{}           // when the store first had each count
	screenAt := make([]map[string]time.Time, n) // when each screen first showed it
	for i := range screenAt {
		screenAt[i] = map[string]time.Time{}
	}
	deadline := time.Now().Add(5 * time.Minute)
	var final string
	var done bool
	for {
		now := time.Now()
		var f string
		f, done = settled(ctx, db, c.jobs)
		if f != "" {
			if _, ok := storeAt[f]; !ok {
				storeAt[f] = now
			}
		}
		for i, t := range terms {
			if e := ended(t.Screen()); e != "" {
				if _, ok := screenAt[i][e]; !ok {
					screenAt[i][e] = now
				}
			}
		}
		if done {
			final = f
		}
		if done && len(screenAt) > 0 && allShow(screenAt, final) {
			break
		}
		if now.After(deadline) {
			return 0, nil, fmt.Errorf("%d dashboards: the jobs did not all settle and show within 5 min", n)
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
	return srv.Requests().Total, lags, nil
}

func allShow(screenAt []map[string]time.Time, f string) bool {
	for _, m := range screenAt {
		if _, ok := m[f]; !ok {
			return false
		}
	}
	return true
}

func head(screen string) string {
	first, _, _ := strings.Cut(screen, "\n")
	return first
}

var (
	finishedRe = regexp.MustCompile(`✓ (\d+) finished`)
	failedRe   = regexp.MustCompile(`✗ (\d+) failed`)
)

// ended is a header's finished and failed counts, "F/X".
func ended(screen string) string {
	h := head(screen)
	if !strings.Contains(h, "reel") {
		return ""
	}
	f, x := "0", "0"
	if m := finishedRe.FindStringSubmatch(h); m != nil {
		f = m[1]
	}
	if m := failedRe.FindStringSubmatch(h); m != nil {
		x = m[1]
	}
	return f + "/" + x
}

// settled reads the store's finished (with links) and failed counts as
// "F/X", and whether every job has settled.
func settled(ctx context.Context, path string, n int) (string, bool) {
	st, err := store.OpenReadOnly(path)
	if err != nil {
		return "", false
	}
	defer st.Close()
	jobs, err := st.Load(ctx)
	if err != nil || len(jobs) != n {
		return "", false
	}
	f, x, fin := 0, 0, 0
	for _, j := range jobs {
		switch j.Status {
		case api.StatusFinished:
			f++
			if j.Video != nil && j.Video.PublicURL != "" {
				fin++
			}
		case api.StatusFailed:
			x++
		}
	}
	return fmt.Sprintf("%d/%d", f, x), fin+x == n
}

// freshDatabase makes an empty database on the server of admin and
// returns its URL and how to drop it.
func freshDatabase(admin string) (string, func(), error) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("reel_bench_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("making a database on %s: %w", store.Redact(admin), err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		_, _ = db.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		db.Close()
	}, nil
}
