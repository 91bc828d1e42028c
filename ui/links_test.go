package ui

import (
	"strings"
	"testing"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/track"
)

// Right after a job finishes, its row may hold the video's name (asked for
// while it rendered) but not its links yet: o and y say so plainly.
func TestNoLinkReasonNameOnlyVideo(t *testing.T) {
	j := track.Job{Status: api.StatusFinished, Video: &api.Video{ID: "v", Name: "Intro"}}
	if got := noLinkReason(&j); !strings.Contains(got, "have not arrived") {
		t.Errorf("noLinkReason = %q, want the details not arrived yet", got)
	}
}
