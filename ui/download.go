package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/termsafe"
)

// dlState is the newest progress of one video's download. Every row showing
// that video points at the same state, so one update reaches them all.
type dlState struct {
	p   download.Progress
	ver uint64 // bumps on every change; rows cache by it
}

// Messages of the download commands.
type (
	// downloadMsg: d or D handed videos to the Downloader.
	downloadMsg struct {
		asked, started int
		busy, saved    int // left out because already downloading or saved
	}
	// downloadsMsg is one batch of progress from the Downloader.
	downloadsMsg []download.Progress
	// downloadsErrMsg: the wait for progress ended.
	downloadsErrMsg struct{ err error }
)

// waitDownloads is the bridge from the Downloader, like waitNext for the
// engine: it blocks in a command and is issued again after each batch.
func (m *model) waitDownloads() tea.Cmd {
	if m.dl == nil {
		return nil
	}
	dl, ctx := m.dl, m.ctx
	return func() tea.Msg {
		ps, err := dl.Next(ctx)
		if err != nil {
			return downloadsErrMsg{err}
		}
		return downloadsMsg(ps)
	}
}

// downloadSelected hands the selected finished job's video to the
// Downloader. A video saved before is fetched again on purpose: the user
// may have moved the file away.
func (m *model) downloadSelected() tea.Cmd {
	if m.dl == nil {
		m.setFlash("downloads not available", true)
		return nil
	}
	e, ok := m.selected()
	if !ok {
		return nil
	}
	switch {
	case !finished(&e.job):
		m.setFlash("only a finished video can be downloaded", true)
		return nil
	case e.job.Video == nil || e.job.Video.PublicURL == "":
		m.setFlash("the video's details have not arrived yet; press r to ask again", true)
		return nil
	case e.dl != nil && !e.dl.p.State.Ended():
		m.setFlash("already downloading "+fileName(&e.dl.p), false)
		return nil
	}
	return m.download([]*api.Video{e.job.Video}, 0, 0)
}

// downloadAll hands the video of every finished job to the Downloader,
// leaving out those already downloading or saved.
func (m *model) downloadAll() tea.Cmd {
	if m.dl == nil {
		m.setFlash("downloads not available", true)
		return nil
	}
	var vids []*api.Video
	seen := map[string]bool{} // two rows may track the same video
	busy, saved := 0, 0
	for _, e := range m.list.All() {
		j := &e.job
		if !finished(j) || j.Video == nil || seen[j.Video.ID] {
			continue
		}
		seen[j.Video.ID] = true
		switch {
		case e.dl == nil || e.dl.p.State == download.StateFailed:
			vids = append(vids, j.Video)
		case e.dl.p.State.Ended():
			saved++
		default:
			busy++
		}
	}
	if len(vids) == 0 {
		if busy+saved == 0 {
			m.setFlash("no finished video to download yet", true)
		} else {
			m.setFlash("nothing new to download"+leftOut(busy, saved), false)
		}
		return nil
	}
	return m.download(vids, busy, saved)
}

func (m *model) download(vids []*api.Video, busy, saved int) tea.Cmd {
	ids := make([]string, len(vids))
	for i, v := range vids {
		ids[i] = v.ID
	}
	m.addToBatch(ids, saved)
	dl := m.dl
	return func() tea.Msg {
		n := 0
		for _, v := range vids {
			if dl.Start(v) {
				n++
			}
		}
		return downloadMsg{asked: len(vids), started: n, busy: busy, saved: saved}
	}
}

func leftOut(busy, saved int) string {
	s := ""
	if busy > 0 {
		s += "; " + plural(busy, "video") + " already downloading"
	}
	if saved > 0 {
		s += "; " + plural(saved, "video") + " already saved"
	}
	return s
}

// applyDownloads folds a batch of progress into the rows and the status
// line's account of what d and D asked for.
func (m *model) applyDownloads(ps []download.Progress) {
	fresh := false
	for _, p := range ps {
		if m.dlDir == "" && p.Path != "" {
			m.dlDir = filepath.Dir(p.Path)
		}
		d, known := m.downloads[p.VideoID]
		if !known {
			d = &dlState{p: download.Progress{State: download.StateDone}} // counts as not running
			m.downloads[p.VideoID] = d
			fresh = true
		}
		was := d.p.State
		m.dlSeq++
		d.p, d.ver = p, m.dlSeq
		switch {
		case was.Ended() && !p.State.Ended():
			m.dlActive++
		case !was.Ended() && p.State.Ended():
			m.dlActive--
		}
	}
	if fresh {
		// New videos: one pass points their rows at them, however many
		// downloads D started at once.
		for _, e := range m.list.All() {
			if e.dl == nil {
				m.linkDownload(e)
			}
		}
	}
	m.showBatch()
}

