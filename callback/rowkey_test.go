package callback

import (
	"testing"

	"github.com/reel-dev/reel/track"
)

func TestRowKeyMatchesItsJobExactly(t *testing.T) {
	jobs := []track.Job{{ID: "job-a", JobID: "job-a"}, {ID: "job-b", JobID: "job-b", VideoID: "vid-b"}, {ID: "job-c"}}
	rows := map[string]string{"row_1": "job-a", "row_2": "job-b", "row_gone": "job-zzz"}
	rowJob := func(k string) (string, bool) { id, ok := rows[k]; return id, ok }
	tests := []struct {
		name, body string
		want       []string
		share      string
	}{
		{"the row's job, though the body names another", `{"reelRow":"row_1","url":"https://cdn/files/vid-b.mp4","shareUrl":"https://share/x"}`, []string{"job-a"}, "https://share/x"},
		{"another row", `{"reelRow":"row_2","status":"finished"}`, []string{"job-b"}, ""},
		{"a row whose job is not tracked here falls back to the ids", `{"reelRow":"row_gone","videoUrl":"https://x/vid-b"}`, []string{"job-b"}, ""},
		{"an unknown row key falls back too", `{"reelRow":"row_9"}`, nil, ""},
		{"a row key that is not a string is ignored", `{"reelRow":7,"id":"job-c"}`, []string{"job-c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := match([]byte(tt.body), jobs, rowJob)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.ids) != len(tt.want) || (len(m.ids) > 0 && m.ids[0] != tt.want[0]) {
				t.Fatalf("ids %v, want %v", m.ids, tt.want)
			}
			if m.share != tt.share {
				t.Fatalf("share %q, want %q", m.share, tt.share)
			}
		})
	}
	// Without a journal, the key is just another string.
	if m, _ := match([]byte(`{"reelRow":"row_1"}`), jobs, nil); len(m.ids) != 0 {
		t.Fatalf("no RowJob: ids %v, want none", m.ids)
	}
}
