package submit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ReadCSV reads template job rows from a CSV file: a header naming the
// dynamic variables, then one row a job. Lines may end in LF, CRLF or CR.
// Each good row goes to row (an error from it stops the reading and is
// returned); each bad one to bad, and reading goes on, up to MaxProblems.
// The returned error is one that stops the reading: a read error, a line
// or a row (its quoted values may span lines) over MaxLine, too many
// problems.
func ReadCSV(r io.Reader, src Source, row func(Row) error, bad func(Problem)) error {
	lr := &lineReader{r: r}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1 // counted here, so a short row is a problem, not the end
	cr.ReuseRecord = true
	problems := 0
	report := func(line int, format string, args ...any) error {
		bad(Problem{File: src.Name, Line: line, Msg: fmt.Sprintf(format, args...)})
		if problems++; problems >= MaxProblems {
			return Problem{File: src.Name, Msg: fmt.Sprintf("more than %d problems (the limit): stopped reading", MaxProblems)}
		}
		return nil
	}
	var header []string
	var keys keyer
	number := 0
	next := 1 // the line the next row starts at, blank lines aside
	for {
		rec, err := cr.Read()
		lr.mark = cr.InputOffset() // a row ends here: its bytes are counted from here
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.err != nil {
			// The reader's own limit, not a CSV error: name it as such.
			line := lr.ends + 1
			if lr.rowLong {
				line = next
			}
			return Problem{File: src.Name, Line: line, Msg: lr.err.Error()}
		}
		if err == nil && len(rec) > 0 {
			l, _ := cr.FieldPos(len(rec) - 1)
			next = l + strings.Count(rec[len(rec)-1], "\n") + 1
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if e := report(pe.Line, "not valid CSV: %v", pe.Err); e != nil {
				return e
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", src.Name, err)
		}
		line, _ := cr.FieldPos(0)
		if header == nil {
			if header, err = readHeader(rec); err != nil {
				return Problem{File: src.Name, Line: line, Msg: err.Error()}
			}
			continue
		}
		number++
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(header) > 1 {
			number-- // a line of blanks is not a row
			continue
		}
		if len(rec) != len(header) {
			if e := report(line, "%d values for the header's %d columns", len(rec), len(header)); e != nil {
				return e
			}
			continue
		}
		vars := make(map[string]string, len(header))
		ok := true
		for i, v := range rec {
			if !utf8.ValidString(v) {
				l, _ := cr.FieldPos(i)
				if e := report(l, "column %q is not valid UTF-8", header[i]); e != nil {
					return e
				}
				ok = false
				break
			}
			if !src.AllowEmpty && strings.TrimSpace(v) == "" {
				l, _ := cr.FieldPos(i)
				if e := report(l, "column %q is empty (give --allow-empty if the template takes an empty value)", header[i]); e != nil {
					return e
				}
				ok = false
				break
			}
			vars[header[i]] = v
		}
		if !ok {
			continue
		}
		body, err := json.Marshal(templateBody{TemplateJobID: src.Template, DynamicVariables: vars})
		if err != nil {
			return err
		}
		if len(body) > MaxBody {
			// Escaping can make a row within MaxLine a body over MaxBody.
			if e := report(line, "a job body of %d bytes, more than %d MiB (the limit)", len(body), MaxBody>>20); e != nil {
				return e
			}
			continue
		}
		content, _ := json.Marshal(vars) // keys sorted: the header and values, whatever the column order
		if err := row(Row{File: src.Name, Line: line, Number: number, Kind: Template, Body: body,
			Key: keys.key(src, Template, content)}); err != nil {
			return err
		}
	}
	if header == nil {
		return Problem{File: src.Name, Msg: "no header: the first line must name the dynamic variables"}
	}
	return nil
}

type templateBody struct {
	TemplateJobID    string            `json:"templateJobId"`
	DynamicVariables map[string]string `json:"dynamicVariables"`
}

func readHeader(rec []string) ([]string, error) {
	if len(rec) > MaxColumns {
		return nil, fmt.Errorf("%d columns, more than %d (the limit)", len(rec), MaxColumns)
	}
	header := make([]string, len(rec))
	seen := map[string]bool{}
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a byte order mark from a spreadsheet
		}
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("header column %d has no name: each column names a dynamic variable", i+1)
		case !utf8.ValidString(name):
			return nil, fmt.Errorf("header column %d is not valid UTF-8", i+1)
		case seen[name]:
			return nil, fmt.Errorf("header names %q twice", name)
		case name == PayloadKey:
			return nil, fmt.Errorf("header column %d is named %q, which reel keeps for the row key in each job's callbackPayload: rename it", i+1, name)
		}
		seen[name] = true
		header[i] = name
	}
	return header, nil
}

// lineReader passes a file through with every line end (LF, CRLF, or a
// lone CR, which encoding/csv does not take as one) made LF, and stops at
// a line, or a row, longer than MaxLine, which csv would otherwise buffer
// whole. A row is counted from mark, where the last one ended: a quoted
// value spans lines, so a line end does not end a row.
type lineReader struct {
	r       io.Reader
	ends    int   // line ends passed so far
	run     int   // bytes since the last line end
	out     int64 // bytes passed on
	mark    int64 // where the row being read starts (csv.Reader.InputOffset)
	skipLF  bool  // the last byte was a CR, passed on as LF
	rowLong bool  // err is a row over the limit, not a line
	err     error
}

// readAhead is how far csv's buffer may read past the row it is on.
const readAhead = 64 << 10

func (l *lineReader) Read(p []byte) (int, error) {
	for {
		if l.err != nil {
			return 0, l.err
		}
		n, err := l.r.Read(p)
		w := 0
		for _, c := range p[:n] {
			if l.skipLF {
				l.skipLF = false
				if c == '\n' {
					continue // the LF of a CRLF
				}
			}
			switch c {
			case '\r':
				c = '\n'
				l.skipLF = true
				l.ends++
				l.run = 0
			case '\n':
				l.ends++
				l.run = 0
			default:
				if l.run++; l.run > MaxLine {
					l.err = fmt.Errorf("a line longer than %d MiB (the limit)", MaxLine>>20)
					return 0, l.err
				}
			}
			p[w] = c
			w++
			if l.out++; l.out-l.mark > MaxLine+readAhead {
				l.rowLong = true
				l.err = fmt.Errorf("a row longer than %d MiB (the limit), its quoted values' lines together", MaxLine>>20)
				return 0, l.err
			}
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
