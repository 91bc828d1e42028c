package config

import "fmt"

// Error is a setting that cannot be used. File and Line say where it was
// set (both empty for a flag or an environment variable); Key names the
// config key, the flag (--interval) or the environment variable. The
// message never holds the API key or the callback secret.
type Error struct {
	File string // the config file, if the setting came from one
	Line int    // 1-based line in File; 0 when unknown
	Key  string // config key, flag or environment variable; may be empty
	Msg  string // what is wrong and what to do
	Err  error  // the cause, if any (fs.ErrNotExist for a missing file)
}

func (e *Error) Error() string {
	where := e.File
	if where != "" && e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	switch {
	case where != "" && e.Key != "":
		return where + ": " + e.Key + ": " + e.Msg
	case where != "":
		return where + ": " + e.Msg
	case e.Key != "":
		return e.Key + ": " + e.Msg
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }
