package ui

import (
	"context"
	"image"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/thumb"
)

// The selected video's picture in the detail pane. The terminal is probed
// once at start (kitty query, then DA1), the mode decided from its answers
// and environment (thumb.Decide), and then, per selection and pane size:
// the picture is fetched in a command, kept in memory, and drawn as text
// (half blocks, kitty placeholders) or sent once as an image (kitty
// transmit, or iTerm2/sixel drawn at the pane's place after the frame).

// picSettle is how long a selection must stay before its picture is
// fetched and sent: holding j down sends nothing for the rows passed.
const picSettle = 120 * time.Millisecond

// picMinW and picMinH: a pane smaller than this shows no picture.
const picMinW, picMinH = 56, 6

// picKey is one placement: a video's picture in a box of the screen.
type picKey struct {
	video      string
	boxW, boxH int // the most cells it may take
	row, col   int // the box's top left on screen
}

// kittyKey is a kitty image the terminal holds: a video's picture in a
// size of cells.
type kittyKey struct {
	video      string
	cols, rows int
}

// picture is a video's thumbnail as fetched: the image, or why not.
type picture struct {
	img     image.Image
	reason  string
	loading bool
	at      time.Time // when it came, for trying a failed one again
}

// picRetry is how long a picture that could not be had is left before a
// selection tries again: the host may have been down, the link renewed.
const picRetry = time.Minute

// pictures is the dashboard's picture state.
type pictures struct {
	fetch   *thumb.Fetcher
	setting string
	term    thumb.Terminal
	dec     thumb.Decision
	cell    image.Point // a cell's pixels, when the terminal said

	imgs map[string]*picture // by video ID
	used []string            // imgs' keys, the least recently used first

	want picKey // the placement the screen should have (zero: none)
	// sent are the kitty images the terminal holds, by video and size in
	// cells, with their IDs: placeholders draw one wherever the pane is,
	// so a pane that moves costs nothing. shown is the iTerm2 or sixel
	// picture on screen now.
	sent   map[kittyKey]int
	nextID int
	maxID  int // the kitty IDs reel has used are 1..maxID
	shown  picKey
	// blocks caches the text of the last picture drawn as text.
	blocksKey  [3]any
	blockLines []string
}

// keptPictures bounds the pictures held in memory (each at most
// keptPixels): the rest are a fetch away, most from the disk cache.
const keptPictures = 24

// keptPixels is the largest picture kept: more than any pane shows.
const keptPixels = 480 * 270

// Messages of the pictures.
type (
	picSettledMsg picKey
	picFetchedMsg struct {
		video  string
		img    image.Image
		reason string
	}
)

// envKeys are the variables thumb.Decide reads.
var envKeys = []string{"TERM", "TERM_PROGRAM", "LC_TERMINAL", "TMUX", "STY", "NO_COLOR",
	"KITTY_WINDOW_ID", "WEZTERM_EXECUTABLE", "KONSOLE_VERSION"}

func newPictures(o Options) *pictures {
	if o.Thumbs == nil {
		return nil
	}
	env := map[string]string{}
	for _, k := range envKeys {
		if v := o.Env(k); v != "" {
			env[k] = v
		}
	}
	if o.NoColor {
		env["NO_COLOR"] = "1"
	}
	p := &pictures{fetch: o.Thumbs, setting: o.Thumbnails, imgs: map[string]*picture{}, sent: map[kittyKey]int{},
		term: thumb.Terminal{Env: env, Passthrough: o.TmuxPassthrough}}
	if p.setting == "" {
		p.setting = "auto"
	}
	p.dec = thumb.Decide(p.setting, p.term)
	return p
}

// probe asks the terminal what it can draw and how big its cells are
// (for sixel, forced or not), unless it shows no pictures or would print
// the query (GNU screen, the Linux console).
func (p *pictures) probe() tea.Cmd {
	if p == nil || p.dec.Mode == thumb.None || p.term.InScreen() || p.term.Env["TERM"] == "linux" {
		return nil
	}
	return tea.Raw(thumb.Probe(p.term.InTmux()))
}

