package callback

import (
	"net"
	"testing"
)

// FuzzResolveAddr: any --listen value is refused with an error or settled
// to a HOST:PORT a listener can take; loopback is never called exposed.
func FuzzResolveAddr(f *testing.F) {
	for _, s := range []string{
		"", ":8080", "127.0.0.1:0", "0.0.0.0:9000", "[::1]:80", "localhost:1", "nonsense", ":99999", "::", "[::]:1", "host:-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hp, exposed, err := ResolveAddr(s)
		if err != nil {
			return
		}
		host, _, err := net.SplitHostPort(hp)
		if err != nil {
			t.Fatalf("ResolveAddr(%q) = %q: not HOST:PORT (%v)", s, hp, err)
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && exposed {
			t.Fatalf("ResolveAddr(%q) = %q: loopback called exposed", s, hp)
		}
	})
}
