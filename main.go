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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, cli.SystemIO(), version, os.Args[1:])
	stop()
	os.Exit(code)
}
