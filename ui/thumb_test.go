package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/ansi/kitty"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/thumb"
	"github.com/reel-dev/reel/track"
)

// picHarness is a harness whose dashboard shows pictures, fetched from a
// test file host that counts its requests and fails the test when asked
// from outside a command.
type picHarness struct {
	*harness
	hits    atomic.Int32
	status  int // what the file host answers; 0 is 200
	setting string
}

func newPicHarness(t *testing.T, w, h int, env map[string]string, setting string, jobs ...track.Job) *picHarness {
	t.Helper()
	ph := &picHarness{setting: setting}
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	for y := range 36 {
		for x := range 64 {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 4), uint8(y * 7), 90, 255})
		}
	}
	var body bytes.Buffer
	_ = png.Encode(&body, img)
	hs := &harness{t: t, now: fixedNow, env: env}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ph.hits.Add(1)
		if !hs.eng.inCmd.Load() {
			t.Error("a thumbnail was fetched outside a command")
		}
		if ph.status != 0 {
			w.WriteHeader(ph.status)
			return
		}
		w.Write(body.Bytes())
	}))
	t.Cleanup(srv.Close)
	for i := range jobs {
		if v := jobs[i].Video; v != nil && v.ThumbnailURL != "" {
			v.ThumbnailURL = srv.URL + "/" + v.ID + ".png"
		}
	}
	hs.eng = newFakeEngine(t, jobs...)
	hs.eng.conn = fixtureConn()
	o := hs.options()
	o.Thumbs = &thumb.Fetcher{Client: srv.Client()}
	o.Thumbnails = setting
	hs.m = newModel(o)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	ph.harness = hs
	return ph
}

// settle lets the selection settle, delivers what the fetches brought,
// and lets a picture that arrived settle in its box (iTerm2, sixel).
func (ph *picHarness) settle() {
	ph.t.Helper()
	ph.deliver()
	ph.deliver()
}

func (ph *picHarness) deliver() {
	ph.fire(picSettle)
	for {
		var fetched []tea.Msg
		rest := ph.effects[:0]
		for _, e := range ph.effects {
			if _, ok := e.(picFetchedMsg); ok {
				fetched = append(fetched, e)
			} else {
				rest = append(rest, e)
			}
		}
		ph.effects = rest
		if len(fetched) == 0 {
			return
		}
		for _, m := range fetched {
			ph.send(m)
		}
	}
}

// raws are the raw sequences written since the last call, with the
// screen clears among them as "CLEAR".
func (ph *picHarness) raws() []string {
	var out []string
	rest := ph.effects[:0]
	for _, e := range ph.effects {
		switch e := e.(type) {
		case tea.RawMsg:
			out = append(out, fmt.Sprint(e.Msg))
		default:
			if fmt.Sprintf("%T", e) == "tea.clearScreenMsg" {
				out = append(out, "CLEAR")
				continue
			}
			rest = append(rest, e)
		}
	}
	ph.effects = rest
	return out
}

// finishedJobs are n finished jobs, each with its own video and thumbnail.
func finishedJobs(n int) []track.Job {
	jobs := make([]track.Job, n)
	for i := range jobs {
		id := fmt.Sprintf("job-%02d", i)
		vid := fmt.Sprintf("vid-%02d", i)
		jobs[i] = track.Job{ID: id, JobID: id, VideoID: vid, Status: api.StatusFinished, Progress: 100, MaximumProgress: 100,
			Added: fixedNow.Add(-time.Hour), Seq: int64(i + 1), Version: 1,
			Video: &api.Video{ID: vid, JobID: id, Name: "video " + id, ThumbnailURL: "set by newPicHarness", PublicURL: "https://cdn.example/" + vid + ".mp4"}}
	}
	return jobs
}

var xterm = map[string]string{"TERM": "xterm-256color"}

