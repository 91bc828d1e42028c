// Command scenario serves the simulated Colossyan API with the jobs the
// screenshots show: one in every status, a big video to catch mid-download,
// and a bare video, on a frozen clock so every run draws the same rows.
// screenshots/make.sh runs it; it is not part of reel.
//
// It writes the API base URL and the IDs to show (a bogus one last, for
// "not found") to -out, then serves until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/reel-dev/reel/api/sim"
)

// frozen is the simulator's clock, which never moves: job states, progress
// and creation dates are the same in every run, whenever it is run.
var frozen = time.Date(2025, 6, 2, 9, 41, 0, 0, time.UTC)

// notFound is an ID that is neither a job nor a video.
const notFound = "0b4f7a52-9d3e-4c1a-8f6b-2e9d71c5a0f3"

// bigVideo is the size of the video the download screenshot catches half
// way: big enough to take a while even on loopback.
const bigVideo = 2_147_483_648

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen on `HOST:PORT`")
	out := flag.String("out", "", "write the base URL and the IDs to this `FILE` (standard output when empty)")
	rate := flag.Float64("file-rate", 40e6, "serve video files at most this many `bytes` a second, so a download can be caught under way")
	flag.Parse()
	if err := run(*addr, *out, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "scenario:", err)
		os.Exit(1)
	}
}

func run(addr, out string, rate float64) error {
	s := sim.New(sim.Options{Seed: 20250602, Now: func() time.Time { return frozen }, CallbackEvery: -1})
	ids := addJobs(s)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String() + sim.APIPrefix
	text := fmt.Sprintf("REEL_SHOTS_BASE_URL=%s\nREEL_SHOTS_IDS=%q\n", base, strings.Join(ids, " "))
	if out == "" {
		fmt.Print(text)
	} else if err := writeAtomic(out, text); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: throttleFiles(s.Handler(), rate), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// addJobs adds the jobs in the order the table shows them and returns the
// IDs to open the dashboard on.
func addJobs(s *sim.Sim) []string {
	steps := func(q, p, h, g time.Duration) sim.JobSpec {
		return sim.JobSpec{Queued: q, Preprocessing: p, Handoff: h, Generating: g}
	}
	var ids []string
	add := func(sp sim.JobSpec) {
		id, _ := s.AddJob(sp)
		ids = append(ids, id)
	}

	sp := steps(20*time.Second, 40*time.Second, 5*time.Second, 6*time.Minute)
	sp.Name, sp.Age, sp.VideoSize, sp.VideoDuration = "Q3 sales kickoff – EMEA", 25*time.Minute, 48_213_504, 94.52
	add(sp)

	sp = steps(30*time.Second, 2*time.Minute, 10*time.Second, 40*time.Minute)
	sp.Name, sp.Age, sp.VideoSize, sp.VideoDuration = "Product launch keynote (4K)", 2*time.Hour, bigVideo, 4337.6
	add(sp)

	// Generating, 62% through.
	sp = steps(10*time.Second, 30*time.Second, 5*time.Second, 10*time.Minute)
	sp.Name, sp.Age = "Safety training, module 4", 45*time.Second+372*time.Second
	add(sp)

	// Generating on a scale of 1000, 187 done.
	sp = steps(10*time.Second, 30*time.Second, 5*time.Second, 8*time.Minute)
	sp.Name, sp.Age, sp.MaximumProgress = "Customer story: Nordwind GmbH", 45*time.Second+(8*time.Minute*187/1000), 1000
	add(sp)

	sp = steps(10*time.Second, 10*time.Minute, 5*time.Second, 5*time.Minute)
	sp.Name, sp.Age = "Compliance refresher (DE)", time.Minute
	add(sp)

	sp = steps(30*time.Minute, time.Minute, 5*time.Second, 5*time.Minute)
	sp.Name, sp.Age = "Weekly digest #42", 2*time.Minute
	add(sp)

	sp = steps(10*time.Second, 30*time.Second, 5*time.Second, 4*time.Minute)
	sp.Name, sp.Age, sp.Fail, sp.FailAt = "HR policy walkthrough", 12*time.Minute, true, 0.45
	sp.FailReason = "Text-to-speech failed for scene 2: unsupported characters"
	add(sp)

	sp = steps(10*time.Second, 30*time.Second, 5*time.Second, 4*time.Minute)
	sp.Name, sp.Age, sp.DeleteAfter = "Support macro: password reset", 3*time.Hour, time.Hour
	add(sp)

	// A video made in the web app: no job, looked up by its video id.
	ids = append(ids, s.AddVideo(sim.VideoSpec{Name: "Year in review 2025", Age: 26 * time.Hour, Size: 73_400_320, Duration: 181.3}))
	return append(ids, notFound)
}

// throttleFiles slows video and thumbnail files to rate bytes a second.
func throttleFiles(h http.Handler, rate float64) http.Handler {
	if rate <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/files/") {
			w = &slowWriter{ResponseWriter: w, rate: rate, start: time.Now()}
		}
		h.ServeHTTP(w, r)
	})
}

// slowWriter paces writes so that no more than rate bytes a second leave.
type slowWriter struct {
	http.ResponseWriter
	rate  float64
	start time.Time
	sent  int64
}

func (w *slowWriter) Write(p []byte) (int, error) {
	const chunk = 64 << 10
	n := 0
	for len(p) > 0 {
		k := min(len(p), chunk)
		m, err := w.ResponseWriter.Write(p[:k])
		n += m
		w.sent += int64(m)
		if err != nil {
			return n, err
		}
		p = p[k:]
		due := w.start.Add(time.Duration(float64(w.sent) / w.rate * float64(time.Second)))
		time.Sleep(time.Until(due))
	}
	return n, nil
}

// writeAtomic writes a file whole or not at all, so a script polling for it
// never reads half of it.
func writeAtomic(path, text string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
