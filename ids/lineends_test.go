package ids

import (
	"slices"
	"strings"
	"testing"
)

// CR, CRLF and LF end lines alike, in files, on stdin and in a paste (a
// terminal sends a pasted line break as CR), even mixed in one input; a
// problem names its own line.
func TestLineEndsAlike(t *testing.T) {
	csv := []string{"name,id", "foo,j1", "bar,j2"}
	words := []string{"j1", "bad!", "j2", "also?"}
	for _, end := range []struct{ name, sep string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CR", "\r"}} {
		t.Run("CSV "+end.name, func(t *testing.T) {
			in := strings.Join(csv, end.sep) + end.sep
			got, errs, err := Parse("list.csv", strings.NewReader(in))
			if err != nil || len(errs) > 0 || !slices.Equal(got, []string{"j1", "j2"}) {
				t.Errorf("Parse = %q, %v, %v; want the id column only", got, errs, err)
			}
			paste, perrs := ParsePaste(in)
			if len(perrs) > 0 || !slices.Equal(paste, []string{"j1", "j2"}) {
				t.Errorf("ParsePaste = %q, %v; want the id column only", paste, perrs)
			}
		})
		t.Run("words "+end.name, func(t *testing.T) {
			got, errs := ParsePaste(strings.Join(words, end.sep))
			if !slices.Equal(got, []string{"j1", "j2"}) {
				t.Errorf("IDs %q", got)
			}
			checkProblems(t, errs, []problem{{2, "not an ID"}, {4, "not an ID"}})
		})
	}
	t.Run("mixed", func(t *testing.T) {
		got, errs := ParsePaste("j1\rbad!\r\nj2\nalso?\r\rj3\rno way!")
		if !slices.Equal(got, []string{"j1", "j2", "j3", "no"}) {
			t.Errorf("IDs %q", got)
		}
		checkProblems(t, errs, []problem{{2, `"bad!"`}, {4, `"also?"`}, {7, `"way!"`}})
	})
}

// A folder given as a list says so once, in plain words.
func TestFromArgsFolder(t *testing.T) {
	dir := t.TempDir()
	_, _, err := FromArgs([]string{dir}, Inputs{})
	if err == nil {
		t.Fatal("a folder read as a list")
	}
	msg := err.Error()
	if !strings.Contains(msg, "is a folder") || strings.Count(msg, dir) != 1 {
		t.Errorf("error %q: want the folder named once and called a folder", msg)
	}
}
