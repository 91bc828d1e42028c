package ui

import "github.com/reel-dev/reel/termsafe"

// roleText is the header's word on this dashboard's part in its workspace
// (track.Conn.Role): "polling", or "watching host:pid" while another
// process polls; nothing when no store is shared.
func (m *model) roleText(after string) string {
	if m.conn.Role == "" {
		return ""
	}
	sep := ""
	if after != "" {
		sep = " · "
	}
	return m.paint.faint.on(sep + termsafe.Clean(m.conn.Role))
}
