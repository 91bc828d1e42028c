package ids

import "testing"

// FuzzParsePaste: whatever is pasted into the dashboard's a prompt, every
// ID it yields is valid and every problem names the paste and a line in it.
func FuzzParsePaste(f *testing.F) {
	for _, s := range []string{
		"job-1 job-2", "job-1,job-2\njob-3", `["a","b"]`, `[{"id":"a"},{"videoId":"b"}]`, "id,name\na,x\n",
		"{\"id\":\"a\"}\n{\"id\":\"b\"}", "not an id!", "\x1b[2J", "\xff\xfe", "", "# comment\nok",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list, bad := ParsePaste(s)
		for _, id := range list {
			if !Valid(id) {
				t.Fatalf("ParsePaste(%q) gave the invalid ID %q", s, id)
			}
		}
		for _, e := range bad {
			if e.Source == "" || e.Line < 0 {
				t.Fatalf("ParsePaste(%q): problem without a place: %+v", s, e)
			}
		}
	})
}
