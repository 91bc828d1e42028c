package cli

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/config"
	"github.com/reel-dev/reel/ids"
)

// readIDs resolves the command's arguments into IDs. Any argument or line
// that gives no ID stops the command with every such problem listed (exit
// 2): silently following fewer jobs than asked would lose some.
func readIDs(sio IO, args []string) ([]string, error) {
	list, bad, err := ids.FromArgs(args, ids.Inputs{Stdin: sio.In})
	if err != nil {
		return nil, usageErr(err)
	}
	if len(bad) > 0 {
		return nil, usageErr(lineErrors(bad))
	}
	if len(list) == 0 {
		return nil, noIDs(args)
	}
	return list, nil
}

// noIDs is the error for arguments that gave no ID at all.
func noIDs(args []string) error {
	if len(args) == 0 {
		return usageErr(errors.New("no IDs given: pass job or video IDs, a file that lists them, or - to read standard input"))
	}
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a
		if a == "-" {
			names[i] = "stdin"
		}
	}
	return usageErr(fmt.Errorf("%s: no IDs in it: list job or video IDs, one a line, or as words, JSON or CSV", strings.Join(names, ", ")))
}

// lineErrors joins line errors into one message, capped so a huge bad file
// does not flood the terminal.
func lineErrors(bad []*ids.LineError) error {
	const shown = 20
	var b strings.Builder
	fmt.Fprintf(&b, "%d input line(s) gave no ID; fix or remove them:", len(bad))
	for i, e := range bad {
		if i == shown {
			fmt.Fprintf(&b, "\n  ... and %d more", len(bad)-shown)
			break
		}
		b.WriteString("\n  " + e.Error())
	}
	return errors.New(b.String())
}

// idList is the IDs a scripting command goes through once, in order: an
// *ids.List read from the files a second time, or a slice.
type idList interface {
	Len() int
	Longest() int // the widest ID's width in a table, at most 40
	All() iter.Seq[string]
	Err() error // why All stopped early, if it did
}

// sliceIDs is an idList held in memory.
type sliceIDs []string

func (s sliceIDs) Len() int              { return len(s) }
func (s sliceIDs) All() iter.Seq[string] { return slices.Values(s) }
func (s sliceIDs) Err() error            { return nil }
func (s sliceIDs) Longest() (n int) {
	for _, id := range s {
		n = max(n, min(ansi.StringWidth(cell(id, 40)), 40))
	}
	return n
}

// streamedIDs is an *ids.List whose Longest is a table's.
type streamedIDs struct{ *ids.List }

func (s streamedIDs) Longest() int { return min(s.List.Longest(), 40) }

// openIDs is readIDs for status and download, which go through the IDs
// once: every input is checked first, as readIDs does, with the same
// messages, but the IDs are not kept; they are read again as the lookups
// go. The caller closes the list.
func openIDs(sio IO, args []string) (*ids.List, error) {
	list, bad, err := ids.Open(args, ids.Inputs{Stdin: sio.In})
	if err != nil {
		return nil, usageErr(err)
	}
	if len(bad) > 0 {
		return nil, usageErr(lineErrors(bad))
	}
	if list.Len() == 0 {
		list.Close()
		return nil, noIDs(args)
	}
	return list, nil
}

// scriptingList is scripting for the commands that stream their IDs.
func (g *globals) scriptingList(sio IO, args []string) (*ids.List, *config.Settings, *api.Client, error) {
	list, err := openIDs(sio, args)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := g.settings(sio)
	if err == nil {
		var c *api.Client
		if c, err = g.client(s); err == nil {
			return list, s, c, nil
		}
	}
	list.Close()
	return nil, nil, nil, err
}
