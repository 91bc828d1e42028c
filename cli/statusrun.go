package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// statusOptions are runStatus's seams.
type statusOptions struct {
	JSON     bool
	Retry    retryPolicy
	Workers  int                  // lookups at once (--max-in-flight); 0: lookupWorkers
	Color    colorprofile.Profile // the status word's colour: ASCII or less for none
	Width    int                  // the terminal's width, to cut the last column; 0: no cut
	Progress io.Writer            // where the progress line goes (a terminal); nil: none
}

// runStatus reads every ID and prints each job's row, or JSON object, as
// soon as every one before it is printed: the output is in the order given,
// and a long list shows its head at once instead of everything at the end.
// Nothing is kept per ID beyond the lookup window, so memory stays flat in
// the number of IDs.
func runStatus(ctx context.Context, sio IO, c lookuper, list idList, o statusOptions) error {
	var out rowWriter
	if o.JSON {
		out = &jsonArrayWriter{w: sio.Out}
	} else {
		out = newStatusTable(sio.Out, list.Longest(), o.Color, o.Width)
	}
	var bar *progressLine
	if o.Progress != nil {
		bar = newProgressLine(o.Progress, "reading", list.Len(), sio.Now)
		bar.sameTerminal = sio.OutTTY
		stop := bar.tick(ctx)
		defer stop()
	}
	var t tally
	var werr error
	lookupEach(ctx, c, list.All(), o.Workers, o.Retry, func(r result) {
		if ctx.Err() != nil {
			return // interrupted: the rest were never read
		}
		t.add(r)
		if werr != nil || t.wrongURL != nil {
			return // a wrong base URL: one message says so, not a row an ID
		}
		bar.above(func() { werr = out.row(r) })
	})
	bar.done()
	if werr == nil {
		werr = out.close()
	}
	if werr != nil {
		return werr
	}
	if err := list.Err(); err != nil {
		return err // an input changed since it was checked: the rest are not believed
	}
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
	}
	return t.exit()
}

// rowWriter prints results one at a time.
type rowWriter interface {
	row(result) error
	close() error
}

// jsonArrayWriter writes one JSON array an object at a time, laid out as an
// indented json.Marshal of the whole array would be.
type jsonArrayWriter struct {
	w io.Writer
	n int
}

func (j *jsonArrayWriter) row(r result) error {
	b, err := marshalJSON(toStatusJSON(r), true)
	if err != nil {
		return err
	}
	sep := ",\n"
	if j.n == 0 {
		sep = "[\n"
	}
	j.n++
	var buf bytes.Buffer
	buf.WriteString(sep)
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if i > 0 {
			buf.WriteByte('\n')
		}
		buf.WriteString("  " + line)
	}
	_, err = j.w.Write(buf.Bytes())
	return err
}

func (j *jsonArrayWriter) close() error {
	end := "\n]\n"
	if j.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

// statusTable prints the status table a row at a time. Its columns cannot
// wait for the widest cell of rows not yet read, so each has a width known
// up front: the longest ID given, the longest status word, and fixed widths
// for the rest; a longer cell is cut with "…".
type statusTable struct {
	w      io.Writer
	color  colorprofile.Profile
	width  int
	cols   []int
	header bool
}

// Widths of the status table's columns after ID; NOTE takes the rest.
var statusCols = []int{len("✓ ") + len("preprocessing_finished"), len("PROGRESS"), 30, len("LENGTH") + 1, len("123.4 MB")}

func newStatusTable(w io.Writer, longest int, color colorprofile.Profile, width int) *statusTable {
	idw := max(len("ID"), longest)
	return &statusTable{w: w, color: color, width: width, cols: append([]int{idw}, statusCols...)}
}

func (t *statusTable) row(r result) error {
	if !t.header {
		t.header = true
		if err := t.line(statusHeader); err != nil {
			return err
		}
	}
	return t.line(statusRow(r, t.color))
}

func (t *statusTable) line(cells []string) error {
	var b strings.Builder
	used := 0
	for i, c := range cells {
		if i == len(cells)-1 {
			if t.width > 0 && used+ansi.StringWidth(c) > t.width {
				c = ansi.Truncate(c, max(t.width-used, 1)-1, "…")
			}
			b.WriteString(c)
			break
		}
		w := t.cols[i]
		if ansi.StringWidth(c) > w {
			c = ansi.Truncate(c, w-1, "…")
		}
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", w-ansi.StringWidth(c)+2))
		used += w + 2
	}
	_, err := io.WriteString(t.w, strings.TrimRight(b.String(), " ")+"\n")
	return err
}

func (t *statusTable) close() error { return nil }
