package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/track"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/callback"
	"github.com/reel-dev/reel/ids"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/submit"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSubmitCreatesOnceAndTracks(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 4, Speed: 50, CallbackEvery: -1})
	dir := t.TempDir()
	rows := writeFile(t, dir, "rows.csv", "name,city\rAda,Paris\rBob,Rome\r")
	out, errs, code := runCLI(t, env, "", "submit", "--json", "--template", "tpl_1", rows)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "2 created, 0 skipped (created before), 0 failed, 0 unknown") {
		t.Fatalf("summary: %s", errs)
	}
	// The output is an ID list the other commands read.
	list, bad, err := ids.Parse("out", strings.NewReader(out))
	if err != nil || len(bad) > 0 || len(list) != 2 {
		t.Fatalf("ids from the output %q: %v %v %v", out, list, bad, err)
	}
	c := srv.Creations() // in any order: rows go out four at a time
	if len(c) != 2 || c[0].TemplateJobID != "tpl_1" || c[0].DynamicVariables["name"] == c[1].DynamicVariables["name"] {
		t.Fatalf("creations %+v", c)
	}
	var first submitJSON
	_ = json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first)
	if first.State != "created" || !strings.HasSuffix(first.Row, "rows.csv:2") && !strings.HasSuffix(first.Row, "rows.csv:3") {
		t.Fatalf("first line %+v", first)
	}

	// The jobs joined the tracked list.
	st, err := store.OpenReadOnly(filepath.Join(env["XDG_STATE_HOME"], "reel", "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	jobs, _ := st.Load(t.Context())
	st.Close()
	if len(jobs) != 2 {
		t.Fatalf("tracked %d jobs, want 2", len(jobs))
	}

	// Again: nothing sent, the same IDs out.
	out2, errs, code := runCLI(t, env, "", "submit", "--template", "tpl_1", rows)
	if code != 0 || len(srv.Creations()) != 2 || !strings.Contains(errs, "0 created, 2 skipped") {
		t.Fatalf("rerun: exit %d, %d creations, %s", code, len(srv.Creations()), errs)
	}
	if got := strings.Fields(out2); len(got) != 2 || !strings.Contains(out, got[0]) || !strings.Contains(out, got[1]) {
		t.Fatalf("rerun IDs %q, first run %q", out2, out)
	}
}

func TestSubmitUnknownIsNotResent(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 5, CallbackEvery: -1})
	dir := t.TempDir()
	jobs := writeFile(t, dir, "jobs.jsonl", `{"videoCreative":{"n":1}}`+"\n")
	srv.InjectFaults(sim.FaultLostAnswer)
	store := filepath.Join(dir, "my.db") // a store named by flag: the hint must keep it
	_, errs, code := runCLI(t, env, "", "submit", "--store", store, jobs)
	if code != 1 || !strings.Contains(errs, "jobs.jsonl:1: unknown") ||
		!strings.Contains(errs, "reel submit --resend-unknown --store="+store+" "+jobs+"\n") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	env["REEL_STORE"] = store
	_, errs, code = runCLI(t, env, "", "submit", jobs)
	if code != 1 || len(srv.Creations()) != 1 || !strings.Contains(errs, "0 created, 0 skipped (created before), 0 failed, 1 unknown") {
		t.Fatalf("rerun: exit %d, %d creations: %s", code, len(srv.Creations()), errs)
	}
	_, errs, code = runCLI(t, env, "", "submit", "--resend-unknown", jobs)
	if code != 0 || len(srv.Creations()) != 2 {
		t.Fatalf("--resend-unknown: exit %d, %d creations: %s", code, len(srv.Creations()), errs)
	}
}

