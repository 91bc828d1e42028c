// Command download measures reel's downloader against curl on the same
// file from the local simulator: throughput of both, in the same run, and
// reel's peak memory. Run it with
//
//	go run ./bench/download [-size 1GiB] [-rounds 3] [-dir DIR]
//
// The budget (PRODUCT: downloads) is reel within 10% of curl's throughput
// and under 50 MB peak RSS.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/api/sim"
	"github.com/reel-dev/reel/download"
)

// childEnv marks the process that runs reel's downloader alone, so its
// peak RSS is the downloader's and not the simulator's.
const childEnv = "REEL_BENCH_DOWNLOAD_CHILD"

func main() {
	if os.Getenv(childEnv) != "" {
		if err := child(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		return
	}
	size := flag.Int64("size", 1<<30, "file size in bytes")
	rounds := flag.Int("rounds", 3, "downloads by each tool, interleaved")
	dir := flag.String("dir", "", "folder for the downloads (default: a temp folder)")
	flag.Parse()
	if err := run(*size, *rounds, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "bench/download:", err)
		os.Exit(1)
	}
}

// sample is one timed download.
type sample struct {
	seconds float64
	rssKB   int64 // the child's peak RSS (reel only); -1: not measured here
}

func run(size int64, rounds int, dir string) error {
	curl, err := exec.LookPath("curl")
	if err != nil {
		return fmt.Errorf("curl is needed for the comparison: %w", err)
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "reel-bench-download-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	srv, err := sim.Start(sim.Options{Seed: 1, FileAddr: "127.0.0.1:0", CallbackEvery: -1, LinkTTL: time.Hour})
	if err != nil {
		return err
	}
	defer srv.Close()
	id := srv.AddVideo(sim.VideoSpec{Name: "bench", Size: size})
	c, err := api.New(srv.URL(), srv.Token())
	if err != nil {
		return err
	}
	v, err := c.GetVideo(context.Background(), id)
	if err != nil {
		return err
	}
	fmt.Printf("file: %s from the simulator at %s; %d rounds each, interleaved\n", mib(size), srv.FileOrigin(), rounds)

	var reel, cu []sample
	for i := range rounds {
		rdir := filepath.Join(dir, "reel"+strconv.Itoa(i))
		s, err := runReel(srv.URL(), srv.Token(), id, rdir)
		if err != nil {
			return fmt.Errorf("reel: %w", err)
		}
		reel = append(reel, s)
		cfile := filepath.Join(dir, "curl"+strconv.Itoa(i)+".mp4")
		t0 := time.Now()
		out, err := exec.Command(curl, "-s", "-f", "-o", cfile, v.PublicURL).CombinedOutput()
		if err != nil {
			return fmt.Errorf("curl: %w: %s", err, out)
		}
		cu = append(cu, sample{seconds: time.Since(t0).Seconds()})
		if i == 0 {
			if err := sameFiles(filepath.Join(rdir, download.FileName(v)), cfile); err != nil {
				return err
			}
		}
		fmt.Printf("round %d: reel %7.1f MB/s  curl %7.1f MB/s  reel peak RSS %s\n",
			i+1, mbps(size, s.seconds), mbps(size, cu[i].seconds), rss(s.rssKB))
		_ = os.RemoveAll(rdir)
		_ = os.Remove(cfile)
	}
	rm, cm := median(reel), median(cu)
	peak := slices.MaxFunc(reel, func(a, b sample) int { return int(a.rssKB - b.rssKB) }).rssKB
	ratio := mbps(size, rm) / mbps(size, cm)
	fmt.Printf("median: reel %.1f MB/s, curl %.1f MB/s: reel at %.0f%% of curl (budget: at least 90%%)\n",
		mbps(size, rm), mbps(size, cm), ratio*100)
	fmt.Printf("reel peak RSS: %s (budget: under 50 MB)\n", rss(peak))
	if ratio < 0.9 || peak >= 50*1024 {
		return errors.New("over budget")
	}
	return nil
}

// rss is a peak RSS in KiB for people; one not measured says so, and
// only the throughput is then held to its budget.
func rss(kb int64) string {
	if kb < 0 {
		return "not measured on " + runtime.GOOS
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}

// runReel downloads in a child process and reads its peak RSS from the
// kernel's accounting (peakRSSKB); -1 where the system does not say.
func runReel(baseURL, token, id, dir string) (sample, error) {
	exe, err := os.Executable()
	if err != nil {
		return sample{}, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=1", "BENCH_BASE_URL="+baseURL, "BENCH_TOKEN="+token,
		"BENCH_VIDEO="+id, "BENCH_DIR="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// Timed from outside, as curl is: process start and the API lookup
	// count against reel.
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, err
	}
	secs := time.Since(t0).Seconds()
	kb, ok := peakRSSKB(cmd.ProcessState)
	if !ok {
		kb = -1
	}
	return sample{seconds: secs, rssKB: kb}, nil
}

// child is reel's side: look the video up, then download it through a
// Manager, reading its progress events as the dashboard would.
func child() error {
	c, err := api.New(os.Getenv("BENCH_BASE_URL"), os.Getenv("BENCH_TOKEN"))
	if err != nil {
		return err
	}
	ctx := context.Background()
	v, err := c.GetVideo(ctx, os.Getenv("BENCH_VIDEO"))
	if err != nil {
		return err
	}
	f := &download.Fetcher{Dir: os.Getenv("BENCH_DIR"), HTTP: download.NewHTTPClient(), Videos: c}
	m := download.NewManager(f)
	defer m.Close()
	m.Start(v)
	for {
		ps, err := m.Next(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			switch p.State {
			case download.StateFailed:
				return p.Err
			case download.StateDone:
				return nil
			case download.StateSkipped:
				return errors.New("skipped: the folder was not empty")
			}
		}
	}
}

// sameFiles checks that reel and curl saved the same bytes.
func sameFiles(a, b string) error {
	fa, err := os.Open(a)
	if err != nil {
		return err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return err
	}
	defer fb.Close()
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); ; {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return fmt.Errorf("reel's and curl's files differ near byte %d", off)
		}
		off += int64(na)
		if ea != nil || eb != nil {
			if (ea == io.EOF || errors.Is(ea, io.ErrUnexpectedEOF)) && (eb == io.EOF || errors.Is(eb, io.ErrUnexpectedEOF)) {
				return nil
			}
			return errors.Join(ea, eb)
		}
	}
}

func median(s []sample) float64 {
	xs := make([]float64, len(s))
	for i, x := range s {
		xs[i] = x.seconds
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func mbps(size int64, seconds float64) float64 { return float64(size) / 1e6 / seconds }

func mib(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
