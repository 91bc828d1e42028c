package submit

import (
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

var src = Source{Name: "rows.csv", ID: "/abs/rows.csv", Template: "tpl"}

// readAll collects what a reader gives.
func readAll(t *testing.T, read func(io.Reader, Source, func(Row) error, func(Problem)) error, in io.Reader, s Source) ([]Row, []Problem, error) {
	t.Helper()
	var rows []Row
	var probs []Problem
	err := read(in, s, func(r Row) error { rows = append(rows, r); return nil }, func(p Problem) { probs = append(probs, p) })
	return rows, probs, err
}

func vars(t *testing.T, r Row) map[string]string {
	t.Helper()
	var b struct {
		TemplateJobID    string            `json:"templateJobId"`
		DynamicVariables map[string]string `json:"dynamicVariables"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.TemplateJobID != "tpl" {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	return b.DynamicVariables
}

func TestCSVLineEndings(t *testing.T) {
	for name, in := range map[string]string{
		"LF":    "name,city\nAda,Paris\n\nBob,\"Old\nTown\"\nCy,Rome",
		"CRLF":  "name,city\r\nAda,Paris\r\n\r\nBob,\"Old\r\nTown\"\r\nCy,Rome\r\n",
		"CR":    "name,city\rAda,Paris\r\rBob,\"Old\rTown\"\rCy,Rome\r",
		"mixed": "\uFEFFname,city\r\nAda,Paris\n\rBob,\"Old\nTown\"\rCy,Rome",
	} {
		t.Run(name, func(t *testing.T) {
			// One byte at a time too: a CR at the end of one read and its
			// LF at the start of the next are one line end.
			for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
				rows, probs, err := readAll(t, ReadCSV, r, src)
				if err != nil || len(probs) > 0 {
					t.Fatalf("err %v, problems %v", err, probs)
				}
				if len(rows) != 3 {
					t.Fatalf("%d rows, want 3", len(rows))
				}
				wantLines := []int{2, 4, 6}
				for i, r := range rows {
					if r.Line != wantLines[i] || r.Number != i+1 || r.Kind != Template {
						t.Fatalf("row %d at line %d number %d kind %s, want line %d", i, r.Line, r.Number, r.Kind, wantLines[i])
					}
				}
				if v := vars(t, rows[1]); v["name"] != "Bob" || v["city"] != "Old\nTown" {
					t.Fatalf("row 2 vars %v", v)
				}
			}
		})
	}
}

func TestCSVKeysAreStable(t *testing.T) {
	a, _, _ := readAll(t, ReadCSV, strings.NewReader("name,city\nAda,Paris\nBob,Rome\n"), src)
	b, _, _ := readAll(t, ReadCSV, strings.NewReader("city,name\r\nParis,Ada\r\nRome,Bob\r\nCy,Nice\r\n"), src)
	if a[0].Key != b[0].Key || a[1].Key != b[1].Key {
		t.Fatal("the same rows (columns reordered, CRLF) got other keys")
	}
	other := src
	other.ID = "/abs/other.csv"
	c, _, _ := readAll(t, ReadCSV, strings.NewReader("name,city\nAda,Paris\nAda,Paris\n"), other)
	if c[0].Key != a[0].Key || c[0].Key == c[1].Key {
		t.Fatal("the same row at another path must be the same row; a repeated row another one")
	}
	tpl := src
	tpl.Template = "tpl2"
	d, _, _ := readAll(t, ReadCSV, strings.NewReader("name,city\nAda,Paris\n"), tpl)
	if d[0].Key == a[0].Key {
		t.Fatal("another template must be another row")
	}
}

func TestCSVProblemsNameTheLine(t *testing.T) {
	in := "name,city\nAda,Paris\nBob\nCy,\"Rome\nDi,Nice,Extra\n"
	_, probs, err := readAll(t, ReadCSV, strings.NewReader(in), src)
	if len(probs) == 0 && err == nil {
		t.Fatal("no problem reported")
	}
	if probs[0].Error() != "rows.csv:3: 1 values for the header's 2 columns" {
		t.Fatalf("first problem %q", probs[0].Error())
	}
	for _, tt := range []struct{ in, want string }{
		{"", "rows.csv: no header"},
		{"name,,city\n", "rows.csv:1: header column 2 has no name"},
		{"name,name\n", `rows.csv:1: header names "name" twice`},
		{"a\n" + strings.Repeat("x", MaxLine+1) + "\n", "rows.csv:2: a line longer than 1 MiB (the limit)"},
		{strings.Repeat("c,", MaxColumns) + "c\n", "more than 1000 (the limit)"},
	} {
		_, _, err := readAll(t, ReadCSV, strings.NewReader(tt.in), src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Fatalf("%.20q: error %v, want %q", tt.in, err, tt.want)
		}
	}
	var many strings.Builder
	many.WriteString("a,b\n")
	for range MaxProblems + 5 {
		many.WriteString("x\n")
	}
	_, probs, err = readAll(t, ReadCSV, strings.NewReader(many.String()), src)
	if len(probs) != MaxProblems || err == nil || !strings.Contains(err.Error(), "more than 100 problems (the limit)") {
		t.Fatalf("%d problems, error %v", len(probs), err)
	}
}

// A long file streams: rows come one by one and memory does not grow with
// the file (the benchmark's allocation figure shows it).
func TestCSVStreams(t *testing.T) {
	const n = 20000
	r := io.MultiReader(strings.NewReader("name,n\n"), &repeatReader{line: []byte("someone,1\n"), n: n})
	count := 0
	err := ReadCSV(r, src, func(Row) error { count++; return nil }, func(p Problem) { t.Fatal(p) })
	if err != nil || count != n {
		t.Fatalf("%d rows, %v", count, err)
	}
	stop := errors.New("stop")
	if err := ReadCSV(strings.NewReader("a\n1\n2\n"), src, func(Row) error { return stop }, nil); !errors.Is(err, stop) {
		t.Fatalf("the row callback's error: got %v", err)
	}
}

type repeatReader struct {
	line []byte
	n    int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		if r.n == 0 {
			if w == 0 {
				return 0, io.EOF
			}
			break
		}
		c := copy(p[w:], r.line[r.off:])
		w += c
		r.off += c
		if r.off == len(r.line) {
			r.off = 0
			r.n--
		}
	}
	return w, nil
}

func BenchmarkReadCSV(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := io.MultiReader(strings.NewReader("name,company,city\n"), &repeatReader{line: []byte("Ada Lovelace,Analytical Engines Ltd,London\n"), n: 10000})
		if err := ReadCSV(r, src, func(Row) error { return nil }, func(Problem) {}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestJSONForms(t *testing.T) {
	js := Source{Name: "jobs.json", ID: "/abs/jobs.json"}
	manual := `{"videoCreative":{"scenes":[{"x":1}]},"title":"kept"}`
	tmpl := `{"templateJobId":"t1","dynamicVariables":{"name":"Ada"}}`
	for name, tt := range map[string]struct {
		in    string
		lines []int
	}{
		"one object":  {"\n\n" + manual + "\n", []int{3}},
		"JSON lines":  {manual + "\n" + tmpl + "\r\n\n" + manual, []int{1, 2, 4}},
		"array":       {"[\n  " + manual + ",\n  " + tmpl + "\n]\n", []int{2, 3}},
		"pretty":      {"[\n{\n \"videoCreative\": {}\n},\n{\n \"templateJobId\": \"t\",\n \"dynamicVariables\": {}\n}\n]", []int{2, 5}},
		"BOM + lines": {"\uFEFF" + manual + "\n" + manual, []int{1, 2}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				rows, probs, err := readAll(t, ReadJSON, r, js)
				if err != nil || len(probs) > 0 {
					t.Fatalf("err %v, problems %v", err, probs)
				}
				if len(rows) != len(tt.lines) {
					t.Fatalf("%d rows, want %d", len(rows), len(tt.lines))
				}
				for i, r := range rows {
					if r.Line != tt.lines[i] {
						t.Fatalf("row %d at line %d, want %d", i+1, r.Line, tt.lines[i])
					}
				}
			}
		})
	}
	rows, _, _ := readAll(t, ReadJSON, strings.NewReader(manual+"\n"+tmpl), js)
	if rows[0].Kind != Manual || rows[1].Kind != Template || !strings.Contains(string(rows[0].Body), `"title":"kept"`) {
		t.Fatalf("kinds %s %s, body %s", rows[0].Kind, rows[1].Kind, rows[0].Body)
	}
}

func TestJSONProblemsNameTheLine(t *testing.T) {
	js := Source{Name: "jobs.json", ID: "/abs/jobs.json"}
	in := `{"videoCreative":{}}
{"videoCreative":"no"}
[1]
{"templateJobId":"","dynamicVariables":{}}
{"templateJobId":"t"}
{"videoCreative":{},"callback":"ftp://x"}
{"videoCreative":{},"callbackPayload":[]}
`
	_, probs, err := readAll(t, ReadJSON, strings.NewReader(in), js)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"jobs.json:2: no videoCreative object",
		"jobs.json:3: not a JSON object",
		"jobs.json:4: templateJobId must be a non-empty string",
		"jobs.json:5: a template job needs a dynamicVariables object",
		"jobs.json:6: callback must be an http or https URL",
		"jobs.json:7: callbackPayload must be an object",
	}
	if len(probs) != len(want) {
		t.Fatalf("problems %v", probs)
	}
	for i, p := range probs {
		if !strings.HasPrefix(p.Error(), want[i]) {
			t.Fatalf("problem %q, want %q", p.Error(), want[i])
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"", "jobs.json: empty"},
		{"  \n", "jobs.json: empty"},
		{"\"x\"", "jobs.json:1: not job bodies"},
		{"{\"videoCreative\":{}}\n{\"videoCreative\":\n{", "jobs.json:3: the JSON ends in the middle"},
		{"{\"videoCreative\":{}}\n\n{\"videoCreative\" {}}", "jobs.json:3: not valid JSON"},
		{"[{\"videoCreative\":{}}] x", "jobs.json:1: "},
		{"[]", "jobs.json: no job bodies"},
		{`{"videoCreative":{"s":"` + strings.Repeat("x", 3*MaxBody) + `"}}`, "larger than 1 MiB (the limit)"},
		{`{"videoCreative":{"s":"` + strings.Repeat("x", MaxBody) + `"}}`, "more than 1 MiB (the limit)"},
	} {
		_, probs, err := readAll(t, ReadJSON, strings.NewReader(tt.in), js)
		got := ""
		if err != nil {
			got = err.Error()
		} else if len(probs) > 0 {
			got = probs[0].Error()
		}
		if !strings.Contains(got, tt.want) {
			t.Fatalf("%.30q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// liveHeap is the heap in use after a collection: what is kept, not what
// is garbage yet.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Memory stays flat in the file's size: what is live after 200,000 rows is
// what was live after 20,000. Keeping each row (a map of seen keys, the
// rows themselves) would add tens of MB.
func TestReadersKeepMemoryFlat(t *testing.T) {
	const n, every = 200000, 20000
	for name, read := range map[string]func(io.Reader, func(Row) error) error{
		"CSV": func(r io.Reader, row func(Row) error) error {
			return ReadCSV(io.MultiReader(strings.NewReader("name,company\n"), r), src, row, func(p Problem) { t.Fatal(p) })
		},
		"JSON lines": func(r io.Reader, row func(Row) error) error {
			return ReadJSON(r, Source{Name: "j", ID: "/j"}, row, func(p Problem) { t.Fatal(p) })
		},
	} {
		t.Run(name, func(t *testing.T) {
			line := "Ada Lovelace,Analytical Engines\r\n"
			if name != "CSV" {
				line = `{"templateJobId":"t","dynamicVariables":{"name":"Ada Lovelace","company":"Analytical Engines"}}` + "\n"
			}
			var first, last uint64
			count := 0
			err := read(&repeatReader{line: []byte(line), n: n}, func(Row) error {
				if count++; count%every == 0 {
					last = liveHeap()
					if first == 0 {
						first = last
					}
				}
				return nil
			})
			if err != nil || count != n {
				t.Fatalf("%d rows, %v", count, err)
			}
			if last > first+1<<20 {
				t.Fatalf("live heap grew from %d to %d bytes over %d rows (%d MB of input)", first, last, n-every, n*len(line)>>20)
			}
		})
	}
}

// countReader counts the bytes taken from it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A quoted value spanning many short lines is one row: it is held to
// MaxLine as a whole, and reading stops there, not at the file's end
// (200 MB here, which csv would otherwise buffer whole).
func TestCSVQuotedValueOverManyLinesIsHeldToTheLimit(t *testing.T) {
	const lines = 100 << 20 / 2 // "a\n" a line: 200 MB
	in := &countReader{r: io.MultiReader(strings.NewReader("name,city\nAda,Paris\nBob,\""),
		&repeatReader{line: []byte("a\n"), n: lines}, strings.NewReader("\"\n"))}
	rows, _, err := readAll(t, ReadCSV, in, src)
	var p Problem
	if !errors.As(err, &p) || p.Line != 3 || !strings.Contains(p.Msg, "row longer than 1 MiB (the limit)") {
		t.Fatalf("got %v, want rows.csv:3 naming the row limit", err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows before the long one, want 1", len(rows))
	}
	if in.n > 2*MaxLine {
		t.Fatalf("read %d bytes: want to stop near %d", in.n, MaxLine)
	}
}

// A row within MaxLine whose values escape past MaxBody is a problem at
// its line, not a body sent.
func TestCSVRowBodyIsHeldToMaxBody(t *testing.T) {
	in := "name\n\"" + strings.Repeat("\x01", MaxLine/2) + "\"\nAda\n"
	rows, probs, err := readAll(t, ReadCSV, strings.NewReader(in), src)
	if err != nil || len(rows) != 1 || len(probs) != 1 || probs[0].Line != 2 ||
		!strings.Contains(probs[0].Msg, "more than 1 MiB (the limit)") {
		t.Fatalf("rows %d, problems %v, err %v", len(rows), probs, err)
	}
}

// A row's key is its content, not where the file is nor the row's place:
// the same rows at another path, JSON keys reordered, a row deleted above
// them, keep their keys; repeated rows stay apart, in order.
func TestKeysFollowContentNotPlace(t *testing.T) {
	keys := func(read func(io.Reader, Source, func(Row) error, func(Problem)) error, s Source, in string) []string {
		rows, probs, err := readAll(t, read, strings.NewReader(in), s)
		if err != nil || len(probs) > 0 {
			t.Fatalf("err %v, problems %v", err, probs)
		}
		var k []string
		for _, r := range rows {
			k = append(k, r.Key)
		}
		return k
	}
	moved := Source{Name: "link.csv", ID: "/elsewhere/link.csv", Template: "tpl"}
	a := keys(ReadCSV, src, "name,city\nAda,Paris\nBob,Rome\nAda,Paris\nCy,Nice\n")
	b := keys(ReadCSV, moved, "name,city\nBob,Rome\nAda,Paris\nAda,Paris\nCy,Nice\n")
	if b[0] != a[1] || b[1] != a[0] || b[2] != a[2] || b[3] != a[3] || a[0] == a[2] {
		t.Fatalf("CSV keys moved with the path or a deleted row:\n%v\n%v", a, b)
	}
	j := Source{Name: "a.json", ID: "/a.json"}
	jl := Source{Name: "b.json", ID: "/x/b.json"}
	x := keys(ReadJSON, j, `{"templateJobId":"t","dynamicVariables":{"a":"1","b":2.50}}`+"\n"+
		`{"videoCreative":{"k":1}}`+"\n"+`{"videoCreative":{"k":2}}`)
	y := keys(ReadJSON, jl, `[{"videoCreative":{"k":2}}, {"dynamicVariables":{"b":2.50,  "a":"1"},"templateJobId":"t"}]`)
	if y[0] != x[2] || y[1] != x[0] {
		t.Fatalf("JSON keys moved with key order, the path or a deleted row:\n%v\n%v", x, y)
	}
}

// An empty variable is a problem at its line unless AllowEmpty; a column
// named reelRow is refused (the callback payload keeps it).
func TestEmptyVariablesAndTheReservedColumn(t *testing.T) {
	in := "name,city\nAda,Paris\nBob,\nCy, \n"
	rows, probs, err := readAll(t, ReadCSV, strings.NewReader(in), src)
	if err != nil || len(rows) != 1 || len(probs) != 2 || probs[0].Line != 3 || probs[1].Line != 4 ||
		!strings.Contains(probs[0].Msg, `column "city" is empty (give --allow-empty`) {
		t.Fatalf("rows %d, problems %v, err %v", len(rows), probs, err)
	}
	allow := src
	allow.AllowEmpty = true
	if rows, probs, err := readAll(t, ReadCSV, strings.NewReader(in), allow); err != nil || len(rows) != 3 || len(probs) != 0 {
		t.Fatalf("--allow-empty: rows %d, problems %v, err %v", len(rows), probs, err)
	}
	_, _, err = readAll(t, ReadCSV, strings.NewReader("name,reelRow\nAda,1\n"), src)
	if err == nil || !strings.Contains(err.Error(), `rows.csv:1: header column 2 is named "reelRow"`) {
		t.Fatalf("a reelRow column: %v", err)
	}
	j := `{"templateJobId":"t","dynamicVariables":{"a":"x","b":""}}` + "\n" + `{"videoCreative":{},"dynamicVariables":{"n":1}}`
	rows, probs, err = readAll(t, ReadJSON, strings.NewReader(j), Source{Name: "j.json"})
	if err != nil || len(rows) != 1 || len(probs) != 1 || probs[0].Line != 1 || !strings.Contains(probs[0].Msg, `dynamic variable "b" is empty`) {
		t.Fatalf("JSON: rows %d, problems %v, err %v", len(rows), probs, err)
	}
	if rows, _, _ := readAll(t, ReadJSON, strings.NewReader(j), Source{Name: "j.json", AllowEmpty: true}); len(rows) != 2 {
		t.Fatalf("JSON --allow-empty: %d rows", len(rows))
	}
}
