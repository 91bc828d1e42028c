package submit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/reel-dev/reel/config"
)

// ReadJSON reads job bodies from a JSON file: one object, an array of
// objects, or JSON lines (objects one after another). A body with
// templateJobId is a template job, any other a manual job, which needs a
// videoCreative object. row and bad are as for ReadCSV. A JSON syntax
// error stops the reading: what follows it cannot be told apart.
func ReadJSON(r io.Reader, src Source, row func(Row) error, bad func(Problem)) error {
	cr := &countingReader{r: r}
	br := bufio.NewReader(cr)
	base := int64(0)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
		base = 3
	}
	dec := json.NewDecoder(br)
	first, err := firstByte(br)
	if err != nil {
		return fmt.Errorf("%s: %w", src.Name, err)
	}
	fail := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Problem{File: src.Name, Line: cr.lineAt(base + se.Offset), Msg: "not valid JSON: " + se.Error()}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Problem{File: src.Name, Line: cr.lineAt(cr.n), Msg: "the JSON ends in the middle of a value"}
		}
		if cr.err != nil {
			return Problem{File: src.Name, Line: cr.lineAt(cr.mark), Msg: cr.err.Error()}
		}
		return fmt.Errorf("%s: %w", src.Name, err)
	}
	switch first {
	case 0:
		return Problem{File: src.Name, Msg: "empty: no job bodies in it"}
	case '[':
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	case '{':
	default:
		return Problem{File: src.Name, Line: cr.lineAt(base), Msg: "not job bodies: want a JSON object, an array of objects, or JSON lines"}
	}
	problems, number := 0, 0
	var keys keyer
	for first != '[' || dec.More() {
		var raw json.RawMessage
		cr.mark = base + dec.InputOffset()
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) && first == '{' {
				break
			}
			return fail(err)
		}
		number++
		end := base + dec.InputOffset()
		line := cr.lineAt(end - int64(len(raw)))
		kind, msg := checkBody(raw, src.AllowEmpty)
		if msg != "" {
			bad(Problem{File: src.Name, Line: line, Msg: msg})
			if problems++; problems >= MaxProblems {
				return Problem{File: src.Name, Msg: fmt.Sprintf("more than %d problems (the limit): stopped reading", MaxProblems)}
			}
			continue
		}
		var buf bytes.Buffer
		_ = json.Compact(&buf, raw)
		body := json.RawMessage(buf.Bytes())
		if err := row(Row{File: src.Name, Line: line, Number: number, Kind: kind, Body: body,
			Key: keys.key(src, kind, canonical(body))}); err != nil {
			return err
		}
	}
	if first == '[' {
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return Problem{File: src.Name, Line: cr.lineAt(base + dec.InputOffset()), Msg: "more follows the array"}
		}
	}
	if number == 0 {
		return Problem{File: src.Name, Msg: "no job bodies in it"}
	}
	return nil
}

// canonical is a body re-encoded with its keys sorted, its numbers as
// written: the same body whatever the order of its keys or its spacing.
func canonical(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// firstByte peeks at the first byte that is not white space; 0 at the end.
func firstByte(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if errors.Is(err, io.EOF) {
				return 0, nil
			}
			return 0, err
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n':
			if i > 4096 {
				return 0, errors.New("nothing but white space in its first 4 KiB")
			}
		default:
			return c, nil
		}
	}
}

// checkBody says which kind of job a body is, or what is wrong with it.
func checkBody(raw json.RawMessage, allowEmpty bool) (Kind, string) {
	if len(raw) > MaxBody {
		return "", fmt.Sprintf("a body of %d bytes, more than %d MiB (the limit)", len(raw), MaxBody>>20)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", "not a JSON object: each job body is one"
	}
	isObject := func(k string) bool { v := bytes.TrimSpace(obj[k]); return len(v) > 0 && v[0] == '{' }
	kind := Manual
	if _, ok := obj["templateJobId"]; ok {
		kind = Template
		var id string
		if json.Unmarshal(obj["templateJobId"], &id) != nil || id == "" {
			return "", "templateJobId must be a non-empty string"
		}
		if !isObject("dynamicVariables") {
			return "", "a template job needs a dynamicVariables object"
		}
	} else if !isObject("videoCreative") {
		return "", "no videoCreative object: a manual job needs one (or templateJobId for a template job)"
	}
	if _, ok := obj["dynamicVariables"]; ok && !isObject("dynamicVariables") {
		return "", "dynamicVariables must be an object"
	}
	if msg := emptyVariable(obj["dynamicVariables"]); msg != "" && !allowEmpty {
		return "", msg
	}
	if _, ok := obj["callbackPayload"]; ok && !isObject("callbackPayload") {
		return "", "callbackPayload must be an object"
	}
	for _, k := range []string{"callback", "callbackUrl"} {
		if v, ok := obj[k]; ok {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return "", k + " must be a string: an http or https URL"
			}
			if msg := config.CheckCallbackURL(s); msg != "" {
				return "", k + " " + msg
			}
		}
	}
	return kind, ""
}

// emptyVariable names the first dynamic variable given as an empty string.
func emptyVariable(raw json.RawMessage) string {
	var vars map[string]any
	if json.Unmarshal(raw, &vars) != nil {
		return ""
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if s, ok := vars[k].(string); ok && strings.TrimSpace(s) == "" {
			return fmt.Sprintf("dynamic variable %q is empty (give --allow-empty if the template takes an empty value)", k)
		}
	}
	return ""
}

// countingReader counts the bytes read and remembers where lines end, only
// as far back as the decoder may still ask about, and stops a value that
// grows past MaxBody before the decoder buffers it whole.
type countingReader struct {
	r     io.Reader
	n     int64   // bytes read
	mark  int64   // where the value being decoded starts
	ends  []int64 // offsets of line ends not yet passed by lineAt
	lines int     // line ends before ends[0]
	err   error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.ends = append(c.ends, c.n+int64(i))
		}
	}
	c.n += int64(n)
	// The decoder reads ahead by its buffer, which grows with the value:
	// twice the limit cannot be a value within it.
	if c.n-c.mark > 2*MaxBody+64<<10 {
		c.err = fmt.Errorf("a body larger than %d MiB (the limit)", MaxBody>>20)
		return 0, c.err
	}
	return n, err
}

// lineAt is the 1-based line of offset off. Offsets asked for never go
// backwards, so line ends before off are dropped.
func (c *countingReader) lineAt(off int64) int {
	i := 0
	for i < len(c.ends) && c.ends[i] < off {
		i++
	}
	c.lines += i
	c.ends = c.ends[i:]
	return c.lines + 1
}
