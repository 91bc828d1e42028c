package submit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/submit"
	"github.com/reel-dev/reel/track"
)

// benchSend sends b.N template rows through a real client paced at rps,
// to the simulator, with the store's journal (two fsync'd commits a row),
// and reports rows a second.
func benchSend(b *testing.B, rps float64) {
	s := sim.New(sim.Options{Seed: 1})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c, err := api.New(srv.URL+sim.APIPrefix, s.Token(), api.WithPacing(rps))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "reel.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rows := make(chan submit.Row, 64)
	go func() {
		defer close(rows)
		for i := range b.N {
			body, _ := json.Marshal(map[string]any{"templateJobId": "tpl", "dynamicVariables": map[string]string{"n": fmt.Sprint(i)}})
			rows <- submit.Row{File: "b.csv", Line: i + 2, Number: i + 1, Kind: submit.Template, Body: body, Key: fmt.Sprintf("row_b%d", i)}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	sum, err := submit.Send(context.Background(), rows, submit.Options{Poster: c, Journal: st})
	took := time.Since(start)
	b.StopTimer()
	if err != nil || sum.Created != b.N {
		b.Fatalf("%+v %v", sum, err)
	}
	if got := s.Requests().Created; got != b.N {
		b.Fatalf("%d creations for %d rows", got, b.N)
	}
	b.ReportMetric(float64(b.N)/took.Seconds(), "rows/s")
}

// BenchmarkSendAtTheRateCap: submit's throughput at the program-wide cap
// (track.DefaultMaxRPS). Run with -benchtime 200x: the cap's burst lets
// the first ten go at once, so short runs read high.
func BenchmarkSendAtTheRateCap(b *testing.B) { benchSend(b, track.DefaultMaxRPS) }

// BenchmarkSendUncapped: what the journal and the sender allow with no
// cap, to show the cap, not reel, is what bounds a run.
func BenchmarkSendUncapped(b *testing.B) { benchSend(b, 1e6) }
