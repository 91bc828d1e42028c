//go:build unix

package chaos

import "syscall"

// kill9 ends process pid at once, as kill -9 does: no handler runs.
func kill9(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// mkfifo makes a named pipe at path.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o666) }
