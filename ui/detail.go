package ui

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"sort"
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
func (m *model) detailLines(w, h int) []string {
	if h <= 0 {
		return nil
	}
	out := make([]string, 0, h)
	e, ok := m.selected()
	if ok {
		out = m.describe(e, w)
	}
	if len(out) > h {
		out = append(out[:h-1], m.st.faint.Render("…"))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

func (m *model) describe(e *entry, w int) []string {
	j := &e.job
	status := catInfo[e.cat].glyph + " " + e.word
	if j.Status != "" && string(j.Status) != e.word {
		status += " (" + termsafe.Clean(string(j.Status)) + ")"
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
	if e.cat == catFailed || e.cat == catDeleted {
		out = append(out, m.jobFields(j, w)...)
	}
	if e.dl != nil {
		out = append(out, m.downloadLines(&e.dl.p, w)...)
	}

	// Links are shown whole, however many lines they take, so they can be
	// read and selected by hand; the thumbnail, least wanted, comes last.
	video := j.Video != nil && finished(j)
	if j.ShareURL != "" {
		out = append(out, m.labelled("share", linkLines(j.ShareURL, vw), 0, paint{})...)
	}
	if video && j.Video.PublicURL != "" {
		out = append(out, m.labelled("video", linkLines(j.Video.PublicURL, vw), 0, paint{})...)
	}

	var pairs [][2]string
	add := func(label, value string) {
		if value != "" {
			pairs = append(pairs, [2]string{label, value})
		}
	}
	if j.ID != j.JobID && j.ID != j.VideoID {
		add("ID", e.id)
	}
	add("job ID", termsafe.Clean(j.JobID))
	add("video ID", termsafe.Clean(j.VideoID))
	if e.cat.running() && j.Status != "" {
		add("progress", strconv.FormatFloat(j.Progress, 'f', -1, 64)+" of "+
			strconv.FormatFloat(max(j.MaximumProgress, 0), 'f', -1, 64)+" ("+formatPercent(e.frac, false)+")")
	}
	if v := j.Video; v != nil && finished(j) {
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
	if !j.Ended.IsZero() {
		add("ended", formatClock(j.Ended, m.t, m.loc))
	} else if !j.ETA.IsZero() && e.cat.running() {
		add("estimate", "done by "+formatClock(j.ETA, m.t, m.loc))
	}
	if j.CallbackAt.IsZero() {
		add("callback", "no callback")
	} else {
		add("callback", formatClock(j.CallbackAt, m.t, m.loc))
	}
	out = append(out, m.packPairs(pairs, w)...)
	if video && j.Video.ThumbnailURL != "" {
		out = append(out, m.labelled("thumbnail", linkLines(j.Video.ThumbnailURL, vw), 0, paint{})...)
	}
	return out
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

// packPairs lays out short label-value pairs in two columns where the
// width allows, so the pane fits below the table on an 80x24 terminal.
func (m *model) packPairs(pairs [][2]string, w int) []string {
	cols, colW := 1, w
	if w >= 2*(labelW+26)+2 {
		cols, colW = 2, (w-2)/2
	}
	var out []string
	for i := 0; i < len(pairs); i += cols {
		var b strings.Builder
		for c := 0; c < cols && i+c < len(pairs); c++ {
			p := pairs[i+c]
			cell := m.st.label.Render(fit(p[0], labelW)) + ansi.Truncate(p[1], colW-labelW, "…")
			if c < cols-1 && i+c+1 < len(pairs) {
				cell = fit(cell, colW) + "  "
			}
			b.WriteString(cell)
		}
		out = append(out, b.String())
	}
	return out
}

// jobFields lists what the job object says beyond the documented fields,
// one "key: value" a line, sorted, every value sanitized.
func (m *model) jobFields(j *track.Job, w int) []string {
	if j.Job == nil || len(j.Job.Raw) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(j.Job.Raw, &obj); err != nil {
		return []string{m.st.label.Render("job object ") + ansi.Truncate(termsafe.Clean(string(j.Job.Raw)), max(1, w-11), "…")}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !standardJobFields[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return []string{m.st.faint.Render("The job object says nothing more.")}
	}
	sort.Strings(keys)
	out := []string{m.st.label.Render("The job object says:")}
	for _, k := range keys {
		line := "  " + termsafe.Clean(k) + ": " + jsonText(obj[k])
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
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
