package config

import "strings"

// The TOML decoder keeps the positions of keys to itself, so the line of a
// key is found by reading the file again. reel's keys are all top-level,
// which keeps this simple.

// keyLine returns the line (1-based) that sets the top-level key, or the
// table header that opens it; 0 when not found.
func keyLine(lines []string, key string) int {
	inTable, inMulti := false, ""
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if inMulti != "" {
			if strings.Count(t, inMulti)%2 == 1 {
				inMulti = ""
			}
			continue
		}
		if strings.HasPrefix(t, "[") {
			inTable = true
			if tableName(t) == key {
				return i + 1
			}
			continue
		}
		if !inTable && lineKey(t) == key {
			return i + 1
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(t, q)%2 == 1 {
				inMulti = q
			}
		}
	}
	return 0
}

// lineKey returns the first part of the key a "key = value" line sets.
func lineKey(line string) string {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == '[' {
		return ""
	}
	return firstPart(t, "=")
}

// tableName returns the first part of a [table] or [[array]] header's name.
func tableName(t string) string {
	t = strings.TrimLeft(t, "[")
	return firstPart(t, "]")
}

// firstPart returns the first dotted part of the key at the start of t,
// which ends at end; quotes are removed.
func firstPart(t, end string) string {
	if t != "" && (t[0] == '"' || t[0] == '\'') {
		if j := strings.IndexByte(t[1:], t[0]); j >= 0 {
			return t[1 : j+1]
		}
		return ""
	}
	i := strings.IndexAny(t, end+".")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(t[:i])
}
