package config

import (
	"fmt"
	"strconv"
)

// The program-wide request caps. Colossyan publishes no limit; a workspace
// with a higher one can raise them. 0 (unset) means the engine's defaults.
const (
	MinRPS           = 0.1    // requests a second: a job looked at every 10 s at most, when alone
	MaxRPSLimit      = 1000.0 // requests a second
	MaxInFlightLimit = 256    // requests in flight
)

// capKeys are the config keys of the caps; a number is taken as written,
// quoted or not.
var capKeys = map[string]bool{"max_rps": true, "max_in_flight": true}

// checkMaxRPS checks a cap on requests a second.
func checkMaxRPS(v float64) string {
	if !(v >= MinRPS && v <= MaxRPSLimit) {
		return fmt.Sprintf("%g is out of range: use at least %g and at most %g requests a second", v, MinRPS, MaxRPSLimit)
	}
	return ""
}

// checkMaxInFlight checks a cap on requests in flight.
func checkMaxInFlight(v int) string {
	if v < 1 || v > MaxInFlightLimit {
		return fmt.Sprintf("%d is out of range: use 1 to %d requests in flight", v, MaxInFlightLimit)
	}
	return ""
}

// capNumber turns a number written without quotes into the text set takes.
func capNumber(key string, v any) (string, bool) {
	if !capKeys[key] {
		return "", false
	}
	switch n := v.(type) {
	case int64:
		return strconv.FormatInt(n, 10), true
	case float64:
		return strconv.FormatFloat(n, 'g', -1, 64), true
	}
	return "", false
}

// setCap checks and takes one cap key's value from the config file.
func (f *fileSettings) setCap(key, v string) string {
	switch key {
	case "max_rps":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Sprintf("%q is not a number: write it like max_rps = 20", v)
		}
		if msg := checkMaxRPS(n); msg != "" {
			return msg
		}
		f.MaxRPS = &n
	case "max_in_flight":
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Sprintf("%q is not a whole number: write it like max_in_flight = 12", v)
		}
		if msg := checkMaxInFlight(n); msg != "" {
			return msg
		}
		f.MaxInFlight = &n
	}
	return ""
}

// applyCapFlags takes the caps the flags set over the file's.
func applyCapFlags(s *Settings, f Flags) error {
	if f.MaxRPS != nil {
		if msg := checkMaxRPS(*f.MaxRPS); msg != "" {
			return &Error{Key: "--max-rps", Msg: msg}
		}
		s.MaxRPS = *f.MaxRPS
	}
	if f.MaxInFlight != nil {
		if msg := checkMaxInFlight(*f.MaxInFlight); msg != "" {
			return &Error{Key: "--max-in-flight", Msg: msg}
		}
		s.MaxInFlight = *f.MaxInFlight
	}
	return nil
}
