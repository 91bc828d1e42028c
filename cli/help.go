package cli

import (
	"fmt"
	"slices"
	"strings"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sharedFlagsKey annotates a command with the root's shared flags it takes
// (--base-url, --store, ...), comma-separated. Its help lists only those,
// and it refuses the others; a command without the annotation takes all.
const sharedFlagsKey = "reel/shared-flags"

// takesShared names the shared flags cmd takes; none at all for no names.
func takesShared(cmd *cobra.Command, names ...string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[sharedFlagsKey] = strings.Join(names, ",")
	return cmd
}

// sharedAllowed is the set of shared flags cmd takes, and false when it
// takes them all.
func sharedAllowed(cmd *cobra.Command) (map[string]bool, bool) {
	list, ok := cmd.Annotations[sharedFlagsKey]
	if !ok {
		return nil, false
	}
	allowed := map[string]bool{"help": true}
	for _, n := range strings.Split(list, ",") {
		if n != "" {
			allowed[n] = true
		}
	}
	return allowed, true
}

// checkShared refuses a shared flag the command does not use: `reel sim
// --store x` would otherwise be quietly ignored.
func checkShared(cmd *cobra.Command) error {
	allowed, ok := sharedAllowed(cmd)
	if !ok {
		return nil
	}
	var bad []string
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { // Visit sees only flags set in that very set
		if f.Changed && !allowed[f.Name] {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return usageErr(fmt.Errorf("%s: not a flag of reel %s (see reel %s --help)", strings.Join(bad, ", "), cmd.Name(), cmd.Name()))
	}
	return nil
}

// tidyHelp readies the tree for the help of the command args name: flag
// usages lose pflag's backticks (which name the argument in pflag's own
// help, but which fang shows as they are), and the shared flags that
// command does not take are hidden.
func tidyHelp(root *cobra.Command, args []string) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// Flags() and PersistentFlags() as defined: asking for the local or
		// inherited sets would merge the root's into every command's.
		for _, fs := range []*pflag.FlagSet{c.PersistentFlags(), c.Flags()} {
			fs.VisitAll(func(f *pflag.Flag) { f.Usage = strings.ReplaceAll(f.Usage, "`", "") })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	c, _, err := root.Find(args)
	if err != nil || c == root {
		return
	}
	if allowed, ok := sharedAllowed(c); ok {
		root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
			if !allowed[f.Name] {
				f.Hidden = true
			}
		})
	}
}

// newManCmd prints reel's man page: the root's description and each
// command's, as paragraphs (not a paragraph a line), without markdown.
func newManCmd(root *cobra.Command) *cobra.Command {
	return takesShared(&cobra.Command{
		Use:   "man",
		Short: "Print reel's manual page (reel man > reel.1; man ./reel.1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, c := range root.Commands() {
				if c.Name() == "completion" || c.Name() == "help" || c == cmd {
					c.Hidden = true // a page of shell names, and help itself, say nothing here
				}
			}
			page, err := mcobra.NewManPage(1, root)
			if err != nil {
				return err
			}
			page = page.WithLongDescription(manText(root.Long))
			for _, c := range root.Commands() {
				if c.Hidden || c.Name() == "help" || c.Name() == "completion" || c.Long == "" {
					continue
				}
				text := manText(c.Long)
				if c.Example != "" {
					text += "\nExamples:\n" + manExamples(c.Example)
				}
				page = page.WithSection("reel "+c.Name(), text)
			}
			page = page.WithSection("Examples", manExamples(root.Example))
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	})
}

// manText turns help text into what roff's Text wants: one line a
// paragraph (it starts a paragraph at every line break), without markdown
// backticks.
func manText(s string) string {
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Fields(strings.ReplaceAll(p, "`", ""))
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, " "))
		}
	}
	return strings.Join(paras, "\n")
}

// manExamples keeps an example a line, its comment joined to it.
func manExamples(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(slices.Clip(out), "\n")
}
