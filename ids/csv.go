package ids

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/reel-dev/reel/termsafe"
)

// maxHeader is the longest line taken for a CSV header.
const maxHeader = 64 << 10

// csvHeader reports whether line is the header of a CSV list: split at
// commas, semicolons or tabs, one of its fields names an ID column. It
// returns the best such column and the separator.
func csvHeader(line []byte) (col int, comma rune, ok bool) {
	if len(line) > maxHeader {
		return 0, 0, false
	}
	for _, sep := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = sep
		r.LazyQuotes = true
		fields, err := r.Read()
		if err != nil || (len(fields) < 2 && sep != ',') {
			continue
		}
		best := len(idKeys)
		for i, f := range fields {
			name := strings.TrimSpace(f)
			for rank, k := range idKeys {
				if strings.EqualFold(name, k) && rank < best {
					best, col = rank, i
				}
			}
		}
		if best < len(idKeys) {
			return col, sep, true
		}
	}
	return 0, 0, false
}

// parseCSV reads CSV whose header is the first record of doc, which starts
// on line first, taking column col of every row. The error is doc's, when
// it cannot be read.
func (l *list) parseCSV(doc io.Reader, first, col int, comma rune) error {
	r := csv.NewReader(doc)
	r.Comma = comma
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var name string
	lastErr := 0
	for n := 0; !l.done; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if pe.Line == lastErr {
				return nil // no progress: give up rather than loop
			}
			lastErr = pe.Line
			l.fail(first-1+pe.Line, "bad CSV: %s", pe.Err)
			continue
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		line += first - 1
		if n == 0 {
			name = strings.TrimSpace(rec[col])
			continue
		}
		if col >= len(rec) {
			l.fail(line, "row has no %s column (it has %d fields)", name, len(rec))
			continue
		}
		v := strings.TrimSpace(rec[col])
		if v == "" {
			l.fail(line, "empty %s column", name)
			continue
		}
		l.add(line, v)
	}
	return nil
}

// isColumnName reports whether w names an ID column, as in a header.
func isColumnName(w string) bool {
	for _, k := range idKeys {
		if strings.EqualFold(w, k) {
			return true
		}
	}
	return false
}

// headerWords are column names that, in a first line of words without
// digits, mark a CSV header rather than a line of IDs: IDs carry digits.
var headerWords = map[string]bool{
	"name": true, "title": true, "status": true, "state": true, "url": true, "link": true,
	"created": true, "createdat": true, "created_at": true, "date": true, "time": true,
	"progress": true, "template": true, "description": true, "type": true, "email": true,
	"video": true, "job": true, "duration": true, "size": true, "error": true,
}

// foreignHeader reports whether line looks like the header of a CSV file
// that has no ID column: two or more fields, none with a digit, at least one
// a usual column name. It returns the fields for the message.
func foreignHeader(line []byte) (string, bool) {
	if len(line) > maxHeader {
		return "", false
	}
	for _, sep := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = sep
		r.LazyQuotes = true
		fields, err := r.Read()
		if err != nil || len(fields) < 2 {
			continue
		}
		known := false
		for _, f := range fields {
			f = strings.ToLower(strings.TrimSpace(f))
			if strings.ContainsAny(f, "0123456789") {
				return "", false
			}
			known = known || headerWords[f]
		}
		if known {
			return termsafe.Clean(strings.Join(fields, ", ")), true
		}
	}
	return "", false
}