// updatePictures takes the probe's answers and the pictures' own messages,
// and after any other message sees whether the selection wants a picture.
func (m *model) updatePictures(msg tea.Msg) tea.Cmd {
	p := m.pics
	if p == nil {
		return nil
	}
	switch msg := msg.(type) {
	case uv.KittyGraphicsEvent:
		if thumb.KittyAnswerOK(msg.Options.ID, msg.Payload) {
			p.term.KittyOK = true
		}
		return nil
	case uv.CellSizeEvent:
		p.cell = image.Pt(msg.Width, msg.Height)
		return nil
	case uv.PrimaryDeviceAttributesEvent:
		p.term.Answered, p.term.DA1 = true, msg
		old := p.dec.Mode
		p.dec = thumb.Decide(p.setting, p.term)
		m.log.Debug("thumbnails", "mode", p.dec.Mode.String(), "why", p.dec.Why)
		if p.dec.Mode != old {
			clear(p.sent)
			p.want, p.blockLines = picKey{}, nil
			return tea.Batch(p.leave(), m.placePicture())
		}
		return nil
	case picSettledMsg:
		if picKey(msg) != p.want {
			return nil // the selection moved on
		}
		return m.showPicture()
	case picFetchedMsg:
		p.keep(msg.video, &picture{img: msg.img, reason: msg.reason, at: m.now()})
		switch {
		case msg.video != p.want.video:
			return nil
		case p.dec.Mode == thumb.ITerm2 || p.dec.Mode == thumb.Sixel:
			// Its box appears in the next frame; drawn sooner, the
			// frame's blank cells would wipe the image.
			want := p.want
			return m.after(picSettle, func(time.Time) tea.Msg { return picSettledMsg(want) })
		}
		return m.showPicture()
	case tea.KeyPressMsg, tea.WindowSizeMsg:
		if k, ok := msg.(tea.KeyPressMsg); (!ok || k.String() == "ctrl+l") && p.shown != (picKey{}) {
			// A redraw or a resize repaints the whole screen and wipes
			// an iTerm2 or sixel image: place it anew. (Kitty's stay
			// with the terminal, and its placeholders are text.)
			p.shown, p.want = picKey{}, picKey{}
		}
	}
	return m.placePicture()
}

// placePicture notes where the selection's picture belongs; when that
// changes, the old one leaves the screen and the new one is asked for
// once the selection has settled.
func (m *model) placePicture() tea.Cmd {
	p := m.pics
	want := m.wantedPicture()
	if want == p.want {
		return nil
	}
	p.want = want
	var cmds []tea.Cmd
	if p.shown != (picKey{}) && p.shown != want {
		cmds = append(cmds, p.leave())
	}
	if want != (picKey{}) {
		cmds = append(cmds, m.after(picSettle, func(time.Time) tea.Msg { return picSettledMsg(want) }))
	}
	return tea.Batch(cmds...)
}

// leave takes an iTerm2 or sixel picture off the screen: they are not
// cells the renderer knows of, so only a full redraw clears them. Kitty
// placeholders and half blocks are text and leave with it.
func (p *pictures) leave() tea.Cmd {
	if p.shown == (picKey{}) {
		return nil
	}
	p.shown = picKey{}
	return tea.ClearScreen
}

// wantedPicture is the placement the selected job's picture should have
// now, or zero.
func (m *model) wantedPicture() picKey {
	p := m.pics
	if p.dec.Mode == thumb.None || !m.detail || m.mode == modeHelp {
		return picKey{}
	}
	e, ok := m.selected()
	if !ok || !finished(&e.job) || e.job.Video == nil || e.job.Video.ThumbnailURL == "" || e.job.VideoID == "" {
		return picKey{}
	}
	f := m.frame()
	w, h := m.detailSize(f)
	boxW, boxH, ok := m.pictureBox(e, w, h)
	if !ok || (m.detailFor == e.job.ID && m.detailOff > 0) {
		return picKey{}
	}
	// The pane's top left on screen, then the box's within it: right
	// of the facts, below the title line.
	row, col := f.rowsTop+f.rowsH+1, 1
	if f.detailW > 0 {
		row, col = f.rowsTop-1, f.tableW+2
	}
	return picKey{video: e.job.VideoID, boxW: boxW, boxH: boxH, row: row + 1, col: col + w - boxW}
}

