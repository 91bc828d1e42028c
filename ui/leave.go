package ui

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// maxPartLines caps the downloads a quit names one by one.
const maxPartLines = 5

// leaveText is what a quit leaves in the scrollback, in at most height-1
// rows of the terminal (the shell's prompt takes the last), wrapped lines
// counted as the rows they take: the downloads a quit stopped, whose .part
// files stay, and a line a job, or beyond a screenful, the counts and the
// jobs that need the user.
//
// In the demo the rows of the caller's line on where the demo's downloads
// stay (DemoLeaveLine) are left free.
func (m *model) leaveText(jobs []track.Job) string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = 80, 24
	}
	room := h - 1
	if m.demo {
		room -= rows([]string{DemoLeaveLine(m.dlDir)}, w)
	}
	// The .part lines leave the summary the rows of its shortest form, the
	// counts and how many were left out.
	least := max(rows(lines(summaryIn(jobs, 0, w, m.demo)), w), 3)
	parts := m.stoppedDownloads(w, max(room-least, 2))
	return summaryIn(jobs, max(room-rows(parts, w), least), w, m.demo) + strings.Join(parts, "")
}

// DemoLeaveLine is the line reel demo prints after the summary when videos
// were saved; leaveText leaves it its rows.
func DemoLeaveLine(dir string) string {
	return "the demo's downloads stay in " + termsafe.Clean(dir) + "\n"
}

// lines splits text into its lines, each with its newline.
func lines(text string) []string {
	return strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n")
}

// rows is how many terminal rows of width w the lines take once wrapped.
func rows(lines []string, w int) int {
	n := 0
	for _, l := range lines {
		n += max(1, (ansi.StringWidth(strings.TrimSuffix(l, "\n"))+w-1)/w)
	}
	return n
}

// summaryIn is summary when it fits in limit rows of width w. Beyond
// that: a line of counts by status, then the jobs that need the user (in
// trouble, failed, not found) as many as fit, then a line saying how many
// were left out.
// In the demo, whose jobs leave with it, no command is named to see them.
func summaryIn(jobs []track.Job, limit, w int, demo bool) string {
	if len(jobs) <= limit {
		if s := summary(jobs); rows(strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n"), w) <= limit {
			return s
		}
	}
	var counts [numCategories]int
	var need []track.Job
	for i := range jobs {
		c := categorize(&jobs[i])
		counts[c]++
		if (c == catTrouble || c == catFailed || c == catNotFound) && len(need) < limit {
			need = append(need, jobs[i])
		}
	}
	var parts []string
	for _, c := range headerOrder {
		if counts[c] > 0 {
			parts = append(parts, strconv.Itoa(counts[c])+" "+catInfo[c].word)
		}
	}
	needN := counts[catTrouble] + counts[catFailed] + counts[catNotFound]
	head := plural(len(jobs), "job") + ": " + strings.Join(parts, ", ") + "\n"
	tail := func(shown int) string {
		t := "… " + strconv.Itoa(len(jobs)-shown) + " more not listed"
		switch left := needN - shown; {
		case left > 0:
			t += ", " + strconv.Itoa(left) + " of them failed, in trouble or not found"
		case shown > 0:
			t += ", none of them failed"
		}
		if demo {
			return t + "\n"
		}
		return t + "; reel with no arguments shows them all\n"
	}
	var b strings.Builder
	b.WriteString(head)
	used := rows([]string{head}, w)
	shown := 0
	if len(need) > 0 {
		for _, l := range strings.SplitAfter(summary(need), "\n") {
			if l == "" {
				break
			}
			if used+rows([]string{l}, w)+rows([]string{tail(shown + 1)}, w) > limit {
				break
			}
			b.WriteString(l)
			used += rows([]string{l}, w)
			shown++
		}
	}
	b.WriteString(tail(shown))
	return b.String()
}

// stoppedDownloads says which downloads the quit stopped before their end:
// their .part files stay, and d (or reel download) resumes them. The lines
// take at most budget rows of width w beyond the first and the last; the
// files left out are counted.
func (m *model) stoppedDownloads(w, budget int) []string {
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
	var out, last []string
	if len(queued) > 0 {
		last = append(last, "↓ "+plural(len(queued), "queued download")+" did not start; d in reel starts it again\n")
	}
	if len(running) > 0 {
		out = append(out, "↓ "+plural(len(running), "download")+" stopped before the end; "+
			"the .part files stay, and d in reel (or reel download ID) resumes them:\n")
		more := func(i int) string {
			dir := termsafe.Clean(filepath.Dir(running[i].Path))
			if i == 0 {
				return "  in " + dir + "\n" // no room to name one
			}
			return "  … and " + strconv.Itoa(len(running)-i) + " more in " + dir + "\n"
		}
		used := rows(out, w) + rows(last, w)
		for i, p := range running {
			line := "  " + termsafe.Clean(p.Path) + ".part"
			if p.Total > 0 {
				line += "  " + formatPercent(float64(p.Done)/float64(p.Total), false) + " of " + human.Size(p.Total)
			}
			line += "\n"
			need := rows([]string{line}, w)
			if i < len(running)-1 {
				need += rows([]string{more(i + 1)}, w) // room to count the rest
			}
			if i == maxPartLines-1 && len(running) > maxPartLines || used+need > budget {
				out = append(out, more(i))
				break
			}
			out = append(out, line)
			used += rows([]string{line}, w)
		}
	}
	return append(out, last...)
}