func TestSubmitBadInputSendsNothing(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 6, CallbackEvery: -1})
	dir := t.TempDir()
	good := writeFile(t, dir, "good.csv", "name\nAda\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", "t", writeFile(t, dir, "short.csv", "a,b\n1,2\n3\n")}, "short.csv:3: 1 values for the header's 2 columns"},
		{[]string{"--template", "t", good, writeFile(t, dir, "dup.csv", "a,a\n1,2\n")}, `dup.csv:1: header names "a" twice`},
		{[]string{writeFile(t, dir, "bad.json", "{\"videoCreative\":{}}\n{\"videoCreative\":1}\n")}, "bad.json:2: no videoCreative object"},
		{[]string{"--template", "t", writeFile(t, dir, "empty.csv", "")}, "empty.csv: no header"},
		{[]string{"--template", "t", writeFile(t, dir, "head.csv", "a,b\n")}, "no rows in the input"},
		{[]string{"--template", "t", "-"}, "save standard input to a file"},
		{[]string{"--template", "t", filepath.Join(dir, "missing.csv")}, "missing.csv: no such file"},
		{[]string{"--template", "t", dir}, "is a folder"},
		{[]string{"--template", "t", writeFile(t, dir, "gap.csv", "name,city\nAda,\n")}, `gap.csv:2: column "city" is empty`},
		{[]string{"--template", "t", "--dry-run", filepath.Join(dir, "gap.csv")}, `gap.csv:2: column "city" is empty`},
		{[]string{"--template", "t", good, filepath.Join(dir, ".", "good.csv")}, "are the same file: name it once"},
		{[]string{"--template", "t", "--callback-url", "ftp://x", good}, "--callback-url"},
		{[]string{"--template", "t", "--listen", "127.0.0.1:0", good}, "needs a fixed port"},
		{[]string{"--template", "t", "--callback-url", "http:///callback/x", good}, "--callback-url http:///callback/x: must be an http or https URL"},
		{[]string{"--template", "t", "--listen", "0.0.0.0:18261", good}, "give --callback-url the URL that reaches this receiver"},
		{[]string{"--template", "t", "--listen", "[::]:18261", good}, "listens on every address"},
		{[]string{}, "requires at least 1 arg"},
	} {
		_, errs, code := runCLI(t, env, "", append([]string{"submit"}, tt.args...)...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("submit %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
	}
	if n := len(srv.Creations()); n != 0 {
		t.Fatalf("%d jobs created from bad input", n)
	}
	_, errs, code := runCLI(t, env, "", "submit", "--dry-run", "--template", "t", good)
	if code != 0 || !strings.Contains(errs, "1 rows, all good") || len(srv.Creations()) != 0 {
		t.Fatalf("dry run: exit %d: %s", code, errs)
	}
	_, errs, code = runCLI(t, env, "", "submit", "--dry-run", "--allow-empty", "--template", "t", filepath.Join(dir, "gap.csv"))
	if code != 0 || !strings.Contains(errs, "1 rows, all good") {
		t.Fatalf("dry run --allow-empty: exit %d: %s", code, errs)
	}
}

// With a receiver, each job carries the callback URL and its row's key,
// and the receiver matches the callback to the job by that key.
func TestSubmitCallbackCarriesTheRowKey(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 7, Speed: 200, CallbackEvery: -1})
	dir := t.TempDir()
	addr := freePort(t)
	rows := writeFile(t, dir, "rows.csv", "name\nAda\n")
	env["REEL_CONFIG"] = writeFile(t, dir, "c.toml", "callback_secret = \"0123456789abcdef0123\"\n")
	_, errs, code := runCLI(t, env, "", "submit", "--template", "t", "--listen", addr, rows)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	c := srv.Creations()
	if len(c) != 1 || c[0].CallbackPayload[callback.RowKeyField] == nil {
		t.Fatalf("creation %+v: no row key in the payload", c)
	}
	key := c[0].CallbackPayload[callback.RowKeyField].(string)
	rows2 := &journalRows{path: filepath.Join(env["XDG_STATE_HOME"], "reel", "reel.db")}
	defer rows2.close()
	if id, ok := rows2.lookup(key); !ok || id != c[0].JobID {
		t.Fatalf("the journal gives %q %v for the row key, want %s", id, ok, c[0].JobID)
	}
	// A public URL from the config goes to the jobs as it is.
	env["REEL_CONFIG"] = writeFile(t, dir, "c2.toml", "callback_url = \"https://hooks.example.com/cb/s3cret\"\n")
	writeFile(t, dir, "rows.csv", "name\nAda\nBob\n")
	if _, errs, code := runCLI(t, env, "", "submit", "--template", "t", rows); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if c := srv.Creations(); len(c) != 2 || c[1].Callback != "https://hooks.example.com/cb/s3cret" {
		t.Fatalf("creations %+v: want the configured callback_url", c)
	}
	env["REEL_CONFIG"] = writeFile(t, dir, "c3.toml", "\ncallback_url = \"ftp://x\"\n")
	if _, errs, code := runCLI(t, env, "", "submit", "--template", "t", rows); code != 2 || !strings.Contains(errs, "c3.toml:2") || !strings.Contains(errs, "callback_url") {
		t.Fatalf("a bad callback_url: exit %d: %s", code, errs)
	}
	if submit.PayloadKey != callback.RowKeyField {
		t.Fatal("submit and the receiver disagree on the payload key")
	}
	if want := "http://" + addr + "/callback/0123456789abcdef0123"; c[0].Callback != want {
		t.Fatalf("callbackUrl %q, want %q", c[0].Callback, want)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A callback that carries a submitted row's key is matched to that row's
// job through the journal, by the receiver reel --listen and wait start.
func TestReceiverMatchesByRowKey(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 8, CallbackEvery: -1})
	dir := t.TempDir()
	rows := writeFile(t, dir, "rows.csv", "name\nAda\nBob\n")
	addr := freePort(t)
	if _, errs, code := runCLI(t, env, "", "submit", "--template", "t", "--listen", addr, rows); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	c := srv.Creations()
	eng := track.New(track.Options{Client: noAPI{}})
	eng.Add(c[0].JobID, c[1].JobID)
	got := make(chan callback.Event, 1)
	s := &config.Settings{Listen: addr, StorePath: filepath.Join(env["XDG_STATE_HOME"], "reel", "reel.db")}
	sio := IO{Err: io.Discard, Now: time.Now, Getenv: func(string) string { return "" }}
	stop, url, err := startReceiverWith(t.Context(), sio, s, eng, slog.New(slog.DiscardHandler), func(e callback.Event) { got <- e })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if url != c[1].Callback {
		t.Fatalf("the receiver listens at %s, the job was given %s", url, c[1].Callback)
	}
	// The body names the other job's video too: the row key decides.
	body, _ := json.Marshal(map[string]any{"status": "finished", callback.RowKeyField: c[1].CallbackPayload[callback.RowKeyField],
		"note": c[0].JobID})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if e := <-got; len(e.IDs) != 1 || e.IDs[0] != c[1].JobID {
		t.Fatalf("matched %v, want only %s", e.IDs, c[1].JobID)
	}
}

