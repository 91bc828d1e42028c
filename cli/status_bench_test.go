//go:build unix

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStatusMemory runs `reel status` over a file of n IDs, from
// reading the file to the last row, against answers from memory, and
// reports the process's peak RSS. Run each size in its own process, since
// the peak never goes down:
//
//	go test ./cli -run '^$' -bench 'StatusMemory/ids=50000$' -benchtime 1x
//	go test ./cli -run '^$' -bench 'StatusMemory/ids=500000$' -benchtime 1x
//	go test ./cli -run '^$' -bench 'StatusMemory/ids=1500000$' -benchtime 1x
//
// The budget (issue 13): memory flat in the number of IDs, but for the
// 16 bytes an ID of the set that drops duplicates. 1.5 million IDs of 36
// characters is about the most a list under the 64 MiB input cap holds.
func BenchmarkStatusMemory(b *testing.B) {
	for _, n := range []int{50_000, 500_000, 1_500_000} {
		b.Run(fmt.Sprint("ids=", n), func(b *testing.B) {
			// Written a line at a time: a list built in memory first would
			// set the peak itself.
			path := filepath.Join(b.TempDir(), "ids.txt")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriter(f)
			for i := range n {
				fmt.Fprintf(w, "0c5e7a1f-9b2d-4e3a-8f6b-%012d\n", i)
			}
			if err := errors.Join(w.Flush(), f.Close()); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			for b.Loop() {
				sio := IO{Out: io.Discard, Err: io.Discard, Now: time.Now}
				list, err := openIDs(sio, []string{path})
				if err != nil {
					b.Fatal(err)
				}
				err = runStatus(context.Background(), sio, &fakeLookups{}, streamedIDs{list}, statusOptions{JSON: true, Retry: noRetry})
				list.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
				b.Fatal(err)
			}
			peak := float64(ru.Maxrss) * 1024 // kilobytes on Linux
			if runtime.GOOS == "darwin" {
				peak = float64(ru.Maxrss) // bytes on macOS
			}
			b.ReportMetric(peak/(1<<20), "peak-RSS-MB")
		})
	}
}
