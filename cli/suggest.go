package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// mistypedCommand catches `reel stauts ID`: an argument one edit (a letter
// added, dropped, changed, or two swapped) away from a command's name,
// shaped like a word rather than an ID, and naming no file, is a typo, not
// a job to track. Real IDs carry digits or dashes; command names are
// lowercase words.
func mistypedCommand(root *cobra.Command, args []string) error {
	for _, a := range args {
		if !wordShaped(a) {
			continue
		}
		if _, err := os.Stat(a); err == nil {
			continue // a file of IDs that happens to be called "stats"
		}
		var near []string // every command one edit away: "stauts" is near status and stats
		for _, c := range root.Commands() {
			if c.Hidden || !c.IsAvailableCommand() && c.Name() != "help" {
				continue
			}
			for _, name := range append([]string{c.Name()}, c.Aliases...) {
				if oneEdit(a, name) {
					near = append(near, name)
				}
			}
		}
		// A name of the same length (a letter changed or two swapped) first.
		sort.SliceStable(near, func(i, j int) bool {
			return abs(len(near[i])-len(a)) < abs(len(near[j])-len(a))
		})
		if len(near) > 0 {
			return usageErr(fmt.Errorf("%q is not a command, nor shaped like a job or video ID: did you mean %s? (reel %s --help)",
				a, strings.Join(near, " or "), near[0]))
		}
	}
	return nil
}

// wordShaped: only lowercase ASCII letters, as command names are.
func wordShaped(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// oneEdit reports whether a and b differ (they must) by one insertion,
// deletion, substitution or swap of neighbours.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff := []int{}
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return false
				}
			}
		}
		if len(diff) == 1 {
			return true
		}
		i, j := diff[0], diff[1]
		return j == i+1 && a[i] == b[j] && a[j] == b[i]
	case la == lb+1:
		return dropsOne(a, b)
	case lb == la+1:
		return dropsOne(b, a)
	}
	return false
}

// dropsOne: short is long with one byte taken out.
func dropsOne(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

// errNoTerminal says plainly what the dashboard needs and what to use instead.
var errNoTerminal = errors.New("the dashboard needs a terminal to draw on and read keys from, and there is none here: " +
	"run reel in a terminal, or use reel status, reel wait or reel download in scripts and CI")

// needTerminal checks, before anything starts, that the dashboard can draw
// (standard output is a terminal) and read keys (standard input is one, or
// the controlling terminal can be opened when IDs come through a pipe).
func needTerminal(sio IO) error {
	if !sio.OutTTY {
		return usageErr(errNoTerminal)
	}
	if f, ok := sio.In.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return nil
	}
	if runtime.GOOS == "windows" {
		return nil // Bubble Tea opens the console itself
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return usageErr(errNoTerminal)
	}
	tty.Close()
	return nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
