package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/track"
)

// benchModel is a dashboard with n running jobs on a 160x45 terminal, its
// engine unguarded and its first frame drawn.
func benchModel(b *testing.B, n int) *model {
	eng := newFakeEngine(b, manyJobs(n)...)
	eng.guarded = false
	o := Options{Engine: eng, Now: func() time.Time { return fixedNow }}
	o.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m := newModel(o)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	m.Update(snapshotMsg{jobs: eng.Jobs(), conn: fixtureConn()})
	m.View()
	return m
}

// BenchmarkView: a frame with 10,000 jobs tracked. Budget: 1 ms.
func BenchmarkView(b *testing.B) {
	m := benchModel(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		m.View()
	}
}

// BenchmarkViewScrolled: a frame after one notch of the wheel, which
// brings three rows never drawn before.
func BenchmarkViewScrolled(b *testing.B) {
	m := benchModel(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, off := m.window(); off+m.frame().rowsH >= len(m.rows()) {
			m.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
			m.draw.rows = map[string]cachedRow{}
		}
		m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
		m.View()
	}
}

// BenchmarkViewCold: a frame with nothing cached, as after a resize.
func BenchmarkViewCold(b *testing.B) {
	m := benchModel(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		m.draw.rows = map[string]cachedRow{}
		m.draw.titles = ""
		m.View()
	}
}

// BenchmarkUpdateOneJob: one job's new snapshot arrives and the frame is
// drawn again. Budget: 0.2 ms.
func BenchmarkUpdateOneJob(b *testing.B) {
	m := benchModel(b, 10_000)
	j := m.rows()[3].job
	b.ReportAllocs()
	for b.Loop() {
		j.Version++
		j.Progress = float64(j.Version % 100)
		jj := j
		m.Update(eventsMsg{track.Event{Job: &jj}})
		m.View()
	}
}

// BenchmarkUpdateDownload: one batch of download progress arrives for a
// visible row and the frame is drawn again. Budget: 0.2 ms.
func BenchmarkUpdateDownload(b *testing.B) {
	m := benchModel(b, 10_000)
	e := m.rows()[3]
	j := e.job
	j.Status, j.Version = api.StatusFinished, j.Version+1
	j.Video = &api.Video{ID: "vid-bench", Name: "bench"}
	m.Update(eventsMsg{track.Event{Job: &j}})
	p := download.Progress{VideoID: "vid-bench", Path: "/tmp/bench-vid-bench.mp4", Total: 1 << 30, Rate: 12e6,
		ETA: time.Minute, State: download.StateRunning}
	m.Update(downloadsMsg{p})
	m.View()
	b.ReportAllocs()
	for b.Loop() {
		p.Done = (p.Done + 1<<20) % p.Total
		m.Update(downloadsMsg{p})
		m.View()
	}
}
