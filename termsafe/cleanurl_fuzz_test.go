package termsafe

import (
	"net/url"
	"testing"
)

// FuzzCleanURL: a link CleanURL lets through is one a terminal and a
// browser can take as it is: clean text, http or https, with a host, and
// unchanged by a second pass.
func FuzzCleanURL(f *testing.F) {
	for _, s := range []string{
		"https://x.example/a.mp4?sig=1", "http://127.0.0.1:8080/files/v.mp4", "javascript:alert(1)",
		"https://x/\x1b]8;;https://evil/\x07", "file:///etc/passwd", "https://\u202eevil", "HTTPS://X/",
		"https://user:pass@x/", "//x/y", "https://x/\r\nSet-Cookie: a", "data:text/html,<b>", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanURL(s)
		if got == "" {
			return
		}
		if !IsClean(got) {
			t.Fatalf("CleanURL(%q) = %q: not clean text", s, got)
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("CleanURL(%q) = %q: not an http(s) link with a host (%v)", s, got, err)
		}
		if CleanURL(got) != got {
			t.Fatalf("CleanURL not idempotent on %q", s)
		}
	})
}
