package config

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func ptr[T any](v T) *T { return &v }

// writeConfig writes text as the default config file under home.
func writeConfig(t *testing.T, home, text string) string {
	t.Helper()
	p := filepath.Join(home, ".config", "reel", "config.toml")
	write(t, p, text)
	return p
}

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil { // past the umask
		t.Fatal(err)
	}
}

const fullFile = `# reel settings
api_key = "file-key"
base_url = "https://file.example/api/v1"
store = "~/data/reel.db"
interval = "30s"
download_dir = "/videos"
listen = "127.0.0.1:9000"
callback_secret = "file-secret-0123456789"
notify = "bell"
`

func TestLoadPrecedence(t *testing.T) {
	type want struct {
		key, base, store, config, dl, listen, secret, notify string
		interval                                             time.Duration
	}
	tests := []struct {
		name  string
		file  string // default config file under HOME; "" for none
		env   map[string]string
		flags Flags
		want  want
	}{
		{"defaults", "", nil, Flags{}, want{
			base: api.DefaultBaseURL, store: "$H/.local/state/reel/reel.db", config: "$H/.config/reel/config.toml",
			dl: ".", notify: "auto"}},
		{"file over defaults", fullFile, nil, Flags{}, want{
			key: "file-key", base: "https://file.example/api/v1", store: "$H/data/reel.db",
			config: "$H/.config/reel/config.toml", dl: "/videos", listen: "127.0.0.1:9000",
			secret: "file-secret-0123456789", notify: "bell", interval: 30 * time.Second}},
		{"environment over file", fullFile, map[string]string{
			"COLOSSYAN_API_KEY": " env-key\n", "COLOSSYAN_BASE_URL": "http://127.0.0.1:1/api/v1", "REEL_STORE": "/env/reel.db"},
			Flags{}, want{
				key: "env-key", base: "http://127.0.0.1:1/api/v1", store: "/env/reel.db",
				config: "$H/.config/reel/config.toml", dl: "/videos", listen: "127.0.0.1:9000",
				secret: "file-secret-0123456789", notify: "bell", interval: 30 * time.Second}},
		{"flags over environment and file", fullFile, map[string]string{
			"COLOSSYAN_BASE_URL": "http://127.0.0.1:1/api/v1", "REEL_STORE": "/env/reel.db"},
			Flags{
				BaseURL: ptr("https://flag.example/v1"), Store: ptr("/flag/reel.db"), Interval: ptr(5 * time.Second),
				DownloadDir: ptr("out"), Listen: ptr(":8080"), CallbackSecret: ptr("flag-secret-0123456789"),
			}, want{
				key: "file-key", base: "https://flag.example/v1", store: "/flag/reel.db",
				config: "$H/.config/reel/config.toml", dl: "out", listen: ":8080",
				secret: "flag-secret-0123456789", notify: "bell", interval: 5 * time.Second}},
		{"flag interval 0 means adaptive over the file", fullFile, nil, Flags{Interval: ptr(time.Duration(0))}, want{
			key: "file-key", base: "https://file.example/api/v1", store: "$H/data/reel.db",
			config: "$H/.config/reel/config.toml", dl: "/videos", listen: "127.0.0.1:9000",
			secret: "file-secret-0123456789", notify: "bell"}},
		{"empty api_key in the file is unset", "api_key = \"\"\n", nil, Flags{}, want{
			base: api.DefaultBaseURL, store: "$H/.local/state/reel/reel.db", config: "$H/.config/reel/config.toml",
			dl: ".", notify: "auto"}},
		{"XDG homes", "", map[string]string{"XDG_CONFIG_HOME": "/xc", "XDG_STATE_HOME": "/xs"}, Flags{}, want{
			base: api.DefaultBaseURL, store: "/xs/reel/reel.db", config: "/xc/reel/config.toml", dl: ".", notify: "auto"}},
		{"relative XDG homes are ignored", "", map[string]string{"XDG_CONFIG_HOME": "xc", "XDG_STATE_HOME": "xs"}, Flags{}, want{
			base: api.DefaultBaseURL, store: "$H/.local/state/reel/reel.db", config: "$H/.config/reel/config.toml",
			dl: ".", notify: "auto"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			if tt.file != "" {
				writeConfig(t, home, tt.file)
			}
			e := map[string]string{"HOME": home}
			for k, v := range tt.env {
				e[k] = v
			}
			s, err := Load(tt.flags, env(e))
			if err != nil {
				t.Fatal(err)
			}
			h := func(p string) string { return strings.ReplaceAll(p, "$H", home) }
			got := want{s.APIKey, s.BaseURL, s.StorePath, s.ConfigPath, s.DownloadDir, s.Listen, s.CallbackSecret, s.Notify, s.Interval}
			w := tt.want
			w.store, w.config = h(w.store), h(w.config)
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			ws := slices.DeleteFunc(s.Warnings, func(w string) bool {
				return tt.flags.CallbackSecret != nil && strings.HasPrefix(w, "--callback-secret shows in the process list")
			})
			if len(ws) > 0 {
				t.Errorf("unexpected warnings %q", ws)
			}
		})
	}
}

