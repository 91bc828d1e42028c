package config

import (
	"path/filepath"
)

// ConfigFile is where reel keeps a file of its own configuration by
// default, such as reel serve's authorized_keys: beside config.toml. ""
// when neither XDG_CONFIG_HOME nor HOME is set.
func ConfigFile(getenv func(string) string, name string) string {
	return xdgPath(getenv("XDG_CONFIG_HOME"), getenv("HOME"), ".config", name)
}

// StateFile is where reel keeps a file it makes itself by default, such as
// reel serve's host key: beside the store. "" when neither XDG_STATE_HOME
// nor HOME is set.
func StateFile(getenv func(string) string, name string) string {
	return xdgPath(getenv("XDG_STATE_HOME"), getenv("HOME"), filepath.Join(".local", "state"), name)
}
