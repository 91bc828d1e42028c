package callback

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Handler serves the receiver: POST /callback/<secret> only.
func (r *Receiver) Handler() http.Handler { return http.HandlerFunc(r.serve) }

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	// The secret is checked before anything else is read: a stranger gets
	// the same 404 as for any unknown page, learns nothing, changes nothing.
	if !r.secretOK(req.URL.Path) {
		r.log.Debug("callback refused: unknown path", "remote", req.RemoteAddr)
		reply(w, http.StatusNotFound, `{"error":"not found"}`)
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, `{"error":"use POST"}`)
		return
	}
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	default:
		// Past the cap a sender is better told to come back than made to
		// wait: the queue would hold its connection and ours.
		w.Header().Set("Retry-After", "1")
		reply(w, http.StatusServiceUnavailable, `{"error":"busy, retry"}`)
		return
	}
	at := r.opts.Now()
	if req.ContentLength > r.opts.MaxBody {
		r.log.Debug("callback refused: body too large", "remote", req.RemoteAddr, "bytes", req.ContentLength)
		w.Header().Set("Connection", "close")
		reply(w, http.StatusRequestEntityTooLarge, `{"error":"body too large"}`)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.opts.MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			r.log.Debug("callback refused: body too large", "remote", req.RemoteAddr)
			reply(w, http.StatusRequestEntityTooLarge, `{"error":"body too large"}`)
			return
		}
		r.log.Debug("callback refused: body unreadable", "remote", req.RemoteAddr, "err", err)
		reply(w, http.StatusBadRequest, `{"error":"body unreadable"}`)
		return
	}
	m, err := match(body, r.opts.Engine.Jobs(), r.opts.RowJob)
	if err != nil {
		// Colossyan always sends a JSON object, so anything else is not
		// Colossyan: a scanner, or a sender set up wrong, which a 400
		// tells at once. Nudging for it would let any junk cost API
		// requests.
		r.log.Debug("callback refused: not a JSON object", "remote", req.RemoteAddr)
		reply(w, http.StatusBadRequest, `{"error":"body must be a JSON object"}`)
		return
	}
	if m.share != "" && !shareAllowed(m.share, r.api) {
		r.log.Info("callback's share link dropped: not on the API's domain", "remote", req.RemoteAddr)
		m.share = ""
	}
	r.co.add(m.ids, m.share, at)
	reply(w, http.StatusAccepted, `{"status":"accepted"}`)
	r.log.Info("callback", "jobs", m.ids, "claims", m.status, "remote", req.RemoteAddr)
	if r.opts.OnCallback != nil {
		r.opts.OnCallback(Event{At: at, IDs: m.ids, ShareURL: m.share, Status: m.status})
	}
}

// secretOK reports whether path is /callback/<secret>. The comparison is of
// fixed-size hashes in constant time, so neither the secret's bytes nor its
// length leak through timing.
func (r *Receiver) secretOK(path string) bool {
	got, ok := strings.CutPrefix(path, "/callback/")
	if !ok || got == "" || r.opts.Secret == "" {
		return false
	}
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(h[:], r.secret[:]) == 1
}

// reply writes a small JSON answer that no cache keeps.
func reply(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body+"\n")
}