func TestLoadConfigFileChoice(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, `notify = "off"`)
	xdg := filepath.Join(home, "xdg")
	write(t, filepath.Join(xdg, "reel", "config.toml"), `notify = "bell"`)
	named := filepath.Join(home, "named.toml")
	write(t, named, `notify = "auto"`+"\n"+`base_url = "https://named.example/"`)
	flagged := filepath.Join(home, "flag.toml")
	write(t, flagged, `base_url = "https://flag.example/"`)

	tests := []struct {
		name     string
		env      map[string]string
		flags    Flags
		path     string
		notify   string
		baseURL  string
		wantNone bool
	}{
		{"home fallback", map[string]string{"HOME": home}, Flags{}, writeConfigPath(home), "off", api.DefaultBaseURL, false},
		{"XDG_CONFIG_HOME first", map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}, Flags{}, filepath.Join(xdg, "reel", "config.toml"), "bell", api.DefaultBaseURL, false},
		{"REEL_CONFIG over XDG", map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg, "REEL_CONFIG": named}, Flags{}, named, "auto", "https://named.example/", false},
		{"--config over REEL_CONFIG", map[string]string{"HOME": home, "REEL_CONFIG": named}, Flags{Config: &flagged}, flagged, "auto", "https://flag.example/", false},
		{"no home at all", map[string]string{}, Flags{}, "", "auto", api.DefaultBaseURL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.flags, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if s.ConfigPath != tt.path || s.Notify != tt.notify || s.BaseURL != tt.baseURL {
				t.Errorf("path %q notify %q base %q; want %q %q %q", s.ConfigPath, s.Notify, s.BaseURL, tt.path, tt.notify, tt.baseURL)
			}
			if tt.wantNone && s.StorePath != "" {
				t.Errorf("StorePath = %q with no home", s.StorePath)
			}
		})
	}
}

func writeConfigPath(home string) string {
	return filepath.Join(home, ".config", "reel", "config.toml")
}

