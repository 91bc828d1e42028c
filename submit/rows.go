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
	// ID is the file's identity in row keys: its absolute path. The same
	// row of the same file is the same row from run to run.
	ID string
	// Template is --template: every CSV row is a job from it.
	Template string
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
	// Key is the row's identity in the journal and in its callback: the
	// file's identity, the template, the row's number and its content,
	// hashed. Edit a row and it is a new row; the same command run again
	// finds the same keys.
	Key string
}

// Where is file:line.
func (r Row) Where() string { return r.File + ":" + strconv.Itoa(r.Line) }

// rowKey hashes what makes a row itself.
func rowKey(src Source, kind Kind, number int, content []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "reel submit row v1\x00%s\x00%s\x00%s\x00%d\x00", kind, src.ID, src.Template, number)
	h.Write(content)
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
