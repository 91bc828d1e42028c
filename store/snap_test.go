package store

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// The snap codec copies api.Job and api.Video field by field. A field added
// to either would be silently dropped from fast loads; this test says so.
func TestSnapKnowsEveryAPIField(t *testing.T) {
	for typ, known := range map[reflect.Type][]string{
		reflect.TypeFor[api.Job]():   {"ID", "VideoID", "Status", "Progress", "MaximumProgress", "Raw"},
		reflect.TypeFor[api.Video](): {"ID", "JobID", "Name", "PublicURL", "ThumbnailURL", "CreatedAt", "VideoSizeBytes", "VideoDurationSeconds", "Raw"},
	} {
		var have []string
		for _, f := range reflect.VisibleFields(typ) {
			have = append(have, f.Name)
		}
		if !slices.Equal(have, known) {
			t.Errorf("%v has fields %v; store/snap.go encodes %v: teach encodeSnap and decodeSnap the difference", typ, have, known)
		}
	}
}

func TestSnapRoundTrip(t *testing.T) {
	size, dur := int64(0), 0.0
	for _, j := range []track.Job{
		{},
		fullJob("a", 1),
		{Job: &api.Job{}, Video: &api.Video{VideoSizeBytes: &size, VideoDurationSeconds: &dur}},
	} {
		var got track.Job
		if err := decodeSnap(encodeSnap(nil, &j), &got); err != nil {
			t.Fatal(err)
		}
		want := persisted(j)
		want.ID, want.Seq, want.Added = "", 0, got.Added // not in the snap
		if g := persisted(got); !reflect.DeepEqual(g, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", g, want)
		}
	}
}

// Any cut or flipped snap is refused (never a panic), and Load then reads
// the row's columns instead.
func TestDamagedSnap(t *testing.T) {
	full := fullJob("a", 1)
	b := encodeSnap(nil, &full)
	for n := range len(b) {
		var j track.Job
		if decodeSnap(b[:n], &j) == nil {
			t.Fatalf("a snap cut to %d of %d bytes decoded", n, len(b))
		}
	}
	for i := range b {
		c := slices.Clone(b)
		c[i] ^= 0xff
		var j track.Job
		_ = decodeSnap(c, &j) // must not panic; may decode to other values
	}

	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.Add(ctx, full, fullJob("b", 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE jobs SET snap = x'09ff' WHERE id = 'a'`); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].ID != "a" || jobs[0].Video == nil || jobs[0].Video.Name != "Intro" || jobs[0].Progress != 40 {
		t.Fatalf("Load with a damaged snap: %+v", jobs)
	}
}
