package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/thumb"
)

// maxFile is the largest config file read; anything bigger is not one.
const maxFile = 1 << 20

// fileSettings are the values a config file sets; nil is not set.
type fileSettings struct {
	APIKey, BaseURL, Store, DownloadDir, Listen, CallbackSecret, Notify *string
	CallbackURL                                                         *string
	Thumbnails                                                          *string
	Interval                                                            *time.Duration
	HistoryDays                                                         *int
	Warnings                                                            []string
	MaxRPS                                                              *float64
	MaxInFlight                                                         *int
}

// keys are the config file's keys, with an example of each for messages.
var keys = map[string]string{
	"api_key":         `api_key = "..."`,
	"base_url":        `base_url = "` + api.DefaultBaseURL + `"`,
	"store":           `store = "~/.local/state/reel/reel.db"`,
	"interval":        `interval = "10s"`,
	"download_dir":    `download_dir = "~/Videos"`,
	"listen":          `listen = "127.0.0.1:8080"`,
	"callback_secret": `callback_secret = "..."`,
	"callback_url":    `callback_url = "https://hooks.example.com/callback/SECRET"`,
	"notify":          `notify = "auto"`,
	"thumbnails":      `thumbnails = "auto"`,
	"max_rps":         `max_rps = 20`,
	"max_in_flight":   `max_in_flight = 12`,
	"history_days":    `history_days = 90`,
}

// secretKeys hold values that must never appear in a message.
var secretKeys = map[string]bool{"api_key": true, "callback_secret": true}

// readFile reads the config file at path. A missing file is fine unless
// the user named it (explicit); how they named it goes into the message.
func readFile(path, namedBy, home string) (*fileSettings, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && namedBy == "":
		return &fileSettings{}, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{File: path, Msg: "no such config file: create it, or fix " + namedBy, Err: err}
	case err != nil:
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read the config file: %v", unwrapPath(err)), Err: err}
	case st.IsDir():
		return nil, &Error{File: path, Msg: "is a directory, not a config file"}
	case st.Size() > maxFile:
		return nil, &Error{File: path, Msg: "is larger than 1 MiB: is this the config file?"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read the config file: %v", unwrapPath(err)), Err: err}
	}
	got, err := parseFile(path, strings.TrimPrefix(string(data), "\ufeff"), home)
	if err != nil {
		return nil, err
	}
	if (got.APIKey != nil || got.CallbackSecret != nil) && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		held := "api_key"
		if got.APIKey == nil {
			held = "callback_secret"
		}
		got.Warnings = append(got.Warnings, fmt.Sprintf(
			"%s holds %s and other users can read or change it (mode %04o): run chmod 600 %s",
			path, held, st.Mode().Perm(), path))
	}
	return got, nil
}

// unwrapPath drops the path from an *fs.PathError: Error already names it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseFile decodes and checks the text of a config file, stopping at the
// first problem in the order of the file.
func parseFile(path, text, home string) (*fileSettings, error) {
	lines := strings.Split(text, "\n")
	var raw map[string]any
	md, err := toml.Decode(text, &raw)
	if err != nil {
		return nil, syntaxError(path, lines, err)
	}
	out := &fileSettings{}
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		// A table or a dotted key shows first as [t] or [t, k]: reel
		// has no tables, so only the top part matters.
		key := k[0]
		if seen[key] {
			continue
		}
		seen[key] = true
		fail := func(msg string) error {
			return &Error{File: path, Line: keyLine(lines, key), Key: key, Msg: msg}
		}
		if _, ok := keys[key]; !ok {
			return nil, fail(unknownKey(key, len(k) > 1 || md.Type(key) == "Hash" || md.Type(key) == "ArrayHash"))
		}
		if key == "history_days" {
			n, msg := historyDays(raw[key])
			if msg != "" {
				return nil, fail(msg)
			}
			out.HistoryDays = &n
			continue
		}
		v, ok := raw[key].(string)
		if !ok {
			v, ok = capNumber(key, raw[key])
		}
		if !ok {
			typ := md.Type(key)
			if len(k) > 1 {
				typ = "Hash"
			}
			if capKeys[key] {
				return nil, fail(fmt.Sprintf("is %s; want a number, like %s", tomlType(typ), keys[key]))
			}
			return nil, fail(fmt.Sprintf("is %s; want a string in quotes, like %s", tomlType(typ), keys[key]))
		}
		if msg := out.set(key, v, home); msg != "" {
			return nil, fail(msg)
		}
	}
	return out, nil
}

