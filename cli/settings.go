package cli

import (
	"errors"
	"fmt"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/store"
	"github.com/reel-dev/reel/track"
)

// settings resolves the run's settings from the flags the user set, the
// environment and the config file, and prints any warnings.
func (g *globals) settings(sio IO) (*config.Settings, error) {
	s, err := config.Load(g.configFlags(), sio.Getenv)
	if err != nil {
		return nil, usageErr(err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(sio.Err, "reel: warning: %s\n", w)
	}
	if g.cmd.PersistentFlags().Changed("store") && store.HasPassword(g.storePath) {
		fmt.Fprintln(sio.Err, "reel: warning: the --store URL carries a password, which anyone on this machine can read in ps: "+
			"set REEL_STORE or store in the config file instead, or leave the password out of the URL and keep it in PGPASSWORD or ~/.pgpass")
	}
	return s, nil
}

// configFlags are the flags the user set, for config.Load.
func (g *globals) configFlags() config.Flags {
	var f config.Flags
	fl := g.cmd.PersistentFlags()
	if fl.Changed("base-url") {
		f.BaseURL = &g.baseURL
	}
	if fl.Changed("config") {
		f.Config = &g.configPath
	}
	if fl.Changed("store") {
		f.Store = &g.storePath
	}
	if fl.Changed("interval") {
		f.Interval = &g.interval
	}
	if fl.Changed("download-dir") {
		f.DownloadDir = &g.downloadDir
	}
	if fl.Changed("listen") {
		f.Listen = &g.listen
	}
	if fl.Changed("callback-secret") {
		f.CallbackSecret = &g.callbackSecret
	}
	if fl.Changed("max-rps") {
		f.MaxRPS = &g.maxRPS
	}
	if fl.Changed("max-in-flight") {
		f.MaxInFlight = &g.maxInFlight
	}
	return f
}

// maxRPS is the program-wide request cap the settings ask for.
func maxRPS(s *config.Settings) float64 {
	if s.MaxRPS > 0 {
		return s.MaxRPS
	}
	return track.DefaultMaxRPS
}

// errNoKey says how to set a key, and that the demo needs none.
var errNoKey = errors.New("no API key: set COLOSSYAN_API_KEY, or api_key in the config file " +
	"(create one in the Colossyan app under Settings → Workspace details); " +
	"`reel demo` runs without one")

// client builds an API client from the settings. A missing key is a usage
// error (exit 2).
func (g *globals) client(s *config.Settings) (*api.Client, error) {
	if s.APIKey == "" {
		return nil, usageErr(errNoKey)
	}
	c, err := api.New(s.BaseURL, s.APIKey,
		api.WithUserAgent("reel/"+g.version+" (+https://github.com/reel-dev/reel)"),
		// The program-wide cap, for the one-shot commands too; the engine
		// keeps to the same rate on its own.
		api.WithPacing(maxRPS(s)))
	if err != nil {
		return nil, usageErr(err)
	}
	return c, nil
}

// scripting is what every scripting command starts with: the IDs from its
// arguments, the settings, and a client. Input problems come first, so a bad
// list is reported even before a key is set.
func (g *globals) scripting(sio IO, args []string) ([]string, *config.Settings, *api.Client, error) {
	list, err := readIDs(sio, args)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := g.settings(sio)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := g.client(s)
	if err != nil {
		return nil, nil, nil, err
	}
	return list, s, c, nil
}
