package chaos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reel-dev/reel/termtest"
)

// hostile carries every way server text can take over a terminal: CSI
// (cursor moves, a window resize), OSC 0 (title), OSC 8 (hyperlink), OSC 52
// (clipboard), DCS, the C1 forms of CSI and OSC, bidi overrides, a
// carriage return that overwrites the row, bell and backspaces, and bytes
// that are not UTF-8 (the placeholder notUTF8 is swapped for them on the
// wire, since JSON encoders will not write them).
const hostile = "Evil\x1b[6666;7777H one\x1b[8;1;1t\x1b]0;pwned-title\x07 two\x1b]8;;https://evil.example/\x07three\x1b]8;;\x07" +
	" four\x1b]52;c;cHduZWQ=\x07 five\x1bPq#0;2;0;0;0\x1b\\ six\u009b6666;7777H seven\u009d0;c1pwned\u009c" +
	" \u202eeight\u2067 nine\x07\x08\x08\x08 notUTF8 ten\rOVERWRITE"

// hostileURL is a link that would smuggle a sequence into the screen.
const hostileURL = "https://files.example/v.mp4?x=\x1b]8;;https://evil.example/\x07\u202e\rOVERWRITE"

// dangers lists what in raw terminal output came from the hostile text
// unharmed: each sequence with its introducer, so the printable text left
// once the sequences are taken apart (a quoted URL in an error, "pwned" in
// a file name) does not count.
func dangers(raw []byte) []string {
	var found []string
	for _, bad := range []string{
		"\x1b[6666", "\x1b[8;1;1t", "\x1b]0;pwned", "\x1b]8;;https://evil", "\x1b]52", "\x1bP",
		"\u202e", "\u2067", "\rOVERWRITE", "nine\x07", "\x07\x08", "\x08\x08\x08",
	} {
		if n := bytes.Count(raw, []byte(bad)); n > 0 {
			found = append(found, fmt.Sprintf("%q ×%d", bad, n))
		}
	}
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			found = append(found, fmt.Sprintf("the byte %#x, not UTF-8, at %d", raw[i], i))
		case r >= 0x80 && r <= 0x9f:
			found = append(found, fmt.Sprintf("the C1 control U+%04X at %d", r, i))
		}
		i += n
	}
	if len(found) > 20 {
		found = append(found[:20], fmt.Sprintf("and %d more", len(found)-20))
	}
	return found
}

func TestDangersFindsEachSequence(t *testing.T) {
	raw := []byte(strings.ReplaceAll(hostile, "notUTF8", "\xff\xfe"))
	if got := dangers(raw); len(got) < 12 {
		t.Errorf("dangers found %d kinds, want at least 12: %v", len(got), got)
	}
	if got := dangers([]byte("\x1b[2J\x1b[1;1H\x1b]8;;https://ok.example/\x07ok\x1b]8;;\x07 ✓●◌│─…⊘◐✗\r\n")); len(got) > 0 {
		t.Errorf("dangers flags clean output: %v", got)
	}
}

