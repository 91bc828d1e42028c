package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Workspace names the workspace this client's token opens on its server,
// so that processes sharing a store can agree on which of them polls it. It
// is an HMAC-SHA256 of the API's address and the token keyed by salt (the
// store's own random salt): equal for equal keys on one store, and telling
// the store nothing about the token.
func (c *Client) Workspace(salt []byte) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(c.base.String()))
	m.Write([]byte{0})
	m.Write([]byte(*c.auth.token.Load()))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
