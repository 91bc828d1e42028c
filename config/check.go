package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
)

// MinInterval is the shortest base poll interval: anything faster would
// hammer the API for no gain.
const MinInterval = time.Second

// Each check returns what is wrong with a value, or "" when it is fine.
// The message reads after the key: "base_url: <message>".

func checkBaseURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http or https URL with a host: use one like %s", v, api.DefaultBaseURL)
	}
	if u.User != nil {
		return "holds a user name or password: remove the part before @ (the API key is sent as a bearer token)"
	}
	return ""
}

func checkInterval(d time.Duration) string {
	switch {
	case d < 0:
		return fmt.Sprintf("%s is negative: use a duration such as 10s, or 0 for adaptive polling", d)
	case d > 0 && d < MinInterval:
		return fmt.Sprintf("%s is too short: use at least %s, or 0 for adaptive polling", d, MinInterval)
	}
	return ""
}

// parseInterval reads an interval as written in the config file.
func parseInterval(v string) (time.Duration, string) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Sprintf("%q is not a duration: write it like interval = \"10s\" (units ms, s, m, h)", v)
	}
	return d, checkInterval(d)
}

func checkListen(v string) string {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Sprintf("%q is not HOST:PORT: use one like 127.0.0.1:8080", v)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Sprintf("%q has no port number from 0 to 65535: use one like 127.0.0.1:8080", v)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Sprintf("%q is not HOST:PORT: use one like 127.0.0.1:8080", v)
	}
	return ""
}

// checkSecret keeps the callback secret usable as one URL path segment.
// The value itself is never quoted.
func checkSecret(v string) string {
	if v == "" {
		return "is empty: use 16 or more random letters and digits"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return "may hold only letters, digits, '-', '_', '.' and '~' (it goes into the callback URL)"
		}
	}
	return ""
}

// shortSecret is the length under which a callback secret is easy to guess.
const shortSecret = 16

// checkAPIKey rejects a key that cannot go into an Authorization header.
// The value itself is never quoted.
func checkAPIKey(v string) string {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f {
			return "holds spaces or control characters: set it to the key alone"
		}
	}
	return ""
}

// notifyModes are the values of notify.
var notifyModes = []string{"auto", "bell", "off"}

func checkNotify(v string) string {
	for _, m := range notifyModes {
		if v == m {
			return ""
		}
	}
	return fmt.Sprintf("%q is not one of %s", v, strings.Join(notifyModes, ", "))
}

func checkPath(v string) string {
	if strings.TrimSpace(v) == "" {
		return "is empty: give a path"
	}
	return ""
}

// checkCallbackURL wants an absolute http(s) URL: it is given to Colossyan
// as is, to post callbacks to.
func checkCallbackURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http or https URL, such as https://hooks.example.com/callback/SECRET"
	}
	return ""
}
