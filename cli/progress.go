package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/reel-dev/reel/human"
	"github.com/reel-dev/reel/jobview"
)

// progressLine is the one line that long one-shot work keeps redrawn on a
// terminal's standard error: a bar, the count done of the total, and an
// estimate of the time left. A nil *progressLine does nothing, so callers
// need not ask whether there is a terminal.
type progressLine struct {
	w     io.Writer
	label string
	total int
	now   func() time.Time
	start time.Time

	// sameTerminal: standard output is the same screen, so the line is
	// wiped before each row is written there, and drawn again after.
	sameTerminal bool

	mu       sync.Mutex
	count    int
	shown    bool
	finished bool // done was called: a late tick draws nothing
	drawn    time.Time
}

func newProgressLine(w io.Writer, label string, total int, now func() time.Time) *progressLine {
	return &progressLine{w: w, label: label, total: total, now: now, start: now()}
}

// tick redraws the line every second, so the estimate moves while one slow
// answer holds the rest; the returned func stops it.
func (p *progressLine) tick(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				p.mu.Lock()
				p.drawLocked()
				p.mu.Unlock()
			}
		}
	}()
	return func() { cancel(); <-done }
}

// above writes a row with write (nil: none) and counts one more done. The
// line is wiped first when the row goes to the same screen, and the tick
// waits: a redraw never lands between the wipe and the row.
func (p *progressLine) above(write func()) {
	if p == nil {
		if write != nil {
			write()
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if write != nil {
		if p.sameTerminal {
			p.wipeLocked()
		}
		write()
	}
	p.stepLocked()
}

// stepLocked counts one more done and redraws: at once when the line was
// wiped, else at most ten times a second.
func (p *progressLine) stepLocked() {
	p.count++
	if p.shown && p.now().Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawLocked()
}

// done wipes the line for good.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wipeLocked()
	p.finished = true
}

func (p *progressLine) wipeLocked() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func (p *progressLine) drawLocked() {
	if p.finished {
		return
	}
	p.drawn = p.now()
	io.WriteString(p.w, "\r\x1b[K"+p.text())
	p.shown = true
}

// text is the line itself, e.g.
// "reading  [██████··············]  1234/5000  24%  about 6m 10s left".
func (p *progressLine) text() string {
	const width = 20
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(p.count)/float64(p.total), 1)
	}
	done := p.total > 0 && p.count >= p.total
	fill := jobview.Cells(frac, done, width) // the bar and the percent by one rule
	s := fmt.Sprintf("%s  [%s%s]  %d/%d  %s", p.label, strings.Repeat("█", fill), strings.Repeat("·", width-fill),
		p.count, p.total, jobview.FormatPercent(frac, done))
	if left, ok := p.left(); ok {
		s += "  about " + human.Duration(left) + " left"
	}
	return s
}

// left estimates the time to go from the pace so far, once there is a pace
// to speak of.
func (p *progressLine) left() (time.Duration, bool) {
	elapsed := p.now().Sub(p.start)
	if p.count == 0 || elapsed < time.Second || p.count >= p.total {
		return 0, false
	}
	per := elapsed / time.Duration(p.count)
	return per * time.Duration(p.total-p.count), true
}
