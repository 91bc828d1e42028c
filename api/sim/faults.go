package sim

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault is a way a request can go wrong, as real networks and real load
// balancers make them go wrong.
type Fault string

// The faults the simulator can inject.
const (
	FaultInternal         Fault = "500"       // 500 with a JSON body
	FaultBadGateway       Fault = "502"       // 502 with a JSON body
	FaultUnavailable      Fault = "503"       // 503, no Retry-After
	FaultUnavailableRetry Fault = "503-retry" // 503 with Retry-After in seconds
	FaultRateLimited      Fault = "429"       // 429 with Retry-After in seconds
	FaultRateLimitedDate  Fault = "429-date"  // 429 with Retry-After as an HTTP date
	FaultReset            Fault = "reset"     // the connection is reset, no answer
	FaultTruncated        Fault = "truncated" // Content-Length declared, half the body sent
	FaultStall            Fault = "stall"     // held StallFor (or until the client leaves), then answered
	FaultHTML             Fault = "html-200"  // a proxy's HTML page with status 200
	FaultHTMLBadGateway   Fault = "html-502"  // a proxy's HTML page with status 502
	// FaultLostAnswer serves the request, so a POST creates its job, then
	// resets the connection before the answer: the hard case. Not in
	// AllFaults (it changes state where the others do not); name it in
	// FaultKinds.
	FaultLostAnswer Fault = "lost-answer"
)

// AllFaults is every fault, the pool API faults are drawn from by default.
var AllFaults = []Fault{
	FaultInternal, FaultBadGateway, FaultUnavailable, FaultUnavailableRetry,
	FaultRateLimited, FaultRateLimitedDate, FaultReset, FaultTruncated,
	FaultStall, FaultHTML, FaultHTMLBadGateway,
}

// DefaultFileFaults are the faults downloads meet by default: mostly cut
// mid-transfer, which is what a resumable download must survive.
var DefaultFileFaults = []Fault{FaultTruncated, FaultTruncated, FaultReset, FaultUnavailable}

// pickFault decides whether this request meets a fault: the injected ones
// first, else a draw from the seed and the request's number.
func (s *Sim) pickFault(file bool) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue, n, rate, kinds := &s.forced, &s.reqN, s.faults, s.opts.FaultKinds
	salt := uint64(0xa11)
	if file {
		queue, n, rate, kinds = &s.forcedFile, &s.fileReqN, s.fileFaults, s.opts.FileFaultKinds
		salt = 0xf11e
	}
	if len(*queue) > 0 {
		f := (*queue)[0]
		*queue = (*queue)[1:]
		return f, true
	}
	*n++
	if rate <= 0 || len(kinds) == 0 {
		return "", false
	}
	h := mix(uint64(s.opts.Seed)*0x9e3779b97f4a7c15 ^ salt<<48 ^ *n)
	if float64(h>>11)/(1<<53) >= rate {
		return "", false
	}
	return kinds[mix(h)%uint64(len(kinds))], true
}

// withFaults wraps a route: a fault either answers the request itself, or
// (stall, truncation) changes how the route's own answer goes out.
func (s *Sim) withFaults(file bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.pickFault(file)
		if !ok {
			next(w, r)
			return
		}
		s.countFault(f)
		if rec, ok := w.(*recorder); ok {
			rec.fault = f
		}
		switch f {
		case FaultInternal:
			writeJSON(w, http.StatusInternalServerError, message("Internal Server Error"))
		case FaultBadGateway:
			writeJSON(w, http.StatusBadGateway, message("Bad Gateway"))
		case FaultUnavailable:
			writeJSON(w, http.StatusServiceUnavailable, message("Service Unavailable"))
		case FaultUnavailableRetry:
			w.Header().Set("Retry-After", "2")
			writeJSON(w, http.StatusServiceUnavailable, message("Service Unavailable"))
		case FaultRateLimited:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, message("Too Many Requests"))
		case FaultRateLimitedDate:
			// Three seconds ahead: a date has whole seconds, so the client
			// still reads a wait of two seconds or more.
			w.Header().Set("Retry-After", s.now().Add(3*time.Second).UTC().Format(http.TimeFormat))
			writeJSON(w, http.StatusTooManyRequests, message("Too Many Requests"))
		case FaultReset:
			reset(w)
		case FaultTruncated:
			next(&cutWriter{ResponseWriter: w}, r)
		case FaultStall:
			t := time.NewTimer(s.opts.StallFor)
			defer t.Stop()
			select {
			case <-r.Context().Done():
				return // the client left; nobody to answer
			case <-t.C:
			}
			next(w, r)
		case FaultHTML:
			htmlPage(w, http.StatusOK, "Service temporarily unavailable")
		case FaultHTMLBadGateway:
			htmlPage(w, http.StatusBadGateway, "502 Bad Gateway")
		case FaultLostAnswer:
			lostAnswer(w, r, next)
		default:
			next(w, r)
		}
	}
}

// reset drops the connection with a TCP RST: no status, no body.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2, recorder): abort instead
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func htmlPage(w http.ResponseWriter, code int, title string) {
	body := "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head>\n<body><center><h1>" +
		title + "</h1></center><hr><center>nginx</center></body></html>\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// cutWriter sends the status, the headers and half the declared body, then
// aborts the connection: the client sees an unexpected EOF.
type cutWriter struct {
	http.ResponseWriter
	limit, sent int64
	wrote       bool
}

func (c *cutWriter) WriteHeader(code int) {
	c.wrote = true
	if n, err := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64); err == nil {
		c.limit = n / 2
	}
	c.ResponseWriter.WriteHeader(code)
	if c.limit == 0 {
		c.abort()
	}
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	room := c.limit - c.sent
	if int64(len(p)) < room {
		n, err := c.ResponseWriter.Write(p)
		c.sent += int64(n)
		return n, err
	}
	n, _ := c.ResponseWriter.Write(p[:room])
	c.sent += int64(n)
	c.abort()
	return n, io.ErrClosedPipe
}

func (c *cutWriter) abort() {
	_ = http.NewResponseController(c.ResponseWriter).Flush()
	panic(http.ErrAbortHandler) // the server closes the connection quietly
}

func (c *cutWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
