// Package config settles reel's settings: flags beat the environment, which
// beats the config file, which beats the defaults.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
)

// DefaultHistoryDays is how many days of history are kept unless the
// config file says otherwise.
const DefaultHistoryDays = 90

// Settings are the resolved settings of one run.
type Settings struct {
	APIKey         string
	BaseURL        string
	ConfigPath     string        // the file read, or that would be read; "" when no home is known
	StorePath      string        // "" when neither XDG_STATE_HOME nor HOME is set and nothing names one
	Interval       time.Duration // 0: adaptive
	DownloadDir    string        // "." by default: the current folder
	Listen         string        // HOST:PORT of the callback receiver; "" is off
	CallbackSecret string
	// CallbackURL is the public URL that reaches the receiver (through a
	// proxy or tunnel), given to the jobs reel submit creates; "" is none.
	CallbackURL string
	Notify      string  // auto, bell or off
	Thumbnails  string  // auto, off or a forced mode (thumb.Settings)
	MaxRPS      float64 // program-wide requests a second; 0: the default
	MaxInFlight int     // program-wide requests in flight; 0: the default
	// HistoryDays is how long the history of jobs no longer tracked is
	// kept, in days; 0 keeps it for ever.
	HistoryDays int

	secretFrom string // where CallbackSecret came from, for a warning

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
	MaxRPS         *float64
	MaxInFlight    *int
}

// Load resolves the settings from flags, the environment (getenv) and the
// config file. Every value is checked where it was set, so an error (an
// *Error) names the flag, the variable, or the file, line and key.
//
// Environment: COLOSSYAN_API_KEY, COLOSSYAN_BASE_URL, REEL_CONFIG,
// REEL_STORE, REEL_CALLBACK_SECRET, and for the default paths XDG_CONFIG_HOME, XDG_STATE_HOME
// and HOME. An empty variable counts as unset. The config file is
// --config, else REEL_CONFIG, else $XDG_CONFIG_HOME/reel/config.toml, else
// ~/.config/reel/config.toml; only a file named by --config or REEL_CONFIG
// must exist. A leading ~ in the file's paths means HOME; relative paths
// are relative to the current folder.
func Load(f Flags, getenv func(string) string) (*Settings, error) {
	home := getenv("HOME")
	s := &Settings{
		BaseURL:     api.DefaultBaseURL, // the one default, api's
		DownloadDir: ".",
		Notify:      "auto",
		Thumbnails:  "auto",
		HistoryDays: DefaultHistoryDays,
		ConfigPath:  xdgPath(getenv("XDG_CONFIG_HOME"), home, ".config", "config.toml"),
		StorePath:   xdgPath(getenv("XDG_STATE_HOME"), home, filepath.Join(".local", "state"), "reel.db"),
	}

	namedBy := ""
	if v := getenv("REEL_CONFIG"); v != "" {
		s.ConfigPath, namedBy = v, "REEL_CONFIG"
	}
	if f.Config != nil {
		if msg := checkPath(*f.Config); msg != "" {
			return nil, &Error{Key: "--config", Msg: msg}
		}
		s.ConfigPath, namedBy = *f.Config, "--config"
	}

	if s.ConfigPath != "" {
		file, err := readFile(s.ConfigPath, namedBy, home)
		if err != nil {
			return nil, err
		}
		file.applyTo(s)
	}
	if err := applyEnv(s, getenv); err != nil {
		return nil, err
	}
	if err := f.applyTo(s); err != nil {
		return nil, err
	}
	s.warn()
	return s, nil
}

// xdgPath returns $base/reel/name, or ~/fallback/reel/name when base is not
// an absolute path (the XDG spec says to ignore a relative one), or "".
func xdgPath(base, home, fallback, name string) string {
	if base != "" && filepath.IsAbs(base) {
		return filepath.Join(base, "reel", name)
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, fallback, "reel", name)
}

