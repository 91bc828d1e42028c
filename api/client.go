package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is the documented API root.
const DefaultBaseURL = "https://app.colossyan.com/api/v1"

// Client calls the Colossyan API. Build it with New; it is safe for
// concurrent use.
type Client struct {
	base      *url.URL
	auth      *authTransport
	http      *http.Client
	userAgent string
	timeout   time.Duration
	now       func() time.Time
	pacer     *pacer // set by WithPacing
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client the Client wraps. Its transport is
// wrapped so the token only reaches the API's own scheme, host and port.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithTimeout bounds every request; zero means the default of 30 s.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithClock sets the clock used to read Retry-After dates.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for the API at baseURL (DefaultBaseURL when empty)
// that authenticates with token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want an http or https URL such as %s", baseURL, DefaultBaseURL)
	}
	c := &Client{base: u, userAgent: "reel", timeout: 30 * time.Second, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	inner := c.http
	if inner == nil {
		inner = &http.Client{}
	}
	rt := inner.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// A copy, so the caller's client is untouched. Every request, redirects
	// included, passes through authTransport, which decides per URL.
	if c.pacer != nil {
		c.pacer.now = c.now
		rt = &pacedTransport{p: c.pacer, next: rt}
	}
	wrapped := *inner
	c.auth = &authTransport{base: u, next: rt}
	c.auth.token.Store(&token)
	wrapped.Transport = c.auth
	wrapped.CheckRedirect = sameOriginRedirects(inner.CheckRedirect)
	c.http = &wrapped
	return c, nil
}

// SetToken replaces the token for the requests that start from now on:
// the dashboard reads the key again when the user presses R after a
// rejected key.
func (c *Client) SetToken(token string) { c.auth.token.Store(&token) }

// BaseURL returns the API root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// authTransport adds the bearer token only to requests for the API's own
// scheme, host and port, and strips any Authorization header elsewhere.
type authTransport struct {
	base  *url.URL
	token atomic.Pointer[string]
	next  http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if SameOrigin(r.URL, t.base) {
		if tok := *t.token.Load(); tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
	} else {
		r.Header.Del("Authorization")
	}
	return t.next.RoundTrip(r)
}

// SameOrigin reports whether a and b share scheme, host and port.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// GetJob fetches a video generation job.
func (c *Client) GetJob(ctx context.Context, jobID string) (*Job, error) {
	var j Job
	if err := c.do(ctx, http.MethodGet, "/video-generation-jobs/"+url.PathEscape(jobID), nil, &j, "job", jobID); err != nil {
		return nil, err
	}
	return &j, nil
}

// GetVideo fetches a generated video.
func (c *Client) GetVideo(ctx context.Context, videoID string) (*Video, error) {
	var v Video
	if err := c.do(ctx, http.MethodGet, "/generated-videos/"+url.PathEscape(videoID), nil, &v, "video", videoID); err != nil {
		return nil, err
	}
	return &v, nil
}

// CreateJob posts a manual video generation job.
func (c *Client) CreateJob(ctx context.Context, req CreateJobRequest) (*Created, error) {
	var out Created
	if err := c.do(ctx, http.MethodPost, "/video-generation-jobs", req, &out, "job", ""); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateTemplateJob posts a job from a template.
func (c *Client) CreateTemplateJob(ctx context.Context, req TemplateJobRequest) (*Created, error) {
	var out Created
	if err := c.do(ctx, http.MethodPost, "/video-generation-jobs/template-jobs", req, &out, "template job", req.TemplateJobID); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteJob deletes a job, which stops its rendering.
func (c *Client) DeleteJob(ctx context.Context, jobID string) error {
	return c.do(ctx, http.MethodDelete, "/video-generation-jobs/"+url.PathEscape(jobID), nil, nil, "job", jobID)
}

// DeleteVideo deletes a generated video.
func (c *Client) DeleteVideo(ctx context.Context, videoID string) error {
	return c.do(ctx, http.MethodDelete, "/generated-videos/"+url.PathEscape(videoID), nil, nil, "video", videoID)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any, kind, id string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawPath = c.base.EscapedPath() + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	var held *RateLimitedError
	if errors.As(err, &held) {
		return held // the pacer holds every request through a 429's Retry-After
	}
	var moved *RedirectError
	if errors.As(err, &moved) {
		return &TransientError{Err: moved} // not believed; asked again later, in case it was a blip
	}
	if err != nil {
		if ctxErr := context.Cause(ctx); ctxErr != nil && !errors.Is(ctxErr, context.DeadlineExceeded) {
			return ctxErr // the caller gave up: not the server's fault
		}
		return &TransientError{Err: scrub(err)}
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		drain(resp.Body)
		return &KeyRejectedError{StatusCode: code}
	case code == http.StatusNotFound:
		return c.notFound(resp, path, kind, id)
	case code == http.StatusBadRequest:
		msg := readMessage(resp.Body)
		return &BadRequestError{ID: id, Message: msg}
	case code == http.StatusTooManyRequests:
		drain(resp.Body)
		return &RateLimitedError{RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())}
	case code >= 500:
		drain(resp.Body)
		return &TransientError{StatusCode: code, RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
			Err: errors.New(http.StatusText(code))}
	case code < 200 || code > 299:
		drain(resp.Body)
		return &StatusError{StatusCode: code}
	}
	if out == nil {
		drain(resp.Body)
		return nil
	}
	if resp.ContentLength > MaxAnswerBytes {
		return &TransientError{Err: fmt.Errorf("%s answer of %d bytes is over reel's limit of %d MiB for one API answer; not read", kind, resp.ContentLength, MaxAnswerBytes>>20)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	if err != nil {
		return &TransientError{StatusCode: resp.StatusCode, Err: fmt.Errorf("reading %s: %w", kind, scrub(err))}
	}
	if len(data) > MaxAnswerBytes {
		return &TransientError{Err: fmt.Errorf("%s answer is over reel's limit of %d MiB for one API answer; not read past it", kind, MaxAnswerBytes>>20)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &TransientError{StatusCode: resp.StatusCode, Err: fmt.Errorf("%s answer is not the JSON expected (%s): %w", kind, describe(resp, data), err)}
	}
	return nil
}

// scrub drops the URL from a *url.Error: its text is already known to the
// caller, and a URL never carries the token, but keeping messages short
// keeps them readable in a table cell.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func drain(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }

// readMessage pulls a short human message from an error body, if any.
func readMessage(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 4<<10))
	var m struct {
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(b, &m) == nil {
		if m.Message != "" {
			return m.Message
		}
		if s, ok := m.Error.(string); ok {
			return s
		}
	}
	return ""
}

func describe(resp *http.Response, data []byte) string {
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%s, %d bytes", ct, len(data))
}

// ParseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
// It returns zero for an absent, malformed or past value.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > 24*3600 {
			secs = 24 * 3600 // a server asking for more than a day is wrong
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}
