package download

import "fmt"

// Limits on a body whose size nothing announced (no videoSizeBytes, no
// Content-Length, no Content-Range): it is stopped at DefaultMaxUnknownSize,
// or earlier when the folder's free space falls under DefaultMinFree.
const (
	DefaultMaxUnknownSize = 16 << 30
	DefaultMinFree        = 1 << 30
	// spaceEvery: the free space is looked at after every this many bytes.
	spaceEvery = 64 << 20
)

// LimitError: the file host sent more than reel accepts, and the download
// was stopped there and its partial file removed.
type LimitError struct {
	Got   int64  // bytes received when it stopped
	Limit int64  // the limit passed
	What  string // which limit
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("stopped after %d bytes: %s (%d bytes); the partial file was removed", e.Got, e.What, e.Limit)
}

// bodyLimit is what a body may bring in all, and what announced it.
type bodyLimit struct {
	max    int64  // total bytes the file may reach; <0: none
	source string // "Content-Length", "Content-Range", "videoSizeBytes", or "" for the cap
}

// over is the error for a body that passed l.max at got bytes.
func (l bodyLimit) over(got int64) error {
	if l.source == "" {
		return &LimitError{Got: got, Limit: l.max, What: "no size was announced, and reel stops such a download at its cap on an unannounced size (MaxUnknownSize)"}
	}
	return &LimitError{Got: got, Limit: l.max, What: "the file host sent more than " + l.source + " announced, so it is not the video"}
}

func (f *Fetcher) maxUnknown() int64 {
	if f.MaxUnknownSize > 0 {
		return f.MaxUnknownSize
	}
	return DefaultMaxUnknownSize
}

func (f *Fetcher) minFree() int64 {
	if f.MinFree > 0 {
		return f.MinFree
	}
	return DefaultMinFree
}

// checkSpace fails when the folder has less than MinFree left.
func (d *transfer) checkSpace(got int64) error {
	free := freeSpace
	if d.f.FreeSpace != nil {
		free = d.f.FreeSpace
	}
	n, ok := free(d.dir)
	if !ok || n >= d.f.minFree() {
		return nil
	}
	return &LimitError{Got: got, Limit: d.f.minFree(), What: fmt.Sprintf(
		"no size was announced and %s has %d bytes free, under the free space reel keeps (MinFree)", d.dir, n)}
}
