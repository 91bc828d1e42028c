// Package termtest runs the real reel binary in a pseudo-terminal and reads
// its screen back through a terminal emulator, for end-to-end tests and the
// terminal benchmark.
package termtest
