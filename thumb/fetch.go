package thumb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // thumbnails come as JPEG or PNG
	_ "image/png"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"
)

// Limits a thumbnail must keep. Every one is named in the error that
// enforces it.
const (
	// DefaultMaxBytes: a thumbnail is tens of kilobytes; this is ample.
	DefaultMaxBytes = 4 << 20
	// DefaultMaxPixels: 4 MP decodes into 16 MB; read from the header
	// before anything is decoded.
	DefaultMaxPixels = 4 << 20
	// DefaultTimeout bounds one fetch, a link refresh included.
	DefaultTimeout = 15 * time.Second
)

// Error is why a thumbnail cannot be shown, short enough for the detail
// pane beside the link.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

func fail(format string, a ...any) error { return &Error{Reason: fmt.Sprintf(format, a...)} }

// errExpired: the file host refused the link, which may only have expired.
var errExpired = errors.New("link refused")

// Fetcher gets thumbnails.
type Fetcher struct {
	// Client is the file hosts' client, which never carries the API token
	// (download.NewHTTPClient).
	Client *http.Client
	// Cache keeps fetched thumbnails; nil keeps none.
	Cache *Cache
	// Refresh asks the API for the video again and returns its new
	// thumbnail URL: links expire. Nil: an expired link stays expired.
	Refresh func(ctx context.Context, videoID string) (string, error)
	// MaxBytes, MaxPixels and Timeout are the caps; zero means the
	// defaults.
	MaxBytes  int64
	MaxPixels int
	Timeout   time.Duration
}

// Get returns the thumbnail of a video, from the cache or from url (or a
// fresh URL when url was refused), decoded. Any failure is an *Error.
func (f *Fetcher) Get(ctx context.Context, videoID, url string) (image.Image, error) {
	key := cacheKey(url)
	if f.Cache != nil {
		if b := f.Cache.Get(key, f.maxBytes()); b != nil {
			if img, err := f.decode(b); err == nil {
				return img, nil
			}
			f.Cache.Remove(key) // spoilt, or from before a cap was tightened
		}
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := f.fetch(ctx, url)
	if errors.Is(err, errExpired) && f.Refresh != nil {
		fresh, rerr := f.Refresh(ctx, videoID)
		switch {
		case rerr != nil:
			err = fail("link refused and not renewed: %v", rerr)
		case fresh == "" || fresh == url:
			err = fail("link refused (HTTP 403/404/410)")
		default:
			b, err = f.fetch(ctx, fresh)
		}
	}
	if errors.Is(err, errExpired) {
		err = fail("link refused (HTTP 403/404/410)")
	}
	if ctx.Err() == context.DeadlineExceeded {
		return nil, fail("no answer within %s (time cap)", timeout)
	}
	if err != nil {
		return nil, err
	}
	img, err := f.decode(b)
	if err != nil {
		return nil, err
	}
	if f.Cache != nil {
		f.Cache.Put(key, b)
	}
	return img, nil
}

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}

// cacheKey is what a thumbnail is cached under: its link without the
// parameters that sign it (signature, expiry, key, policy), which change
// when a link is renewed while the picture stays. The host, path and every
// other parameter name the picture: /thumb?v=a and /thumb?v=b are two
// pictures, and one API's pictures are kept apart from another's.
func cacheKey(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for name := range q {
		if signing(name) {
			q.Del(name)
		}
	}
	u.RawQuery, u.Fragment, u.User = q.Encode(), "", nil // Encode sorts
	return u.String()
}

// signing says whether a query parameter signs a link rather than names
// its picture: S3 and CloudFront, Google Cloud Storage, Azure SAS.
func signing(name string) bool {
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "x-amz-") || strings.HasPrefix(n, "x-goog-") {
		return true
	}
	switch n {
	case "expires", "signature", "sig", "key-pair-id", "policy", "awsaccesskeyid", "googleaccessid",
		"se", "st", "sp", "sv", "sr", "spr", "skoid", "sktid", "skt", "ske", "sks", "skv":
		return true
	}
	return false
}

// fetch reads the body of url, at most MaxBytes of it.
func (f *Fetcher) fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return nil, fail("not an http(s) link")
	}
	req.Header.Set("Accept", "image/png, image/jpeg")
	resp, err := f.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail("could not reach the file host")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, errExpired
	case resp.StatusCode != http.StatusOK:
		return nil, fail("the file host said HTTP %d", resp.StatusCode)
	}
	limit := f.maxBytes()
	if resp.ContentLength > limit {
		return nil, fail("%s is over the %s byte cap", size(resp.ContentLength), size(limit))
	}
	b, over, err := readCapped(resp.Body, resp.ContentLength, limit)
	if over {
		return nil, fail("over the %s byte cap", size(limit))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail("the transfer broke off after %s", size(int64(len(b))))
	}
	return b, nil
}

// readCapped reads r, of length bytes when known (-1 when not), in
// pieces joined once at the end: what a body costs stays near its size,
// and a body over limit costs the limit, where a buffer that doubles would
// allocate several times over. over: the body is longer than limit.
func readCapped(r io.Reader, length, limit int64) (b []byte, over bool, err error) {
	if length >= 0 && length <= limit {
		b = make([]byte, length) // net/http cuts a body longer than announced
		n, err := io.ReadFull(r, b)
		return b[:n], false, err
	}
	const piece = 64 << 10
	var pieces [][]byte
	var total int64
	for total <= limit {
		p := make([]byte, min(piece, limit+1-total))
		n, err := io.ReadFull(r, p)
		pieces, total = append(pieces, p[:n]), total+int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if total > limit {
		return nil, true, nil
	}
	b = make([]byte, 0, total)
	for _, p := range pieces {
		b = append(b, p...)
	}
	return b, false, nil
}

// decode checks the header against the pixel cap before decoding: a
// 30,000×30,000 PNG is a few kilobytes on the wire and 3.6 GB in memory.
func (f *Fetcher) decode(b []byte) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, fail("not a PNG or JPEG image")
		}
		return nil, fail("a broken %s header", "image")
	}
	maxPx := f.MaxPixels
	if maxPx <= 0 {
		maxPx = DefaultMaxPixels
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPx/max(cfg.Height, 1) {
		return nil, fail("%d×%d pixels is over the %d MP pixel cap", cfg.Width, cfg.Height, maxPx>>20)
	}
	if format == "jpeg" && jpegScans(b, MaxJPEGScans) > MaxJPEGScans {
		return nil, fail("a JPEG of over %d scans (scan cap)", MaxJPEGScans)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fail("a truncated or broken %s", format)
	}
	return img, nil
}

// size is a byte count as people read it.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
