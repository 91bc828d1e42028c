package thumb

import (
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	env := func(kv ...string) map[string]string { return EnvMap(kv) }
	xtermDA1 := []int{63, 1, 2, 4, 6, 9, 15, 22} // xterm -ti vt340: 4 is sixel
	plainDA1 := []int{62, 22}
	cases := []struct {
		name    string
		setting string
		term    Terminal
		want    Mode
		tmux    bool
	}{
		{"kitty", "auto", Terminal{Env: env("TERM=xterm-kitty", "KITTY_WINDOW_ID=1"), Answered: true, DA1: plainDA1, KittyOK: true}, Kitty, false},
		{"kitty in tmux, passthrough on", "auto", Terminal{Env: env("TERM=tmux-256color", "TMUX=/tmp/tmux-0/default,1,0", "TERM_PROGRAM=tmux"), Answered: true, DA1: []int{1, 2}, KittyOK: true}, Kitty, true},
		{"kitty in tmux, passthrough off", "auto", Terminal{Env: env("TERM=tmux-256color", "TMUX=/tmp/tmux-0/default,1,0", "TERM_PROGRAM=tmux"), Answered: true, DA1: []int{1, 2}}, HalfBlocks, false},
		{"iTerm2", "auto", Terminal{Env: env("TERM=xterm-256color", "TERM_PROGRAM=iTerm.app", "LC_TERMINAL=iTerm2"), Answered: true, DA1: []int{62, 4}}, ITerm2, false},
		{"iTerm2 in tmux, passthrough on", "auto", Terminal{Env: env("TERM=screen-256color", "TMUX=/t,1,0", "LC_TERMINAL=iTerm2"), Answered: true, Passthrough: true}, ITerm2, true},
		{"iTerm2 in tmux, passthrough off", "auto", Terminal{Env: env("TERM=screen-256color", "TMUX=/t,1,0", "LC_TERMINAL=iTerm2"), Answered: true}, HalfBlocks, false},
		{"WezTerm answers kitty but draws no placeholders", "auto", Terminal{Env: env("TERM=xterm-256color", "TERM_PROGRAM=WezTerm"), Answered: true, DA1: []int{65, 4, 6, 18, 22}, KittyOK: true}, ITerm2, false},
		{"Konsole answers kitty, has sixel", "auto", Terminal{Env: env("TERM=xterm-256color", "KONSOLE_VERSION=230804"), Answered: true, DA1: []int{62, 4}, KittyOK: true}, Sixel, false},
		{"VS Code, images off", "auto", Terminal{Env: env("TERM=xterm-256color", "TERM_PROGRAM=vscode"), Answered: true, DA1: []int{1, 2}}, HalfBlocks, false},
		{"VS Code, images on", "auto", Terminal{Env: env("TERM=xterm-256color", "TERM_PROGRAM=vscode"), Answered: true, DA1: []int{1, 2, 4}}, ITerm2, false},
		{"xterm with sixel", "auto", Terminal{Env: env("TERM=xterm-256color"), Answered: true, DA1: xtermDA1}, Sixel, false},
		{"xterm without sixel", "auto", Terminal{Env: env("TERM=xterm-256color"), Answered: true, DA1: []int{65, 1, 9}}, HalfBlocks, false},
		{"tmux with sixel of its own", "auto", Terminal{Env: env("TERM=tmux-256color", "TMUX=/t,1,0"), Answered: true, DA1: []int{61, 4}}, Sixel, false},
		{"screen", "auto", Terminal{Env: env("TERM=screen", "STY=123.pts-0.host"), Answered: true, DA1: []int{1, 2}}, HalfBlocks, false},
		{"screen over a kitty", "auto", Terminal{Env: env("TERM=screen.xterm-256color", "STY=1.x", "KITTY_WINDOW_ID=1"), Answered: true, KittyOK: true}, HalfBlocks, false},
		{"Linux console", "auto", Terminal{Env: env("TERM=linux"), Answered: true, DA1: []int{6}}, HalfBlocks, false},
		{"no answer yet", "auto", Terminal{Env: env("TERM=xterm-256color")}, HalfBlocks, false},
		{"NO_COLOR", "auto", Terminal{Env: env("TERM=xterm-kitty", "NO_COLOR=yes"), Answered: true, KittyOK: true}, None, false},
		{"NO_COLOR beats a forced mode", "kitty", Terminal{Env: env("TERM=xterm-kitty", "NO_COLOR=1")}, None, false},
		{"dumb", "auto", Terminal{Env: env("TERM=dumb"), Answered: true, DA1: xtermDA1}, None, false},
		{"no TERM", "halfblocks", Terminal{Env: env()}, None, false},
		{"off", "off", Terminal{Env: env("TERM=xterm-kitty"), Answered: true, KittyOK: true}, None, false},
		{"forced sixel", "sixel", Terminal{Env: env("TERM=xterm-256color")}, Sixel, false},
		{"forced kitty in tmux", "kitty", Terminal{Env: env("TERM=tmux-256color", "TMUX=/t,1,0")}, Kitty, true},
		{"forced half blocks in tmux", "halfblocks", Terminal{Env: env("TERM=tmux-256color", "TMUX=/t,1,0"), KittyOK: true}, HalfBlocks, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(c.setting, c.term)
			if d.Mode != c.want || d.Tmux != c.tmux {
				t.Errorf("Decide(%q) = %v tmux=%v (%s), want %v tmux=%v", c.setting, d.Mode, d.Tmux, d.Why, c.want, c.tmux)
			}
			if d.Why == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestCheckSetting(t *testing.T) {
	for _, s := range Settings {
		if msg := CheckSetting(s); msg != "" {
			t.Errorf("CheckSetting(%q) = %q", s, msg)
		}
	}
	if msg := CheckSetting("on"); !strings.Contains(msg, "auto, off") {
		t.Errorf("CheckSetting(on) = %q, want the list of values", msg)
	}
}

func TestProbe(t *testing.T) {
	p := Probe(false)
	if !strings.HasPrefix(p, "\x1b_Gi=31,") || !strings.HasSuffix(p, "\x1b[c") {
		t.Errorf("Probe = %q: want the kitty query, then DA1", p)
	}
	if pt := Probe(true); !strings.HasPrefix(pt, "\x1bPtmux;") {
		t.Errorf("Probe in tmux = %q: want passthrough", pt)
	}
	if !KittyAnswerOK(ProbeID, []byte("OK")) || KittyAnswerOK(ProbeID, []byte("ENOTSUPPORTED:x")) || KittyAnswerOK(7, []byte("OK")) {
		t.Error("KittyAnswerOK misreads answers")
	}
}

func TestKittyDelete(t *testing.T) {
	if got, want := KittyDelete([]int{3, 7}, false), "\x1b_Ga=d,d=I,i=3,q=2\x1b\\\x1b_Ga=d,d=I,i=7,q=2\x1b\\"; got != want {
		t.Errorf("KittyDelete = %q, want %q", got, want)
	}
	if got := KittyDelete([]int{3}, true); !strings.HasPrefix(got, "\x1bPtmux;") {
		t.Errorf("KittyDelete in tmux = %q, want it passed through", got)
	}
}
