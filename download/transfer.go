package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reel-dev/reel/api"
)

// bufSize is the copy buffer: big enough that a GiB costs about a
// thousand writes, small enough that three downloads stay far below the
// memory budget.
const bufSize = 1 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// attempt makes one request for the rest of the file and copies what
// comes into the .part file. progressed tells whether any byte was added,
// which resets the failure count.
func (d *transfer) attempt(ctx context.Context) (res Result, progressed bool, err error) {
	u, err := url.Parse(d.video.PublicURL)
	if err != nil {
		return Result{}, false, fmt.Errorf("video link: %w", err)
	}
	if err := checkScheme(u); err != nil {
		return Result{}, false, err
	}
	part, have, meta, err := d.openPart()
	if err != nil {
		return Result{}, false, err
	}
	defer func() {
		if part != nil {
			_ = part.Close()
		}
	}()

	// The watchdog cancels the request when no byte comes for a while;
	// the http client's own timeouts end at the response headers.
	stall := d.f.StallTimeout
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer watchdog.Stop()

	resp, err := d.request(ctx, rctx, u, have, meta)
	if err != nil {
		return Result{}, false, err
	}
	defer resp.Body.Close()
	total, have, complete, err := d.accept(resp, part, have, meta)
	switch {
	case err != nil:
		return Result{}, false, err
	case complete:
		res, err = d.finish(part, have)
		part = nil
		return res, false, err
	}
	if want := d.want(); want > 0 && total >= 0 && total != want {
		d.discard(part)
		part = nil
		return Result{}, false, &SizeError{Got: total, Want: want, Source: "videoSizeBytes"}
	}
	if have == 0 {
		if err := writeMeta(d.meta, metaFrom(resp, total)); err != nil {
			return Result{}, false, fmt.Errorf("partial file: %w", err)
		}
	}
	if total >= 0 && d.want() == 0 {
		// Only now is the size known: the same file may be there already.
		if p, ok, err := findComplete(d.dir, d.base, total); err == nil && ok {
			d.discard(part)
			part = nil
			return Result{Path: p, Size: total, Skipped: true}, false, nil
		}
	}

	if _, err := part.Seek(have, io.SeekStart); err != nil {
		return Result{}, false, fmt.Errorf("partial file: %w", err)
	}
	lim := bodyLimit{max: total, source: "Content-Length"}
	switch {
	case total >= 0 && resp.StatusCode == http.StatusPartialContent:
		lim.source = "Content-Range"
	case total < 0 && d.want() > 0:
		lim = bodyLimit{max: d.want(), source: "videoSizeBytes"}
	case total < 0:
		lim = bodyLimit{max: d.f.maxUnknown()}
	}
	done, err := d.copy(part, resp.Body, have, total, lim, watchdog, stall)
	progressed = done > have
	var le *LimitError
	if errors.As(err, &le) {
		d.discard(part)
		part = nil
		return Result{}, progressed, err
	}
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, progressed, context.Cause(ctx)
		}
		return Result{}, progressed, err
	}
	if total >= 0 && done < total {
		return Result{}, progressed, transient(fmt.Errorf("connection closed after %d of %d bytes", done, total))
	}
	if total >= 0 && done > total {
		d.discard(part)
		part = nil
		return Result{}, progressed, &SizeError{Got: done, Want: total, Source: "Content-Length"}
	}
	if want := d.want(); want > 0 && done != want {
		d.discard(part)
		part = nil
		return Result{}, progressed, &SizeError{Got: done, Want: want, Source: "videoSizeBytes"}
	}
	res, err = d.finish(part, done)
	part = nil
	return res, progressed, err
}

// openPart opens (or creates) the .part file and tells how much of it can
// be resumed, with the validator it came with.
func (d *transfer) openPart() (*os.File, int64, partMeta, error) {
	// Anything may stand under the name in a shared folder: a symlink to
	// a file of the user's, a FIFO that would hang the open.
	part, err := openRegular(d.part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, partMeta{}, fmt.Errorf("partial file: %w", err)
	}
	if err := lockPart(part); err != nil {
		_ = part.Close()
		return nil, 0, partMeta{}, fmt.Errorf("%s: %w", d.part, err)
	}
	fi, err := part.Stat()
	if err != nil {
		_ = part.Close()
		return nil, 0, partMeta{}, fmt.Errorf("partial file: %w", err)
	}
	have := fi.Size()
	meta, ok := readMeta(d.meta)
	if have > 0 && (!ok || meta.Size <= 0) {
		// Bytes of unknown origin: they cannot be trusted to match.
		if err := d.restart(part); err != nil {
			_ = part.Close()
			return nil, 0, partMeta{}, err
		}
		have = 0
	}
	return part, have, meta, nil
}

// request asks for the file from byte have on, conditional on the
// validator so a changed file comes whole.
func (d *transfer) request(ctx, rctx context.Context, u *url.URL, have int64, meta partMeta) (*http.Response, error) {
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("video link: %w", err)
	}
	if d.f.UserAgent != "" {
		req.Header.Set("User-Agent", d.f.UserAgent)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		if v := meta.validator(); v != "" {
			req.Header.Set("If-Range", v)
		}
	}
	hc := d.f.HTTP
	if hc == nil {
		hc = defaultClient()
	}
	resp, err := hc.Do(req)
	if err == nil {
		return resp, nil
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	for _, fatal := range []error{errScheme, errRedirects} {
		if errors.Is(err, fatal) {
			return nil, fatal
		}
	}
	return nil, transient(fmt.Errorf("requesting the file: %w", unwrapURL(err, rctx)))
}

