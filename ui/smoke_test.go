package ui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// quitWhen runs the dashboard in a real program and ends it once the model
// reaches a state, so tests wait on state rather than on screen bytes,
// which the renderer sends only as changed cells.
type quitWhen struct {
	*model
	cond   func(*model) bool
	loaded chan struct{} // closed once the engine's jobs are in
}

func (q quitWhen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := q.model.Update(msg)
	if _, ok := msg.(snapshotMsg); ok {
		close(q.loaded)
	}
	if q.cond(q.model) {
		return q, tea.Quit
	}
	return q, cmd
}

func smokeModel(t *testing.T, eng *fakeEngine) *model {
	eng.guarded, eng.blocking = false, true
	o := Options{Engine: eng, Now: func() time.Time { return fixedNow }, Location: time.UTC,
		Env: func(string) string { return "" }}
	o.ctx = t.Context()
	return newModel(o)
}

// TestSmokeKeysAndEvents: in a real program, keys move the cursor and an
// engine event, arriving through the waiting command, updates the row.
func TestSmokeKeysAndEvents(t *testing.T) {
	eng := newFakeEngine(t, fixtures()...)
	m := smokeModel(t, eng)
	loaded := make(chan struct{})
	tm := teatest.NewTestModel(t, quitWhen{m, func(m *model) bool {
		e := m.job("job-gen")
		cur, _ := m.window()
		return e != nil && e.cat == catFinished && cur == 2 && m.detail
	}, loaded}, teatest.WithInitialTermSize(80, 24), teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))

	select {
	case <-loaded:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine's jobs never arrived")
	}
	tm.Type("jj")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	j := fixtures()[3]
	j.Status, j.Version = api.StatusFinished, 2
	eng.push(track.Event{Job: &j})

	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(quitWhen)
	out := ansi.Strip(fm.View().Content)
	if !strings.Contains(out, "job-gen") || !strings.Contains(out, "─── details") {
		t.Errorf("final view lacks the row or the details:\n%s", out)
	}
}

// TestSmokeQuitKey: q ends the program.
func TestSmokeQuitKey(t *testing.T) {
	eng := newFakeEngine(t, fixtures()...)
	tm := teatest.NewTestModel(t, smokeModel(t, eng), teatest.WithInitialTermSize(160, 45),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	tm.Type("?")
	tm.Type("q") // closes help
	tm.Type("q") // quits
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*model)
	if fm.mode != modeNormal || fm.width != 160 {
		t.Errorf("final mode %v width %d", fm.mode, fm.width)
	}
}

// TestSmokeRealDownloads: D in a real program, with the real
// download.Manager behind it and a file host in the test, ends with both
// finished videos on disk and their rows saying so.
func TestSmokeRealDownloads(t *testing.T) {
	body := strings.Repeat("reel", 1<<14)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "v.mp4", time.Time{}, strings.NewReader(body))
	}))
	defer srv.Close()
	jobs := fixtures()
	size := int64(len(body))
	for _, i := range []int{5, 12} { // job-finished and job-hostile
		jobs[i].Video.PublicURL = srv.URL + "/" + jobs[i].Video.ID + ".mp4"
		jobs[i].Video.VideoSizeBytes = &size
	}
	dir := t.TempDir()
	mgr := download.NewManager(&download.Fetcher{Dir: dir})
	defer mgr.Close()

	m := smokeModel(t, newFakeEngine(t, jobs...))
	m.dl = mgr
	loaded := make(chan struct{})
	tm := teatest.NewTestModel(t, quitWhen{m, func(m *model) bool {
		return len(m.downloads) == 2 && m.dlActive == 0
	}, loaded}, teatest.WithInitialTermSize(160, 45), teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	select {
	case <-loaded:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine's jobs never arrived")
	}
	tm.Type("D")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(quitWhen)
	for _, id := range []string{"vid-finished", "vid-hostile"} {
		d := fm.downloads[id]
		if d.p.State != download.StateDone || d.p.Done != size {
			t.Errorf("%s: %+v", id, d.p)
			continue
		}
		if b, err := os.ReadFile(d.p.Path); err != nil || string(b) != body {
			t.Errorf("%s: file %s holds %d bytes (%v)", id, d.p.Path, len(b), err)
		}
	}
	if out := ansi.Strip(fm.View().Content); strings.Count(out, "✓ saved") != 2 {
		t.Errorf("rows do not say saved:\n%s", out)
	}
}

// TestRunSummary runs the entry point itself and checks the summary it
// leaves for the scrollback.
func TestRunSummary(t *testing.T) {
	eng := newFakeEngine(t, fixtures()[5:7]...)
	eng.guarded, eng.blocking = false, true
	var out bytes.Buffer
	summary, err := Run(t.Context(), Options{
		Engine: eng, Input: strings.NewReader("q"), Output: &out, NoColor: true,
		Env:            func(string) string { return "" },
		ProgramOptions: []tea.ProgramOption{tea.WithWindowSize(80, 24), tea.WithoutSignals()},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "✓ finished  job-finished  Quarterly update – Anna\n✗ failed    job-failed    Avatar not available\n"
	if summary != want {
		t.Errorf("summary:\n%s\nwant:\n%s", summary, want)
	}
}

// TestRunCancelled: cancelling the context ends the dashboard without an
// error.
func TestRunCancelled(t *testing.T) {
	eng := newFakeEngine(t, fixtures()[:2]...)
	eng.guarded, eng.blocking = false, true
	ctx, cancel := context.WithCancel(t.Context())
	r, w := ioPipe(t)
	defer w.Close()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Engine: eng, Input: r, Output: &bytes.Buffer{},
			ProgramOptions: []tea.ProgramOption{tea.WithWindowSize(80, 24), tea.WithoutSignals()}})
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end after cancel")
	}
}

// TestRunNeedsEngine: a missing engine is a plain error, not a panic.
func TestRunNeedsEngine(t *testing.T) {
	if _, err := Run(t.Context(), Options{}); err == nil {
		t.Error("Run without an engine did not fail")
	}
}

func ioPipe(t *testing.T) (*io.PipeReader, *io.PipeWriter) {
	t.Helper()
	return io.Pipe()
}
