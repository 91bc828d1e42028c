package ids

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// problem is a LineError cut down to what a test checks: its line and a
// piece of its reason.
type problem struct {
	line int
	has  string
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		errs []problem
	}{
		{"empty", "", nil, nil},
		{"only blanks and comments", "\n  \n# jobs\n\t# more\n", nil, nil},
		{"one per line", "job-1\njob-2\n\njob-3", []string{"job-1", "job-2", "job-3"}, nil},
		{"comments and trailing comment", "# header\njob-1  # the intro\njob-2\n", []string{"job-1", "job-2"}, nil},
		{"CRLF", "job-1\r\njob-2\r\n", []string{"job-1", "job-2"}, nil},
		{"UTF-8 BOM", "\ufeffjob-1\njob-2", []string{"job-1", "job-2"}, nil},
		{"words with spaces and commas", "a1 a2,a3, a4\t a5,,a6", []string{"a1", "a2", "a3", "a4", "a5", "a6"}, nil},
		{"no-break space separates", "a1\u00a0a2", []string{"a1", "a2"}, nil},
		{"quoted words", `"a1", 'a2' "a\u0033"`, []string{"a1", "a2", "a3"}, nil},
		{"duplicates keep the first", "b\na\nb\nc a", []string{"b", "a", "c"}, nil},
		{"all ID characters", "Ab-9_x.y:z", []string{"Ab-9_x.y:z"}, nil},
		{"uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa6", []string{"3fa85f64-5717-4562-b3fc-2c963f66afa6"}, nil},
		{"a bad word among good ones", "a1\nok abc/def ok2\n", []string{"a1", "ok", "ok2"},
			[]problem{{2, `"abc/def" is not an ID (IDs are letters, digits, '-', '_', '.', ':')`}}},
		{"too long", strings.Repeat("x", 129), nil, []problem{{1, "too long for an ID (at most 128"}}},
		{"just long enough", strings.Repeat("x", 128), []string{strings.Repeat("x", 128)}, nil},
		{"dot dot", "..\n.", nil, []problem{{1, `".." is not an ID`}, {2, `"." is not an ID`}}},
		{"control characters are quoted", "a\x1b[31mb", nil, []problem{{1, `"a\x1b[31mb" is not an ID`}}},
		{"header words skipped", "jobId videoId\nj1 v1", []string{"j1", "v1"}, nil},
		{"log line starting with a bracket", "[12:00] started j1\n", []string{"started", "j1"},
			[]problem{{1, `"[12:00]" is not an ID`}}},

		{"JSON lines", `{"id":"j1","videoId":"v1"}` + "\n\n" + `{"jobId":"j2"}` + "\r\n" + `{"videoId":"v3"}`,
			[]string{"j1", "j2", "v3"}, nil},
		{"JSON lines of strings", "\"j1\"\n\"j2\"", []string{"j1", "j2"}, nil},
		{"JSON lines with a bad line", `{"id":"j1"}` + "\n" + `{"id":` + "\n" + `{"name":"x"}` + "\n" + `{"id":"j4"}`,
			[]string{"j1", "j4"}, []problem{{2, "invalid JSON"}, {3, "no id, jobId or videoId"}}},
		{"JSON values in a row on one line", `{"id":"j1"} {"id":"j2"}`, []string{"j1", "j2"}, nil},
		{"JSON lines: two values on a later line", `{"id":"j0"}` + "\n" + `{"id":"j1"} {"id":"j2"}`, []string{"j0"},
			[]problem{{2, "more than one value"}}},
		{"JSON keys in any case, job id first", `{"VIDEO_ID":"v1","JobId":"j1"}`, []string{"j1"}, nil},
		{"JSON field of the wrong type", `{"id":true}` + "\n" + `{"id":null}` + "\n" + `{"id":{"a":1}}`, nil,
			[]problem{{1, `field "id" is a boolean`}, {2, "is null"}, {3, "is an object"}}},
		{"JSON numeric id", `{"id":12345}`, []string{"12345"}, nil},
		{"JSON array of create responses", `[{"id":"j1","videoId":"v1"},{"id":"j2","videoId":"v2"}]`, []string{"j1", "j2"}, nil},
		{"JSON array of strings", `["a","b","a"]`, []string{"a", "b"}, nil},
		{"JSON array, pretty, lines per element", "[\n  {\"id\": \"j1\"},\n  {\"name\": \"x\"},\n  \"bad id\",\n  7,\n  [\"n\"],\n  false\n]\n",
			[]string{"j1", "7"}, []problem{{3, "no id"}, {4, `"bad id" is not an ID`}, {6, "array inside an array"}, {7, "a boolean is not an ID"}}},
		{"JSON array after comments", "# from the API\n\n[\"j1\"]", []string{"j1"}, nil},
		{"JSON array, broken", "[\n\"j1\",\n\"j2\"\n{\"id\":\"j3\"}\n]", []string{"j1", "j2"}, []problem{{4, "invalid JSON"}}},
		{"JSON array, cut short", "[\"j1\",\n\"j2\"", []string{"j1", "j2"}, []problem{{2, "ends too early"}}},
		{"two JSON arrays", "[\"a\"]\n[\"b\"]", []string{"a", "b"}, nil},
		{"pretty JSON object", "{\n  \"id\": \"j1\",\n  \"videoId\": \"v1\"\n}\n", []string{"j1"}, nil},
		{"pretty JSON objects in a row", "{\n\"id\": \"j1\"\n}\n{\n\"id\": \"j2\"\n}", []string{"j1", "j2"}, nil},
		{"pretty JSON object, broken", "{\n  \"id\": \"j1\",\n}\n", nil, []problem{{3, "invalid JSON"}}},
		{"JSON array of empty strings", `["", "x"]`, []string{"x"}, []problem{{1, "empty ID"}}},

		{"CSV", "name,jobId,status\nintro,j1,finished\nouttro,j2,failed\n", []string{"j1", "j2"}, nil},
		{"CSV with id and videoId picks id", "videoId,id\nv1,j1\n", []string{"j1"}, nil},
		{"CSV video_id only", "name;video_id\na;v1\r\nb;v2\r\n", []string{"v1", "v2"}, nil},
		{"CSV header in any case", "Name,JOB_ID\nx,j1", []string{"j1"}, nil},
		{"TSV", "name\tid\nx\tj1\n", []string{"j1"}, nil},
		{"CSV quoted fields", "name,id\n\"a, b\",\"j1\"\n", []string{"j1"}, nil},
		{"CSV single column", "id\nj1\nj2", []string{"j1", "j2"}, nil},
		{"CSV after comments, with BOM", "\ufeff# export\nname,id\nx,j1\n", []string{"j1"}, nil},
		{"CSV problems", "name,id\nx,\ny\nz,bad id\nw,j4\n", []string{"j4"},
			[]problem{{2, "empty id column"}, {3, "no id column"}, {4, `"bad id" is not an ID`}}},
		{"CSV blank lines and comments skipped", "name,id\n\n# c\nx,j1\n", []string{"j1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs, err := Parse("list", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("IDs = %q, want %q", got, tt.want)
			}
			checkProblems(t, errs, tt.errs)
			paste, perrs := ParsePaste(tt.in)
			if !slices.Equal(paste, got) || len(perrs) != len(errs) {
				t.Errorf("ParsePaste = %q, %v; Parse gave %q, %v", paste, perrs, got, errs)
			}
		})
	}
}

