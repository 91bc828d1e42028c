package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// At any width the header's counts are whole: a pair ("◌ 3", or "◌ 3 in
// queue" with words) is shown whole or dropped, with " …" for the dropped
// ones, never cut in the middle ("3 queued 2 ru" at 50 columns).
func TestHeaderDropsWholeCounts(t *testing.T) {
	all := fixtures()
	for _, n := range []int{2, 3, 4, 6, len(all)} {
		for w := 24; w <= 160; w++ {
			hs := newHarness(t, w, 12, all[:n]...)
			line := ansi.Strip(strings.Split(hs.view(), "\n")[0])
			left, _, ok := strings.Cut(line, "last poll")
			if !ok {
				continue // too narrow for the counts at all
			}
			rest, ok := strings.CutPrefix(strings.TrimRight(left, " "), " reel")
			if !ok {
				continue // too narrow even for the name: no counts to cut
			}
			if bad := wholePairs(hs.m, rest); bad != "" {
				t.Errorf("%d jobs at %d columns: header %q cuts a count: %q", n, w, line, bad)
			}
		}
	}
}

// wholePairs eats the counts off s one whole pair at a time, as the header
// draws them, and returns what is left that is not one ("" when all are).
func wholePairs(m *model, s string) string {
	s = strings.TrimSuffix(s, " …")
	for s != "" {
		ate := false
		for _, c := range headerOrder {
			n := m.countOf(c)
			if n == 0 {
				continue
			}
			p := catInfo[c].glyph + " " + strconv.Itoa(n)
			for _, cand := range []string{"  " + p + " " + catInfo[c].word, " " + p} {
				if strings.HasPrefix(s, cand) {
					s, ate = s[len(cand):], true
					break
				}
			}
			if ate {
				break
			}
		}
		if !ate {
			return s
		}
	}
	return ""
}
