// Command reel is a terminal dashboard and command-line tool for Colossyan
// video generation jobs. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/reel-dev/reel/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// SIGHUP: the terminal closed. Ending as on Ctrl+C lets deferred
	// cleanup run, such as removing the demo's empty download folder.
	// (On Windows syscall.SIGHUP is defined and never sent.)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := cli.Execute(ctx, cli.SystemIO(), version, os.Args[1:])
	stop()
	os.Exit(code)
}