// pictureBox is the most room a picture takes in a pane of w×h showing
// e. The facts come first: in a short pane the box is only as tall as
// leaves the IDs and links below it in sight, and when even the smallest
// box would push out what fits without a picture, there is none.
func (m *model) pictureBox(e *entry, w, h int) (boxW, boxH int, ok bool) {
	if w < picMinW || h < picMinH {
		return 0, 0, false
	}
	boxW = min(36, w*2/5)
	if narrower := w - 2 - pairsMinW; narrower < boxW && narrower >= picMinBoxW {
		boxW = narrower // the facts beside it still pack two to a line
	}
	facts := m.describe(e, w-boxW-2)
	beside := firstBelow(facts) - 1 // the title has its own line
	full := m.describe(e, w)
	below := len(full) - firstBelow(full)
	boxH = min(12, h-2, h-1-below)
	if boxH < picMinBoxH || (1+max(beside, boxH)+below > h && len(full) <= h) {
		return 0, 0, false
	}
	return boxW, boxH, true
}

// picMinBoxW and picMinBoxH: a smaller box shows too little to be worth
// the room.
const picMinBoxW, picMinBoxH = 24, 3

// showPicture fetches the wanted picture, or sends it when the mode needs
// an image sent rather than text drawn.
func (m *model) showPicture() tea.Cmd {
	p := m.pics
	key := p.want
	pic := p.imgs[key.video]
	if pic != nil && pic.img == nil && !pic.loading && m.now().Sub(pic.at) >= picRetry {
		pic = nil // failed a while ago: once more
	}
	if pic == nil {
		e, ok := m.selected()
		if !ok || e.job.Video == nil || e.job.VideoID != key.video {
			return nil
		}
		p.keep(key.video, &picture{loading: true})
		return fetchPicture(m.ctx, p.fetch, key.video, e.job.Video.ThumbnailURL)
	}
	if pic.img == nil {
		return nil
	}
	p.keep(key.video, pic) // used: the last to go
	cols, rows := pictureSize(pic.img, key)
	switch p.dec.Mode {
	case thumb.Kitty:
		sk := kittyKey{key.video, cols, rows}
		if _, ok := p.sent[sk]; ok {
			return nil
		}
		p.nextID = p.nextID%254 + 1 // 1..255: the ID is a 256-colour index
		p.maxID = max(p.maxID, p.nextID)
		for k, id := range p.sent {
			if id == p.nextID {
				delete(p.sent, k) // reused: the terminal replaces it
			}
		}
		p.sent[sk] = p.nextID
		id, tmux := p.nextID, p.dec.Tmux
		return send(func() string { return thumb.KittyTransmit(pic.img, id, cols, rows, tmux) })
	case thumb.ITerm2, thumb.Sixel:
		if p.shown == key {
			return nil
		}
		p.shown = key
		mode, cell, tmux := p.dec.Mode, p.cell, p.dec.Tmux
		return send(func() string {
			if mode == thumb.ITerm2 {
				return thumb.At(key.row, key.col+key.boxW-cols, thumb.ITerm2Image(pic.img, cols, rows, tmux))
			}
			return thumb.At(key.row, key.col+key.boxW-cols, thumb.SixelImage(pic.img, cols, rows, cell, tmux))
		})
	}
	return nil
}

// farewell is what to write to the terminal once the program has ended:
// the deletion of every kitty image reel sent, which the terminal would
// otherwise hold until it closes.
func (p *pictures) farewell() string {
	if p == nil || p.maxID == 0 {
		return ""
	}
	ids := make([]int, p.maxID)
	for i := range ids {
		ids[i] = i + 1
	}
	return thumb.KittyDelete(ids, p.dec.Tmux)
}

// send encodes an image in a command, off the event loop, and has the
// program write it.
func send(encode func() string) tea.Cmd {
	return func() tea.Msg { return tea.RawMsg{Msg: encode()} }
}

// keep holds a video's picture as the most recently used, dropping the
// least recently used beyond keptPictures (never the one on screen).
func (p *pictures) keep(video string, pic *picture) {
	p.imgs[video] = pic
	if i := slices.Index(p.used, video); i >= 0 {
		p.used = slices.Delete(p.used, i, i+1)
	}
	p.used = append(p.used, video)
	for len(p.used) > keptPictures {
		old := p.used[0]
		p.used = p.used[1:]
		if old == p.want.video {
			p.used = append(p.used, old)
			continue
		}
		delete(p.imgs, old)
	}
}

