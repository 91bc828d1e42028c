// Package thumb shows a video's thumbnail in a terminal: it decides how the
// terminal can draw a picture (kitty graphics, iTerm2 inline images, sixel,
// half-block cells or not at all), fetches the picture with care (a
// token-free client, byte, pixel and time caps, a bounded cache) and encodes
// it for the chosen protocol. It knows nothing of the dashboard.
package thumb

import (
	"fmt"
	"slices"
	"strings"
)

// Mode is how a picture reaches the terminal.
type Mode int

const (
	// None: no picture; the detail pane keeps the link alone.
	None Mode = iota
	// HalfBlocks draws with '▀' cells, the top pixel in the foreground
	// colour and the bottom one in the background: any colour terminal.
	HalfBlocks
	// Kitty sends the image once with the kitty graphics protocol and
	// draws it with Unicode placeholders, which move with the text and
	// survive redraws.
	Kitty
	// ITerm2 is the iTerm2 inline image protocol (iTerm2, WezTerm, ...).
	ITerm2
	// Sixel is DEC sixel graphics.
	Sixel
)

var modeNames = [...]string{"off", "halfblocks", "kitty", "iterm2", "sixel"}

func (m Mode) String() string { return modeNames[m] }

// Settings are the values the thumbnails config key takes: auto, off or a
// forced mode.
var Settings = []string{"auto", "off", "halfblocks", "kitty", "iterm2", "sixel"}

// CheckSetting says what is wrong with a thumbnails setting, or "".
func CheckSetting(v string) string {
	if slices.Contains(Settings, v) {
		return ""
	}
	return fmt.Sprintf("%q is not one of %s", v, strings.Join(Settings, ", "))
}

// Terminal is what is known of one terminal: its environment and its
// answers to the probe. It is a value so that a session's own terminal (an
// SSH client's, under reel serve) can be described as well as the process's.
type Terminal struct {
	// Env is the terminal's environment (TERM, TERM_PROGRAM, TMUX, ...).
	Env map[string]string
	// Answered: the terminal answered the primary device attributes
	// request (DA1), which the probe sends last, so any answer to the
	// kitty query has come by then.
	Answered bool
	// DA1 is the answer's attributes; 4 means sixel graphics.
	DA1 []int
	// KittyOK: the kitty graphics query was answered OK (through tmux's
	// passthrough when in tmux, which proves passthrough is allowed).
	KittyOK bool
	// Passthrough: inside tmux, escape sequences may pass through to the
	// outer terminal (allow-passthrough is on). The kitty answer also
	// proves it.
	Passthrough bool
}

// Decision is the chosen mode and how to send it.
type Decision struct {
	Mode Mode
	// Tmux: wrap what is sent in tmux's passthrough sequence.
	Tmux bool
	// Why says in a few words how the mode was chosen, for the debug log.
	Why string
}

// InTmux reports whether the terminal is a tmux pane.
func (t Terminal) InTmux() bool {
	return t.Env["TMUX"] != "" || strings.HasPrefix(t.Env["TERM"], "tmux")
}

// InScreen reports whether the terminal is a GNU screen window.
func (t Terminal) InScreen() bool {
	return t.Env["STY"] != "" || (strings.HasPrefix(t.Env["TERM"], "screen") && !t.InTmux())
}

// Decide chooses the mode for a terminal under a thumbnails setting
// ("auto", "off" or a forced mode). NO_COLOR, a dumb terminal and "off"
// mean no picture, whatever else is said.
func Decide(setting string, t Terminal) Decision {
	term := t.Env["TERM"]
	switch {
	case setting == "off":
		return Decision{Why: "thumbnails = off"}
	case t.Env["NO_COLOR"] != "":
		return Decision{Why: "NO_COLOR"}
	case term == "dumb" || term == "":
		return Decision{Why: "dumb terminal"}
	}
	tmux := t.InTmux()
	if setting != "auto" && setting != "" {
		for m, name := range modeNames {
			if name == setting {
				return Decision{Mode: Mode(m), Tmux: tmux && Mode(m) != HalfBlocks, Why: "thumbnails = " + setting}
			}
		}
	}
	if t.InScreen() {
		return Decision{Mode: HalfBlocks, Why: "GNU screen passes no pictures"}
	}
	if tmux && !t.Passthrough && !t.KittyOK {
		// Sixel is drawn by tmux itself when it is built with it, and
		// then its own DA1 says so.
		if slices.Contains(t.DA1, 4) {
			return Decision{Mode: Sixel, Why: "tmux draws sixel"}
		}
		return Decision{Mode: HalfBlocks, Why: "tmux without passthrough"}
	}
	prog := t.Env["TERM_PROGRAM"]
	lcTerm := t.Env["LC_TERMINAL"] // iTerm2 sets it and tmux and ssh keep it
	switch {
	case t.KittyOK && prog != "WezTerm" && !isKonsole(t):
		// WezTerm and Konsole answer the kitty query but draw no
		// Unicode placeholders.
		return Decision{Mode: Kitty, Tmux: tmux, Why: "kitty graphics query answered"}
	case prog == "vscode":
		// VS Code draws images only with terminal.integrated.enableImages
		// on, and then its DA1 says sixel; otherwise an image is a blank
		// box.
		if slices.Contains(t.DA1, 4) {
			return Decision{Mode: ITerm2, Tmux: tmux, Why: "VS Code with images on"}
		}
		return Decision{Mode: HalfBlocks, Why: "VS Code with images off"}
	case prog == "iTerm.app" || lcTerm == "iTerm2" || prog == "WezTerm" || t.Env["WEZTERM_EXECUTABLE"] != "" ||
		prog == "mintty" || prog == "rio":
		return Decision{Mode: ITerm2, Tmux: tmux, Why: "terminal announces iTerm2 images"}
	case slices.Contains(t.DA1, 4):
		return Decision{Mode: Sixel, Tmux: false, Why: "DA1 says sixel"}
	}
	return Decision{Mode: HalfBlocks, Why: "no graphics protocol answered"}
}

func isKonsole(t Terminal) bool { return t.Env["KONSOLE_VERSION"] != "" }

// EnvMap turns KEY=VALUE pairs (os.Environ, an SSH session's Environ) into
// the map Terminal takes.
func EnvMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
