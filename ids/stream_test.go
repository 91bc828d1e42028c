package ids

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// openAll is Open and All gathered, to compare with FromArgs.
func openAll(t *testing.T, args []string, in Inputs) ([]string, []*LineError, error) {
	t.Helper()
	l, bad, err := Open(args, in)
	if err != nil || len(bad) > 0 {
		if l != nil {
			t.Fatalf("Open gave a List along with a problem")
		}
		return nil, bad, err
	}
	defer l.Close()
	list := slices.Collect(l.All())
	if l.Err() != nil {
		t.Fatalf("All: %v", l.Err())
	}
	if l.Len() != len(list) {
		t.Fatalf("Len() = %d, All gave %d", l.Len(), len(list))
	}
	return list, nil, nil
}

// memFiles opens files from a map; a name not in it is no file.
func memFiles(files map[string]string, reads *int) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		s, ok := files[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if reads != nil {
			*reads++
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
}

// FuzzOpenMatchesFromArgs: for any file and standard input, the streaming
// reader gives what FromArgs gives: the same IDs in the same order, the
// same problems, the same error.
func FuzzOpenMatchesFromArgs(f *testing.F) {
	for _, s := range []string{
		"job-1 job-2", "job-1,job-2\njob-3", `["a","b"]`, `[{"id":"a"},{"videoId":"b"}]`, "id,name\na,x\n",
		"{\"id\":\"a\"}\n{\"id\":\"b\"}", "not an id!", "\xff\xfea\x00\n\x00", "", "# comment\nok",
		"a\r\nb\rc\n\r\nd", "\xef\xbb\xbfa b", "name,status\nx,y", "id;name\r\"a\";x\rb;y", "{\n\"id\": \"a\"\n}\n",
		"a\n\"b\nc\"\n", "[1, {\"jobId\": 2}]\nx", "id\n\"a\nb\n", "  \n# x\n[12:00] job",
	} {
		f.Add(s, "b a\nz")
	}
	f.Fuzz(func(t *testing.T, file, stdin string) {
		args := []string{"x", "list.txt", "-", "y", "-"}
		files := map[string]string{"list.txt": file}
		in := func() Inputs { return Inputs{Stdin: strings.NewReader(stdin), Open: memFiles(files, nil)} }
		want, wantBad, wantErr := FromArgs(args, in())
		got, gotBad, gotErr := openAll(t, args, in())
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("error: got %v, FromArgs %v", gotErr, wantErr)
		}
		if len(wantBad) > 0 {
			if !reflect.DeepEqual(gotBad, wantBad) {
				t.Fatalf("problems for %q, %q:\n got %v\nwant %v", file, stdin, gotBad, wantBad)
			}
			return
		}
		if len(gotBad) > 0 || !slices.Equal(got, want) {
			t.Fatalf("IDs for %q, %q:\n got %q %v\nwant %q", file, stdin, got, gotBad, want)
		}
	})
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n *int
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += n
	return n, err
}

// The IDs come as they are read: the first is given long before the file
// is read to its end, so the list is never held.
func TestAllGivesTheFirstIDBeforeReadingTheWholeFile(t *testing.T) {
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "job-%06d\n", i)
	}
	data := b.String()
	read := 0
	open := func(string) (io.ReadCloser, error) {
		read = 0
		return io.NopCloser(countingReader{strings.NewReader(data), &read}), nil
	}
	l, bad, err := Open([]string{"ids.txt"}, Inputs{Open: open})
	if err != nil || bad != nil {
		t.Fatal(err, bad)
	}
	defer l.Close()
	if l.Len() != 100_000 || l.Longest() != len("job-000000") {
		t.Fatalf("Len %d, Longest %d", l.Len(), l.Longest())
	}
	n := 0
	for id := range l.All() {
		if n == 0 {
			if id != "job-000000" {
				t.Fatalf("first ID %q", id)
			}
			if read >= len(data)/4 {
				t.Fatalf("the first ID came after reading %d of %d bytes", read, len(data))
			}
		}
		n++
	}
	if n != 100_000 || l.Err() != nil {
		t.Fatalf("All gave %d IDs, err %v", n, l.Err())
	}
}

// A bad line at the very end stops everything before a single ID is given:
// the first pass reads the whole input, from a file and from standard
// input alike.
func TestOpenFindsABadLineAtTheEnd(t *testing.T) {
	var b strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&b, "job-%d\n", i)
	}
	b.WriteString("bad!id\n")
	path := filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		in   Inputs
		src  string
	}{
		{"file", []string{path}, Inputs{}, path},
		{"stdin", []string{"-"}, Inputs{Stdin: strings.NewReader(b.String())}, "stdin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, bad, err := Open(tc.args, tc.in)
			if err != nil || l != nil {
				t.Fatalf("Open: list %v, err %v", l, err)
			}
			want := []*LineError{{Source: tc.src, Line: 10_001, Reason: `"bad!id" is not an ID (` + charsHint + ")"}}
			if !reflect.DeepEqual(bad, want) {
				t.Fatalf("problems %v, want %v", bad, want)
			}
		})
	}
}

// Standard input is read once, copied to disk, and read from there both
// times; the copy goes with Close.
func TestOpenSpoolsStdinToDisk(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	stdin := strings.NewReader("a\nb\na\n")
	l, bad, err := Open([]string{"-", "c"}, Inputs{Stdin: stdin})
	if err != nil || bad != nil {
		t.Fatal(err, bad)
	}
	spool := l.spool
	if _, err := os.Stat(spool); err != nil {
		t.Fatalf("no copy of stdin: %v", err)
	}
	for range 2 {
		if got := slices.Collect(l.All()); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("All gave %q", got)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spool); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the copy of stdin is still there: %v", err)
	}
}

// A file changed between the check and the reading is not believed.
func TestAllStopsOnAFileChangedSinceOpen(t *testing.T) {
	files := map[string]string{"ids.txt": "a\nb\nc\n"}
	l, bad, err := Open([]string{"ids.txt"}, Inputs{Open: memFiles(files, nil)})
	if err != nil || bad != nil {
		t.Fatal(err, bad)
	}
	files["ids.txt"] = "a\nbad!id\nc\n"
	got := slices.Collect(l.All())
	if !slices.Equal(got, []string{"a"}) || l.Err() == nil || !strings.Contains(l.Err().Error(), "ids.txt changed while reel read it") {
		t.Fatalf("All gave %q, err %v", got, l.Err())
	}
}

// Over MaxInput is refused as FromArgs refuses it, in the first pass.
func TestOpenRefusesOverMaxInput(t *testing.T) {
	big := io.MultiReader(strings.NewReader("a\n"), bytes.NewReader(make([]byte, MaxInput)))
	_, _, err := Open([]string{"-"}, Inputs{Stdin: big})
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "stdin: ") {
		t.Fatalf("err %v", err)
	}
}
