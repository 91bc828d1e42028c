//go:build linux || darwin

package download

import "syscall"

// freeSpace is what an unprivileged user may still write in dir's file
// system; ok is false when it cannot be told.
func freeSpace(dir string) (free int64, ok bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, false
	}
	return int64(uint64(st.Bavail) * uint64(st.Bsize)), true
}
