package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/termtest"
)

// submitFaults is the fault pool for submit: every kind, the hard case
// (the job created, the answer lost) and the other answers that may follow
// a creation (5xx, a truncated 200) weighted up; 429 weighted down, since
// each one pauses every request (see RELIABILITY.md).
var submitFaults = []sim.Fault{
	sim.FaultLostAnswer, sim.FaultLostAnswer, sim.FaultLostAnswer, sim.FaultLostAnswer,
	sim.FaultInternal, sim.FaultInternal, sim.FaultBadGateway, sim.FaultUnavailable,
	sim.FaultUnavailableRetry, sim.FaultUnavailableRetry, sim.FaultRateLimited,
	sim.FaultReset, sim.FaultReset, sim.FaultTruncated, sim.FaultTruncated,
	sim.FaultStall, sim.FaultHTML, sim.FaultHTMLBadGateway,
}

// writeRows writes a CSV of n rows whose "row" column numbers them, so the
// simulator's creations tell which row each job came from.
func writeRows(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("row,name,company\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,Customer %d,\"Firm, %d\"\r\n", i, i, i%7)
	}
	path := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// submitReport is what one run of reel submit said, by row number.
type submitReport struct {
	created map[int]string // row -> job id (created now or before)
	failed  map[int]bool
	unknown map[int]bool
	summary string
	code    int
}

var (
	problemLine = regexp.MustCompile(`rows\.csv:(\d+): (failed|unknown)`)
	summaryLine = regexp.MustCompile(`reel: submit: .*`)
)

// runSubmit runs reel submit to its end and reads its report.
func runSubmit(t *testing.T, env []string, dir string, args ...string) submitReport {
	t.Helper()
	// Bounded, so a hang fails the test rather than the whole run.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, reelBin, append([]string{"submit"}, args...)...)
	cmd.Env, cmd.Dir = env, dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	rep := submitReport{created: map[int]string{}, failed: map[int]bool{}, unknown: map[int]bool{}}
	if ctx.Err() != nil {
		t.Fatalf("reel submit %v still running after 8 minutes", args)
	}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		rep.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(out.String()) {
		var o struct{ Row, ID, VideoID, State string }
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("stdout line %q: %v", line, err)
		}
		rep.created[rowOf(t, o.Row)] = o.ID
	}
	for _, m := range problemLine.FindAllStringSubmatch(errb.String(), -1) {
		l, _ := strconv.Atoi(m[1])
		if m[2] == "failed" {
			rep.failed[l-1] = true
		} else {
			rep.unknown[l-1] = true
		}
	}
	rep.summary = summaryLine.FindString(errb.String())
	return rep
}

// rowOf reads "rows.csv:LINE": row n is on line n+1, after the header.
func rowOf(t *testing.T, where string) int {
	_, l, ok := strings.Cut(where, ":")
	n, err := strconv.Atoi(l)
	if !ok || err != nil {
		t.Fatalf("row %q", where)
	}
	return n - 1
}

// creationsByRow groups the simulator's creations by the row they carry.
func creationsByRow(s *sim.Server) map[int][]string {
	by := map[int][]string{}
	for _, c := range s.Creations() {
		n, _ := strconv.Atoi(fmt.Sprint(c.DynamicVariables["row"]))
		by[n] = append(by[n], c.JobID)
	}
	return by
}

// checkOnce holds a run's report against the simulator's creations: no
// row created twice; a row reported created was created once, as that
// job; a failed row was never created; every row reported exactly once.
// It returns how many unknown rows had in fact been created.
func checkOnce(t *testing.T, n int, rep submitReport, by map[int][]string) (unknownCreated int) {
	t.Helper()
	for row, ids := range by {
		if len(ids) > 1 {
			t.Errorf("row %d created %d times: %v", row, len(ids), ids)
		}
	}
	for row := 1; row <= n; row++ {
		id, created := rep.created[row]
		said := 0
		for _, b := range []bool{created, rep.failed[row], rep.unknown[row]} {
			if b {
				said++
			}
		}
		switch {
		case said != 1:
			t.Errorf("row %d reported %d times (created %v, failed %v, unknown %v)", row, said, created, rep.failed[row], rep.unknown[row])
		case created && (len(by[row]) != 1 || by[row][0] != id):
			t.Errorf("row %d reported created as %s, the API made %v", row, id, by[row])
		case rep.failed[row] && len(by[row]) != 0:
			t.Errorf("row %d reported failed (not created), the API made %v", row, by[row])
		case rep.unknown[row] && len(by[row]) == 1:
			unknownCreated++
		}
	}
	return unknownCreated
}