func TestPictureHalfBlocksBesideTheFacts(t *testing.T) {
	ph := newPicHarness(t, 160, 45, xterm, "auto", fixtures()...)
	if raws := ph.raws(); len(raws) != 1 {
		t.Fatalf("Init wrote %q, want the probe", raws)
	}
	ph.send(uv.PrimaryDeviceAttributesEvent{62, 22}) // no sixel, no kitty answer
	ph.key("enter", "j", "j", "j", "j", "j")         // job-finished
	if ph.hits.Load() != 0 {
		t.Fatal("fetched before the selection settled")
	}
	ph.fire(picSettle) // the fetch runs; its answer is not in yet
	if v := ansi.Strip(ph.view()); !strings.Contains(v, "loading picture…") {
		t.Errorf("nothing says the picture is on its way:\n%s", v)
	}
	ph.settle()
	if ph.hits.Load() != 1 {
		t.Fatalf("%d fetches, want 1", ph.hits.Load())
	}
	view := ansi.Strip(ph.view())
	rows := 0
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "▀▀▀▀▀▀▀▀▀▀") {
			rows++
			if !strings.Contains(l, "│") {
				t.Errorf("picture line outside the side pane: %q", l)
			}
		}
	}
	// The pane is 62 wide: a box of 24×12, a 64×36 picture fits 24×7.
	if rows != 7 {
		t.Errorf("%d lines of half blocks, want 7:\n%s", rows, view)
	}
	for _, want := range []string{"length", "thumbnail", "vid-finished"} {
		if !strings.Contains(view, want) {
			t.Errorf("the facts lost %q beside the picture:\n%s", want, view)
		}
	}
	if raws := ph.raws(); len(raws) != 0 {
		t.Errorf("half blocks wrote raw sequences: %q", raws)
	}
	// Another row: the picture goes with the selection.
	ph.key("j")
	if strings.Contains(ansi.Strip(ph.view()), "▀▀▀▀▀▀▀▀▀▀") {
		t.Error("the picture stayed when the selection moved to a failed job")
	}
}

func TestPictureKittySentOncePerSelectionAndSize(t *testing.T) {
	ph := newPicHarness(t, 160, 45, map[string]string{"TERM": "xterm-kitty"}, "auto", finishedJobs(10)...)
	if raws := ph.raws(); len(raws) != 1 || !strings.Contains(raws[0], "\x1b_Gi=31,") {
		t.Fatalf("Init wrote %q, want the probe", raws)
	}
	ph.send(uv.KittyGraphicsEvent{Options: kitty.Options{ID: thumb.ProbeID}, Payload: []byte("OK")})
	ph.send(uv.PrimaryDeviceAttributesEvent{62, 22})
	if ph.m.pics.dec.Mode != thumb.Kitty {
		t.Fatalf("mode %v after a kitty answer", ph.m.pics.dec.Mode)
	}
	ph.key("enter")
	ph.settle()
	transmits := func() (n int, bytes int) {
		for _, r := range ph.raws() {
			if strings.HasPrefix(r, "\x1b_G") && strings.Contains(r, "U=1") {
				n++
				bytes += len(r)
			}
		}
		return
	}
	n, size := transmits()
	if n != 1 {
		t.Fatalf("%d images sent for the first selection, want 1", n)
	}
	t.Logf("one picture: %d bytes", size)
	if v := ph.view(); strings.Count(v, string(kitty.Placeholder)) != 24*7 {
		t.Errorf("%d placeholders, want 24×7", strings.Count(v, string(kitty.Placeholder)))
	}
	for range 9 { // down over the other nine, each settling
		ph.key("j")
		ph.settle()
	}
	if n, _ := transmits(); n != 9 {
		t.Errorf("%d images sent over nine more rows, want 9", n)
	}
	for range 9 { // and back up: the terminal has them all
		ph.key("k")
		ph.settle()
	}
	if n, _ := transmits(); n != 0 {
		t.Errorf("%d images sent again on the way back, want 0", n)
	}
	if ph.hits.Load() != 10 {
		t.Errorf("%d fetches, want 10", ph.hits.Load())
	}
	// Held down: the rows passed over are never fetched or sent.
	ph.key("G")
	ph.settle()
	ph.raws()
	hits := ph.hits.Load()
	ph.key("k", "k", "k", "k", "k")
	ph.settle()
	if n, _ := transmits(); n != 0 || ph.hits.Load() != hits {
		t.Errorf("rows passed over cost %d images and %d fetches; want 0 (all were seen before)", n, ph.hits.Load()-hits)
	}
	// The pane moves, its box the same size: the terminal has the image,
	// and the placeholders draw it at the new place.
	before := ph.m.pics.want
	ph.send(tea.WindowSizeMsg{Width: 161, Height: 45})
	ph.settle()
	if after := ph.m.pics.want; after.col == before.col || after.boxW != before.boxW || after.boxH != before.boxH {
		t.Fatalf("placement %+v after %+v: want the pane moved, the box the same", after, before)
	}
	if n, _ := transmits(); n != 0 {
		t.Errorf("%d images sent when the pane moved, want 0", n)
	}
	if v := ph.view(); strings.Count(v, string(kitty.Placeholder)) != 24*7 {
		t.Errorf("%d placeholders after the move, want 24×7", strings.Count(v, string(kitty.Placeholder)))
	}
	// Another size: sent once more.
	ph.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	ph.settle()
	if n, _ := transmits(); n != 1 {
		t.Errorf("%d images sent after a resize, want 1", n)
	}
	// On exit every image reel sent is deleted, its data freed, and no
	// other ID is touched.
	bye := ph.m.pics.farewell()
	for id := 1; id <= 11; id++ {
		if !strings.Contains(bye, fmt.Sprintf("\x1b_Ga=d,d=I,i=%d,q=2\x1b\\", id)) {
			t.Errorf("image %d is not deleted on exit: %q", id, bye)
		}
	}
	if n := strings.Count(bye, "a=d"); n != 11 {
		t.Errorf("%d deletions on exit, want the 11 images sent", n)
	}
}

