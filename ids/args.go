package ids

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Inputs are where FromArgs reads lists from.
type Inputs struct {
	// Stdin is read for the argument "-"; nil reads as empty.
	Stdin io.Reader
	// Open opens a file named by an argument. An error that is
	// fs.ErrNotExist means the argument is no file, so an ID. nil means
	// os.Open.
	Open func(name string) (io.ReadCloser, error)
}

// listExts are endings that mark an argument as meant to be a file, so that
// a mistyped file name is reported as a missing file, not tried as an ID.
var listExts = []string{".txt", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".log", ".list", ".ids"}

// FromArgs resolves command-line arguments into IDs: an argument naming an
// existing file is read as a list (see Parse), "-" reads in.Stdin, and
// anything else is an ID. IDs come in order with duplicates removed,
// keeping the first. An argument or line that gives no ID is a LineError.
// The error is for a file that cannot be read, or a file name (with a path
// or an ending like .txt) that names no file.
func FromArgs(args []string, in Inputs) ([]string, []*LineError, error) {
	open := in.Open
	if open == nil {
		open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	all := newList("")
	for i, arg := range args {
		if arg == "-" {
			r := in.Stdin
			if r == nil {
				r = strings.NewReader("")
			}
			if err := all.read("stdin", r); err != nil {
				return nil, nil, err
			}
			continue
		}
		f, err := openList(open, arg)
		if err != nil {
			return nil, nil, err
		}
		if f == nil {
			all.source = "argument " + strconv.Itoa(i+1)
			all.add(0, arg)
			continue
		}
		err = all.read(arg, f)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	return all.ids, all.errs, nil
}

// openList opens arg if it names a file. It returns nil, nil when arg is no
// file and so should be an ID.
func openList(open func(string) (io.ReadCloser, error), arg string) (io.ReadCloser, error) {
	if arg == "" {
		return nil, nil
	}
	f, err := open(arg)
	if err == nil {
		if st, ok := f.(interface{ Stat() (fs.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil && fi.IsDir() {
				f.Close()
				return nil, fmt.Errorf("%s is a folder: name a file that lists IDs, or pass the IDs themselves", arg)
			}
		}
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read IDs from %s: %w", arg, err)
	}
	if looksLikeFile(arg) {
		return nil, fmt.Errorf("%s: no such file, and not an ID: %w", arg, err)
	}
	return nil, nil
}

func looksLikeFile(arg string) bool {
	if strings.ContainsAny(arg, `/\`) {
		return true
	}
	ext := strings.ToLower(filepath.Ext(arg))
	for _, e := range listExts {
		if ext == e {
			return true
		}
	}
	return false
}

// read parses one input into l, keeping l's IDs so far, so that duplicates
// across inputs go too.
func (l *list) read(name string, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return err // it names the file already: "read jobs.txt: ..."
		}
		return fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxInput {
		return fmt.Errorf("%s: %w: split it into smaller lists", name, ErrTooLarge)
	}
	l.source = name
	l.parse(data)
	return nil
}
