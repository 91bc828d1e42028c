package ids

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeFiles opens names from a map; any other name does not exist.
func fakeFiles(files map[string]string) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		if name == "locked.txt" {
			return nil, fs.ErrPermission
		}
		s, ok := files[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
}

func TestFromArgs(t *testing.T) {
	files := map[string]string{
		"jobs.txt":  "j1\nj2\nbad/id\n",
		"more.json": `[{"id":"j2"},{"id":"j3"}]`,
		"j9":        "from-file",
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		want    []string
		errs    []string
		wantErr string
	}{
		{"none", nil, "", nil, nil, ""},
		{"plain IDs", []string{"a", "b", "a"}, "", []string{"a", "b"}, nil, ""},
		{"file, stdin and IDs, deduplicated across them",
			[]string{"j0", "jobs.txt", "-", "more.json", "j1"}, "s1\nj0\n",
			[]string{"j0", "j1", "j2", "s1", "j3"}, []string{`jobs.txt:3: "bad/id" is not an ID`}, ""},
		{"an existing file beats an ID", []string{"j9"}, "", []string{"from-file"}, nil, ""},
		{"bad ID argument", []string{"ok", "a b", ""}, "", []string{"ok"},
			[]string{`argument 2: "a b" is not an ID`, "argument 3: empty ID"}, ""},
		{"stdin problems name stdin", []string{"-"}, "x\n{}\n", []string{"x"}, []string{"stdin:2: object has no id"}, ""},
		{"missing file with an extension", []string{"job.txt"}, "", nil, nil, "job.txt: no such file, and not an ID"},
		{"missing file with a path", []string{"dir/ids"}, "", nil, nil, "dir/ids: no such file, and not an ID"},
		{"unreadable file", []string{"locked.txt"}, "", nil, nil, "read IDs from locked.txt: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs, err := FromArgs(tt.args, Inputs{Stdin: strings.NewReader(tt.stdin), Open: fakeFiles(files)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("IDs = %q, want %q", got, tt.want)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("problems = %v, want %q", errs, tt.errs)
			}
			for i, w := range tt.errs {
				if !strings.HasPrefix(errs[i].Error(), w) {
					t.Errorf("problem %d = %q, want it to start %q", i, errs[i], w)
				}
			}
		})
	}
}

func TestFromArgsMissingFileIsNotExist(t *testing.T) {
	_, _, err := FromArgs([]string{"nope.csv"}, Inputs{Open: fakeFiles(nil)})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestFromArgsRealFiles(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(list, []byte("name,jobId\nx,j1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, errs, err := FromArgs([]string{list, "j2"}, Inputs{})
	if err != nil || len(errs) > 0 || !slices.Equal(got, []string{"j1", "j2"}) {
		t.Errorf("got %q, %v, %v", got, errs, err)
	}
	if _, _, err := FromArgs([]string{dir}, Inputs{}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("directory: %v", err)
	}
	got, _, err = FromArgs([]string{"-"}, Inputs{}) // no stdin
	if err != nil || len(got) != 0 {
		t.Errorf("nil stdin: %q, %v", got, err)
	}
}
