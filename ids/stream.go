package ids

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strconv"
)

// A List is what FromArgs reads, checked but not held: its IDs are read
// again from the files, one at a time, when asked for. Memory stays flat
// in the number of IDs but for a sorted set of 16-byte hashes (a bit more
// while Open builds it) that removes duplicates, where a []string of them
// and a map cost about ten times as much.
//
// Lines, words, JSON lines and CSV are read a line at a time. A JSON array
// (or an object spread over lines) and UTF-16 input are read whole, as
// Parse does, bounded by MaxInput.
type List struct {
	open    func(string) (io.ReadCloser, error)
	inputs  []input
	spool   string // standard input, copied to disk so it can be read twice
	seeds   [2]maphash.Seed
	seen    []hash // of every ID, sorted, each once
	longest int
	err     error
}

// input is one argument as Open resolved it.
type input struct {
	arg  string // the ID, or the file's name
	kind int
	name string // for messages: the file, "stdin" or "argument 3"
}

const (
	inputID = iota
	inputFile
	inputStdin
)

// Open resolves arguments as FromArgs does and reads every input once to
// check it, holding no IDs: the LineErrors and the error are FromArgs's.
// Nothing is worth running before every line is known to be good, so the
// IDs are read again, by All, only after. Standard input is copied to a
// temporary file (disk, not memory), which Close removes. On an error or
// a LineError the List is nil and nothing is left behind.
func Open(args []string, in Inputs) (*List, []*LineError, error) {
	l := &List{open: in.Open}
	if l.open == nil {
		l.open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	p := newList("")
	l.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	p.onID = func(id string) {
		l.seen = append(l.seen, l.hash(id))
		l.longest = max(l.longest, len(id))
	}
	fail := func(err error) (*List, []*LineError, error) {
		l.Close()
		return nil, nil, err
	}
	stdinRead := false
	for i, arg := range args {
		if arg == "-" {
			if stdinRead || in.Stdin == nil {
				continue // read already, or empty: it gives nothing
			}
			stdinRead = true
			if err := l.spoolStdin(in.Stdin); err != nil {
				return fail(err)
			}
			inp := input{kind: inputStdin, name: "stdin"}
			if err := l.read(p, inp); err != nil {
				return fail(err)
			}
			l.inputs = append(l.inputs, inp)
			continue
		}
		f, err := openList(l.open, arg)
		if err != nil {
			return fail(err)
		}
		if f == nil {
			inp := input{arg: arg, kind: inputID, name: "argument " + strconv.Itoa(i+1)}
			p.source = inp.name
			p.add(0, arg)
			l.inputs = append(l.inputs, inp)
			continue
		}
		err = p.stream(arg, f)
		f.Close()
		if err != nil {
			return fail(err)
		}
		l.inputs = append(l.inputs, input{arg: arg, kind: inputFile, name: arg})
	}
	if len(p.errs) > 0 {
		l.Close()
		return nil, p.errs, nil
	}
	slices.SortFunc(l.seen, compareHash)
	l.seen = slices.Compact(l.seen)
	return l, nil, nil
}

// Len is how many IDs All gives: duplicates count once.
func (l *List) Len() int { return len(l.seen) }

// Longest is the length of the longest ID.
func (l *List) Longest() int { return l.longest }

// All reads the inputs again and gives each ID once, in order, as it is
// read. An input that cannot be read again, or that changed since Open
// checked it, ends the sequence early; Err then says why.
func (l *List) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		p := newList("")
		given := make([]uint64, (len(l.seen)+63)/64) // a bit an ID: given yet?
		p.onID = func(id string) {
			if p.done {
				return
			}
			i, found := slices.BinarySearchFunc(l.seen, l.hash(id), compareHash)
			switch {
			case len(p.errs) > 0 || !found:
				// Changed since Open: believe none of the rest.
				p.done = true
				l.err = fmt.Errorf("%s changed while reel read it: %s is new", p.source, id)
			case given[i/64]&(1<<(i%64)) != 0:
			default:
				given[i/64] |= 1 << (i % 64)
				if !yield(id) {
					p.done = true
				}
			}
		}
		for _, inp := range l.inputs {
			if err := l.read(p, inp); err != nil {
				l.err = err
				return
			}
			if len(p.errs) > 0 {
				l.err = fmt.Errorf("%s changed while reel read it: %w", inp.name, p.errs[0])
				return
			}
			if p.done {
				return
			}
		}
	}
}

// Err is why All stopped early, or nil.
func (l *List) Err() error { return l.err }

// Close removes the copy of standard input.
func (l *List) Close() error {
	if l == nil || l.spool == "" {
		return nil
	}
	err := os.Remove(l.spool)
	l.spool = ""
	return err
}

// read streams one input into p.
func (l *List) read(p *list, inp input) error {
	switch inp.kind {
	case inputID:
		p.source = inp.name
		p.add(0, inp.arg)
		return nil
	case inputStdin:
		f, err := os.Open(l.spool)
		if err != nil {
			return fmt.Errorf("read stdin again from %s: %w", l.spool, err)
		}
		defer f.Close()
		return p.stream("stdin", f)
	}
	f, err := l.open(inp.arg)
	if err != nil {
		return fmt.Errorf("read IDs from %s again: %w", inp.arg, err)
	}
	defer f.Close()
	return p.stream(inp.arg, f)
}

