//go:build !unix

package download

import "os"

// placeWhileOpen is off where there is no lock to hold (and where an open
// file may not be renamed).
const placeWhileOpen = false

// lockPart does nothing where flock is not available.
func lockPart(*os.File) error { return nil }
