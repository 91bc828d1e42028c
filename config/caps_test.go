package config

import (
	"errors"
	"strings"
	"testing"
)

// The request caps: unset by default, set from the file (a number, quoted or
// not) and beaten by the flags; a bad value names where it came from and
// the limit it broke.
func TestLoadCaps(t *testing.T) {
	home := t.TempDir()
	getenv := env(map[string]string{"HOME": home})

	s, err := Load(Flags{}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxRPS != 0 || s.MaxInFlight != 0 {
		t.Errorf("defaults %g, %d; want 0, 0 (the engine's own)", s.MaxRPS, s.MaxInFlight)
	}

	for _, text := range []string{"max_rps = 25\nmax_in_flight = 12\n", "max_rps = \"25\"\nmax_in_flight = \"12\"\n", "max_rps = 25.0\nmax_in_flight = 12\n"} {
		writeConfig(t, home, text)
		s, err := Load(Flags{}, getenv)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if s.MaxRPS != 25 || s.MaxInFlight != 12 {
			t.Errorf("%q: got %g, %d; want 25, 12", text, s.MaxRPS, s.MaxInFlight)
		}
	}
	s, err = Load(Flags{MaxRPS: ptr(40.0), MaxInFlight: ptr(20)}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxRPS != 40 || s.MaxInFlight != 20 {
		t.Errorf("flags: got %g, %d; want 40, 20", s.MaxRPS, s.MaxInFlight)
	}

	bad := []struct {
		text  string
		flags Flags
		want  []string // in the message
	}{
		{text: "max_rps = 0\n", want: []string{"max_rps", "config.toml:1:", "at most 1000 requests a second"}},
		{text: "max_rps = 5000\n", want: []string{"max_rps", "at most 1000 requests a second"}},
		{text: "max_rps = \"fast\"\n", want: []string{"max_rps", "not a number"}},
		{text: "max_in_flight = 0\n", want: []string{"max_in_flight", "1 to 256 requests in flight"}},
		{text: "max_in_flight = 2.5\n", want: []string{"max_in_flight", "whole number"}},
		{text: "max_in_flight = true\n", want: []string{"max_in_flight", "true or false", "want a number, like max_in_flight = 12"}},
		{text: "max_rps = true\n", want: []string{"max_rps", "want a number, like max_rps = 20"}},
		{text: "max_rps = 1e-300\n", want: []string{"max_rps", "at least 0.1 and at most 1000 requests a second"}},
		{flags: Flags{MaxRPS: ptr(1e-300)}, want: []string{"--max-rps", "at least 0.1"}},
		{flags: Flags{MaxRPS: ptr(0.05)}, want: []string{"--max-rps", "at least 0.1"}},
		{flags: Flags{MaxRPS: ptr(-1.0)}, want: []string{"--max-rps", "at most 1000"}},
		{flags: Flags{MaxInFlight: ptr(1000)}, want: []string{"--max-in-flight", "1 to 256"}},
	}
	for _, b := range bad {
		writeConfig(t, home, b.text)
		_, err := Load(b.flags, getenv)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q %+v: error %v, want a config error", b.text, b.flags, err)
			continue
		}
		for _, w := range b.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %q does not say %q", b.text, err, w)
			}
		}
	}
}