func TestLoadMissingFile(t *testing.T) {
	home := t.TempDir()
	missing := filepath.Join(home, "nope.toml")
	for _, tc := range []struct {
		name  string
		env   map[string]string
		flags Flags
		by    string
	}{
		{"--config", map[string]string{"HOME": home}, Flags{Config: &missing}, "--config"},
		{"REEL_CONFIG", map[string]string{"HOME": home, "REEL_CONFIG": missing}, Flags{}, "REEL_CONFIG"},
	} {
		_, err := Load(tc.flags, env(tc.env))
		var ce *Error
		if !errors.As(err, &ce) || ce.File != missing || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "fix "+tc.by) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if _, err := Load(Flags{Config: &home}, env(map[string]string{"HOME": home})); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := Load(Flags{Config: ptr("")}, env(nil)); err == nil || err.Error() != "--config: is empty: give a path" {
		t.Errorf("empty --config: %v", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		key  string
		has  string
	}{
		{"syntax", "notify = \"auto\"\n\nbase_url = https://x\n", 3, "base_url", `write it like base_url = "https://app.colossyan.com/api/v1"`},
		{"duration without quotes", "interval = 10s\n", 1, "interval", `write it like interval = "10s"`},
		{"syntax, no key", "notify = \"auto\"\n= 3\n", 2, "", `each line is key = "value"`},
		{"syntax on the api_key line hides the value", "api_key = sk-SECRETVALUE\n", 1, "api_key", `this line is not valid TOML; write it like api_key = "..."`},
		{"duplicate key", "notify = \"auto\"\nnotify = \"off\"\n", 2, "notify", "already been defined"},
		{"unknown key, near miss", "# c\napikey = \"k\"\n", 2, "apikey", "did you mean api_key?"},
		{"unknown key, typo", "intreval = \"10s\"\n", 1, "intreval", "did you mean interval?"},
		{"unknown key, case", "Base_URL = \"https://x\"\n", 1, "Base_URL", "did you mean base_url?"},
		{"unknown key, alias", "token = \"k\"\n", 1, "token", "did you mean api_key?"},
		{"unknown key, nothing near", "colour = \"red\"\n", 1, "colour", "unknown key: remove it (known keys: api_key, base_url, callback_secret"},
		{"unknown table", "notify = \"off\"\n\n[colossyan]\napi_key = \"k\"\n", 3, "colossyan", "reel's config has no tables"},
		{"dotted key", "notify = \"off\"\napi.key = \"k\"\n", 2, "api", "no tables"},
		{"wrong type", "store = \"/x\"\ninterval = 10\n", 2, "interval", `is a number; want a string in quotes, like interval = "10s"`},
		{"wrong type bool", "notify = false\n", 1, "notify", "is true or false"},
		{"wrong type table", "notify = {a = 1}\n", 1, "notify", "is a table"},
		{"bad duration", "interval = \"10 seconds\"\n", 1, "interval", `"10 seconds" is not a duration: write it like interval = "10s"`},
		{"too short interval", "interval = \"100ms\"\n", 1, "interval", "100ms is too short: use at least 1s"},
		{"negative interval", "interval = \"-5s\"\n", 1, "interval", "-5s is negative"},
		{"base_url scheme", "base_url = \"ftp://x/api\"\n", 1, "base_url", `"ftp://x/api" is not an http or https URL`},
		{"base_url without host", "base_url = \"https:///api\"\n", 1, "base_url", "not an http or https URL with a host"},
		{"base_url relative", "base_url = \"app.colossyan.com\"\n", 1, "base_url", "not an http or https URL"},
		{"base_url with password", "base_url = \"https://u:p@x/\"\n", 1, "base_url", "remove the part before @"},
		{"notify value", "notify = \"loud\"\n", 1, "notify", `"loud" is not one of auto, bell, off`},
		{"thumbnails value", "notify = \"off\"\nthumbnails = \"on\"\n", 2, "thumbnails", `"on" is not one of auto, off, halfblocks, kitty, iterm2, sixel`},
		{"thumbnails alias", "images = \"off\"\n", 1, "images", "did you mean thumbnails?"},
		{"listen without port", "listen = \"localhost\"\n", 1, "listen", `"localhost" is not HOST:PORT`},
		{"listen bad port", "listen = \"127.0.0.1:99999\"\n", 1, "listen", "no port number"},
		{"callback_secret chars", "callback_secret = \"a/b?SECRETVALUE\"\n", 1, "callback_secret", "only letters, digits"},
		{"api_key with a space", "api_key = \"sk SECRETVALUE\"\n", 1, "api_key", "holds spaces or control characters"},
		{"empty store", "store = \"\"\n", 1, "store", "is empty"},
		{"key after a multi-line string", "store = \"\"\"\n/x\nnotify = \"x\"\n\"\"\"\nnotify = \"x\"\n", 5, "notify", "is not one of"},
		{"known key as a dotted key", "notify.mode = \"off\"\n", 1, "notify", "is a table"},
		{"known key as a table", "[notify]\nmode = \"off\"\n", 1, "notify", "is a table"},
		{"quoted key", "\"notify\" = \"x\"\n", 1, "notify", "is not one of"},
		{"key after CRLF lines", "# c\r\n\r\nnotify = \"x\"\r\n", 3, "notify", "is not one of"},
		{"BOM", "\ufeffnotify = \"x\"\n", 1, "notify", "is not one of"},
		{"history_days negative", "history_days = -1\n", 1, "history_days", "is -1; want a whole number of days"},
		{"history_days too long", "history_days = 99999\n", 1, "history_days", "at most 36500"},
		{"history_days fraction", "history_days = 1.5\n", 1, "history_days", "want a whole number of days"},
		{"history_days words", "history_days = \"ninety\"\n", 1, "history_days", "want a whole number of days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			path := writeConfig(t, home, tt.text)
			_, err := Load(Flags{}, env(map[string]string{"HOME": home}))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if ce.File != path || ce.Line != tt.line || ce.Key != tt.key || !strings.Contains(ce.Msg, tt.has) {
				t.Errorf("got File %q Line %d Key %q Msg %q\nwant line %d key %q msg with %q", ce.File, ce.Line, ce.Key, ce.Msg, tt.line, tt.key, tt.has)
			}
			msg := err.Error()
			prefix := path + ":" + strconv.Itoa(tt.line) + ": "
			if tt.key != "" {
				prefix += tt.key + ": "
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("Error() = %q, want it to start %q", msg, prefix)
			}
			if strings.Contains(msg, "SECRETVALUE") {
				t.Errorf("Error() leaks the secret: %q", msg)
			}
		})
	}
}

func TestLoadFlagAndEnvErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags Flags
		want  string
	}{
		{"--interval too short", nil, Flags{Interval: ptr(100 * time.Millisecond)}, "--interval: 100ms is too short: use at least 1s, or 0 for adaptive polling"},
		{"--interval negative", nil, Flags{Interval: ptr(-time.Second)}, "--interval: -1s is negative"},
		{"--base-url scheme", nil, Flags{BaseURL: ptr("ftp://x")}, `--base-url: "ftp://x" is not an http or https URL with a host`},
		{"--listen", nil, Flags{Listen: ptr("8080")}, `--listen: "8080" is not HOST:PORT`},
		{"--callback-secret", nil, Flags{CallbackSecret: ptr("a b")}, "--callback-secret: may hold only"},
		{"--store empty", nil, Flags{Store: ptr(" ")}, "--store: is empty"},
		{"--download-dir empty", nil, Flags{DownloadDir: ptr("")}, "--download-dir: is empty"},
		{"COLOSSYAN_BASE_URL", map[string]string{"COLOSSYAN_BASE_URL": "localhost:8080"}, Flags{}, "COLOSSYAN_BASE_URL: "},
		{"COLOSSYAN_API_KEY", map[string]string{"COLOSSYAN_API_KEY": "sk SECRETVALUE"}, Flags{}, "COLOSSYAN_API_KEY: holds spaces or control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{"HOME": t.TempDir()}
			for k, v := range tt.env {
				e[k] = v
			}
			_, err := Load(tt.flags, env(e))
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "" || ce.Line != 0 {
				t.Fatalf("err = %#v, want an *Error without a file", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Error() = %q, want it to start %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("Error() leaks the secret: %q", err)
			}
		})
	}
}

func TestLoadPermissionWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	tests := []struct {
		name string
		text string
		mode os.FileMode
		want string // "" for no warning
	}{
		{"key, private", `api_key = "k"`, 0o600, ""},
		{"key, readable by all", `api_key = "k"`, 0o644, "holds api_key and other users can read or change it (mode 0644): run chmod 600 "},
		{"key, readable by group", `api_key = "k"`, 0o640, "(mode 0640): run chmod 600 "},
		{"key, writable by group", `api_key = "k"`, 0o620, "(mode 0620)"},
		{"secret, readable by all", `callback_secret = "0123456789abcdefgh"`, 0o644, "holds callback_secret"},
		{"no key, readable by all", `notify = "off"`, 0o644, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			path := writeConfig(t, home, tt.text)
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			s, err := Load(Flags{}, env(map[string]string{"HOME": home}))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(s.Warnings) != 0 {
					t.Errorf("warnings %q, want none", s.Warnings)
				}
				return
			}
			if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], tt.want) ||
				!strings.HasPrefix(s.Warnings[0], path) || !strings.HasSuffix(s.Warnings[0], "chmod 600 "+path) {
				t.Errorf("warnings %q, want one with %q naming %s", s.Warnings, tt.want, path)
			}
		})
	}
}