func TestPictureSixelLeavesWithTheSelection(t *testing.T) {
	jobs := append(finishedJobs(2), track.Job{ID: "job-q", Status: api.StatusInQueue, Seq: 3, Version: 1, Added: fixedNow})
	ph := newPicHarness(t, 120, 40, xterm, "sixel", jobs...)
	if raws := ph.raws(); len(raws) != 1 || !strings.Contains(raws[0], "\x1b[16t") {
		t.Errorf("Init wrote %q, want the probe, for the cell size", raws)
	}
	ph.send(uv.CellSizeEvent{Width: 8, Height: 16})
	ph.send(uv.PrimaryDeviceAttributesEvent{62, 22}) // forced: no sixel said, sixel all the same
	ph.key("enter")
	ph.settle()
	raws := ph.raws()
	// The pane below the table is 118×17: a box of 36×12, where a 64×36
	// picture takes 36×10 cells, 288×160 pixels of 8×16.
	if len(raws) != 1 || !strings.Contains(raws[0], "\x1bP0;1q\"1;1;288;160") || !strings.HasPrefix(raws[0], ansi.SaveCursor) {
		t.Fatalf("sent %.60q, want one 288×160 sixel image drawn at the pane", raws)
	}
	if cup := ph.blocksAt(); !strings.HasPrefix(raws[0], ansi.SaveCursor+cup) {
		t.Errorf("the sixel image goes to %.20q, the picture's box is at %q", raws[0], cup)
	}
	// The pane is below the table: its box's cells are blank.
	ph.key("j")
	if raws := ph.raws(); len(raws) != 1 || raws[0] != "CLEAR" {
		t.Errorf("moving on wrote %.60q, want the screen redrawn to take the image off", raws)
	}
	ph.settle()
	if raws := ph.raws(); len(raws) != 1 || !strings.Contains(raws[0], "\x1bP0;1q") {
		t.Errorf("the next video's picture: %.60q", raws)
	}
	ph.key("ctrl+l") // the redraw wipes it: sent again
	ph.settle()
	if raws := ph.raws(); len(raws) != 2 || raws[0] != "CLEAR" || !strings.Contains(raws[1], "\x1bP0;1q") {
		t.Errorf("after ctrl+l: %.60q, want the redraw, then the picture again", raws)
	}
	ph.key("j") // a queued job: no picture
	ph.settle()
	if raws := ph.raws(); len(raws) != 1 || raws[0] != "CLEAR" {
		t.Errorf("leaving for a job with no picture wrote %.60q, want one clear", raws)
	}
}

// blocksAt is where the selected picture would start in half blocks, as
// a cursor move: where an image drawn in its place must go.
func (ph *picHarness) blocksAt() string {
	mode := ph.m.pics.dec.Mode
	ph.m.pics.dec.Mode = thumb.HalfBlocks
	lines := strings.Split(ansi.Strip(ph.view()), "\n")
	ph.m.pics.dec.Mode = mode
	for i, l := range lines {
		if j := strings.Index(l, "▀"); j >= 0 {
			return ansi.CursorPosition(ansi.StringWidth(l[:j])+1, i+1)
		}
	}
	return "no half blocks"
}