// A rerun from the same rows at another path (a symlink in another
// folder), with a row deleted above the others, sends nothing: the rows
// are the same rows. JSON bodies with their keys reordered too.
func TestSubmitRerunFromElsewhereSendsNothing(t *testing.T) {
	srv, env := simEnv(t, sim.Options{Seed: 7, CallbackEvery: -1})
	dir := t.TempDir()
	rows := writeFile(t, dir, "rows.csv", "name,city\nAda,Paris\nBob,Rome\nAda,Paris\n")
	jobs := writeFile(t, dir, "jobs.jsonl", `{"videoCreative":{"a":1,"b":2}}`+"\n"+`{"videoCreative":{"c":3}}`+"\n")
	if _, errs, code := runCLI(t, env, "", "submit", "--template", "tpl_1", rows); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, errs, code := runCLI(t, env, "", "submit", jobs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	other := filepath.Join(t.TempDir(), "sub")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	moved := writeFile(t, dir, "moved.csv", "city,name\nRome,Bob\nParis,Ada\nParis,Ada\n") // Ada,Paris's first copy deleted, columns swapped
	link := filepath.Join(other, "link.csv")
	if err := os.Symlink(moved, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, errs, code := runCLI(t, env, "", "submit", "--dry-run", "--template", "tpl_1", link)
	if code != 0 || !strings.Contains(errs, "0 would be sent, 3 are created already") {
		t.Fatalf("dry run through a symlink: exit %d: %s", code, errs)
	}
	reordered := writeFile(t, other, "jobs.json", `[{"videoCreative":{"c":3}}, {"videoCreative":{"b":2, "a":1}}]`)
	_, errs, code = runCLI(t, env, "", "submit", "--dry-run", reordered)
	if code != 0 || !strings.Contains(errs, "0 would be sent, 2 are created already") {
		t.Fatalf("dry run of reordered JSON: exit %d: %s", code, errs)
	}
	_, errs, code = runCLI(t, env, "", "submit", "--template", "tpl_1", link)
	if code != 0 || len(srv.Creations()) != 5 {
		t.Fatalf("rerun: exit %d, %d creations (want 5): %s", code, len(srv.Creations()), errs)
	}
}

// Jobs told to call back a loopback address can only reach it from an API
// on the same machine (the simulator).
func TestSubmitWarnsOfALoopbackCallback(t *testing.T) {
	for _, tt := range []struct {
		cb, base string
		warn     bool
	}{
		{"http://127.0.0.1:8080/callback/s", "https://app.colossyan.com/api/v1", true},
		{"http://localhost:8080/callback/s", "https://app.colossyan.com/api/v1", true},
		{"http://[::1]:8080/callback/s", "https://app.colossyan.com/api/v1", true},
		{"http://127.0.0.1:8080/callback/s", "http://127.0.0.1:18260", false},
		{"https://hooks.example.com/callback/s", "https://app.colossyan.com/api/v1", false},
		{"", "https://app.colossyan.com/api/v1", false},
	} {
		w := loopbackWarning(tt.cb, tt.base)
		if (w != "") != tt.warn || tt.warn && !strings.Contains(w, "--callback-url") {
			t.Errorf("callback %q, base %q: warning %q", tt.cb, tt.base, w)
		}
	}
}

func TestSubmitSaysWhenRateLimited(t *testing.T) {
	var errs bytes.Buffer
	r := &submitReporter{sio: IO{Out: io.Discard, Err: &errs}}
	r.waiting(submit.Row{File: "rows.csv", Line: 7}, 2*time.Minute+300*time.Millisecond)
	if errs.String() != "reel: rows.csv:7: rate limited, waiting 2m0s\n" {
		t.Fatalf("%q", errs.String())
	}
}

// submit --wait takes wait's own flags and honours them: --timeout ends the
// wait with 124 (it was no flag of submit at all).
func TestSubmitWaitTimeout(t *testing.T) {
	_, env := simEnv(t, sim.Options{Seed: 4, CallbackEvery: -1})
	rows := writeFile(t, t.TempDir(), "rows.csv", "name\nAda\n")
	start := time.Now()
	_, errs, code := runCLI(t, env, "", "submit", "--wait", "--timeout", "1s", "--max-in-flight", "2", "--template", "tpl_1", rows)
	if code != ExitTimeout {
		t.Fatalf("submit --wait --timeout 1s: exit %d, want %d; stderr %s", code, ExitTimeout, errs)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("submit --wait --timeout 1s took %v", d)
	}
}

// submit takes only the shared flags it uses, and waiting's flags only
// when it waits: any other is a usage error, not a flag taken and ignored.
func TestSubmitRefusesFlagsItWouldIgnore(t *testing.T) {
	_, env := simEnv(t, sim.Options{Seed: 4, CallbackEvery: -1})
	rows := writeFile(t, t.TempDir(), "rows.csv", "name\nAda\n")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--debug", filepath.Join(t.TempDir(), "log")}, "--debug: not a flag of reel submit"},
		{[]string{"--download-dir", t.TempDir()}, "--download-dir: not a flag of reel submit"},
		{[]string{"--timeout", "5m"}, "--timeout is for waiting"},
		{[]string{"--show-callback-url"}, "--show-callback-url is for waiting"},
		{[]string{"--wait", "--timeout", "-1s"}, "--timeout must not be negative"},
	} {
		args := append(append([]string{"submit", "--template", "tpl_1"}, c.args...), rows)
		_, errs, code := runCLI(t, env, "", args...)
		if code != ExitUsage || !strings.Contains(errs, c.says) {
			t.Errorf("reel %s: exit %d, stderr %q; want 2 saying %q", strings.Join(c.args, " "), code, errs, c.says)
		}
	}
}

// The callback receiver's journal, not openable at the first callback (a
// database down, a store not made yet), is opened again on a later one, at
// most once every journalRetry: it is not given up for good.
func TestJournalRowsRetriesTheOpening(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reel.db")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := &journalRows{path: path, now: func() time.Time { return now }}
	defer rows.close()
	if _, ok := rows.lookup("k"); ok {
		t.Fatal("a row found in a store that does not exist")
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if _, _, err := st.ClaimRow(ctx, "k", "rows.csv:2", false); err != nil {
		t.Fatal(err)
	}
	if err := st.Answer(ctx, submit.Entry{Key: "k", Source: "rows.csv:2", State: submit.Created, JobID: "job-1", At: now}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(journalRetry / 2)
	if _, ok := rows.lookup("k"); ok {
		t.Fatal("the store was opened again within journalRetry")
	}
	now = now.Add(journalRetry)
	if id, ok := rows.lookup("k"); !ok || id != "job-1" {
		t.Fatalf("lookup after journalRetry = %q, %v; want job-1: the store was given up", id, ok)
	}
}

// The hint to send unknown rows again never carries a secret: stderr ends
// up in CI logs. The callback secret and the store's password are left out,
// with a line saying how to give them.
func TestSubmitHintKeepsSecretsOut(t *testing.T) {
	cmd := &cobra.Command{Use: "submit"}
	var st, secret, tpl string
	cmd.Flags().StringVar(&st, "store", "", "")
	cmd.Flags().StringVar(&secret, "callback-secret", "", "")
	cmd.Flags().StringVar(&tpl, "template", "", "")
	if err := cmd.Flags().Parse([]string{"--store", "postgres://ann:hunter2-secret@db.example/reel?password=qpw-secret",
		"--callback-secret", "s3cretvalue", "--template", "tpl_1"}); err != nil {
		t.Fatal(err)
	}
	got := againArgs(cmd, []string{"rows.csv"})
	for _, secret := range []string{"hunter2-secret", "qpw-secret", "s3cretvalue"} {
		if strings.Contains(got, secret) {
			t.Errorf("the hint %q carries a secret %q", got, secret)
		}
	}
	for _, want := range []string{"--store='postgres://ann@db.example/reel'", "--callback-secret=SECRET", "--template=tpl_1", "rows.csv", "PGPASSWORD", "REEL_CALLBACK_SECRET"} {
		if !strings.Contains(got, want) {
			t.Errorf("the hint %q lacks %q", got, want)
		}
	}
}
