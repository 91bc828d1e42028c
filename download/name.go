// Package download fetches generated videos to disk: safe file names,
// resumable transfers over a client that never carries the API token,
// links refreshed when they expire, and a Manager that runs several
// downloads at once and reports their progress.
package download

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reel-dev/reel/api"
)

// MaxNameBytes caps the name part of a file name. File systems allow 255
// bytes; the rest is left for "-<videoId> (n).mp4.part".
const MaxNameBytes = 120

// maxIDBytes caps the video id part: ids are the server's, not ours.
const maxIDBytes = 80

// SafeName makes s usable as (part of) a file name on any common file
// system: no path separators, no control, format (bidi, zero-width) or
// Windows-forbidden characters, no leading dots or dashes (hidden files,
// options), no trailing dots or spaces (Windows drops them), no reserved
// Windows device name, at most maxBytes bytes of valid UTF-8. It may
// return "" when nothing usable is left.
func SafeName(s string, maxBytes int) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*maxBytes))
	space := false
	for _, r := range strings.ToValidUTF8(s, "_") {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' ||
			r == '"' || r == '<' || r == '>' || r == '|':
			r = '_'
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue // invisible: bidi overrides, zero-width joiners, BOM
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := strings.TrimLeft(b.String(), ".- ")
	out = truncateUTF8(out, maxBytes)
	out = strings.TrimRight(out, ". ")
	if reservedWindowsName(out) {
		out = "_" + out
		out = strings.TrimRight(truncateUTF8(out, maxBytes), ". ")
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reservedWindowsName reports whether Windows treats s as a device: CON,
// PRN, AUX, NUL, COM1-9, LPT1-9 (and the superscript digits), with or
// without an extension, in any case.
func reservedWindowsName(s string) bool {
	stem, _, _ := strings.Cut(s, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) > 3 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		switch stem[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// FileName is the file a video is saved as: "<name>-<videoId>.mp4", both
// parts made safe. A video with no usable name is "video-<videoId>.mp4".
func FileName(v *api.Video) string {
	id := SafeName(v.ID, maxIDBytes)
	if id == "" {
		id = "unknown"
	}
	name := SafeName(v.Name, MaxNameBytes)
	if name == "" {
		name = "video"
	}
	return name + "-" + id + ".mp4"
}