// hostileAPI is a Colossyan API whose every text field is hostile. Jobs:
// h-fail (failed, hostile reason), h-fin (finished; the video's name and
// links hostile), h-status (an unknown status word that is hostile),
// h-huge (a 10 MB reason), h-bigname (a 10 MB video name), h-500 (errors
// with a hostile message), h-418 (an unexpected status, hostile body).
func hostileAPI(t *testing.T) *httptest.Server {
	huge := strings.Repeat(hostile, 10<<20/len(hostile)+1)
	send := func(w http.ResponseWriter, code int, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Error(err)
		}
		b = bytes.ReplaceAll(b, []byte("notUTF8"), []byte("\xff\xfe"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write(b)
	}
	job := func(id, status string, extra map[string]any) map[string]any {
		m := map[string]any{"id": id, "videoId": id + "-v", "status": status, "progress": 40, "maximumProgress": 100}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	video := func(id, name string) map[string]any {
		return map[string]any{
			"id": id, "jobId": strings.TrimSuffix(id, "-v"), "name": name, "publicUrl": hostileURL,
			"thumbnailUrl": hostileURL, "videoSizeBytes": 1000, "videoDurationSeconds": 12, "createdAt": "2025-01-01T00:00:00Z",
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/video-generation-jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch id := r.PathValue("id"); id {
		case "h-fail":
			send(w, 200, job(id, "failed", map[string]any{"error": map[string]any{"message": hostile}, "errorMessage": hostile}))
		case "h-fin", "h-bigname":
			send(w, 200, job(id, "finished", map[string]any{"progress": 100}))
		case "h-status":
			send(w, 200, job(id, "gen\x1b[6666;7777Herating\u202e", nil))
		case "h-huge":
			send(w, 200, job(id, "failed", map[string]any{"error": huge}))
		case "h-500":
			send(w, 500, map[string]any{"message": hostile, "error": hostile})
		case "h-418":
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte(strings.ReplaceAll(hostile, "notUTF8", "\xff\xfe")))
		default:
			send(w, 404, map[string]any{"message": "not found " + hostile})
		}
	})
	mux.HandleFunc("GET /api/v1/generated-videos/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch id := r.PathValue("id"); id {
		case "h-fin-v":
			send(w, 200, video(id, hostile))
		case "h-bigname-v":
			send(w, 200, video(id, huge))
		case "h-500":
			send(w, 500, map[string]any{"message": hostile})
		default:
			send(w, 404, map[string]any{"message": hostile})
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var hostileIDs = []string{"h-fail", "h-fin", "h-status", "h-huge", "h-bigname", "h-500", "h-418"}

// TestHostileServerTextInTheDashboard runs the dashboard on the hostile API
// in a pseudo-terminal, opens the detail pane on every row, and checks the
// raw bytes written.
func TestHostileServerTextInTheDashboard(t *testing.T) {
	t.Parallel()
	srv := hostileAPI(t)
	tm := startTerm(t, termtest.Env(t.TempDir(), srv.URL+"/api/v1", "k"), hostileIDs...)
	tm.WaitScreen("every row answered", func(s string) bool {
		return strings.Contains(termtest.LineWith(s, "h-fin"), "Evil one") && strings.Contains(termtest.LineWith(s, "h-fail"), "failed")
	}, 30*time.Second)
	tm.Press("\r")
	for range hostileIDs {
		if _, err := tm.AfterKey("j", 5*time.Second); err != nil {
			t.Fatalf("%v; screen:\n%s", err, tm.Screen())
		}
	}
	tm.Press("q")
	if code := tm.Exit(30 * time.Second); code != 0 {
		t.Errorf("exit %d after q", code)
	}
	raw := tm.Raw()
	for _, d := range dangers(raw) {
		t.Errorf("the terminal got %s", d)
	}
	t.Logf("%d bytes of output, %d hostile fields, %d dangers", len(raw), 7, len(dangers(raw)))
}

// TestHostileServerTextInCommands runs the scripting commands on a
// terminal: their tables, progress lines and errors print server text too.
func TestHostileServerTextInCommands(t *testing.T) {
	t.Parallel()
	srv := hostileAPI(t)
	home := t.TempDir()
	env := termtest.Env(home, srv.URL+"/api/v1", "k")
	// The 10 MB answers cost seconds each under the race detector, so
	// only status (whose table shows both) reads them.
	small := []string{"h-fail", "h-fin", "h-status", "h-500", "h-418"}
	for _, args := range [][]string{
		append([]string{"status"}, hostileIDs...),
		append([]string{"wait", "--timeout", "3s"}, small...),
		append([]string{"download", "--dir", home}, small...),
	} {
		t.Run(args[0], func(t *testing.T) {
			tm := startTerm(t, env, args...)
			// What is tested is the bytes, not the time: status retries
			// the over-cap answers, 12 s alone, minutes on a loaded machine.
			code := tm.Exit(3 * time.Minute)
			raw := tm.Raw()
			for _, d := range dangers(raw) {
				t.Errorf("reel %s (exit %d) wrote %s", args[0], code, d)
			}
		})
	}
}

// TestStatusJSONKeepsTheRawValue: JSON is for programs, so it carries the
// server's text exactly, escaped as JSON and not cleaned.
func TestStatusJSONKeepsTheRawValue(t *testing.T) {
	t.Parallel()
	srv := hostileAPI(t)
	cmd := exec.Command(reelBin, "status", "--json", "h-fail", "h-fin")
	cmd.Env = termtest.Env(t.TempDir(), srv.URL+"/api/v1", "k")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	_ = cmd.Run() // exit 1: a job failed
	var got []struct {
		Job struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		} `json:"job"`
		Video struct {
			Name      string `json:"name"`
			PublicURL string `json:"publicUrl"`
		} `json:"video"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != 2 {
		t.Fatalf("not two JSON objects (%v):\n%s\nstderr: %s", err, out.String(), stderr.String())
	}
	// What a JSON decoder makes of the hostile text: invalid bytes become
	// U+FFFD, everything else stays.
	want := strings.ReplaceAll(hostile, "notUTF8", "\ufffd\ufffd")
	if got[0].Job.Error.Message != want {
		t.Errorf("failed job's error.message = %q, want the raw %q", got[0].Job.Error.Message, want)
	}
	if got[1].Video.Name != want || got[1].Video.PublicURL != hostileURL {
		t.Errorf("video = %+v, want the raw name and link", got[1].Video)
	}
	if i := bytes.IndexByte(out.Bytes(), 0x1b); i >= 0 {
		t.Errorf("JSON output holds a raw ESC at %d", i)
	}
}
