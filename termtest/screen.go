package termtest

import "strings"

// ContainsAll is a screen condition: s holds every one of subs.
func ContainsAll(subs ...string) func(s string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}
}

// LineWith is the line of screen holding sub, or "".
func LineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
