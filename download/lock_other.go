//go:build !unix

package download

import "os"

// lockPart does nothing where flock is not available.
func lockPart(*os.File) error { return nil }
