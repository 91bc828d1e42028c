// Package submit creates video generation jobs from rows, each exactly
// once: template jobs from CSV rows of variables, manual (or template) jobs
// from JSON bodies. A journal records each row's intent before its POST and
// the answer after, so a rerun skips what was created and never re-sends a
// row whose outcome is unknown.
package submit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// Limits on input, named in the errors that enforce them. Rows are read one
// at a time, so memory stays flat however long a file is.
const (
	MaxLine     = 1 << 20 // bytes in one line, or one row, of a CSV file
	MaxColumns  = 1000    // columns in a CSV file
	MaxBody     = 1 << 20 // bytes in one JSON body
	MaxProblems = 100     // problems reported for one file before reading stops
)

// Kind tells which endpoint a row goes to.
type Kind string

// The two kinds of job.
const (
	Manual   Kind = "manual"   // POST /video-generation-jobs
	Template Kind = "template" // POST /video-generation-jobs/template-jobs
)

// Source names one input file.
type Source struct {
	// Name is the file as the user wrote it, for messages.
	Name string
	// ID is the file's absolute path. Row keys do not use it: a row is the
	// same row wherever the file is (see Row.Key).
	ID string
	// Template is --template: every CSV row is a job from it.
	Template string
	// AllowEmpty takes a dynamic variable with no value (an empty CSV
	// cell, "" in JSON); without it such a row is a problem, most often a
	// gap in the data that would render as a blank.
	AllowEmpty bool
}

// Row is one job to create.
type Row struct {
	File   string // Source.Name
	Line   int    // where the row starts, 1-based
	Number int    // the row's place among the file's rows, 1-based
	Kind   Kind
	// Body is the request body as the row gives it (a JSON object); Send
	// adds the callback fields.
	Body json.RawMessage
	// Key is the row's identity in the journal and in its callback: its
	// kind, the template, its content in a canonical form (CSV: the
	// header's names and the values, in any column order; JSON: the body
	// with its keys sorted) and which of the file's identical rows it is,
	// hashed. Not the file's path nor the row's place: the same rows
	// through a symlink, in a copy, after a row above them was deleted,
	// find the same keys. Edit a row and it is a new row.
	Key string
}

// Where is file:line.
func (r Row) Where() string { return r.File + ":" + strconv.Itoa(r.Line) }

// keyer makes the row keys of one file. It keeps a count for each distinct
// row content (a few dozen bytes each), so that genuinely repeated rows
// stay apart: the second "Ada,Paris" is another job than the first.
type keyer struct {
	seen map[[sha256.Size]byte]int
}

// key hashes what makes a row itself: its kind, the template, its
// canonical content and its occurrence among identical rows.
func (k *keyer) key(src Source, kind Kind, content []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "reel submit row v2\x00%s\x00%s\x00", kind, src.Template)
	h.Write(content)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if k.seen == nil {
		k.seen = map[[sha256.Size]byte]int{}
	}
	k.seen[sum]++
	h.Reset()
	h.Write(sum[:])
	fmt.Fprintf(h, "\x00%d", k.seen[sum])
	return "row_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Problem is something wrong with the input, at a place in a file.
type Problem struct {
	File string
	Line int // 0 when it is about the whole file
	Msg  string
}

func (p Problem) Error() string {
	if p.Line == 0 {
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}
