package submit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// checkRowsOut holds what every reader promises for any input: rows in
// order with lines that never go back, bodies that are JSON objects, keys
// that differ, problems with a place.
func checkRowsOut(t *testing.T, rows []Row, probs []Problem, err error) {
	t.Helper()
	keys := map[string]bool{}
	last := 0
	for _, r := range rows {
		if r.Line < last || r.Line < 1 {
			t.Fatalf("row at line %d after line %d", r.Line, last)
		}
		last = r.Line
		var obj map[string]json.RawMessage
		if json.Unmarshal(r.Body, &obj) != nil {
			t.Fatalf("body %q is not a JSON object", r.Body)
		}
		if keys[r.Key] {
			t.Fatalf("key %s twice", r.Key)
		}
		keys[r.Key] = true
	}
	for _, p := range probs {
		if p.File == "" || p.Msg == "" || p.Line < 0 {
			t.Fatalf("problem %+v", p)
		}
	}
	if err != nil && err.Error() == "" {
		t.Fatal("an empty error")
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a\r1\r\r2", "a,b\r\n\"x\r\ny\",2\r\n", "\uFEFFa\n\"\n", "a,a\n", "a,b\n1\n1,2,3\n", ",\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var rows []Row
		var probs []Problem
		err := ReadCSV(bytes.NewReader(in), src, func(r Row) error { rows = append(rows, r); return nil },
			func(p Problem) { probs = append(probs, p) })
		checkRowsOut(t, rows, probs, err)
		// Line ends do not change the rows: CRLF for LF reads the same.
		if !bytes.Contains(in, []byte("\r")) {
			var again []Row
			_ = ReadCSV(strings.NewReader(strings.ReplaceAll(string(in), "\n", "\r\n")), src,
				func(r Row) error { again = append(again, r); return nil }, func(Problem) {})
			if len(again) != len(rows) {
				t.Fatalf("%d rows with LF, %d with CRLF", len(rows), len(again))
			}
			for i := range rows {
				if rows[i].Key != again[i].Key || rows[i].Line != again[i].Line {
					t.Fatalf("row %d differs with CRLF", i)
				}
			}
		}
	})
}

func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`{"videoCreative":{}}`, "[{\"templateJobId\":\"t\",\"dynamicVariables\":{}}]",
		"{\"videoCreative\":{}}\n{\"videoCreative\":{}}", "[1,", "\uFEFF[]", `{"videoCreative":{},"callback":"http://x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var rows []Row
		var probs []Problem
		err := ReadJSON(bytes.NewReader(in), Source{Name: "j", ID: "/j"},
			func(r Row) error { rows = append(rows, r); return nil }, func(p Problem) { probs = append(probs, p) })
		checkRowsOut(t, rows, probs, err)
		if nl := bytes.Count(in, []byte("\n")); len(rows) > 0 && rows[len(rows)-1].Line > nl+1 {
			t.Fatalf("a row at line %d of a %d-line input", rows[len(rows)-1].Line, nl+1)
		}
	})
}
