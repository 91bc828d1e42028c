package sim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// APIPrefix is where the API lives on the simulator's origin, as on
// Colossyan's: a base URL is the origin plus this.
const APIPrefix = "/api/v1"

// Handler serves the whole simulator: the API under /api/v1, files under
// /files/, share pages under /share/. Links point back at the request's own
// host unless the Sim was started with a separate file host.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	s.api(mux, "GET "+APIPrefix+"/video-generation-jobs/{id}", s.getJob)
	s.api(mux, "DELETE "+APIPrefix+"/video-generation-jobs/{id}", s.deleteJob)
	s.api(mux, "POST "+APIPrefix+"/video-generation-jobs", s.createJob)
	s.api(mux, "POST "+APIPrefix+"/video-generation-jobs/template-jobs", s.createTemplateJob)
	s.api(mux, "GET "+APIPrefix+"/generated-videos/{id}", s.getVideo)
	s.api(mux, "DELETE "+APIPrefix+"/generated-videos/{id}", s.deleteVideo)
	s.files(mux, false)
	mux.HandleFunc("GET /share/{id}", s.track("GET /share/{id}", s.serveShare))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "reel's Colossyan API simulator. The API is at %s%s (bearer token required).\n", origin(r), APIPrefix)
	})
	return mux
}

// FileHandler serves only the files, as a CDN on another origin would. It
// refuses any request that carries an Authorization header (as object
// stores do), so a client that leaks the API token there fails loudly.
func (s *Sim) FileHandler() http.Handler {
	mux := http.NewServeMux()
	s.files(mux, true)
	return mux
}

func (s *Sim) api(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, s.track(pattern, s.limit(s.withFaults(false, s.authed(h)))))
}

// limit answers 429 when the request exceeds Options.RateLimit.
func (s *Sim) limit(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if wait, ok := s.overLimit(); ok {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
			writeJSON(w, http.StatusTooManyRequests, message("Too Many Requests"))
			return
		}
		next(w, r)
	}
}

// overLimit takes a token from the bucket, or says how long until one.
func (s *Sim) overLimit() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rate := s.opts.RateLimit
	if rate <= 0 {
		return 0, false
	}
	now := s.now()
	burst := float64(max(s.opts.Burst, 1))
	if s.bucketAt.IsZero() {
		s.bucket = burst
	} else if d := now.Sub(s.bucketAt); d > 0 {
		s.bucket = min(burst, s.bucket+d.Seconds()*rate)
	}
	s.bucketAt = now
	if s.bucket >= 1 {
		s.bucket--
		return 0, false
	}
	s.stats.RateLimited++
	return time.Duration((1 - s.bucket) / rate * float64(time.Second)), true
}

func (s *Sim) files(mux *http.ServeMux, cdn bool) {
	const pattern = "GET /files/{name}"
	mux.HandleFunc(pattern, s.track(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			s.mu.Lock()
			s.stats.FileAuthHeaders++
			s.mu.Unlock()
			if cdn {
				cdnError(w, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed")
				return
			}
		}
		s.withFaults(true, s.serveFile)(w, r)
	}))
}

// authed answers 401 unless the request carries the simulator's token.
func (s *Sim) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		ok := len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(h[7:])), []byte(s.opts.Token)) == 1
		if !ok {
			s.mu.Lock()
			s.stats.Unauthorized++
			s.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			writeJSON(w, http.StatusUnauthorized, message("Unauthorized"))
			return
		}
		next(w, r)
	}
}

// track counts the request, follows concurrency, remembers the origin
// clients use, and logs one line when asked to.
func (s *Sim) track(route string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		st := &s.stats
		st.Total++
		st.ByRoute[route]++
		st.ByPath[r.Method+" "+r.URL.Path]++
		st.InFlight++
		st.MaxInFlight = max(st.MaxInFlight, st.InFlight)
		if strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
			s.lastOrigin = origin(r)
		}
		s.mu.Unlock()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// Log, then count the request done: a test that waits for
			// InFlight to drop then sees the line.
			defer func() {
				s.mu.Lock()
				s.stats.InFlight--
				s.mu.Unlock()
			}()
			if s.opts.Logf != nil {
				note := ""
				if rec.fault != "" {
					note = " (fault " + string(rec.fault) + ")"
				}
				answer := "no answer"
				if rec.code != 0 {
					answer = strconv.Itoa(rec.code)
				}
				s.opts.Logf("%s %s -> %s%s", r.Method, r.URL.Path, answer, note)
			}
		}()
		next(rec, r)
	}
}

// recorder remembers the status for the log (0: nothing was answered) and
// which fault was injected.
type recorder struct {
	http.ResponseWriter
	code  int
	fault Fault
}

func (r *recorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// origin is the scheme and host the client reached us by.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// origins are the API and file origins for links in an answer to r.
func (s *Sim) origins(r *http.Request) (apiOrigin, fileOrigin string) {
	o := origin(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	return o, s.fileOriginFor(o)
}

// fileOriginFor is where files live when the API is at apiOrigin: the same
// origin, or the file listener's port on the same host name. Call with s.mu
// held.
func (s *Sim) fileOriginFor(apiOrigin string) string {
	if s.fileOrigin != "" {
		return s.fileOrigin
	}
	if s.filePort == "" {
		return apiOrigin
	}
	u, err := url.Parse(apiOrigin)
	if err != nil {
		return apiOrigin
	}
	return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), s.filePort)
}

type msg struct {
	Message string `json:"message"`
}

func message(m string) msg { return msg{m} }

// writeJSON answers with a JSON body and its Content-Length, so a truncated
// body can be told from a whole one.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, code = []byte(`{"message":"Internal Server Error"}`), http.StatusInternalServerError
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// validID is the shape of id the API accepts; anything else is a 400, as
// the docs give for a malformed id.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
