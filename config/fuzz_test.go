package config

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParseFile(f *testing.F) {
	f.Add(fullFile)
	for _, s := range []string{
		"api_key = sk-SECRET", "interval = 10s", "[t]\nk = 1", "a.b = 1", "notify = \"\"\"\nx\n\"\"\"",
		"api_key = \"\"\"\nSECRET\n\"\"\"", "'quoted' = 1", "base_url = \"https://u:SECRET@h/\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, err := parseFile("c.toml", text, "/home/u")
		if err == nil {
			return
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.File != "c.toml" {
			t.Fatalf("err = %#v, want *Error naming the file", err)
		}
		if n := strings.Count(text, "\n") + 2; ce.Line < 0 || ce.Line > n {
			t.Fatalf("line %d out of range for %q", ce.Line, text)
		}
		if ce.Msg == "" {
			t.Fatalf("no message for %q", text)
		}
	})
}