// accept reads the answer's status: the file's total size (-1 unknown),
// where its body starts (0 when the host sends it all), whether the part
// is complete already, or why this answer is no use.
func (d *transfer) accept(resp *http.Response, part *os.File, have int64, meta partMeta) (total, from int64, complete bool, err error) {
	switch resp.StatusCode {
	case http.StatusOK:
		if have > 0 {
			// The file changed, or the host ignores Range: start over.
			if err := d.restart(part); err != nil {
				return 0, 0, false, err
			}
		}
		total, from = resp.ContentLength, 0
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have || (meta.Size > 0 && size != meta.Size) {
			_ = d.restart(part)
			return 0, 0, false, transient(errors.New("the file host resumed at the wrong place; starting over"))
		}
		total, from = size, have
	case http.StatusRequestedRangeNotSatisfiable:
		_, size, _ := parseContentRange(resp.Header.Get("Content-Range"))
		if have > 0 && size == have && meta.Size == have {
			return have, have, true, nil // complete already, not yet renamed
		}
		_ = d.restart(part)
		return 0, 0, false, transient(errors.New("the file host refused the resume; starting over"))
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		now := time.Now
		if d.f.Now != nil {
			now = d.f.Now
		}
		return 0, 0, false, &transientError{
			err:        &HTTPError{StatusCode: resp.StatusCode},
			retryAfter: api.ParseRetryAfter(resp.Header.Get("Retry-After"), now()),
		}
	default:
		if resp.StatusCode >= 500 {
			return 0, 0, false, transient(&HTTPError{StatusCode: resp.StatusCode})
		}
		return 0, 0, false, &HTTPError{StatusCode: resp.StatusCode}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		// A proxy's or login page: not the video, and likely gone on the
		// next try. Nothing of it is written.
		if from == 0 {
			_ = d.restart(part)
		}
		return 0, 0, false, transient(errors.New("the file host sent a web page instead of the video"))
	}
	return total, from, false, nil
}

// copy moves the body into the file with one reused buffer, feeding the
// watchdog and the progress report on every chunk. It stops with a
// *LimitError as soon as the file would pass lim (nothing past it is
// written), and, when no size was announced, when the folder runs low.
func (d *transfer) copy(w io.Writer, body io.Reader, done, total int64, lim bodyLimit, watchdog *time.Timer, stall time.Duration) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	d.report(done, total)
	unknown := lim.source == ""
	nextSpace := done
	for {
		if unknown && done >= nextSpace {
			if err := d.checkSpace(done); err != nil {
				return done, err
			}
			nextSpace = done + spaceEvery
		}
		n, rerr := body.Read(buf)
		if n > 0 {
			if done+int64(n) > lim.max {
				return done, lim.over(done + int64(n))
			}
			watchdog.Reset(stall)
			if _, err := w.Write(buf[:n]); err != nil {
				return done, fmt.Errorf("writing %s: %w", d.part, err)
			}
			done += int64(n)
			d.report(done, total)
		}
		if rerr == io.EOF {
			return done, nil
		}
		if rerr != nil {
			if errors.Is(rerr, context.Canceled) {
				return done, transient(errStalled)
			}
			return done, transient(fmt.Errorf("reading the file: %w", rerr))
		}
	}
}

// finish makes the part durable and gives it its final name. It closes
// part.
func (d *transfer) finish(part *os.File, size int64) (Result, error) {
	if err := part.Sync(); err != nil {
		_ = part.Close()
		return Result{}, fmt.Errorf("saving %s: %w", d.part, err)
	}
	// Placed while the .part is still open (where locks exist), so its
	// lock is held until the final name stands and the .part is gone: no
	// other process can take the file up (and truncate it) in between.
	if !placeWhileOpen {
		if err := part.Close(); err != nil {
			return Result{}, fmt.Errorf("saving %s: %w", d.part, err)
		}
	}
	p, skipped, err := place(d.part, d.dir, d.base, size)
	if placeWhileOpen {
		if cerr := part.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("saving %s: %w", d.part, cerr)
		}
	}
	if err != nil {
		return Result{}, err
	}
	_ = os.Remove(d.meta)
	syncDir(d.dir)
	return Result{Path: p, Size: size, Skipped: skipped}, nil
}

// restart empties the part file and forgets its validator.
func (d *transfer) restart(part *os.File) error {
	_ = os.Remove(d.meta)
	if err := part.Truncate(0); err != nil {
		return fmt.Errorf("partial file: %w", err)
	}
	return nil
}

// discard removes the part file and its meta: they are of no use.
func (d *transfer) discard(part *os.File) {
	if part != nil {
		_ = part.Close()
	}
	_ = os.Remove(d.part)
	_ = os.Remove(d.meta)
}

// parseContentRange reads "bytes first-last/size" or "bytes */size".
func parseContentRange(s string) (first, size int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	size, err := strconv.ParseInt(sz, 10, 64)
	if err != nil || size < 0 {
		return 0, 0, false
	}
	if rng == "*" {
		return 0, size, true
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first || last >= size {
		return 0, 0, false
	}
	return first, size, true
}

// unwrapURL drops the URL from a *url.Error (a signed link is long and a
// secret of sorts) and names a stall as such.
func unwrapURL(err error, rctx context.Context) error {
	if errors.Is(context.Cause(rctx), errStalled) {
		return errStalled
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

var (
	clientOnce   sync.Once
	sharedClient *http.Client
)

// defaultClient is one NewHTTPClient shared by all Fetchers that bring
// none, so connections are reused.
func defaultClient() *http.Client {
	clientOnce.Do(func() { sharedClient = NewHTTPClient() })
	return sharedClient
}
