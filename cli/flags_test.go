package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/api/sim"
)

// runFlags runs cmd with args, silent, and returns its error.
func runFlags(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func flagIO() IO {
	return IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, Getenv: func(string) string { return "" }, Now: time.Now}
}

// isUsage reports whether err is a usage error (exit 2) that names flag.
func isUsage(err error, flag string) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Code == ExitUsage && strings.Contains(err.Error(), flag)
}

// Each command declares its own flags, and hands them to its run function
// untouched: checked here without running anything.
func TestWaitFlags(t *testing.T) {
	var got *waitOptions
	var gotArgs []string
	cmd := newWaitCmd(flagIO(), &globals{}, func(o *waitOptions, args []string) error {
		got, gotArgs = o, args
		return nil
	})
	if err := runFlags(cmd, "--json", "--timeout", "30m", "--download", "/videos", "--null", "--show-callback-url", "a", "b"); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.JSON || got.Timeout != 30*time.Minute || got.Download != "/videos" || !got.Null || !got.ShowCallbackURL {
		t.Errorf("wait options: %+v", got)
	}
	if !slices.Equal(gotArgs, []string{"a", "b"}) {
		t.Errorf("wait args: %q", gotArgs)
	}

	called := false
	cmd = newWaitCmd(flagIO(), &globals{}, func(*waitOptions, []string) error { called = true; return nil })
	err := runFlags(cmd, "--timeout", "-1s", "a")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitUsage || called {
		t.Errorf("wait --timeout -1s: %v (ran: %v), want a usage error before running", err, called)
	}
	if err := runFlags(newWaitCmd(flagIO(), &globals{}, func(*waitOptions, []string) error { return nil }), "--timeout", "soon"); err == nil ||
		!strings.Contains(err.Error(), "--timeout") {
		t.Errorf("wait --timeout soon: %v, want an error naming --timeout", err)
	}
}

func TestStatusFlags(t *testing.T) {
	// The arguments wanted are written out: comparing them with a tail of
	// the command line as long as what came back could not fail.
	for _, c := range []struct {
		args, want []string
		json       bool
	}{{[]string{"x"}, []string{"x"}, false}, {[]string{"--json", "x", "y"}, []string{"x", "y"}, true}} {
		var got statusOptions
		var gotArgs []string
		cmd := newStatusCmd(flagIO(), &globals{}, func(o statusOptions, args []string) error { got, gotArgs = o, args; return nil })
		if err := runFlags(cmd, c.args...); err != nil {
			t.Fatal(err)
		}
		if got.JSON != c.json || !slices.Equal(gotArgs, c.want) {
			t.Errorf("status %q: JSON %v args %q, want %v %q", c.args, got.JSON, gotArgs, c.json, c.want)
		}
	}
}

func TestDownloadFlags(t *testing.T) {
	var got downloadOptions
	var gotArgs []string
	cmd := newDownloadCmd(flagIO(), &globals{}, func(o downloadOptions, args []string) error { got, gotArgs = o, args; return nil })
	if err := runFlags(cmd, "--dir", "/videos", "-0", "ids.txt"); err != nil {
		t.Fatal(err)
	}
	if got.Dir != "/videos" || !got.Null || !slices.Equal(gotArgs, []string{"ids.txt"}) {
		t.Errorf("download: %+v %q", got, gotArgs)
	}
}

func TestSubmitFlags(t *testing.T) {
	var got *submitOptions
	cmd := newSubmitCmd(flagIO(), &globals{}, func(o *submitOptions, _ []string) error { got = o; return nil })
	if err := runFlags(cmd, "--template", "t1", "--dry-run", "--wait", "--json", "--allow-empty",
		"--callback-url", "https://hooks.example/cb", "--download", "/videos", "--null", "--timeout", "30m",
		"--show-callback-url", "rows.csv"); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Template != "t1" || !got.DryRun || !got.Wait || !got.JSON || !got.AllowEmpty ||
		got.CallbackURL != "https://hooks.example/cb" || got.wait.Download != "/videos" || !got.wait.Null ||
		got.wait.Timeout != 30*time.Minute || !got.wait.ShowCallbackURL {
		t.Errorf("submit: %+v", got)
	}
	if !strings.Contains(got.again, "--template=t1") {
		t.Errorf("submit: the hint to run again lacks the flags: %q", got.again)
	}
}

func TestStatsFlags(t *testing.T) {
	var got statsFlags
	cmd := newStatsCmd(flagIO(), &globals{}, func(f statsFlags) error { got = f; return nil })
	if err := runFlags(cmd, "--since", "7d", "--json"); err != nil {
		t.Fatal(err)
	}
	if !got.JSON || got.Since != 7*24*time.Hour {
		t.Errorf("stats: %+v", got)
	}
	if err := runFlags(newStatsCmd(flagIO(), &globals{}, func(statsFlags) error { return nil }), "extra"); err == nil {
		t.Error("stats takes no arguments, yet took one")
	}
}

