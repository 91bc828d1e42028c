package ids

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// idKeys are the fields that hold an ID, best first: a job id beats a
// video id, since the job says more. Matched regardless of case.
var idKeys = []string{"id", "jobid", "job_id", "videoid", "video_id"}

func isJSON(b []byte) bool { return json.Valid(b) }

func jsonString(w string) (string, bool) {
	var s string
	return s, json.Unmarshal([]byte(w), &s) == nil
}

// jsonLine reads a JSON value written on one line.
func (l *list) jsonLine(line int, b []byte) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		l.fail(line, "invalid JSON: %s", jsonProblem(err))
		return
	}
	if _, err := d.Token(); err != io.EOF {
		l.fail(line, "invalid JSON: more than one value on the line")
		return
	}
	l.value(line, v, true)
}

// parseJSON reads a stream of JSON values (usually one array) that starts
// on line first. On a syntax error it reports the line and stops: what
// follows cannot be told apart from the error.
func (l *list) parseJSON(doc []byte, first int) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	lines := lineCounter{doc: doc, line: first}
	fail := func(err error) {
		line := lines.at(int(d.InputOffset()))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lines.at(int(se.Offset))
		}
		l.fail(line, "invalid JSON: %s; fix it, or give one ID per line", jsonProblem(err))
	}
	for {
		start := skipSpace(doc, int(d.InputOffset()))
		if start == len(doc) {
			return
		}
		if doc[start] != '[' {
			var v any
			if err := d.Decode(&v); err != nil {
				fail(err)
				return
			}
			l.value(lines.at(start), v, true)
			continue
		}
		if _, err := d.Token(); err != nil { // the '['
			fail(err)
			return
		}
		for d.More() {
			at := lines.at(skipSpaceComma(doc, int(d.InputOffset())))
			var v any
			if err := d.Decode(&v); err != nil {
				fail(err)
				return
			}
			l.value(at, v, false)
		}
		if _, err := d.Token(); err != nil { // the ']'
			fail(err)
			return
		}
	}
}

// value takes the ID of one JSON value: a string, an object with an ID
// field, or (at the top, when arrays is set) an array of those.
func (l *list) value(line int, v any, arrays bool) {
	switch v := v.(type) {
	case string:
		l.add(line, v)
	case json.Number:
		l.add(line, v.String())
	case map[string]any:
		l.object(line, v)
	case []any:
		if !arrays {
			l.fail(line, "an array inside an array: want IDs or objects with id, jobId or videoId")
			return
		}
		for _, e := range v {
			l.value(line, e, false)
		}
	default:
		l.fail(line, "%s is not an ID: want a string or an object with id, jobId or videoId", jsonKind(v))
	}
}

// object takes the ID of a JSON object from its best ID field.
func (l *list) object(line int, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a fixed choice among keys equal but for case
	for _, want := range idKeys {
		for _, k := range keys {
			if !strings.EqualFold(k, want) {
				continue
			}
			switch v := m[k].(type) {
			case string:
				l.add(line, v)
			case json.Number:
				l.add(line, v.String())
			default:
				l.fail(line, "field %q is %s, not an ID", k, jsonKind(v))
			}
			return
		}
	}
	l.fail(line, "object has no id, jobId or videoId field")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// jsonProblem says what is wrong with JSON without Go's prefix.
func jsonProblem(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "it ends too early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// skipSpaceComma is skipSpace that also skips the comma between elements.
func skipSpaceComma(b []byte, i int) int {
	for i < len(b) && (b[i] == ',' || b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// lineCounter turns offsets into line numbers. Offsets are asked for in
// rising order, so counting stays linear.
type lineCounter struct {
	doc  []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	if off > len(c.doc) {
		off = len(c.doc)
	}
	if off < c.off { // never in practice; recount from the start
		return c.line - bytes.Count(c.doc[off:c.off], []byte("\n"))
	}
	c.line += bytes.Count(c.doc[c.off:off], []byte("\n"))
	c.off = off
	return c.line
}