func TestPictureITerm2BesideTheTable(t *testing.T) {
	ph := newPicHarness(t, 160, 45, map[string]string{"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "auto", finishedJobs(2)...)
	ph.raws()
	ph.send(uv.PrimaryDeviceAttributesEvent{62, 4})
	ph.key("enter")
	ph.settle()
	raws := ph.raws()
	if len(raws) != 1 || !strings.Contains(raws[0], "\x1b]1337;File=") {
		t.Fatalf("sent %.60q, want one iTerm2 image", raws)
	}
	if cup := ph.blocksAt(); !strings.HasPrefix(raws[0], ansi.SaveCursor+cup) {
		t.Errorf("the image goes to %.20q, the picture's box is at %q", raws[0], cup)
	}
}

func TestPictureThatCannotBeHadLeavesTheLinkAndAReason(t *testing.T) {
	ph := newPicHarness(t, 160, 45, xterm, "halfblocks", finishedJobs(1)...)
	ph.status = http.StatusGone
	ph.key("enter")
	ph.settle()
	view := ansi.Strip(ph.view())
	if !strings.Contains(view, "no picture: link refused") {
		t.Errorf("no reason in the pane:\n%s", view)
	}
	if !strings.Contains(view, "thumbnail") || !strings.Contains(view, "00.png") {
		t.Errorf("the link is gone:\n%s", view)
	}
	// Selected again within a minute: not asked again. After: once more.
	ph.status = 0
	ph.key("esc", "enter")
	ph.settle()
	if ph.hits.Load() != 1 {
		t.Errorf("%d fetches, want 1: a failure is not retried at once", ph.hits.Load())
	}
	ph.now = ph.now.Add(picRetry)
	ph.key("esc", "enter")
	ph.settle()
	if ph.hits.Load() != 2 || !strings.Contains(ansi.Strip(ph.view()), "▀▀▀▀▀▀▀▀▀▀") {
		t.Errorf("%d fetches, want 2 and the picture: a failure is retried after %v", ph.hits.Load(), picRetry)
	}
}

func TestNoPictureUnderNoColorOrOff(t *testing.T) {
	for name, c := range map[string]struct {
		env     map[string]string
		setting string
	}{
		"NO_COLOR": {map[string]string{"TERM": "xterm-kitty", "NO_COLOR": "1"}, "auto"},
		"off":      {xterm, "off"},
		"dumb":     {map[string]string{"TERM": "dumb"}, "halfblocks"},
	} {
		t.Run(name, func(t *testing.T) {
			ph := newPicHarness(t, 160, 45, c.env, c.setting, finishedJobs(2)...)
			ph.key("enter")
			ph.settle()
			if ph.hits.Load() != 0 || len(ph.raws()) != 0 {
				t.Errorf("%d fetches, raw writes made", ph.hits.Load())
			}
			if v := ansi.Strip(ph.view()); strings.Contains(v, "▀") || strings.Contains(v, "picture") {
				t.Errorf("a picture shown:\n%s", v)
			}
		})
	}
}

func TestPictureNotInASmallPane(t *testing.T) {
	ph := newPicHarness(t, 50, 12, xterm, "halfblocks", finishedJobs(1)...)
	ph.key("enter")
	ph.settle()
	if ph.hits.Load() != 0 || strings.Contains(ph.view(), "▀") {
		t.Error("a 50×12 terminal got a picture")
	}
}

func TestPicturesHeldAreBounded(t *testing.T) {
	ph := newPicHarness(t, 160, 45, xterm, "halfblocks", finishedJobs(30)...)
	ph.key("enter")
	ph.settle()
	for range 29 {
		ph.key("j")
		ph.settle()
	}
	if n := len(ph.m.pics.imgs); n != keptPictures {
		t.Errorf("%d pictures held after 30 rows, want %d", n, keptPictures)
	}
	_, ok := ph.m.pics.imgs["vid-29"]
	if !ok || !strings.Contains(ansi.Strip(ph.view()), "▀▀▀▀▀▀▀▀▀▀") {
		t.Error("the selected picture was let go")
	}
	ph.key("g") // the first row's picture was dropped: fetched again
	hits := ph.hits.Load()
	ph.settle()
	if ph.hits.Load() != hits+1 || !strings.Contains(ansi.Strip(ph.view()), "▀▀▀▀▀▀▀▀▀▀") {
		t.Error("a dropped picture did not come back")
	}
}

// The picture never costs a fact: beside it at 160x45 the IDs (UUIDs, 36
// long) stay whole below it, and in the short pane of 80x24 the box is
// capped so the IDs and links stay in sight, nothing hidden below.
func TestPictureKeepsIDsAndLinksInSight(t *testing.T) {
	for _, size := range [][2]int{{160, 45}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			jobs := finishedJobs(1)
			j := &jobs[0]
			j.ID, j.JobID, j.VideoID = "5f0c2a8e-1b7d-4c3a-9e6f-2d8b7a1c0e94", "5f0c2a8e-1b7d-4c3a-9e6f-2d8b7a1c0e94", "a3e91d07-6c2b-48f5-b1d4-7e0f9c2a5b63"
			j.Video.ID, j.Video.JobID = j.VideoID, j.JobID
			j.ShareURL = "https://share.colossyan.com/v/abc123"
			ph := newPicHarness(t, size[0], size[1], xterm, "halfblocks", jobs...)
			ph.key("enter")
			ph.settle()
			view := ansi.Strip(ph.view())
			if !strings.Contains(view, "▀▀▀▀▀▀▀▀▀▀") {
				t.Fatalf("no picture:\n%s", view)
			}
			for _, want := range []string{j.JobID, j.VideoID, "share     https://share", "video     https://cdn", "thumbnail http"} {
				if !strings.Contains(view, want) {
					t.Errorf("%q is not in sight beside the picture:\n%s", want, view)
				}
			}
			if strings.Contains(view, "more below") {
				t.Errorf("the picture pushed something out of sight:\n%s", view)
			}
		})
	}
}
