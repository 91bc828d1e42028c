package ui

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// maxPartLines caps the downloads a quit names one by one.
const maxPartLines = 5

// leaveText is what a quit leaves in the scrollback, in at most height-1
// lines (the shell's prompt takes the last): the downloads a quit stopped,
// whose .part files stay, and a line a job, or beyond a screenful, the
// counts and the jobs that need the user.
func (m *model) leaveText(jobs []track.Job) string {
	h := m.height
	if h <= 0 {
		h = 24
	}
	parts := m.stoppedDownloads()
	return summaryIn(jobs, max(h-1-len(parts), 3)) + strings.Join(parts, "")
}

// summaryIn is summary when it fits in limit lines. Beyond that: a line of
// counts by status, then the jobs that need the user (in trouble, failed,
// not found) as many as fit, then a line saying how many were left out.
func summaryIn(jobs []track.Job, limit int) string {
	if len(jobs) <= limit {
		return summary(jobs)
	}
	var counts [numCategories]int
	var need []track.Job
	for i := range jobs {
		c := categorize(&jobs[i])
		counts[c]++
		if c == catTrouble || c == catFailed || c == catNotFound {
			need = append(need, jobs[i])
		}
	}
	var parts []string
	for _, c := range headerOrder {
		if counts[c] > 0 {
			parts = append(parts, strconv.Itoa(counts[c])+" "+catInfo[c].word)
		}
	}
	head := plural(len(jobs), "job") + ": " + strings.Join(parts, ", ") + "\n"
	room := limit - 2 // the counts, and the line about what is left out
	shown := need[:min(len(need), room)]
	rest := len(jobs) - len(shown)
	tail := "… " + strconv.Itoa(rest) + " more not listed"
	switch left := len(need) - len(shown); {
	case left > 0:
		tail += ", " + strconv.Itoa(left) + " of them failed, in trouble or not found"
	case len(shown) > 0:
		tail += ", none of them failed"
	}
	tail += "; reel with no arguments shows them all\n"
	return head + summary(shown) + tail
}

// stoppedDownloads says which downloads the quit stopped before their end:
// their .part files stay, and d (or reel download) resumes them.
func (m *model) stoppedDownloads() []string {
	var running, queued []*download.Progress
	for _, d := range m.downloads {
		switch {
		case d.p.State.Ended():
		case d.p.State == download.StateQueued && d.p.Done == 0:
			queued = append(queued, &d.p)
		default:
			running = append(running, &d.p)
		}
	}
	if len(running)+len(queued) == 0 {
		return nil
	}
	slices.SortFunc(running, func(a, b *download.Progress) int { return strings.Compare(a.Path, b.Path) })
	var out []string
	if len(running) > 0 {
		out = append(out, "↓ "+plural(len(running), "download")+" stopped before the end; "+
			"the .part files stay, and d in reel (or reel download ID) resumes them:\n")
		for i, p := range running {
			if i == maxPartLines-1 && len(running) > maxPartLines {
				out = append(out, "  … and "+strconv.Itoa(len(running)-i)+" more in "+termsafe.Clean(filepath.Dir(p.Path))+"\n")
				break
			}
			line := "  " + termsafe.Clean(p.Path) + ".part"
			if p.Total > 0 {
				line += "  " + formatPercent(float64(p.Done)/float64(p.Total), false) + " of " + human.Size(p.Total)
			}
			out = append(out, line+"\n")
		}
	}
	if len(queued) > 0 {
		out = append(out, "↓ "+plural(len(queued), "queued download")+" did not start; d in reel starts it again\n")
	}
	return out
}
