package download

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxRedirects matches net/http's own default.
const maxRedirects = 10

// NewHTTPClient returns the client for file hosts. It is separate from the
// API client on purpose: it has no token to leak. On every redirect it
// drops any Authorization header (defence in depth: reel never sets one
// here) and refuses schemes other than http and https. Compression is off
// so byte offsets for Range are those of the file itself.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{
				Timeout:   30 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          16,
			DisableCompression:    true,
			// Big reads from the socket: fewer syscalls per GiB.
			ReadBufferSize: 256 << 10,
		},
		CheckRedirect: CheckRedirect,
	}
}

// CheckRedirect is the redirect policy of NewHTTPClient, exported so a
// caller bringing its own *http.Client can use the same rules.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errRedirects
	}
	if err := checkScheme(req.URL); err != nil {
		return err
	}
	req.Header.Del("Authorization")
	req.Header.Del("Cookie")
	return nil
}

// errRedirects: a redirect loop, or a chain too long to be honest.
var errRedirects = fmt.Errorf("the file host redirected more than %d times", maxRedirects)

// errScheme: a link or redirect to something other than http(s), such as
// file:// or ftp://, which reel will not follow.
var errScheme = errors.New("only http and https links can be downloaded")

func checkScheme(u *url.URL) error {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errScheme
	}
	return nil
}