// spoolStdin copies r, up to one byte past MaxInput, to a temporary file.
func (l *List) spoolStdin(r io.Reader) error {
	f, err := os.CreateTemp("", "reel-stdin-*")
	if err != nil {
		return fmt.Errorf("copy stdin to a temporary file, to read it twice: %w", err)
	}
	l.spool = f.Name()
	_, err = io.Copy(f, readErrs{io.LimitReader(r, MaxInput+1)})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var re readErr
	switch {
	case errors.As(err, &re):
		return fmt.Errorf("read stdin: %w", re.error)
	case err != nil:
		return fmt.Errorf("copy stdin to a temporary file, to read it twice: %w", err)
	}
	return nil
}

// readErrs marks its reader's errors, to tell them from the writer's.
type readErrs struct{ r io.Reader }

type readErr struct{ error }

func (r readErrs) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = readErr{err}
	}
	return n, err
}

// stream parses one input as read does, a line at a time where the form
// allows.
func (l *list) stream(name string, r io.Reader) error {
	l.source = name
	err := l.streamFrom(bufio.NewReaderSize(&capReader{r: r}, 64<<10))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errOverCap):
		return fmt.Errorf("%s: %w: split it into smaller lists", name, ErrTooLarge)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err // it names the file already: "read jobs.txt: ..."
	}
	return fmt.Errorf("read %s: %w", name, err)
}

func (l *list) streamFrom(br *bufio.Reader) error {
	head, err := br.Peek(3)
	if err != nil && err != io.EOF {
		return err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		br.Discard(3)
	case len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == 0xfe && head[1] == 0xff):
		data, err := io.ReadAll(br) // UTF-16: rare, and read whole
		if err != nil {
			return err
		}
		l.parse(data)
		return nil
	}
	src := &lineReader{r: bufio.NewReaderSize(&lineEnds{r: br}, 64<<10)}
	if err := l.streamLines(src); err != nil {
		return err
	}
	// Read to the end even when parsing stopped early, so that an input
	// over MaxInput is refused as read refuses it.
	if !l.done {
		if _, err := io.Copy(io.Discard, src.r); err != nil {
			return err
		}
	}
	return nil
}

// streamLines works out the form from the first line that is neither blank
// nor a comment, as parse does, and reads on in that form.
func (l *list) streamLines(src *lineReader) error {
	var long []int // blank or comment lines too long for parseLines
	line := 0
	for {
		raw, size, err := src.next(MaxInput)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line++
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || t[0] == '#' {
			if size > MaxLine {
				long = append(long, line)
			}
			continue
		}
		switch {
		case jsonArray(t) || t[0] == '{' && !isJSON(t):
			rest, err := io.ReadAll(src.r)
			if err != nil {
				return err
			}
			l.parseJSON(append(src.withEnd(raw), rest...), line)
			return nil
		case t[0] == '{':
		default:
			if col, comma, ok := csvHeader(t); ok {
				first := bytes.NewReader(src.withEnd(raw))
				return l.parseCSV(io.MultiReader(first, src.r), line, col, comma)
			}
			if cols, ok := foreignHeader(t); ok {
				l.fail(line, "a CSV header (%s) with no id, jobId, job_id, videoId or video_id column: add one, or list bare IDs", cols)
				return nil
			}
		}
		for _, n := range long {
			l.fail(n, "line is longer than 1 MiB: is this a list of IDs?")
		}
		l.line(line, raw, size)
		src.buf = nil // it may have grown for a long first line
		for !l.done {
			raw, size, err := src.next(MaxLine)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			line++
			l.line(line, raw, size)
		}
		return nil
	}
}

// lineReader reads lines that end in a line feed, or at the end.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
	nl  bool // the last line ended in a line feed
}

// next returns the next line without its line feed, cut to max+1 bytes,
// and its full length; io.EOF when there is none.
func (lr *lineReader) next(max int) (line []byte, size int, err error) {
	lr.buf = lr.buf[:0]
	lr.nl = false
	for {
		chunk, err := lr.r.ReadSlice('\n')
		size += len(chunk)
		if room := max + 1 - len(lr.buf); room > 0 {
			lr.buf = append(lr.buf, chunk[:min(len(chunk), room)]...)
		}
		switch err {
		case nil:
			size-- // the line feed
			lr.nl = true
			return lr.buf[:min(len(lr.buf), size)], size, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if size == 0 {
				return nil, 0, io.EOF
			}
			return lr.buf, size, nil
		}
		return nil, 0, err
	}
}

// withEnd gives raw back its line feed, if it had one.
func (lr *lineReader) withEnd(raw []byte) []byte {
	if lr.nl {
		return append(raw, '\n')
	}
	return raw
}

// lineEnds turns CRLF and a lone CR into LF as it reads, as lineFeeds does.
type lineEnds struct {
	r  io.Reader
	cr bool // the last byte was a CR
}

func (c *lineEnds) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		out := 0
		for _, b := range p[:n] {
			if c.cr {
				c.cr = false
				if b == '\n' {
					continue
				}
			}
			if b == '\r' {
				c.cr, b = true, '\n'
			}
			p[out] = b
			out++
		}
		if out > 0 || err != nil || n == 0 {
			return out, err
		}
	}
}

var errOverCap = errors.New("over MaxInput")

// capReader fails once more than MaxInput bytes have come through.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > MaxInput {
		return n, errOverCap
	}
	return n, err
}

// hash is an ID's 128-bit hash: 16 bytes an ID, whatever its length. Two
// IDs taken for one are as likely as a random 128-bit collision: never.
type hash [2]uint64

func (l *List) hash(id string) hash {
	return hash{maphash.String(l.seeds[0], id), maphash.String(l.seeds[1], id)}
}

func compareHash(a, b hash) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}
