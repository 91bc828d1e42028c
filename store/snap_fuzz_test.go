package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// FuzzDecodeSnap: a snap read back from a damaged or foreign file must be
// refused or decoded, never panic; one that decodes must encode to the
// same bytes, so a load-save cycle cannot drift.
func FuzzDecodeSnap(f *testing.F) {
	size, dur := int64(3_000_000), 83.5
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, j := range []track.Job{
		{},
		{Kind: api.KindJob, JobID: "j", VideoID: "v", Status: api.StatusGenerating, Progress: 40, MaximumProgress: 100, StatusSince: at},
		{Kind: api.KindVideo, Status: api.StatusFinished, NotFound: true, Err: "oops", ShareURL: "https://x/s",
			Job:   &api.Job{ID: "j", Status: "failed", Raw: []byte(`{"id":"j"}`)},
			Video: &api.Video{ID: "v", Name: "n\x1b[2J", VideoSizeBytes: &size, VideoDurationSeconds: &dur, Raw: []byte(`{}`)},
			Ended: at, LastPoll: at, CallbackAt: at, Started: at},
	} {
		f.Add(encodeSnap(nil, &j))
	}
	f.Add([]byte{})
	f.Add([]byte{snapVersion})
	f.Add([]byte{snapVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		var j track.Job
		if decodeSnap(b, &j) != nil {
			return
		}
		again := encodeSnap(nil, &j)
		var k track.Job
		if err := decodeSnap(again, &k); err != nil {
			t.Fatalf("a decoded snap re-encodes to one that does not decode: %v", err)
		}
		if !reflect.DeepEqual(j, k) {
			t.Fatalf("decode(encode(decode(b))) differs:\n%+v\n%+v", j, k)
		}
	})
}
