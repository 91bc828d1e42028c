package callback

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/reel-dev/reel/track"
)

// tracked are the jobs the match tests look for: one known by job id and
// video id, one by a video id only, one not answered yet (ID alone).
var tracked = []track.Job{
	{ID: "job-aaa111", JobID: "job-aaa111", VideoID: "vid-aaa111"},
	{ID: "vid-bbb222", VideoID: "vid-bbb222"},
	{ID: "C3-pasted"},
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		ids   []string
		share string
	}{
		{"colossyan body names the video in its file URL",
			`{"status":"finished","url":"http://127.0.0.1:9/files/vid-aaa111.mp4?exp=1&sig=x","videoUrl":"http://127.0.0.1:9/files/vid-aaa111.mp4?exp=1&sig=x","shareUrl":"https://share.example/share/vid-aaa111"}`,
			[]string{"job-aaa111"}, "https://share.example/share/vid-aaa111"},
		{"share link names no id but the body names one job",
			`{"status":"finished","shareUrl":"https://app.colossyan.com/share/xyz","url":"https://cdn/x/vid-bbb222/file.mp4"}`,
			[]string{"vid-bbb222"}, "https://app.colossyan.com/share/xyz"},
		{"payload id nested deep",
			`{"status":"finished","shareUrl":null,"meta":{"batch":[{"n":1},{"job":"C3-pasted"}]}}`,
			[]string{"C3-pasted"}, ""},
		{"case and spaces aside",
			`{"mine":"  JOB-AAA111 "}`, []string{"job-aaa111"}, ""},
		{"id in a query value",
			`{"x":"https://cdn.example/get?video=vid-bbb222&t=1"}`, []string{"vid-bbb222"}, ""},
		{"id in a URL inside a query value",
			`{"x":"https://r.example/?to=https%3A%2F%2Fcdn%2Ffiles%2Fvid-aaa111.mp4"}`, []string{"job-aaa111"}, ""},
		{"numeric payload compared as written",
			`{"n":12345}`, nil, ""},
		{"several jobs: share link pinned on the one it names, first",
			`{"ids":["C3-pasted","job-aaa111"],"shareUrl":"https://s/share/vid-bbb222"}`,
			[]string{"vid-bbb222", "job-aaa111", "C3-pasted"}, "https://s/share/vid-bbb222"},
		{"several jobs, link names none: no one gets it",
			`{"ids":["C3-pasted","job-aaa111"],"shareUrl":"https://s/share/zzz"}`,
			[]string{"job-aaa111", "C3-pasted"}, ""},
		{"a hostile share link is dropped",
			`{"url":"/files/vid-aaa111.mp4","shareUrl":"javascript:alert(1)"}`,
			[]string{"job-aaa111"}, ""},
		{"share link with an escape sequence is dropped",
			"{\"url\":\"/files/vid-aaa111.mp4\",\"shareUrl\":\"https://s/\\u001b]8;;x\"}",
			[]string{"job-aaa111"}, ""},
		{"substring is not a match",
			`{"x":"job-aaa1110","y":"prefix-vid-bbb222","z":"https://h/vid-bbb222x.mp4"}`, nil, ""},
		{"object keys are not ids",
			`{"job-aaa111":"nothing"}`, nil, ""},
		{"no ids at all: failed callback without links",
			`{"status":"failed","url":null,"videoUrl":null,"shareUrl":null}`, nil, ""},
		{"empty object", `{}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, share, err := Match([]byte(tt.body), tracked)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids = %q, want %q", ids, tt.ids)
			}
			if share != tt.share {
				t.Errorf("share = %q, want %q", share, tt.share)
			}
		})
	}
}

func TestMatchRefusesNonObjects(t *testing.T) {
	for _, body := range []string{``, `   `, `not json`, `[1,2]`, `"vid-aaa111"`, `null`, `42`, `{"a":1}{"b":2}`, `{"a":1} x`, `{"a":`, "\xff\xfe"} {
		ids, share, err := Match([]byte(body), tracked)
		if !errors.Is(err, ErrBadBody) {
			t.Errorf("Match(%q) err = %v, want ErrBadBody", body, err)
		}
		if ids != nil || share != "" {
			t.Errorf("Match(%q) = %q, %q; want nothing", body, ids, share)
		}
	}
	if _, _, err := Match([]byte("{\"a\":1}\n\t "), tracked); err != nil {
		t.Errorf("trailing white space refused: %v", err)
	}
}

func TestMatchStatusIsCleanedAndCut(t *testing.T) {
	m, err := match([]byte(`{"status":"fin\u001b[2Jished`+strings.Repeat("x", 100)+`"}`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(m.status, 0x1b) || len([]rune(m.status)) > maxStatus+1 {
		t.Errorf("status = %q: not cleaned or not cut", m.status)
	}
}

// A body at the cap against many jobs stays cheap: one map look-up per
// string, not one comparison per job.
func BenchmarkMatchLargeBody(b *testing.B) {
	jobs := make([]track.Job, 1000)
	for i := range jobs {
		jobs[i] = track.Job{ID: "job-" + strings.Repeat("z", 8) + string(rune('a'+i%26)) + strings.Repeat("q", i%7)}
	}
	var sb strings.Builder
	sb.WriteString(`{"a":[`)
	for sb.Len() < DefaultMaxBody-100 {
		sb.WriteString(`"https://cdn.example/files/x/y/z.mp4?a=b&c=d",`)
	}
	sb.WriteString(`"end"]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := Match(body, jobs); err != nil {
			b.Fatal(err)
		}
	}
}
