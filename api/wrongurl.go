package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// WrongURLError: a request was answered 404 with a body that is not the
// API's JSON (an HTML page, "404 page not found"): the base URL points at
// some web server, but not at the API, typically for want of /api/v1. Every
// job would read as "not found", so nothing is worth asking until the URL is
// fixed.
type WrongURLError struct {
	BaseURL string // the base URL in use; it never carries the key
	Path    string // the path asked for
	Got     string // what answered: content type and size
}

func (e *WrongURLError) Error() string {
	hint := ""
	if !strings.Contains(e.BaseURL, "/api/v1") {
		hint = " (it usually ends in /api/v1)"
	}
	return fmt.Sprintf("the API base URL %s looks wrong%s: %s answered 404 with %s, not the API's JSON; "+
		"set --base-url, COLOSSYAN_BASE_URL or base_url in the config file", e.BaseURL, hint, e.Path, e.Got)
}

// IsWrongURL reports whether err is, or wraps, a *WrongURLError.
func IsWrongURL(err error) bool {
	var e *WrongURLError
	return errors.As(err, &e)
}

// notFound reads a 404's body and tells the API's own "no such object"
// (JSON, or no body at all) from a web server's page for a path it does not
// serve.
func (c *Client) notFound(resp *http.Response, path, kind, id string) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	drain(resp.Body)
	// JSON, even cut short by a bad connection, is the API's own answer.
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] == '{' || trimmed[0] == '[' ||
		strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return &NotFoundError{Kind: kind, ID: id}
	}
	return &WrongURLError{BaseURL: c.base.String(), Path: path, Got: describe(resp, data)}
}
