//go:build !linux && !darwin

package download

// freeSpace cannot be told here; the cap on an unannounced size still holds.
func freeSpace(string) (int64, bool) { return 0, false }
