package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/jobview"
)

// The charts say a job's state as every surface does: jobview's glyph and
// word for each status, painted in its category's colour, in the counts,
// the slowest jobs and the timeline alike.
func TestChartsSpeakJobview(t *testing.T) {
	// A Paint that names the category it was asked for.
	tag := func(r Role, s string) string {
		if c, ok := r.Category(); ok {
			return fmt.Sprintf("<%s>%s</>", c.Word(), s)
		}
		return s
	}
	s := Summary{Jobs: 5, To: t0, From: t0.Add(-time.Hour),
		Counts: map[string]int{"finished": 1, "deleted": 1, "preprocessing_finished": 1, "in_queue": 1, "rendering": 1},
		Slowest: []Slow{
			{ID: "job-del", Status: "deleted", Total: 90},
			{ID: "job-fin", Status: "finished", Total: 60},
		},
	}
	out := strings.Join(Render(s, Options{Width: 200, Paint: tag, Location: time.UTC}), "\n")
	for _, want := range []string{
		"<finished>✓ 1 finished</>", "<deleted>⊘ 1 deleted</>", "<preprocessing>◐ 1 preprocessed</>",
		"<in queue>◌ 1 in queue</>", "<other>◇ 1 rendering</>",
		"<deleted>⊘ deleted </> job-del", "<finished>✓ finished</> job-fin",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the charts lack %q:\n%s", want, out)
		}
	}
	for _, st := range []api.Status{api.StatusDeleted, api.StatusFinished, api.StatusInQueue} {
		c := jobview.ForStatus(st)
		if !strings.Contains(out, c.Glyph()) {
			t.Errorf("no %s glyph %s", c.Word(), c.Glyph())
		}
	}
	for _, bad := range []string{"done", "preprocessing finished", "in_queue"} {
		if strings.Contains(out, bad) {
			t.Errorf("the charts say %q, a word of their own:\n%s", bad, out)
		}
	}

	tl := strings.Join(TimelineLines(Timeline([]Change{
		{Status: api.StatusInQueue, At: t0}, {Status: api.StatusGenerating, At: t0.Add(time.Minute)},
		{Status: api.StatusDeleted, At: t0.Add(3 * time.Minute)},
	}, t0.Add(time.Hour)), 40, tag, time.UTC, t0.Add(time.Hour)), "\n")
	for _, want := range []string{"in queue ", "<deleted>⊘</> deleted", "<generating>▓</> generating"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, tl)
		}
	}
}