// fileName is the base name of a download's file, safe to print.
func fileName(p *download.Progress) string {
	if p.Path == "" {
		return "video " + termsafe.Clean(p.VideoID)
	}
	return termsafe.Clean(filepath.Base(p.Path))
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return termsafe.Clean(err.Error())
}

// dlWideText is the width from which the progress area shows a download
// in words rather than glyphs: "↓ 45% 850kB/s" fits it.
const dlWideText = 13

// dlCell is a download's text for the row's progress area, w cells wide.
func dlCell(p *download.Progress, w int) string {
	short := w < dlWideText
	switch p.State {
	case download.StateQueued:
		if short {
			return "↓"
		}
		return "↓ queued"
	case download.StateRunning:
		amount := compactSize(p.Done)
		if p.Total > 0 {
			amount = formatPercent(float64(p.Done)/float64(p.Total), false)
		}
		if short {
			return "↓" + amount
		}
		s := "↓ " + amount
		if p.Rate >= 1 {
			s += " " + compactRate(p.Rate)
		}
		return s
	case download.StateDone, download.StateSkipped:
		if short {
			return "✓"
		}
		return "✓ saved"
	}
	if short {
		return "✗"
	}
	if download.IsCanceled(p.Err) {
		return "✗ canceled"
	}
	return "✗ save failed"
}

// dlLeft is the time column of a row being downloaded: the time the
// download has left, when known.
func dlLeft(p *download.Progress) string {
	if p.State != download.StateRunning || p.ETA <= 0 {
		return ""
	}
	return leftText(p.ETA)
}

// compactSize is a byte count with no space, for a narrow cell: "12MB".
func compactSize(n int64) string { return strings.Replace(human.Size(n), " ", "", 1) }

// compactRate is a transfer rate in at most 7 cells: "850kB/s", "12MB/s".
func compactRate(r float64) string {
	// The bounds sit where rounding would carry into another digit.
	switch {
	case r < 999.5:
		return fmt.Sprintf("%.0fB/s", r)
	case r < 999.5e3:
		return fmt.Sprintf("%.0fkB/s", r/1e3)
	case r < 9.95e6:
		return fmt.Sprintf("%.1fMB/s", r/1e6)
	case r < 999.5e6:
		return fmt.Sprintf("%.0fMB/s", r/1e6)
	}
	return fmt.Sprintf("%.1fGB/s", r/1e9)
}

// downloadLines describe a download in the detail pane: where it stands,
// the error that ended it, and the file.
func (m *model) downloadLines(p *download.Progress, w int) []string {
	vw := max(1, w-labelW)
	var text string
	tone := m.paint.download
	switch p.State {
	case download.StateQueued:
		text = "queued"
	case download.StateRunning:
		parts := []string{}
		if p.Total > 0 {
			parts = append(parts, formatPercent(float64(p.Done)/float64(p.Total), false),
				human.Size(p.Done)+" of "+human.Size(p.Total))
		} else {
			parts = append(parts, human.Size(p.Done))
		}
		if p.Rate >= 1 {
			parts = append(parts, human.Size(int64(p.Rate))+"/s")
		}
		if p.ETA > 0 {
			parts = append(parts, "~"+human.Duration(p.ETA)+" left")
		}
		text = "↓ " + strings.Join(parts, " · ")
	case download.StateDone:
		text, tone = "✓ saved", m.paint.cat[catFinished]
	case download.StateSkipped:
		text, tone = "✓ already saved", m.paint.cat[catFinished]
	default:
		text, tone = "✗ failed", m.paint.cat[catFailed]
		if download.IsCanceled(p.Err) {
			text = "✗ canceled"
		}
	}
	out := []string{m.st.label.Render(fit("download", labelW)) + tone.on(fit(text, vw))}
	if p.State == download.StateFailed && !download.IsCanceled(p.Err) {
		out = append(out, m.labelled("error", wrap(errText(p.Err), vw), 3, m.paint.warn)...)
	}
	if p.Path != "" && p.State != download.StateFailed {
		out = append(out, m.labelled("file", breakAnywhere(termsafe.Clean(p.Path), vw), 0, paint{})...)
	}
	return out
}
