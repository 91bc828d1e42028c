package download

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// VideoGetter fetches a generated video anew, for a fresh publicUrl when
// the old one expired. *api.Client satisfies it.
type VideoGetter interface {
	GetVideo(ctx context.Context, id string) (*api.Video, error)
}

// Defaults for a Fetcher's zero fields.
const (
	DefaultMaxFailures  = 6
	DefaultStallTimeout = 60 * time.Second
	// failuresBeforeRefresh: after this many failed attempts in a row on
	// one link, ask the API for a new one (it may point elsewhere).
	failuresBeforeRefresh = 3
)

// ReportFunc hears of a transfer's progress: done bytes of total (-1 when
// the size is not known yet). It is called from the downloading goroutine
// for every chunk, so it must be quick.
type ReportFunc func(done, total int64)

// Result is a finished download.
type Result struct {
	Path    string
	Size    int64
	Skipped bool // the same file was already there; nothing was written
}

// Fetcher downloads generated videos into Dir. Its zero value works (into
// the current folder, with no link refresh); fields left zero take the
// defaults. It is safe for concurrent use by downloads of different videos.
type Fetcher struct {
	Dir       string
	HTTP      *http.Client // file host client; nil: NewHTTPClient(). Never the API client.
	Videos    VideoGetter  // refreshes expired links; nil: no refresh
	UserAgent string

	Backoff      Backoff
	MaxFailures  int           // failed attempts in a row, without progress, before giving up
	StallTimeout time.Duration // an attempt with no data for this long fails

	// For a body whose size nothing announced: stop it at MaxUnknownSize
	// bytes, or when the folder's free space (FreeSpace, the file system's
	// when nil) falls under MinFree. Zero: the defaults.
	MaxUnknownSize, MinFree int64
	FreeSpace               func(dir string) (free int64, ok bool)

	Now    func() time.Time                                 // for Retry-After dates
	Sleep  func(ctx context.Context, d time.Duration) error // waits between retries
	Jitter func() float64                                   // in [0, 1)
}

// Fetch downloads v and returns the file's path. It is what
// `reel wait --download` calls for each finished job.
func (f *Fetcher) Fetch(ctx context.Context, v *api.Video) (string, error) {
	r, err := f.Download(ctx, v, nil)
	return r.Path, err
}

// Download saves v as Dir/FileName(v), resuming any .part left by an
// earlier try, and reports progress to report (which may be nil). An
// existing file of the same size is kept and reported as skipped.
func (f *Fetcher) Download(ctx context.Context, v *api.Video, report ReportFunc) (Result, error) {
	if v == nil || v.ID == "" {
		return Result{}, errors.New("download: no video id")
	}
	if report == nil {
		report = func(int64, int64) {}
	}
	dir := f.Dir
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("download folder: %w", err)
	}
	d := &transfer{f: f, video: *v, dir: dir, base: FileName(v), report: report}
	d.final = filepath.Join(dir, d.base)
	d.part = d.final + ".part"
	d.meta = d.part + ".meta"
	if want := d.want(); want > 0 {
		if p, ok, err := findComplete(dir, d.base, want); err != nil {
			return Result{}, err
		} else if ok {
			return Result{Path: OptionSafe(p), Size: want, Skipped: true}, nil
		}
	}
	res, err := d.run(ctx)
	res.Path = OptionSafe(res.Path)
	return res, err
}

// OptionSafe is path written so that no program takes it for an option:
// one that starts with "-" (a --dir of "-x", say) gets "./" in front. File
// names themselves never start with "-" (SafeName).
func OptionSafe(path string) string {
	if strings.HasPrefix(path, "-") {
		return "." + string(filepath.Separator) + path
	}
	return path
}

// transfer is the state of one Download call.
type transfer struct {
	f      *Fetcher
	video  api.Video // refreshed when the link expires
	dir    string
	base   string
	final  string
	part   string
	meta   string
	report ReportFunc
}

// want is the size the API announced, or 0.
func (d *transfer) want() int64 {
	if d.video.VideoSizeBytes != nil && *d.video.VideoSizeBytes > 0 {
		return *d.video.VideoSizeBytes
	}
	return 0
}

func (d *transfer) run(ctx context.Context) (Result, error) {
	f := d.f
	maxFail := f.MaxFailures
	if maxFail <= 0 {
		maxFail = DefaultMaxFailures
	}
	failures, refreshes := 0, 0
	refresh := d.video.PublicURL == ""
	for {
		if refresh {
			refresh = false
			refreshes++
			if err := d.refresh(ctx); err != nil {
				if ctx.Err() != nil || !isTransient(err) {
					return Result{}, err
				}
				failures++
				if failures >= maxFail {
					return Result{}, err
				}
				refresh = true
				if err := d.sleep(ctx, failures, err); err != nil {
					return Result{}, err
				}
				continue
			}
		}
		res, progressed, err := d.attempt(ctx)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return Result{}, context.Cause(ctx)
		}
		if progressed {
			failures, refreshes = 0, 0
		}
		var he *HTTPError
		switch {
		case errors.As(err, &he) && he.linkExpired():
			if f.Videos == nil || refreshes >= maxFail {
				return Result{}, fmt.Errorf("%w: the link may have expired", err)
			}
			refresh = true
			if refreshes == 0 {
				continue // a fresh link at once; no reason to wait
			}
		case isTransient(err):
			failures++
			if failures >= maxFail {
				return Result{}, fmt.Errorf("giving up after %d tries: %w", failures, err)
			}
			if failures%failuresBeforeRefresh == 0 && f.Videos != nil {
				refresh = true
			}
		default:
			return Result{}, err
		}
		if err := d.sleep(ctx, max(failures, refreshes), err); err != nil {
			return Result{}, err
		}
	}
}

// refresh asks the API for the video again, for a fresh link.
func (d *transfer) refresh(ctx context.Context) error {
	if d.f.Videos == nil {
		return ErrNoLink
	}
	v, err := d.f.Videos.GetVideo(ctx, d.video.ID)
	switch {
	case err == nil:
	case api.IsNotFound(err):
		return fmt.Errorf("video %s is gone (deleted?): %w", d.video.ID, err)
	case api.IsRetryable(err):
		return transient(fmt.Errorf("fetching a fresh link: %w", err))
	default:
		return fmt.Errorf("fetching a fresh link: %w", err)
	}
	if v.PublicURL == "" {
		return ErrNoLink
	}
	d.video.PublicURL = v.PublicURL
	if v.VideoSizeBytes != nil {
		d.video.VideoSizeBytes = v.VideoSizeBytes
	}
	return nil
}

// sleep waits before retry n, longer when the server asked for it.
func (d *transfer) sleep(ctx context.Context, n int, cause error) error {
	f := d.f
	jitter := rand.Float64
	if f.Jitter != nil {
		jitter = f.Jitter
	}
	wait := f.Backoff.Delay(max(n, 1), jitter())
	var te *transientError
	if errors.As(cause, &te) {
		wait = retry.After(wait, te.retryAfter, retry.MaxRetryAfter)
	}
	sleep := f.Sleep
	if sleep == nil {
		sleep = retry.Sleep
	}
	return sleep(ctx, wait)
}

func isTransient(err error) bool {
	var te *transientError
	return errors.As(err, &te)
}
