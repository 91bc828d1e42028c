package download

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
)

// BenchmarkDownload measures one 64 MiB download from the simulator's file
// handler, including the fsync and rename. allocs/op shows the copy loop
// does not allocate per chunk (a per-chunk allocation would add ~1000).
func BenchmarkDownload(b *testing.B) {
	const size = 64 << 20
	s := sim.New(sim.Options{Seed: 1})
	files := httptest.NewServer(s.FileHandler())
	defer files.Close()
	s.SetFileOrigin(files.URL)
	id := s.AddVideo(sim.VideoSpec{Name: "bench", Size: size})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c, err := api.New(srv.URL+"/api/v1", s.Token())
	if err != nil {
		b.Fatal(err)
	}
	v, err := c.GetVideo(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	f := &Fetcher{HTTP: NewHTTPClient(), Videos: c}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		f.Dir = b.TempDir()
		p, err := f.Fetch(context.Background(), v)
		if err != nil {
			b.Fatal(err)
		}
		_ = os.Remove(p)
	}
}
