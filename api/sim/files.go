package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// link is a signed, expiring file URL, in the manner of a CDN's presigned
// links. Call with s.mu held (it reads the link epoch).
func (s *Sim) link(origin, videoID, ext string, now time.Time) string {
	exp := now.Add(s.opts.LinkTTL).Unix()
	q := url.Values{"Expires": {strconv.FormatInt(exp, 10)}, "Signature": {s.sign(videoID, ext, exp)}}
	return origin + "/files/" + url.PathEscape(videoID) + "." + ext + "?" + q.Encode()
}

func (s *Sim) sign(videoID, ext string, exp int64) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "%s.%s|%d|%d", videoID, ext, exp, s.linkEpoch)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

var (
	errLinkExpired = errors.New("Request has expired")
	errLinkInvalid = errors.New("The request signature we calculated does not match the signature you provided")
)

// checkLink says why a file URL is refused, or nil. Call with s.mu held.
func (s *Sim) checkLink(videoID, ext string, q url.Values, now time.Time) error {
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil {
		return errLinkInvalid
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("Signature")), []byte(s.sign(videoID, ext, exp))) != 1 {
		// Links signed before ExpireLinks fail here: report them as expired
		// too, which is what they stand for.
		return errLinkExpired
	}
	if now.Unix() > exp {
		return errLinkExpired
	}
	return nil
}

// serveFile serves /files/{videoId}.mp4 and /files/{videoId}.png: real
// bytes, with Range, ETag, If-Range and Last-Modified via http.ServeContent.
func (s *Sim) serveFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		cdnError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	id, ext := name[:dot], name[dot+1:]
	now := s.now()
	s.mu.Lock()
	v, created, ready, ok := s.lookupVideo(id, now)
	var linkErr error
	var size int64
	if ok && ready {
		linkErr = s.checkLink(id, ext, r.URL.Query(), now)
		size = v.size
	}
	s.mu.Unlock()
	if !ok || !ready || (ext != "mp4" && ext != "png") {
		cdnError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if linkErr != nil {
		cdnError(w, http.StatusForbidden, "AccessDenied", linkErr.Error())
		return
	}
	key := s.contentKey(id)
	w.Header().Set("Cache-Control", "private, max-age=300")
	if ext == "png" {
		w.Header().Set("Content-Type", "image/png")
		b := s.thumbnail(id, key)
		w.Header().Set("ETag", fmt.Sprintf(`"%016x-png"`, key))
		http.ServeContent(w, r, name, created.Truncate(time.Second), bytes.NewReader(b))
		return
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("ETag", fmt.Sprintf(`"%016x-%x"`, key, size))
	http.ServeContent(w, r, name, created.Truncate(time.Second), &Content{key: key, size: size})
}

// cdnError answers in the XML of an object store, as a CDN in front of one
// would: not JSON, which a downloader must cope with.
func cdnError(w http.ResponseWriter, code int, short, msg string) {
	body := fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n",
		short, html.EscapeString(msg))
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// Content is a video file's bytes, made on the fly from a key: any offset
// can be read without holding the file, so a 1 GiB file costs no memory.
// It starts with an MP4 ftyp box so file managers call it a video.
type Content struct {
	key       uint64
	size, off int64
}

// NewContent is the content a video of this simulator's seed would serve
// (for tests that check downloaded bytes).
func (s *Sim) NewContent(videoID string) *Content {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[videoID]
	if !ok {
		return &Content{key: s.contentKey(videoID)}
	}
	return &Content{key: s.contentKey(videoID), size: v.size}
}

// Size is the content's length in bytes.
func (c *Content) Size() int64 { return c.size }

// Read implements io.Reader.
func (c *Content) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.size-c.off)
	fill(c.key, c.off, p[:n])
	c.off += n
	return int(n), nil
}

// Seek implements io.Seeker.
func (c *Content) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.size
	default:
		return 0, errors.New("sim: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("sim: negative offset")
	}
	c.off = offset
	return offset, nil
}

// ReadAt implements io.ReaderAt.
func (c *Content) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.size-off)
	fill(c.key, off, p[:n])
	if int(n) < len(p) {
		return int(n), io.EOF
	}
	return int(n), nil
}

var ftyp = []byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41")

// fill writes the bytes at off: the ftyp box, then word i of the stream is
// splitmix64(key + i·φ), so every byte depends on its offset alone.
func fill(key uint64, off int64, p []byte) {
	i := 0
	for i < len(p) {
		pos := off + int64(i)
		if pos < int64(len(ftyp)) {
			p[i] = ftyp[pos]
			i++
			continue
		}
		w := uint64(pos / 8)
		if pos%8 == 0 {
			for ; len(p)-i >= 8; i, w = i+8, w+1 {
				binary.LittleEndian.PutUint64(p[i:], mix(key+w*0x9e3779b97f4a7c15))
			}
			if i == len(p) {
				return
			}
			pos = off + int64(i)
		}
		p[i] = byte(mix(key+uint64(pos/8)*0x9e3779b97f4a7c15) >> (8 * (pos % 8)))
		i++
	}
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// thumbnail is a 320×180 PNG that looks like a frame of the video (see
// frame), made once per video.
func (s *Sim) thumbnail(id string, key uint64) []byte {
	if b, ok := s.thumbs.Load(id); ok {
		return b.([]byte)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, frame(key)) // cannot fail writing to a buffer
	s.thumbs.Store(id, buf.Bytes())
	return buf.Bytes()
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }

// serveShare is the share page a callback's shareUrl points at: what
// Colossyan's sharing site would show, minus the styling.
func (s *Sim) serveShare(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	now := s.now()
	_, fileOrigin := s.origins(r)
	s.mu.Lock()
	v, _, ready, ok := s.lookupVideo(id, now)
	var name, src string
	if ok && ready {
		name, src = v.name, s.link(fileOrigin, id, "mp4", now)
	}
	s.mu.Unlock()
	if !ok || !ready {
		http.Error(w, "This video is not available.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"+
		"<body><h1>%s</h1><video controls src=\"%s\"></video></body></html>\n",
		html.EscapeString(name), html.EscapeString(name), html.EscapeString(src))
}
