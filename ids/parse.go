package ids

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
)

// MaxInput is the most a list may hold. Beyond it, the input is surely not
// a list of IDs, and reading on would only eat memory.
const MaxInput = 64 << 20

// MaxLine is the longest line read as one line of IDs. A longer one is
// reported and skipped. (A JSON array on one line has no such limit.)
const MaxLine = 1 << 20

// ErrTooLarge is wrapped by the error for an input larger than MaxInput.
var ErrTooLarge = errors.New("larger than 64 MiB")

// Parse reads a list of IDs from r. name names the input in messages
// ("ids.txt", "stdin"). It returns the IDs in order of appearance with
// duplicates removed, keeping the first; a LineError for each line (or JSON
// element, or CSV row) that gave no ID; and an error only when r cannot be
// read or is larger than MaxInput.
//
// The list may be: one ID per line (blank lines and # comments skipped);
// words separated by spaces or commas; JSON lines, each an object with id,
// jobId or videoId, or a string; a JSON array of such objects or strings;
// or CSV (also with ';' or tabs) whose header has an id, jobId, job_id,
// videoId or video_id column. An object or row with both a job id and a
// video id gives the job id: the create response {id, videoId} gives id.
// A UTF-8 or UTF-16 byte order mark is fine, and lines may end in LF,
// CRLF or a lone CR, even mixed.
func Parse(name string, r io.Reader) ([]string, []*LineError, error) {
	l := newList(name)
	if err := l.read(name, r); err != nil {
		return nil, nil, err
	}
	return l.ids, l.errs, nil
}

// ParsePaste reads IDs from text pasted into the dashboard, in any of the
// forms Parse takes.
func ParsePaste(text string) ([]string, []*LineError) {
	l := newList("paste")
	if len(text) > MaxInput {
		l.errs = append(l.errs, &LineError{Source: "paste", Reason: ErrTooLarge.Error() + ": paste less at a time"})
		return nil, l.errs
	}
	l.parse([]byte(text))
	return l.ids, l.errs
}

// list gathers the IDs and problems of one or more inputs.
type list struct {
	source string
	ids    []string
	seen   map[string]bool
	errs   []*LineError
	// onID, when set, takes each valid ID instead of ids and seen: the
	// streaming reader keeps no list (see List).
	onID func(id string)
	// done stops a streaming read early: the consumer wants no more.
	done bool
}

func newList(source string) *list {
	return &list{source: source, seen: map[string]bool{}}
}

// add takes id if it is valid and new, and reports it otherwise.
func (l *list) add(line int, id string) {
	if why := check(id); why != "" {
		l.fail(line, "%s", why)
		return
	}
	if l.onID != nil {
		l.onID(id)
		return
	}
	if !l.seen[id] {
		l.seen[id] = true
		l.ids = append(l.ids, id)
	}
}

func (l *list) fail(line int, format string, args ...any) {
	l.errs = append(l.errs, &LineError{Source: l.source, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// parse works out which form data has and reads it.
func (l *list) parse(data []byte) {
	data = lineFeeds(toUTF8(data))
	start, line, first := firstContent(data)
	switch {
	case start < 0:
	case jsonArray(first) || first[0] == '{' && !isJSON(first):
		// A JSON array, or an object spread over lines (jq's output).
		l.parseJSON(data[start:], line)
	case first[0] == '{':
		l.parseLines(data) // JSON lines
	default:
		if col, comma, ok := csvHeader(first); ok {
			l.parseCSV(bytes.NewReader(data[start:]), line, col, comma) // no read error from bytes
			return
		}
		if cols, ok := foreignHeader(first); ok {
			// Reading on would track every cell (name, status, ...) as an ID.
			l.fail(line, "a CSV header (%s) with no id, jobId, job_id, videoId or video_id column: add one, or list bare IDs", cols)
			return
		}
		l.parseLines(data)
	}
}

// lineFeeds ends every line with a line feed: CRLF (Windows) and a lone
// CR (old Macs, and what a terminal sends for a pasted line break) mark a
// line's end just as LF does. Without this, a CR-only CSV is one line, its
// header and every cell taken for IDs.
func lineFeeds(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		out = append(out, '\n')
		if i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
	}
	return out
}

// jsonArray reports whether a list's first line starts a JSON array rather
// than, say, a log line such as "[12:00] job ...".
func jsonArray(first []byte) bool {
	if first[0] != '[' {
		return false
	}
	rest := bytes.TrimSpace(first[1:])
	return len(rest) == 0 || bytes.IndexByte([]byte("{[]\""), rest[0]) >= 0 || isJSON(first)
}

// toUTF8 drops a UTF-8 byte order mark and decodes UTF-16 with one (what
// PowerShell's > writes) into UTF-8.
func toUTF8(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		return data[3:]
	case len(data) >= 2 && (data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff):
		big := data[0] == 0xfe
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if big {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return []byte(string(utf16.Decode(u)))
	}
	return data
}

// firstContent finds the first line that is neither blank nor a comment:
// its offset, its 1-based number and its trimmed text. The offset is -1
// when there is none.
func firstContent(data []byte) (start, line int, text []byte) {
	for off := 0; off < len(data); {
		line++
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off
		}
		t := bytes.TrimSpace(data[off:end])
		if len(t) > 0 && t[0] != '#' {
			return off, line, t
		}
		off = end + 1
	}
	return -1, 0, nil
}

// parseLines reads data line by line: words, or a JSON value on its line.
func (l *list) parseLines(data []byte) {
	line := 0
	for len(data) > 0 {
		line++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		l.line(line, raw, len(raw))
	}
}

// line takes the IDs of one line, raw without its line feed, whose full
// length was size (raw may be cut short when size passes MaxLine).
func (l *list) line(line int, raw []byte, size int) {
	if size > MaxLine {
		l.fail(line, "line is longer than 1 MiB: is this a list of IDs?")
		return
	}
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0 || t[0] == '#':
	case t[0] == '{' || t[0] == '[' && isJSON(t):
		l.jsonLine(line, t)
	default:
		l.words(line, string(t))
	}
}

// words takes the IDs of a line of words separated by spaces or commas. A
// word that starts with # starts a comment.
func (l *list) words(line int, s string) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	for _, w := range fields {
		if w[0] == '#' {
			return
		}
		w = unquote(w)
		if isColumnName(w) {
			continue // a header line, as in "jobId videoId"
		}
		l.add(line, w)
	}
}

// unquote removes the quotes around a word: "id" (a JSON string) or 'id'.
func unquote(w string) string {
	if len(w) >= 2 && (w[0] == '"' && w[len(w)-1] == '"' || w[0] == '\'' && w[len(w)-1] == '\'') {
		if w[0] == '"' {
			if s, ok := jsonString(w); ok {
				return s
			}
		}
		return w[1 : len(w)-1]
	}
	return w
}
