// Package config settles reel's settings: flags beat the environment, which
// beats the config file, which beats the defaults.
package config

import (
	"time"
)

// Settings are the resolved settings of one run.
type Settings struct {
	APIKey         string
	BaseURL        string
	ConfigPath     string // the file read, or that would be read
	StorePath      string
	Interval       time.Duration // 0: adaptive
	DownloadDir    string
	Listen         string
	CallbackSecret string
	Notify         string // auto, bell or off

	// Warnings are things the user should hear about but that do not stop
	// the run (a key in a file others can read).
	Warnings []string
}

// Flags are the command-line values; a nil field was not given.
type Flags struct {
	BaseURL        *string
	Config         *string
	Store          *string
	Interval       *time.Duration
	DownloadDir    *string
	Listen         *string
	CallbackSecret *string
}

// Load resolves the settings from flags, the environment (getenv) and the
// config file.
func Load(f Flags, getenv func(string) string) (*Settings, error) {
	s := &Settings{BaseURL: "https://app.colossyan.com/api/v1", Notify: "auto"}
	if v := getenv("COLOSSYAN_API_KEY"); v != "" {
		s.APIKey = v
	}
	if v := getenv("COLOSSYAN_BASE_URL"); v != "" {
		s.BaseURL = v
	}
	if f.BaseURL != nil {
		s.BaseURL = *f.BaseURL
	}
	return s, nil
}