func TestSimFlags(t *testing.T) {
	var got simFlags
	cmd := newSimCmd(flagIO(), &globals{}, func(f simFlags) error { got = f; return nil })
	if err := runFlags(cmd, "--jobs", "7", "--seed", "3", "--speed", "10", "--faults", "0.2"); err != nil {
		t.Fatal(err)
	}
	if got.jobs != 7 || got.seed != 3 || got.speed != 10 || got.faults != 0.2 {
		t.Errorf("sim: %+v", got)
	}
	called := false
	err := runFlags(newSimCmd(flagIO(), &globals{}, func(simFlags) error { called = true; return nil }), "--faults", "2")
	if !isUsage(err, "--faults") || called {
		t.Errorf("sim --faults 2: %v (ran: %v), want a usage error before running", err, called)
	}
}

func TestDemoFlags(t *testing.T) {
	var got sim.Options
	cmd := newDemoCmd(flagIO(), &globals{}, func(o sim.Options) error { got = o; return nil })
	if err := runFlags(cmd, "--jobs", "40", "--faults", "0.2", "--seed", "9", "--speed", "3"); err != nil {
		t.Fatal(err)
	}
	if got.Jobs != 40 || got.Faults != 0.2 || got.Seed != 9 || got.Speed != 3 || got.BareVideos != 1 {
		t.Errorf("demo: %+v", got)
	}
	if err := runFlags(newDemoCmd(flagIO(), &globals{}, func(sim.Options) error { return nil }), "an-id"); err == nil {
		t.Error("demo takes no IDs, yet took one")
	}
}

func TestServeFlags(t *testing.T) {
	var got serveFlags
	var gotArgs []string
	cmd := newServeCmd(flagIO(), &globals{}, func(f serveFlags, args []string) error { got, gotArgs = f, args; return nil })
	if err := runFlags(cmd, "--addr", "127.0.0.1:2200", "--authorized-keys", "/k", "--host-key", "/h",
		"--max-sessions", "7", "--keepalive", "30s", "ids.txt"); err != nil {
		t.Fatal(err)
	}
	if got.addr != "127.0.0.1:2200" || got.authorizedKeys != "/k" || got.hostKey != "/h" || got.maxSessions != 7 ||
		got.keepAlive != 30*time.Second || len(gotArgs) != 1 || gotArgs[0] != "ids.txt" {
		t.Errorf("serve: %+v %q", got, gotArgs)
	}
	// Refused as a usage error that names the flag: any error at all (an
	// unknown flag after a rename, say) would have passed before.
	for _, bad := range [][]string{{"--max-sessions", "0"}, {"--keepalive", "10ms"}} {
		called := false
		err := runFlags(newServeCmd(flagIO(), &globals{}, func(serveFlags, []string) error { called = true; return nil }), bad...)
		if !isUsage(err, bad[0]) || called {
			t.Errorf("serve %q: %v (ran: %v), want a usage error naming %s", bad, err, called, bad[0])
		}
	}
}

// A password in --store shows in ps: reel says so, and where to put it
// instead; the same URL from REEL_STORE, or one without a password, says
// nothing.
func TestStorePasswordOnTheCommandLineWarns(t *testing.T) {
	for _, c := range []struct {
		flag, env string
		warn      bool
	}{
		{flag: "postgres://reel:Hunter2-pw@db/reel", warn: true},
		{flag: "postgres://reel@db/reel?password=Hunter2-pw", warn: true},
		{flag: "postgres://reel@db/reel"},
		{flag: "/tmp/reel.db"},
		{env: "postgres://reel:Hunter2-pw@db/reel"},
	} {
		g := &globals{cmd: &cobra.Command{}}
		g.cmd.PersistentFlags().StringVar(&g.storePath, "store", "", "")
		g.cmd.PersistentFlags().StringVar(&g.configPath, "config", "", "")
		if c.flag != "" {
			if err := g.cmd.PersistentFlags().Set("store", c.flag); err != nil {
				t.Fatal(err)
			}
		}
		cfg := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(cfg, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := g.cmd.PersistentFlags().Set("config", cfg); err != nil {
			t.Fatal(err)
		}
		sio := flagIO()
		sio.Getenv = func(k string) string {
			if k == "REEL_STORE" {
				return c.env
			}
			return ""
		}
		if _, err := g.settings(sio); err != nil {
			t.Fatal(err)
		}
		msg := sio.Err.(*bytes.Buffer).String()
		if got := strings.Contains(msg, "carries a password"); got != c.warn {
			t.Errorf("--store %q, REEL_STORE %q: warned %v, want %v: %q", c.flag, c.env, got, c.warn, msg)
		}
		if strings.Contains(msg, "Hunter2-pw") {
			t.Errorf("the warning shows the password: %q", msg)
		}
		if c.warn {
			wants := []string{"ps", "REEL_STORE", "config file", "PGPASSWORD", ".pgpass"}
			for _, w := range wants {
				if !strings.Contains(msg, w) {
					t.Errorf("the warning does not say %q: %q", w, msg)
				}
			}
		}
	}
}
