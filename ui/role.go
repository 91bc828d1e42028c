package ui

import "github.com/reel-dev/reel/termsafe"

// roleText is the header's word on this dashboard's part in its workspace
// (track.Conn.Role): "polling", or "watching host:pid" while another
// process polls; nothing when no store is shared. A remote viewer's
// session adds its own words (sessionBadge).
func (m *model) roleText(after string) string {
	words := termsafe.Clean(m.conn.Role)
	if b := m.sessionBadge(); b != "" {
		if words != "" {
			words += " · "
		}
		words += b
	}
	if words == "" {
		return ""
	}
	sep := ""
	if after != "" {
		sep = " · "
	}
	return m.paint.faint.on(sep + words)
}