// fetchPicture gets a thumbnail in a command: the network never blocks
// Update.
func fetchPicture(ctx context.Context, f *thumb.Fetcher, video, url string) tea.Cmd {
	return func() tea.Msg {
		img, err := f.Get(ctx, video, url)
		if err != nil {
			return picFetchedMsg{video: video, reason: termsafe.Clean(err.Error())}
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > keptPixels {
			// Kept small: no pane shows more, and the image is
			// encoded again for each placement.
			w, h := b.Dx(), b.Dy()
			for w*h > keptPixels {
				w, h = w*3/4, h*3/4
			}
			img = thumb.Scale(img, max(w, 1), max(h, 1))
		}
		return picFetchedMsg{video: video, img: img}
	}
}

// pictureSize is the cells a picture takes in its box.
func pictureSize(img image.Image, key picKey) (cols, rows int) {
	b := img.Bounds()
	return thumb.Fit(b.Dx(), b.Dy(), key.boxW, key.boxH)
}

// pictureLines is the picture column of the pane for the wanted
// placement: text to stand right of the facts, or nil when there is none.
func (m *model) pictureLines(e *entry) []string {
	p := m.pics
	if p == nil || p.want == (picKey{}) || e.job.VideoID != p.want.video {
		return nil
	}
	key := p.want
	pic := p.imgs[key.video]
	switch {
	case pic == nil || pic.loading:
		return []string{m.st.faint.Render(fit("loading picture…", key.boxW))}
	case pic.img == nil:
		return m.boxText("no picture: "+pic.reason, key.boxW)
	}
	cols, rows := pictureSize(pic.img, key)
	pad := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = fit("", key.boxW-cols) + l
		}
		return out
	}
	switch p.dec.Mode {
	case thumb.HalfBlocks:
		k := [3]any{key.video, cols, rows}
		if p.blocksKey != k || p.blockLines == nil {
			p.blocksKey, p.blockLines = k, thumb.Blocks(pic.img, cols, rows)
		}
		return pad(p.blockLines)
	case thumb.Kitty:
		id, ok := p.sent[kittyKey{key.video, cols, rows}]
		if !ok {
			return nil
		}
		return pad(thumb.KittyPlaceholders(id, cols, rows))
	default: // iTerm2, sixel: blank cells the image is drawn over
		blank := make([]string, rows)
		for i := range blank {
			blank[i] = fit("", key.boxW)
		}
		return blank
	}
}

func (m *model) boxText(s string, w int) []string {
	lines := wrap(s, w)
	for i, l := range lines {
		lines[i] = m.st.faint.Render(fit(l, w))
	}
	return lines
}

// besidePicture sets the picture column right of the facts: the title
// keeps its line, the short facts are described narrower beside the
// picture, and the IDs and links follow below at the pane's full width,
// so that an ID is never cut and a URL reads in as few pieces as before.
func (m *model) besidePicture(e *entry, w int) []string {
	pic := m.pictureLines(e)
	if pic == nil {
		return m.describe(e, w)
	}
	fw := w - m.pics.want.boxW - 2
	facts := m.describe(e, fw)
	facts = facts[:firstBelow(facts)]
	full := m.describe(e, w)
	out := []string{full[0]}
	for i := 1; i < max(len(facts), len(pic)+1); i++ {
		left, right := "", ""
		if i < len(facts) {
			left = facts[i]
		}
		if i-1 < len(pic) {
			right = "  " + pic[i-1]
		}
		out = append(out, fit(left, fw)+right)
	}
	return append(out, full[firstBelow(full):]...)
}

// belowLabels are the labels of the lines that go below the picture at
// the pane's full width: the IDs, long, and then the links, which
// describe lists last.
var belowLabels = []string{fit("ID", labelW), fit("job ID", labelW), fit("video ID", labelW),
	fit("share", labelW), fit("video", labelW), fit("thumbnail", labelW)}

// firstBelow is the index of the first line of a description that goes
// below the picture, or its length when it has none.
func firstBelow(lines []string) int {
	for i, l := range lines[1:] { // the title, whatever it says, is first
		plain := ansi.Strip(l)
		for _, lb := range belowLabels {
			if strings.HasPrefix(plain, lb) {
				return i + 1
			}
		}
	}
	return len(lines)
}
