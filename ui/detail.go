package ui

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// standardJobFields are the job object's documented fields, shown in their
// own lines; the detail pane lists every other field a failed job carries,
// since the API documents no failure reason.
var standardJobFields = map[string]bool{"id": true, "videoId": true, "status": true, "progress": true, "maximumProgress": true}

// labelW is the width of the labels in the detail pane.
const labelW = 10

// detailLines describes the selected job in at most h lines of w cells.
// The first line, status and name, stays put; the rest scrolls by
// m.detailOff when it does not fit. One faint line at the bottom says what
// is hidden above and below, and only when at least one line of content
// fits beside it: content comes before the hints.
func (m *model) detailLines(w, h int) []string {
	if h <= 0 {
		return nil
	}
	out := make([]string, 0, h)
	if e, ok := m.selected(); ok {
		all := m.besidePicture(e, w)
		out = append(out, all[0])
		body, off := all[1:], m.detailOffset(e, len(all), h)
		body = body[off:]
		room := h - 1
		if (off > 0 || len(body) > room) && room >= 2 {
			room--
			var hint string
			switch {
			case off > 0 && len(body) > room:
				hint = "… " + strconv.Itoa(off) + " above, more below: J/K scroll"
			case off > 0:
				hint = "… " + plural(off, "line") + " above: K scrolls up"
			default:
				hint = "… more below: J scrolls down"
			}
			out = append(out, body[:min(room, len(body))]...)
			out = append(out, m.st.faint.Render(ansi.Truncate(hint, w, "…")))
		} else {
			out = append(out, body[:min(room, len(body))]...)
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// detailOffset is how far the selected job's details are scrolled, kept
// within what there is to scroll: n lines in a pane of h.
func (m *model) detailOffset(e *entry, n, h int) int {
	if m.detailFor != e.job.ID || n <= h {
		return 0
	}
	// The title stays and the line saying lines are hidden above takes
	// one: the last n-h+1 offsets bring the end into view.
	return max(0, min(m.detailOff, n-h+1))
}

// detailSize is the width and height of the detail pane in a frame.
func (m *model) detailSize(f frame) (w, h int) {
	if f.detailW > 0 {
		return f.detailW - 2, 1 + f.rowsH
	}
	return m.width - 2, f.detailH - 1
}

// scrollDetail moves the details of the selected job by d lines.
func (m *model) scrollDetail(d int) {
	e, ok := m.selected()
	if !ok || !m.detail {
		return
	}
	w, h := m.detailSize(m.frame())
	off := m.detailOffset(e, len(m.describe(e, w)), h)
	m.detailFor = e.job.ID
	m.detailOff = off + d
	m.detailOff = m.detailOffset(e, len(m.describe(e, w)), h)
}

// describe is everything known about a job, most useful first: what went
// wrong, then the short facts, then the download, the job object's own
// fields and last the links, which take the most room and stay reachable
// with o and y when a small pane cuts them off.
func (m *model) describe(e *entry, w int) []string {
	j := &e.job
	status := catInfo[e.cat].glyph + " " + e.word
	if hw := humanStatus(j.Status); j.Status != "" && hw != e.word {
		status += " (" + hw + ")" // a job in trouble: its last known status
	}
	title := e.name
	if title == "" {
		title = e.id
	}
	out := []string{ansi.Truncate(m.st.cat[e.cat].Render(status)+"  "+m.st.bold.Render(title), w, "…")}

	vw := max(1, w-labelW) // the width of a value beside its label
	if j.NotFound {
		out = append(out, wrap("Neither a job nor a video has this ID. Check it, or press r to look again.", w)...)
	}
	if j.Err != "" {
		label := "last error"
		if j.Retrying {
			label = "retrying"
		}
		out = append(out, m.labelled(label, wrap(termsafe.Clean(j.Err), vw), 3, m.paint.warn)...)
	}
	if e.reason != "" {
		out = append(out, m.labelled("reason", wrap(e.reason, vw), 3, m.paint.warn)...)
	}

	var pairs [][2]string
	add := func(label, value string) {
		if value != "" {
			pairs = append(pairs, [2]string{label, value})
		}
	}
	if e.cat.running() && j.Status != "" {
		add("progress", strconv.FormatFloat(j.Progress, 'f', -1, 64)+" of "+
			strconv.FormatFloat(max(j.MaximumProgress, 0), 'f', -1, 64)+" ("+formatPercent(e.frac, false)+")")
		if !j.ETA.IsZero() {
			add("estimate", "done by "+formatClock(j.ETA, m.t, m.loc))
		}
	}
	video := j.Video != nil && finished(j)
	if v := j.Video; video {
		if v.VideoDurationSeconds != nil {
			add("length", human.Seconds(*v.VideoDurationSeconds))
		}
		if v.VideoSizeBytes != nil {
			add("size", human.Size(*v.VideoSizeBytes))
		}
		if t := v.Created(); !t.IsZero() {
			add("created", formatClock(t, m.t, m.loc))
		} else {
			add("created", termsafe.Clean(v.CreatedAt))
		}
	}
	add("added", formatClock(j.Added, m.t, m.loc))
	if seenEnding(j) {
		add("ended", formatClock(j.Ended, m.t, m.loc))
	}
	switch {
	case !j.CallbackAt.IsZero():
		add("callback", formatClock(j.CallbackAt, m.t, m.loc))
	case m.listening:
		add("callback", "none came")
	}
	out = append(out, m.packPairs(pairs, w)...)
	// The IDs, long, are packed apart from the short facts, so that they
	// pair with each other rather than leave one of them on its own.
	pairs = pairs[:0]
	if j.ID != j.JobID && j.ID != j.VideoID {
		add("ID", e.id)
	}
	add("job ID", termsafe.Clean(j.JobID))
	add("video ID", termsafe.Clean(j.VideoID))
	out = append(out, m.packPairs(pairs, w)...)
	out = append(out, m.timelineLines(e, w)...)

	if e.dl != nil {
		out = append(out, m.downloadLines(&e.dl.p, w)...)
	}
	if e.cat == catFailed || e.cat == catDeleted {
		out = append(out, m.jobFields(j, e.reason, w)...)
	}
	// Links are shown whole, however many lines they take, so they can be
	// read and selected by hand; the thumbnail, least wanted, comes last.
	if j.ShareURL != "" {
		out = append(out, m.labelled("share", linkLines(j.ShareURL, vw), 0, paint{})...)
	}
	if video && j.Video.PublicURL != "" {
		out = append(out, m.labelled("video", linkLines(j.Video.PublicURL, vw), 0, paint{})...)
	}
	if video && j.Video.ThumbnailURL != "" {
		out = append(out, m.labelled("thumbnail", linkLines(j.Video.ThumbnailURL, vw), 0, paint{})...)
	}
	return out
}

// seenEnding reports whether reel watched the job end, so that its end
// time means something. The engine stamps Started and Ended with the same
// moment when the first answer it saw past the queue was already an end:
// such a job ended before reel looked (or, rarely, left the queue and ended
// between two looks), and that moment is only when reel first saw it.
func seenEnding(j *track.Job) bool {
	return !j.Ended.IsZero() && !j.Started.IsZero() && j.Ended.After(j.Started)
}

// labelled puts a label before the first of lines and indents the rest
// under it, keeping at most max lines (0: all of them).
func (m *model) labelled(label string, lines []string, limit int, p paint) []string {
	if limit > 0 && len(lines) > limit {
		lines = lines[:limit]
	}
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if i == 0 {
			out = append(out, m.st.label.Render(fit(label, labelW))+p.on(l))
		} else {
			out = append(out, strings.Repeat(" ", labelW)+p.on(l))
		}
	}
	return out
}

// pairsMinW is the narrowest pane packPairs puts two pairs to a line in.
const pairsMinW = 2*(labelW+12) + 2

// packPairs lays out short label-value pairs two to a line where the
// width allows and both values fit, so the pane fits below the table on an
// 80x24 terminal; a long value (an ID) gets a line of its own.
func (m *model) packPairs(pairs [][2]string, w int) []string {
	colW := (w - 2) / 2
	fits := func(p [2]string) bool {
		return w >= pairsMinW && ansi.StringWidth(p[1]) <= colW-labelW
	}
	cell := func(p [2]string, w int) string {
		return m.st.label.Render(fit(p[0], labelW)) + ansi.Truncate(p[1], max(w-labelW, 1), "…")
	}
	var out []string
	for i := 0; i < len(pairs); i++ {
		p := pairs[i]
		if i+1 < len(pairs) && fits(p) && fits(pairs[i+1]) {
			out = append(out, fit(cell(p, colW), colW)+"  "+cell(pairs[i+1], colW))
			i++
			continue
		}
		out = append(out, cell(p, w))
	}
	return out
}

// jobFields lists what a failed job's object says beyond the documented
// fields, one "key: value" a line, sorted, every value sanitized. An
// object's fields are listed one by one ("error.code"), and text equal to
// the reason shown above is left out: it would only say it again.
func (m *model) jobFields(j *track.Job, reason string, w int) []string {
	if j.Job == nil || len(j.Job.Raw) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(j.Job.Raw, &obj); err != nil {
		return []string{m.st.label.Render("job object ") + ansi.Truncate(termsafe.Clean(string(j.Job.Raw)), max(1, w-11), "…")}
	}
	var lines []string
	add := func(k string, raw json.RawMessage) {
		text := jsonText(raw)
		if reason != "" && strings.TrimSpace(text) == reason {
			return
		}
		lines = append(lines, ansi.Truncate("  "+termsafe.Clean(k)+": "+text, w, "…"))
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if standardJobFields[k] {
			continue
		}
		var sub map[string]json.RawMessage
		if json.Unmarshal(obj[k], &sub) != nil || len(sub) == 0 {
			add(k, obj[k])
			continue
		}
		for _, sk := range slices.Sorted(maps.Keys(sub)) {
			add(k+"."+sk, sub[sk])
		}
	}
	if len(lines) == 0 {
		if reason != "" {
			return nil
		}
		return []string{m.st.faint.Render("The job object says nothing more.")}
	}
	return append([]string{m.st.label.Render("The job object also says:")}, lines...)
}

// jsonText is a JSON value as one line of sanitized text: strings without
// their quotes, anything else compacted.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return termsafe.Clean(s)
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return termsafe.Clean(b.String())
	}
	return termsafe.Clean(string(raw))
}

// linkLines shows a whole URL in pieces of w cells, broken anywhere. When
// it is a plain http(s) URL each piece is also an OSC 8 link to the whole
// of it, sharing an id so that terminals underline the pieces as one link.
func linkLines(raw string, w int) []string {
	lines := breakAnywhere(termsafe.Clean(raw), w)
	u := termsafe.CleanURL(raw)
	if u == "" {
		return lines
	}
	h := fnv.New32a()
	h.Write([]byte(u))
	open := ansi.SetHyperlink(u, "id=reel-"+strconv.FormatUint(uint64(h.Sum32()), 36))
	for i, l := range lines {
		lines[i] = open + l + ansi.ResetHyperlink()
	}
	return lines
}

// breakAnywhere cuts text with no escape sequences into lines of w cells,
// mid-word if need be: a URL or a path has no good place to break.
func breakAnywhere(s string, w int) []string {
	if s == "" || w < 1 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(s, w, true), "\n")
}

// wrap breaks plain text into lines of at most w cells.
func wrap(s string, w int) []string {
	if w < 1 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