func checkProblems(t *testing.T, got []*LineError, want []problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(got), len(want), got)
		return
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.Contains(got[i].Reason, w.has) {
			t.Errorf("problem %d = %v, want line %d with %q", i, got[i], w.line, w.has)
		}
	}
}

func TestParseUTF16(t *testing.T) {
	for _, big := range []bool{false, true} {
		u := utf16.Encode([]rune("\ufeffj1\r\nj2\r\n"))
		var b bytes.Buffer
		for _, c := range u {
			if big {
				b.Write([]byte{byte(c >> 8), byte(c)})
			} else {
				b.Write([]byte{byte(c), byte(c >> 8)})
			}
		}
		got, errs, err := Parse("ps.txt", &b)
		if err != nil || len(errs) > 0 || !slices.Equal(got, []string{"j1", "j2"}) {
			t.Errorf("big endian %v: %q, %v, %v", big, got, errs, err)
		}
	}
}

func TestParseLongLine(t *testing.T) {
	in := "j1\n" + strings.Repeat("x", MaxLine+1) + "\nj3\n"
	got, errs, err := Parse("big.txt", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"j1", "j3"}) {
		t.Errorf("IDs = %q", got)
	}
	checkProblems(t, errs, []problem{{2, "longer than 1 MiB"}})
	if s := errs[0].Error(); s != "big.txt:2: line is longer than 1 MiB: is this a list of IDs?" {
		t.Errorf("Error() = %q", s)
	}
}

