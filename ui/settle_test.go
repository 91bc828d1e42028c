package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// state is what the model shows and acts on, less the caches View fills:
// the rows and selection, the scroll, the message and the mode.
func (hs *harness) state() string {
	m := hs.m
	cur, off := m.window()
	var ids []string
	for _, e := range m.rows() {
		ids = append(ids, e.job.ID)
	}
	sel := ""
	if e, ok := m.selected(); ok {
		sel = e.job.ID
	}
	return fmt.Sprintf("rows %v cursor %d offset %d selected %q message %+v mode %d detail %v/%d/%q help %d stats %d sort %v",
		ids, cur, off, sel, m.flash, m.mode, m.detail, m.detailOff, m.detailFor, m.helpOff, m.stats.off, m.sortBy)
}

// TestViewOnlyDraws: whatever came before, drawing changes nothing the
// user acts on, and a second frame is the same as the first. The scenes
// include the one View used to settle: a sorted table whose selected job
// moved while no frame was drawn.
func TestViewOnlyDraws(t *testing.T) {
	finished := func(hs *harness) {
		j := *hs.m.job("job-queued")
		j.job.Version++
		j.job.Status, j.job.Progress, j.job.MaximumProgress = api.StatusFinished, 100, 100
		hs.events(track.Event{Job: &j.job})
	}
	scenes := []struct {
		name  string
		setup func(hs *harness)
	}{
		{"loaded", func(hs *harness) {}},
		{"moved", func(hs *harness) { hs.key("j", "j", "pgdown", "k") }},
		{"sorted", func(hs *harness) { hs.key("s") }},
		{"sorted, selected job moved", func(hs *harness) {
			hs.key("s", "s") // by progress
			hs.selectID("job-queued")
			finished(hs)
		}},
		{"filtered, selected job left", func(hs *harness) {
			hs.selectID("job-gen-noeta")
			hs.key("/", "q", "u", "e")
		}},
		{"details, resized", func(hs *harness) {
			hs.key("G", "enter")
			hs.send(tea.WindowSizeMsg{Width: 60, Height: 10})
		}},
		{"removed", func(hs *harness) { hs.key("G", "x") }},
		{"wheel", func(hs *harness) { hs.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown}) }},
		{"link shown", func(hs *harness) {
			hs.env["SSH_TTY"] = "/dev/pts/3"
			hs.send(tea.WindowSizeMsg{Width: 50, Height: 12})
			hs.selectID("job-finished")
			hs.key("o")
		}},
	}
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			hs := newHarnessDL(t, 80, 14, fixtures()...)
			sc.setup(hs)
			before := hs.state()
			first := hs.view()
			if after := hs.state(); after != before {
				t.Fatalf("View changed the model:\nbefore %s\nafter  %s", before, after)
			}
			if second := hs.view(); second != first {
				t.Errorf("a second frame differs from the first:\n%s\n---\n%s", first, second)
			}
		})
	}
}

// TestSelectionFollowsMovedJob: in a sorted table, a job that changes place
// keeps the selection, as soon as its event is handled.
func TestSelectionFollowsMovedJob(t *testing.T) {
	hs := newHarness(t, 80, 24, fixtures()...)
	hs.key("s", "s") // by progress: job-queued, at 0%, is near the end
	hs.selectID("job-queued")
	cur0, _ := hs.m.window()
	j := *hs.m.job("job-queued")
	j.job.Version++
	j.job.Status, j.job.Progress, j.job.MaximumProgress = api.StatusFinished, 100, 100
	hs.events(track.Event{Job: &j.job})
	cur, off := hs.m.window()
	if e, _ := hs.m.selected(); e.job.ID != "job-queued" || hs.m.rows()[cur].job.ID != "job-queued" {
		t.Fatalf("after the event the cursor is on row %d (%s)", cur, hs.m.rows()[cur].job.ID)
	}
	if cur == cur0 {
		t.Errorf("job-queued at 100%% is still at row %d: the sort did not move it", cur)
	}
	if h := hs.m.frame().rowsH; cur < off || cur >= off+h {
		t.Errorf("cursor %d out of the window %d..%d", cur, off, off+h)
	}
}

// TestPageAfterLink: the key that clears a link shown whole pages by the
// table's new height, not by the one the link left.
func TestPageAfterLink(t *testing.T) {
	hs := newHarnessDL(t, 50, 12, append(fixtures(), manyJobs(40)...)...)
	hs.env["SSH_TTY"] = "/dev/pts/3"
	hs.selectID("job-finished")
	hs.key("y")
	small := hs.m.frame().rowsH
	cur0, _ := hs.m.window()
	hs.key("pgdown")
	big := hs.m.frame().rowsH
	if big <= small {
		t.Fatalf("the link took no room: %d rows with it, %d without", small, big)
	}
	if cur, _ := hs.m.window(); cur-cur0 != big-1 {
		t.Errorf("pgdown moved %d rows, want %d (the table's height without the link, less one)", cur-cur0, big-1)
	}
}
