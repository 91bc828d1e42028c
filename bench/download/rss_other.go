//go:build !unix

package main

import "os"

// peakRSSKB says nothing where there is no rusage (Windows): the child's
// memory counters are gone with its handle once it has been waited for.
func peakRSSKB(*os.ProcessState) (int64, bool) { return 0, false }