// TestSubmitExactlyOnceThroughFaults sends 1,000 rows to a simulator that
// fails 30% of requests in every way, the hard case (the job created, the
// answer lost) included, then runs the same command again with the faults
// gone: every row is created exactly once or reported unknown or failed,
// never created twice, and the rerun sends only the failed rows.
func TestSubmitExactlyOnceThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 rows at the 10/s rate cap take about two minutes")
	}
	t.Parallel()
	const n = 1000
	srv, err := sim.Start(sim.Options{Seed: 20, Speed: 100, CallbackEvery: -1, Faults: 0.3,
		FaultKinds: submitFaults, StallFor: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	home := t.TempDir()
	env := termtest.Env(home, srv.URL(), srv.Token())
	writeRows(t, home, n)

	start := time.Now()
	rep := runSubmit(t, env, home, "--json", "--template", "tpl_chaos", "rows.csv")
	took := time.Since(start)
	by := creationsByRow(srv)
	hard := checkOnce(t, n, rep, by)
	st := srv.Requests()
	t.Logf("%d rows in %s: %d created, %d failed, %d unknown (%d of them created: the hard case); "+
		"%d POSTs, %d creations, faults %v", n, took.Round(time.Second), len(rep.created), len(rep.failed), len(rep.unknown), hard,
		st.ByRoute["POST /api/v1/video-generation-jobs/template-jobs"], st.Created, st.Faults)
	if st.Faults[sim.FaultLostAnswer] == 0 || hard == 0 {
		t.Fatalf("the hard case never happened (%d lost answers): the test proves nothing", st.Faults[sim.FaultLostAnswer])
	}
	if rep.code != 1 || !strings.Contains(rep.summary, fmt.Sprintf("%d unknown", len(rep.unknown))) {
		t.Fatalf("exit %d, summary %q: want 1 and the unknown count", rep.code, rep.summary)
	}

	// Again, the same command, no faults: created rows skipped, unknown
	// ones reported and not sent, failed ones sent now.
	srv.SetFaults(0)
	before := srv.Requests().Created
	again := runSubmit(t, env, home, "--json", "--template", "tpl_chaos", "rows.csv")
	by = creationsByRow(srv)
	checkOnce(t, n, again, by)
	if got, want := srv.Requests().Created-before, len(rep.failed); got != want {
		t.Errorf("the rerun created %d jobs, want %d (the failed rows)", got, want)
	}
	for row, id := range rep.created {
		if again.created[row] != id {
			t.Errorf("row %d: created as %s, the rerun says %q", row, id, again.created[row])
		}
	}
	for row := range rep.unknown {
		if !again.unknown[row] {
			t.Errorf("row %d: unknown, and the rerun did not say so", row)
		}
	}
	if len(again.failed) != 0 || len(again.unknown) != len(rep.unknown) {
		t.Errorf("rerun: %d failed, %d unknown; want 0 and %d", len(again.failed), len(again.unknown), len(rep.unknown))
	}
	t.Logf("rerun: %s", again.summary)
}

// TestSubmitKillNineNoDuplicates kills reel submit with SIGKILL five times
// mid-run, each time running the same command again, then once more to its
// end: no row is ever created twice, and every row ends created (once, as
// the journal says) or unknown (killed while its POST was on the wire).
func TestSubmitKillNineNoDuplicates(t *testing.T) {
	t.Parallel()
	const n, kills = 300, 5
	srv, err := sim.Start(sim.Options{Seed: 21, Speed: 100, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	home := t.TempDir()
	env := termtest.Env(home, srv.URL(), srv.Token())
	path := writeRows(t, home, n)
	args := []string{"submit", "--template", "tpl_kill", "rows.csv"}
	rnd := rand.New(rand.NewPCG(21, 22))
	for k := range kills {
		cmd := exec.Command(reelBin, args...)
		cmd.Env, cmd.Dir = env, home
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once it has created some more rows, at a random moment
		// within the next half second: mid-POST, mid-journal, anywhere.
		target := srv.Requests().Created + 10 + rnd.IntN(30)
		deadline := time.Now().Add(60 * time.Second)
		for srv.Requests().Created < target && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond) // polling the simulator's count: nothing to wait on
		}
		time.Sleep(time.Duration(rnd.IntN(500)) * time.Millisecond) // the kill's moment is the point
		if err := kill9(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("kill %d after %d creations", k+1, srv.Requests().Created)
	}
	rep := runSubmit(t, env, home, "--json", "--template", "tpl_kill", "rows.csv")
	by := creationsByRow(srv)
	checkOnce(t, n, rep, by)
	if len(rep.failed) != 0 {
		t.Errorf("%d rows failed with no faults", len(rep.failed))
	}

	// The journal agrees, and every created job is tracked.
	st, err := store.OpenReadOnly(filepath.Join(home, "state", "reel", "reel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	jobs, err := st.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tracked := map[string]bool{}
	for _, j := range jobs {
		tracked[j.ID] = true
	}
	abs, _ := filepath.Abs(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[submit.State]int{}
	err = submit.ReadCSV(f, submit.Source{Name: "rows.csv", ID: abs, Template: "tpl_kill"}, func(r submit.Row) error {
		e, ok, err := st.Submission(context.Background(), r.Key)
		if err != nil || !ok {
			t.Errorf("row %d not in the journal (%v)", r.Number, err)
			return nil
		}
		counts[e.State]++
		switch e.State {
		case submit.Created:
			if !tracked[e.JobID] || len(by[r.Number]) != 1 || by[r.Number][0] != e.JobID {
				t.Errorf("row %d: journal says %s (tracked %v), the API made %v", r.Number, e.JobID, tracked[e.JobID], by[r.Number])
			}
		case submit.Unknown, submit.Sending:
		default:
			t.Errorf("row %d ends %s", r.Number, e.State)
		}
		return nil
	}, func(p submit.Problem) { t.Error(p) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %d kills: %v; %d creations for %d rows; %s", kills, counts, srv.Requests().Created, n, rep.summary)
	if counts[submit.Created]+counts[submit.Unknown]+counts[submit.Sending] != n {
		t.Fatalf("journal %v does not account for %d rows", counts, n)
	}
}

// TestSubmitInterruptKeepsAnswers sends SIGINT (Ctrl+C) mid-run: reel
// submit stops taking rows but lets the POSTs on the wire finish and
// records their answers, so no row is left unknown; the same command then
// finishes the rest, creating nothing twice.
func TestSubmitInterruptKeepsAnswers(t *testing.T) {
	t.Parallel()
	const n = 100
	srv, err := sim.Start(sim.Options{Seed: 23, Speed: 100, CallbackEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	home := t.TempDir()
	env := termtest.Env(home, srv.URL(), srv.Token())
	writeRows(t, home, n)
	cmd := exec.Command(reelBin, "submit", "--template", "tpl_int", "rows.csv")
	cmd.Env, cmd.Dir = env, home
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for srv.Requests().Created < 20 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling the simulator's count: nothing to wait on
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(errb.String(), "not sent") {
		t.Fatalf("after Ctrl+C: %v, stderr %s; want exit 130 and the rows not sent counted", err, errb.String())
	}
	if strings.Contains(errb.String(), "unknown, may") {
		t.Fatalf("Ctrl+C left a row unknown:\n%s", errb.String())
	}
	first := srv.Requests().Created
	rep := runSubmit(t, env, home, "--json", "--template", "tpl_int", "rows.csv")
	checkOnce(t, n, rep, creationsByRow(srv))
	if rep.code != 0 || len(rep.created) != n {
		t.Fatalf("rerun: exit %d, %d rows created; %s", rep.code, len(rep.created), rep.summary)
	}
	t.Logf("interrupted after %d creations: %s; rerun: %s", first, strings.TrimSpace(summaryLine.FindString(errb.String())), rep.summary)
}