func TestLoadShortSecretWarning(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, `callback_secret = "abc"`)
	s, err := Load(Flags{}, env(map[string]string{"HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "short and easy to guess") }) {
		t.Errorf("warnings %q", s.Warnings)
	}
}

func TestCallbackSecretFromEachSource(t *testing.T) {
	long := "0123456789abcdefXYZ"
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		flags Flags
		want  string   // the secret settled
		warns []string // each a part of one warning, in order
	}{
		{"environment", "", map[string]string{SecretEnv: long}, Flags{}, long, nil},
		{"environment over file", `callback_secret = "file-secret-0123456789"`, map[string]string{SecretEnv: long}, Flags{}, long, nil},
		{"short in the environment", "", map[string]string{SecretEnv: "x"}, Flags{}, "x",
			[]string{"the callback secret (REEL_CALLBACK_SECRET) is 1 characters, short and easy to guess"}},
		{"short in the file", `callback_secret = "abc"`, nil, Flags{}, "abc",
			[]string{"the callback secret (callback_secret in "}},
		{"flag: ps, and short", "", nil, Flags{CallbackSecret: ptr("Q")}, "Q",
			[]string{"--callback-secret shows in the process list (ps)", "the callback secret (--callback-secret) is 1 characters"}},
		{"flag over environment", "", map[string]string{SecretEnv: "x"}, Flags{CallbackSecret: ptr(long)}, long,
			[]string{"--callback-secret shows in the process list (ps)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			if tt.file != "" {
				writeConfig(t, home, tt.file)
				_ = os.Chmod(filepath.Join(home, ".config", "reel", "config.toml"), 0o600)
			}
			e := map[string]string{"HOME": home}
			maps.Copy(e, tt.env)
			s, err := Load(tt.flags, env(e))
			if err != nil {
				t.Fatal(err)
			}
			if s.CallbackSecret != tt.want {
				t.Errorf("secret %q, want %q", s.CallbackSecret, tt.want)
			}
			if len(s.Warnings) != len(tt.warns) {
				t.Fatalf("warnings %q, want %d", s.Warnings, len(tt.warns))
			}
			for i, w := range tt.warns {
				if !strings.Contains(s.Warnings[i], w) || strings.Contains(s.Warnings[i], tt.want) {
					t.Errorf("warning %q: want %q in it and never the secret", s.Warnings[i], w)
				}
			}
		})
	}
	if _, err := Load(Flags{}, env(map[string]string{"HOME": t.TempDir(), SecretEnv: "a b"})); err == nil || !strings.HasPrefix(err.Error(), SecretEnv) {
		t.Errorf("a bad %s: %v", SecretEnv, err)
	}
}

func TestPlainHTTPBaseURLWarnsUnlessLoopback(t *testing.T) {
	for base, warns := range map[string]bool{
		"http://api.example/api/v1":     true,
		"http://10.0.0.5:8080/api/v1":   true,
		"http://127.0.0.1:18130/api/v1": false,
		"http://[::1]:80/api/v1":        false,
		"http://localhost/api/v1":       false,
		"https://api.example/api/v1":    false,
	} {
		s, err := Load(Flags{BaseURL: ptr(base)}, env(map[string]string{"HOME": t.TempDir()}))
		if err != nil {
			t.Fatal(err)
		}
		got := slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "is plain http") })
		if got != warns {
			t.Errorf("%s: warned %v, want %v (%q)", base, got, warns, s.Warnings)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"api_key", "base_url", "callback_secret", "download_dir", "interval", "listen", "notify", "store"}
	for in, want := range map[string]string{
		"api-key": "api_key", "APIKEY": "api_key", "baseurl": "base_url", "lisen": "listen",
		"downlod_dir": "download_dir", "notfy": "notify", "xyz": "", "colour": "", "db": "store",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThumbnailsSetting(t *testing.T) {
	home := t.TempDir()
	s, err := Load(Flags{}, func(k string) string { return map[string]string{"HOME": home}[k] })
	if err != nil || s.Thumbnails != "auto" {
		t.Fatalf("default thumbnails = %q, %v; want auto", s.Thumbnails, err)
	}
	p := writeConfigPath(home)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("thumbnails = \"sixel\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Load(Flags{}, func(k string) string { return map[string]string{"HOME": home}[k] })
	if err != nil || s.Thumbnails != "sixel" {
		t.Fatalf("thumbnails = %q, %v; want sixel from the file", s.Thumbnails, err)
	}
}

func TestHistoryDays(t *testing.T) {
	for text, want := range map[string]int{"": DefaultHistoryDays, "history_days = 30\n": 30, "history_days = \"7\"\n": 7, "history_days = 0\n": 0} {
		home := t.TempDir()
		writeConfig(t, home, text)
		s, err := Load(Flags{}, env(map[string]string{"HOME": home}))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if s.HistoryDays != want {
			t.Errorf("%q: HistoryDays = %d, want %d", text, s.HistoryDays, want)
		}
	}
}