// set checks and takes one key's value.
func (f *fileSettings) set(key, v, home string) string {
	switch key {
	case "api_key":
		v = strings.TrimSpace(v)
		if v == "" {
			return ""
		}
		if msg := checkAPIKey(v); msg != "" {
			return msg
		}
		f.APIKey = &v
	case "base_url":
		if msg := checkBaseURL(v); msg != "" {
			return msg
		}
		f.BaseURL = &v
	case "store", "download_dir":
		if msg := checkPath(v); msg != "" {
			return msg
		}
		v = expandHome(v, home)
		if key == "store" {
			f.Store = &v
		} else {
			f.DownloadDir = &v
		}
	case "interval":
		d, msg := parseInterval(v)
		if msg != "" {
			return msg
		}
		f.Interval = &d
	case "listen":
		if msg := checkListen(v); msg != "" {
			return msg
		}
		f.Listen = &v
	case "callback_secret":
		if msg := checkSecret(v); msg != "" {
			return msg
		}
		f.CallbackSecret = &v
	case "callback_url":
		if msg := checkCallbackURL(v); msg != "" {
			return msg
		}
		f.CallbackURL = &v
	case "notify":
		if msg := checkNotify(v); msg != "" {
			return msg
		}
		f.Notify = &v
	case "thumbnails":
		if msg := thumb.CheckSetting(v); msg != "" {
			return msg
		}
		f.Thumbnails = &v
	case "max_rps", "max_in_flight":
		return f.setCap(key, v)
	}
	return ""
}

// MaxHistoryDays is the longest history_days taken: a hundred years.
const MaxHistoryDays = 36500

// historyDays checks history_days: a whole number of days, 0 to keep the
// history for ever; a number in quotes is taken too.
func historyDays(v any) (int, string) {
	const want = "want a whole number of days, like history_days = 90 (0 keeps all history)"
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case string:
		if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d", &n); err != nil || fmt.Sprint(n) != strings.TrimSpace(v) {
			return 0, want
		}
	default:
		return 0, want
	}
	if n < 0 || n > MaxHistoryDays {
		return 0, fmt.Sprintf("is %d; %s, at most %d", n, want, MaxHistoryDays)
	}
	return int(n), ""
}

// expandHome turns a leading ~ into the home folder, as a shell would have
// done for a flag.
func expandHome(p, home string) string {
	if home == "" || (p != "~" && !strings.HasPrefix(p, "~/")) {
		return p
	}
	return filepath.Join(home, p[1:])
}

// syntaxError turns a TOML decoding error into an Error at its line.
func syntaxError(path string, lines []string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{File: path, Msg: "not valid TOML: " + err.Error(), Err: err}
	}
	line := pe.Position.Line
	key := ""
	if line >= 1 && line <= len(lines) {
		key = lineKey(lines[line-1])
	}
	if key == "" && pe.LastKey != "" && !strings.Contains(pe.LastKey, ".") {
		key = pe.LastKey
	}
	msg := pe.Message
	if secretKeys[key] || secretKeys[pe.LastKey] {
		// The parser's message may quote part of the value.
		msg = "this line is not valid TOML"
	}
	if ex, ok := keys[key]; ok {
		msg += "; write it like " + ex
	} else {
		msg += "; each line is key = \"value\" (see TOML syntax)"
	}
	return &Error{File: path, Line: line, Key: key, Msg: msg, Err: err}
}

// tomlType names a TOML type for a message.
func tomlType(t string) string {
	switch t {
	case "Integer":
		return "a number"
	case "Float":
		return "a decimal number"
	case "Bool":
		return "true or false"
	case "Array":
		return "a list"
	case "Hash", "ArrayHash":
		return "a table"
	case "Datetime", "DatetimeLocal", "DateLocal", "TimeLocal":
		return "a date or time"
	}
	return "not a string"
}

// aliases are names people reach for, mapped to reel's key.
var aliases = map[string]string{
	"token": "api_key", "key": "api_key", "api_token": "api_key", "colossyan_api_key": "api_key",
	"url": "base_url", "endpoint": "base_url", "api_url": "base_url",
	"db": "store", "database": "store", "store_path": "store",
	"poll_interval": "interval", "poll": "interval",
	"dir": "download_dir", "downloads": "download_dir", "download_folder": "download_dir", "output": "download_dir",
	"secret": "callback_secret", "addr": "listen", "address": "listen",
	"notifications": "notify", "notification": "notify",
	"thumbnail": "thumbnails", "images": "thumbnails", "pictures": "thumbnails",
}

// unknownKey says a key is unknown and suggests the one meant.
func unknownKey(key string, table bool) string {
	known := make([]string, 0, len(keys))
	for k := range keys {
		known = append(known, k)
	}
	sort.Strings(known)
	list := " (known keys: " + strings.Join(known, ", ") + ")"
	if table {
		return "unknown table: reel's config has no tables; put the keys at the top of the file" + list
	}
	if best := suggest(key, known); best != "" {
		return "unknown key: did you mean " + best + "?" + list
	}
	return "unknown key: remove it" + list
}

func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	if a, ok := aliases[strings.ToLower(strings.ReplaceAll(key, "-", "_"))]; ok {
		return a
	}
	best, bestDist := "", 3
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
		if d := distance(strings.ToLower(key), k); d < bestDist && len(key) > 3 {
			best, bestDist = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
