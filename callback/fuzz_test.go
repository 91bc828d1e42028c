package callback

import (
	"errors"
	"testing"

	"github.com/reel-dev/reel/termsafe"
)

// FuzzMatch: no body makes Match panic, and what it returns always keeps
// its promises: only tracked IDs, each once, a share link only when some
// job matched and only a clean http(s) link.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		`{"status":"finished","url":"http://127.0.0.1:9/files/vid-aaa111.mp4?exp=1&sig=x","videoUrl":"http://127.0.0.1:9/files/vid-aaa111.mp4?exp=1","shareUrl":"http://127.0.0.1:9/share/vid-aaa111"}`,
		`{"status":"failed","url":null,"videoUrl":null,"shareUrl":null,"job":"C3-pasted"}`,
		`{"a":{"b":[{"c":["vid-bbb222",1e400,-0,true,null]}]}}`,
		`{"x":"https://r.example/?to=https%3A%2F%2Fcdn%2Ffiles%2Fvid-aaa111.mp4&to=%zz"}`,
		`{"shareUrl":"https://u:p@evil.example/share/vid-aaa111"}`,
		`[`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"a":"::::/?%"}`,
	} {
		f.Add([]byte(s))
	}
	known := map[string]bool{}
	for _, j := range tracked {
		known[j.ID] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, share, err := Match(body, tracked)
		if err != nil {
			if !errors.Is(err, ErrBadBody) || ids != nil || share != "" {
				t.Fatalf("error %v came with ids %q, share %q", err, ids, share)
			}
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !known[id] || seen[id] {
				t.Fatalf("ids %q: unknown or repeated %q", ids, id)
			}
			seen[id] = true
		}
		if share != "" && (len(ids) == 0 || termsafe.CleanURL(share) != share) {
			t.Fatalf("share %q with ids %q", share, ids)
		}
		// The same body against no jobs matches nothing and still parses.
		none, _, err := Match(body, nil)
		if err != nil || none != nil {
			t.Fatalf("with no jobs: %q, %v", none, err)
		}
	})
}
