package cli

import (
	"errors"
	"fmt"
	"strings"

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
		if len(args) == 0 {
			return nil, usageErr(errors.New("no IDs given: pass job or video IDs, a file that lists them, or - to read standard input"))
		}
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = a
			if a == "-" {
				names[i] = "stdin"
			}
		}
		return nil, usageErr(fmt.Errorf("%s: no IDs in it: list job or video IDs, one a line, or as words, JSON or CSV", strings.Join(names, ", ")))
	}
	return list, nil
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
