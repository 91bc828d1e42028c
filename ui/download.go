package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/track"
)

// downloadSelected hands the selected finished job to the Downloader.
func (m *model) downloadSelected() tea.Cmd {
	if m.dl == nil {
		m.setFlash("downloads not available", true)
		return nil
	}
	e, ok := m.selected()
	if !ok {
		return nil
	}
	if !finished(&e.job) {
		m.setFlash("only a finished video can be downloaded", true)
		return nil
	}
	return m.download([]track.Job{e.job})
}

// downloadAll hands every finished job to the Downloader.
func (m *model) downloadAll() tea.Cmd {
	if m.dl == nil {
		m.setFlash("downloads not available", true)
		return nil
	}
	var jobs []track.Job
	for _, e := range m.all {
		if finished(&e.job) {
			jobs = append(jobs, e.job)
		}
	}
	if len(jobs) == 0 {
		m.setFlash("no finished video to download yet", true)
		return nil
	}
	return m.download(jobs)
}

func (m *model) download(jobs []track.Job) tea.Cmd {
	dl := m.dl
	return func() tea.Msg { return downloadMsg{n: len(jobs), err: dl.Download(jobs...)} }
}
