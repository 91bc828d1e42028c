package stats

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
)

// A job that ended and was deleted later keeps its render's bar, as it
// was before the deletion, and shows the deletion as an end of its own:
// its glyph, word and time, on a line of its own, not as more of the
// bar. The times say their date, since the deletion is days later.
func TestTimelineDeletedAfterItsEnd(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	days := func(d int, h int) time.Time { return t0.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	render := []Change{{q, at(0)}, {pre, at(2)}, {gen, at(4)}}
	for _, tt := range []struct {
		name    string
		changes []Change
		want    string
		w       int // 0: 40
	}{
		{"finished, then deleted", append(render[:3:3], Change{fin, at(10)}, Change{api.StatusDeleted, days(3, 3)}), `
░░░░░░░░▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓
░ in queue      Mar 1 09:00:00  2m 00s
▒ preprocessing Mar 1 09:02:00  2m 00s
▓ generating    Mar 1 09:04:00  6m 00s
✓ finished      Mar 1 09:10:00
⊘ deleted       Mar 4 12:00:00`, 0},
		{"failed, then deleted", append(render[:3:3], Change{bad, at(10)}, Change{api.StatusDeleted, days(1, 0)}), `
░░░░░░░░▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓
░ in queue      Mar 1 09:00:00  2m 00s
▒ preprocessing Mar 1 09:02:00  2m 00s
▓ generating    Mar 1 09:04:00  6m 00s
✗ failed        Mar 1 09:10:00
⊘ deleted       Mar 2 09:00:00`, 0},
		// Deleted while rendering: the render ran until the deletion.
		{"deleted while generating", append(render[:3:3], Change{api.StatusDeleted, at(10)}), `
░░░░░░░░▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓
░ in queue      09:00:00  2m 00s
▒ preprocessing 09:02:00  2m 00s
▓ generating    09:04:00  6m 00s
⊘ deleted       09:10:00`, 0},
		// Seen only at its ends: no bar, only the moments.
		{"seen finished, then deleted", []Change{{fin, at(0)}, {api.StatusDeleted, at(30)}}, `
✓ finished      09:00:00
⊘ deleted       09:30:00`, 0},
		// Across New Year, a date in the year before says its year.
		{"deleted next year", []Change{{q, at(0)}, {gen, at(2)}, {fin, at(10)}, {api.StatusDeleted, t0.AddDate(1, 0, 0)}}, `
░░░░░░░░░▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓
░ in queue      Mar 1 2026 09:00:00  2m 00s
▓ generating    Mar 1 2026 09:02:00  8m 00s
✓ finished      Mar 1 2026 09:10:00
⊘ deleted       Mar 1 09:00:00`, 48},
	} {
		t.Run(tt.name, func(t *testing.T) {
			last := tt.changes[len(tt.changes)-1].At
			now := last.Add(time.Hour)
			spans := Timeline(tt.changes, now)
			w := cmp.Or(tt.w, 40)
			got := strings.Join(TimelineLines(spans, w, nil, time.UTC, now), "\n")
			if want := strings.TrimPrefix(tt.want, "\n"); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			// Colour adds no word: the glyphs and words say it all.
			painted := TimelineLines(spans, w, func(r Role, s string) string {
				return fmt.Sprintf("\x1b[3%dm%s\x1b[0m", int(r)%8, s)
			}, time.UTC, now)
			if p := stripSGR(strings.Join(painted, "\n")); p != got {
				t.Errorf("painted differs from plain:\n%s", p)
			}
		})
	}
}