func (file *fileSettings) applyTo(s *Settings) {
	setString(&s.APIKey, file.APIKey)
	setString(&s.BaseURL, file.BaseURL)
	setString(&s.StorePath, file.Store)
	setString(&s.DownloadDir, file.DownloadDir)
	setString(&s.Listen, file.Listen)
	setString(&s.CallbackSecret, file.CallbackSecret)
	setString(&s.CallbackURL, file.CallbackURL)
	setString(&s.Notify, file.Notify)
	setString(&s.Thumbnails, file.Thumbnails)
	if file.Interval != nil {
		s.Interval = *file.Interval
	}
	if file.MaxRPS != nil {
		s.MaxRPS = *file.MaxRPS
	}
	if file.MaxInFlight != nil {
		s.MaxInFlight = *file.MaxInFlight
	}
	if file.HistoryDays != nil {
		s.HistoryDays = *file.HistoryDays
	}
	s.Warnings = append(s.Warnings, file.Warnings...)
	if file.CallbackSecret != nil {
		s.secretFrom = "callback_secret in " + s.ConfigPath
	}
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func applyEnv(s *Settings, getenv func(string) string) error {
	if v := strings.TrimSpace(getenv("COLOSSYAN_API_KEY")); v != "" {
		if msg := checkAPIKey(v); msg != "" {
			return &Error{Key: "COLOSSYAN_API_KEY", Msg: msg}
		}
		s.APIKey = v
	}
	if v := getenv("COLOSSYAN_BASE_URL"); v != "" {
		if msg := checkBaseURL(v); msg != "" {
			return &Error{Key: "COLOSSYAN_BASE_URL", Msg: msg}
		}
		s.BaseURL = v
	}
	if v := getenv("REEL_STORE"); v != "" {
		s.StorePath = v
	}
	if v := getenv(SecretEnv); v != "" {
		if msg := checkSecret(v); msg != "" {
			return &Error{Key: SecretEnv, Msg: msg}
		}
		s.CallbackSecret, s.secretFrom = v, SecretEnv
	}
	return nil
}

// SecretEnv holds the callback secret: unlike --callback-secret, it does
// not show in ps.
const SecretEnv = "REEL_CALLBACK_SECRET"

// warn adds what is worth hearing about the settled values, whichever
// source set them.
func (s *Settings) warn() {
	if s.CallbackSecret != "" && len(s.CallbackSecret) < shortSecret {
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"the callback secret (%s) is %d characters, short and easy to guess: use %d or more random characters",
			s.secretFrom, len(s.CallbackSecret), shortSecret))
	}
	if u, err := url.Parse(s.BaseURL); err == nil && u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"the API base URL %s is plain http: the API key and every answer cross the network unencrypted; use https", u.Redacted()))
	}
}

// loopbackHost: localhost or a loopback address, which never leaves the machine.
func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

func (f Flags) applyTo(s *Settings) error {
	type check struct {
		flag string
		v    *string
		dst  *string
		fn   func(string) string
	}
	for _, c := range []check{
		{"--base-url", f.BaseURL, &s.BaseURL, checkBaseURL},
		{"--store", f.Store, &s.StorePath, checkPath},
		{"--download-dir", f.DownloadDir, &s.DownloadDir, checkPath},
		{"--listen", f.Listen, &s.Listen, checkListen},
		{"--callback-secret", f.CallbackSecret, &s.CallbackSecret, checkSecret},
	} {
		if c.v == nil {
			continue
		}

		if msg := c.fn(*c.v); msg != "" {
			return &Error{Key: c.flag, Msg: msg}
		}
		*c.dst = *c.v
	}
	if f.CallbackSecret != nil {
		s.secretFrom = "--callback-secret"
		s.Warnings = append(s.Warnings, "--callback-secret shows in the process list (ps) to every user of this machine: set "+
			SecretEnv+" or callback_secret in the config file instead")
	}
	if f.Interval != nil {
		if msg := checkInterval(*f.Interval); msg != "" {
			return &Error{Key: "--interval", Msg: msg}
		}
		s.Interval = *f.Interval
	}
	return applyCapFlags(s, f)
}
