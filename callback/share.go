package callback

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// maxShareURL caps a share link kept from a callback.
const maxShareURL = 2 << 10

// shareAllowed reports whether a callback's share link may be kept: a
// callback is unsigned, so its link must at least be on the API's own
// registrable domain (app.colossyan.com's links on colossyan.com or a host
// under it), or on the API's very host when that is an address or a
// single-label name (the simulator's 127.0.0.1). It must be https, or the
// API's own scheme.
func shareAllowed(share string, api *url.URL) bool {
	if api == nil || len(share) > maxShareURL {
		return false
	}
	u, err := url.Parse(share)
	if err != nil || u.User != nil || u.Host == "" {
		return false
	}
	if !strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, api.Scheme) {
		return false
	}
	host, apiHost := strings.ToLower(u.Hostname()), strings.ToLower(api.Hostname())
	if host == apiHost {
		return true
	}
	if net.ParseIP(apiHost) != nil || !strings.Contains(apiHost, ".") {
		return false
	}
	site, err1 := publicsuffix.EffectiveTLDPlusOne(host)
	apiSite, err2 := publicsuffix.EffectiveTLDPlusOne(apiHost)
	return err1 == nil && err2 == nil && site == apiSite
}