// endless yields an unending stream of IDs.
type endless struct{}

var lots = bytes.Repeat([]byte("j\n"), 1<<15)

func (endless) Read(p []byte) (int, error) { return copy(p, lots), nil }

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseHardErrors(t *testing.T) {
	_, _, err := Parse("huge", endless{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "huge: larger than 64 MiB") {
		t.Errorf("endless input: %v", err)
	}
	_, _, err = Parse("bad", failing{})
	if err == nil || err.Error() != "read bad: disk on fire" {
		t.Errorf("failing reader: %v", err)
	}
	// Exactly the cap is still read (as one overlong line).
	in := strings.Repeat("j", MaxInput)
	if _, _, err = Parse("full", strings.NewReader(in)); err != nil {
		t.Errorf("input of exactly MaxInput: %v", err)
	}
	_, perrs := ParsePaste(in + "x")
	if len(perrs) != 1 || !strings.Contains(perrs[0].Error(), "paste: larger than 64 MiB") {
		t.Errorf("huge paste: %v", perrs)
	}
}

func TestLineErrorText(t *testing.T) {
	_, errs, _ := Parse("jobs.txt", strings.NewReader("ok\n\nabc def/..\n"))
	want := `jobs.txt:3: "def/.." is not an ID (IDs are letters, digits, '-', '_', '.', ':')`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("got %v, want %s", errs, want)
	}
	e := &LineError{Line: 4, Reason: "x"}
	if e.Error() != "line 4: x" {
		t.Errorf("no source: %q", e.Error())
	}
	long := strings.Repeat("é", 60) + "/"
	_, errs, _ = Parse("", strings.NewReader(long))
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, `…`) || len(errs[0].Reason) > 200 {
		t.Errorf("long bad ID not cut short: %v", errs)
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"a": true, "A-b_c.d:e9": true, strings.Repeat("z", 128): true,
		"": false, " ": false, "a b": false, "a/b": false, "é": false, "..": false, ".": false,
		strings.Repeat("z", 129): false, "a\x00": false, "a%2F": false, "a?b": false,
	} {
		if Valid(s) != want {
			t.Errorf("Valid(%q) = %v", s, !want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "j1\nj2", "a,b c", "# c\nj1 # x", `{"id":"j1","videoId":"v1"}`, `["a","b"]`,
		"[\n{\"jobId\":\"x\"},\n{}\n]", "name,id\nx,j1\n,\n", "id;x\nj;1", "\ufeffj\r\n",
		"{\n\"id\":\"j\"\n}", "[12:00] x", `"a" 'b'`, "\xff\xfej\x00", "[1,[2],{\"id\":3}]",
		"name,id\rx,j1\r", "j1\rbad!\r\nj2",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, errs, err := Parse("f", bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		seen := map[string]bool{}
		for _, id := range got {
			if !Valid(id) {
				t.Fatalf("invalid ID %q from %q", id, data)
			}
			if seen[id] {
				t.Fatalf("duplicate ID %q from %q", id, data)
			}
			seen[id] = true
		}
		lines := bytes.Count(lineFeeds(data), []byte("\n")) + 1 // a line ends in LF, CRLF or CR
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Reason == "" {
				t.Fatalf("problem %v out of range (%d lines) for %q", e, lines, data)
			}
		}
		again, errs2, _ := Parse("f", bytes.NewReader(data))
		if !slices.Equal(got, again) || fmt.Sprint(errs) != fmt.Sprint(errs2) {
			t.Fatalf("not deterministic for %q", data)
		}
	})
}

var _ io.Reader = endless{}
