package callback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/reel-dev/reel/termsafe"
	"github.com/reel-dev/reel/track"
)

// ErrBadBody is returned by Match for a body that is not a JSON object.
var ErrBadBody = errors.New("callback body is not a JSON object")

// maxURLDepth bounds how far a URL inside a query value inside a URL is
// followed (a redirect link wrapping the file link, say).
const maxURLDepth = 3

// Match finds the tracked jobs a callback body names. Colossyan's body
// carries no id of its own, only url, videoUrl and shareUrl (which hold the
// video id in their path) and the caller's callbackPayload keys (which may
// hold any id, nested anywhere). So every string value in the body, at any
// depth, is compared with each job's ID, JobID and VideoID: equal (case
// aside), or equal to a path segment of a URL (with or without a file
// extension, as in /files/{videoId}.mp4) or to one of its query values.
//
// ids are the matching jobs' IDs (track.Job.ID), in the order of jobs, each
// once. shareURL, when not empty, is the body's shareUrl and belongs to
// ids[0]: the job the link itself names, or the only job matched. It is
// dropped when it cannot be pinned on one job, or is not a plain http(s)
// link (termsafe.CleanURL), since the user's `o` opens it.
//
// Nothing else is taken from the body: a callback is unsigned, so the
// status it claims is for the poll to confirm. err wraps ErrBadBody when
// the body is not a JSON object.
func Match(body []byte, jobs []track.Job) (ids []string, shareURL string, err error) {
	m, err := match(body, jobs, nil)
	return m.ids, m.share, err
}

// RowKeyField is the callbackPayload key in which `reel submit` puts the
// key of the row a job was made from. Colossyan merges the payload into
// the callback body, so the body names its row, and through the submit
// journal (Options.RowJob) its job, exactly.
const RowKeyField = "reelRow"

// matched is what a body says: Match's results, and the status it claims
// (cleaned, for the status line only).
type matched struct {
	ids    []string
	share  string
	status string
}

// maxStatus caps the claimed status shown on the status line.
const maxStatus = 32

func match(body []byte, jobs []track.Job, rowJob func(key string) (string, bool)) (matched, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber() // a numeric id in a payload is compared as written
	var ids []string
	var v any
	if err := d.Decode(&v); err != nil {
		return matched{}, fmt.Errorf("%w: %v", ErrBadBody, err)
	}
	if len(bytes.TrimSpace(body[d.InputOffset():])) > 0 {
		return matched{}, fmt.Errorf("%w: more follows the first value", ErrBadBody)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return matched{}, fmt.Errorf("%w: it is a JSON %s", ErrBadBody, kind(v))
	}

	idx := newIndex(jobs)
	found := make([]bool, len(jobs))
	if i := rowMatch(obj, jobs, idx, rowJob); i >= 0 {
		// The body names the row its job was made from: that job, and
		// no other, whatever else the body holds.
		share, _ := obj["shareUrl"].(string)
		return matched{ids: []string{jobs[i].ID}, share: termsafe.CleanURL(share), status: claimed(obj)}, nil
	}
	walk(obj, func(s string) { idx.find(s, found) })

	share, _ := obj["shareUrl"].(string)
	share = termsafe.CleanURL(share)
	owner := -1
	if share != "" {
		sharedBy := make([]bool, len(jobs))
		idx.find(share, sharedBy)
		for i, hit := range sharedBy {
			if hit {
				if owner >= 0 {
					owner = -2 // names several jobs: no one's for sure
					break
				}
				owner = i
			}
		}
	}
	for i, hit := range found {
		if hit && i != owner {
			ids = append(ids, jobs[i].ID)
		}
	}
	switch {
	case owner >= 0:
		ids = append([]string{jobs[owner].ID}, ids...)
	case owner == -1 && len(ids) == 1:
		// The link names no tracked id (Colossyan's share pages may use
		// their own), but the body named exactly one job: it is that job's.
	default:
		share = ""
	}
	return matched{ids: ids, share: share, status: claimed(obj)}, nil
}

// claimed is the status the body claims, cleaned and cut for the status line.
func claimed(obj map[string]any) string {
	status, _ := obj["status"].(string)
	status = termsafe.Clean(status)
	if r := []rune(status); len(r) > maxStatus {
		status = string(r[:maxStatus]) + "…"
	}
	return status
}

// rowMatch is the index in jobs of the job made from the row the body's
// RowKeyField names, or -1.
func rowMatch(obj map[string]any, jobs []track.Job, idx index, rowJob func(string) (string, bool)) int {
	key, _ := obj[RowKeyField].(string)
	if key == "" || rowJob == nil {
		return -1
	}
	id, ok := rowJob(key)
	if !ok {
		return -1
	}
	hits := make([]bool, len(jobs))
	idx.mark(strings.TrimSpace(id), hits)
	for i, hit := range hits {
		if hit {
			return i
		}
	}
	return -1
}

// kind names a decoded JSON value's type for an error message.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

// walk calls f with every string (and number, as written) in v, at any
// depth. Object keys are names, not ids, and are skipped. Recursion is
// bounded by the decoder's own nesting limit.
func walk(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case json.Number:
		f(string(v))
	case map[string]any:
		for _, e := range v {
			walk(e, f)
		}
	case []any:
		for _, e := range v {
			walk(e, f)
		}
	}
}

// index maps each lower-cased id of each job to the jobs it names, so a
// large body against many jobs costs one map look-up per candidate string.
type index map[string][]int

func newIndex(jobs []track.Job) index {
	idx := index{}
	for i, j := range jobs {
		for _, id := range []string{j.ID, j.JobID, j.VideoID} {
			id = strings.ToLower(strings.TrimSpace(id))
			if id == "" {
				continue
			}
			if l := idx[id]; len(l) == 0 || l[len(l)-1] != i {
				idx[id] = append(l, i)
			}
		}
	}
	return idx
}

// find marks the jobs s names: as a whole, or as a URL's path segment or
// query value.
func (idx index) find(s string, found []bool) {
	if len(idx) == 0 {
		return
	}
	idx.findDepth(s, found, 0)
}

func (idx index) findDepth(s string, found []bool, depth int) {
	idx.mark(strings.TrimSpace(s), found)
	if depth >= maxURLDepth || !strings.ContainsAny(s, "/?") {
		return
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "" {
			continue
		}
		idx.mark(seg, found)
		// {videoId}.mp4, and any other extension.
		if dot := strings.IndexByte(seg, '.'); dot > 0 {
			idx.mark(seg[:dot], found)
		}
	}
	q, _ := url.ParseQuery(u.RawQuery) // keeps what parses
	for _, vs := range q {
		for _, v := range vs {
			idx.findDepth(v, found, depth+1)
		}
	}
}

// mark marks the jobs whose id is s.
func (idx index) mark(s string, found []bool) {
	if s == "" {
		return
	}
	for _, i := range idx[strings.ToLower(s)] {
		found[i] = true
	}
}
