package chaos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-dev/reel/termtest"
)

// hardAPI is an API and file host in one, for the hardening round: job
// "ok-N" is finished with a 4096-byte video; "endless" announces 1000
// bytes and sends a chunked body that never ends; "run" is generating for
// ever; "name-N" is finished with a video whose name is nameSize bytes.
type hardAPI struct {
	srv      *httptest.Server
	content  []byte
	nameSize int

	fileRequests atomic.Int64
	endlessSent  atomic.Int64
}

func newHardAPI(t *testing.T, nameSize int) *hardAPI {
	h := &hardAPI{content: bytes.Repeat([]byte("reel"), 1024), nameSize: nameSize}
	name := bytes.Repeat([]byte("n"), nameSize)
	mux := http.NewServeMux()
	send := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/v1/video-generation-jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		status := "finished"
		if id == "run" {
			status = "generating"
		}
		send(w, map[string]any{"id": id, "videoId": id + "-v", "status": status, "progress": 50, "maximumProgress": 100})
	})
	mux.HandleFunc("GET /api/v1/generated-videos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		v := map[string]any{"id": id, "jobId": strings.TrimSuffix(id, "-v"), "name": "video " + strings.TrimSuffix(id, "-v"),
			"publicUrl": h.srv.URL + "/files/" + id + ".mp4", "videoSizeBytes": len(h.content)}
		switch {
		case id == "endless-v":
			v["videoSizeBytes"] = 1000
		case strings.HasPrefix(id, "name-"):
			// Written, not encoded: encoding 30 MiB per request would make
			// this server the slow part.
			v["name"] = "NAME"
			b, _ := json.Marshal(v)
			before, after, _ := bytes.Cut(b, []byte("NAME"))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(before)
			_, _ = w.Write(name)
			_, _ = w.Write(after)
			return
		}
		send(w, v)
	})
	mux.HandleFunc("GET /files/{file}", func(w http.ResponseWriter, r *http.Request) {
		h.fileRequests.Add(1)
		w.Header().Set("Content-Type", "video/mp4")
		if r.PathValue("file") != "endless-v.mp4" {
			http.ServeContent(w, r, "v.mp4", time.Time{}, bytes.NewReader(h.content))
			return
		}
		chunk := bytes.Repeat([]byte{'z'}, 64<<10)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			h.endlessSent.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	h.srv = httptest.NewUnstartedServer(mux)
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hardAPI) env(t *testing.T) []string {
	return termtest.Env(t.TempDir(), h.srv.URL+"/api/v1", "k")
}

// sharedFolder is a download folder anyone may write to, as /tmp is.
func sharedFolder(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlantedFilesInTheDownloadFolder plants, in a folder others can
// write to, what another user could: a .part.meta symlink to a file of the
// user's, a FIFO as the .part, and a file of the announced size under the
// final name. reel writes through none, hangs on none, and takes none for
// the video.
func TestPlantedFilesInTheDownloadFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no symlinks or FIFOs to plant")
	}
	t.Parallel()
	h := newHardAPI(t, 0)
	env := h.env(t)

	t.Run("meta symlink", func(t *testing.T) {
		dir := sharedFolder(t)
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		final := filepath.Join(dir, "video ok-1-ok-1-v.mp4")
		if err := os.Symlink(victim, final+".part.meta"); err != nil {
			t.Fatal(err)
		}
		out, err := runReel(env, "download", "--dir", dir, "ok-1")
		if err != nil || !strings.Contains(out, "can be written by other users") {
			t.Fatalf("%v: %s", err, out)
		}
		if b, _ := os.ReadFile(victim); string(b) != "precious" {
			t.Errorf("the file the symlink points at now holds %q", b)
		}
		if b, _ := os.ReadFile(final); !bytes.Equal(b, h.content) {
			t.Errorf("the download is not the video (%d bytes)", len(b))
		}
	})
	t.Run("FIFO", func(t *testing.T) {
		dir := sharedFolder(t)
		final := filepath.Join(dir, "video ok-2-ok-2-v.mp4")
		if err := mkfifo(final + ".part"); err != nil {
			t.Skip(err)
		}
		cmd := exec.Command(reelBin, "download", "--dir", dir, "ok-2")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(out.String(), "not a regular file") {
				t.Errorf("exit %v: %s", err, out.String())
			}
		case <-time.After(60 * time.Second): // a hang guard, not a timing assertion
			_ = cmd.Process.Kill()
			t.Fatal("reel hangs on a FIFO")
		}
	})
	t.Run("finished file of the announced size", func(t *testing.T) {
		dir := sharedFolder(t)
		final := filepath.Join(dir, "video ok-3-ok-3-v.mp4")
		planted := bytes.Repeat([]byte{'A'}, len(h.content))
		if err := os.WriteFile(final, planted, 0o644); err != nil {
			t.Fatal(err)
		}
		before := h.fileRequests.Load()
		cmd := exec.Command(reelBin, "download", "--dir", dir, "ok-3")
		cmd.Env = env
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		got := strings.TrimSpace(string(stdout))
		if got == final || h.fileRequests.Load() == before {
			t.Fatalf("the planted file was reported as the download (%q) after %d file requests", got, h.fileRequests.Load()-before)
		}
		if b, _ := os.ReadFile(got); !bytes.Equal(b, h.content) {
			t.Errorf("%s is not the video", got)
		}
		if b, _ := os.ReadFile(final); !bytes.Equal(b, planted) {
			t.Error("the planted file was changed")
		}
	})
}

// TestEndlessBodyIsStopped: the video says 1000 bytes and the file host
// sends a chunked body that never ends. reel stops at once, says why,
// and leaves nothing in the folder.
func TestEndlessBodyIsStopped(t *testing.T) {
	t.Parallel()
	h := newHardAPI(t, 0)
	dir := t.TempDir()
	out, err := runReel(h.env(t), "download", "--dir", dir, "endless")
	if err == nil || !strings.Contains(out, "more than videoSizeBytes announced") {
		t.Fatalf("exit %v: %s", err, out)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("left in the folder: %v", names)
	}
	// What the host managed to push before reel hung up: socket buffers
	// and one read, not gigabytes.
	if sent := h.endlessSent.Load(); sent > 64<<20 {
		t.Errorf("the host sent %d bytes before reel stopped", sent)
	}
	t.Logf("reel: %s; the host sent %d bytes in all", strings.TrimSpace(out), h.endlessSent.Load())
}

// TestBigAnswersStayBounded: 20 jobs whose video names are 30 MiB, and 20
// whose names are 300 KiB (under the answer cap, over what is kept). reel wait --json keeps
// its output and memory small: the first answers are refused, the second
// names cut.
func TestBigAnswersStayBounded(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		size    int
		settle  bool
		timeout string
	}{{30 << 20, false, "5s"}, {300 << 10, true, "60s"}} {
		h := newHardAPI(t, c.size)
		var ids []string
		for i := range 20 {
			ids = append(ids, fmt.Sprintf("name-%d", i))
		}
		cmd := exec.Command(reelBin, append([]string{"wait", "--json", "--timeout", c.timeout}, ids...)...)
		cmd.Env = h.env(t)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		peak := watchPeakRSS(cmd.Process.Pid)
		err := cmd.Wait()
		rss := peak()
		if c.settle && err != nil {
			t.Errorf("names of %d bytes: %v\n%.3000s", c.size, err, stderr.String())
		}
		t.Logf("names of %d bytes: %d bytes of output, peak RSS %d MB", c.size, out.Len(), rss>>20)
		if out.Len() > 1<<20 {
			t.Errorf("names of %d bytes: %d bytes of output", c.size, out.Len())
		}
		if rss > 600<<20 { // a -race binary idles near 100 MB
			t.Errorf("names of %d bytes: peak RSS %d MB", c.size, rss>>20)
		}
		if c.settle && !strings.Contains(out.String(), "cut by reel at 2 KiB") {
			t.Errorf("a cut name does not say so: %.300s", out.String())
		}
		if !c.settle && !strings.Contains(stderr.String()+out.String(), "limit of 1 MiB for one API answer") {
			t.Errorf("the refused answers are not named: %.500s", stderr.String())
		}
	}
}

// watchPeakRSS samples pid's VmHWM (its peak resident set, which exec
// starts afresh: the rusage of a child counts its parent's at fork) until
// the returned function is called, which reports the last one read in
// bytes; 0 where there is no /proc.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				for line := range strings.SplitSeq(string(b), "\n") {
					var kb int64
					if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil && kb<<10 > peak.Load() {
						peak.Store(kb << 10)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() int64 { close(stop); <-done; return peak.Load() }
}

// TestReceiverConnectionCap opens 600 idle connections to reel wait's
// callback receiver from loopback: the files reel holds stay bounded (they
// once reached 20,000), and once the senders go it answers again.
func TestReceiverConnectionCap(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts /proc/PID/fd")
	}
	t.Parallel()
	h := newHardAPI(t, 0)
	addr := freeAddr(t)
	const secret = "chaos-cap-secret-0123456789"
	cmd := exec.Command(reelBin, "wait", "--listen", addr, "run")
	cmd.Env = append(h.env(t), "REEL_CALLBACK_SECRET="+secret)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr + "/callback/" + secret
	deadline := time.Now().Add(30 * time.Second) // a start guard
	for !strings.Contains(stderr.String(), "receiving callbacks") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(stderr.String(), secret) {
		t.Errorf("reel wait printed the secret: %s", stderr.String())
	}
	fds := func() int {
		es, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid))
		return len(es)
	}
	base := fds()
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			_ = c.Close()
		}
	})
	for range 600 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond) // let reel accept what it will; the bound below holds at any moment
	held := fds() - base
	t.Logf("600 idle connections: reel holds %d more files (cap 64 per address + 64 being refused)", held)
	if held > 64+64+8 {
		t.Errorf("reel holds %d more files for 600 idle connections", held)
	}
	// Once they go, the receiver answers again: nothing leaked, nothing stuck.
	for _, c := range conns {
		_ = c.Close()
	}
	conns = nil
	// A sender told 503 comes back after its Retry-After, as Colossyan's
	// would: the receiver may not have seen every close yet.
	client := &http.Client{Timeout: 30 * time.Second}
	var resp *http.Response
	for try := 0; try < 10; try++ {
		var err error
		resp, err = client.Post(url, "application/json", strings.NewReader(`{"status":"finished"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			break
		}
		time.Sleep(time.Second)
	}
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("after the idle connections went: %d, want 202", resp.StatusCode)
	}
	after := fds() - base
	for end := time.Now().Add(15 * time.Second); after > 8 && time.Now().Before(end); after = fds() - base {
		time.Sleep(50 * time.Millisecond) // closes reach reel's side one by one; a guard, not a timing assertion
	}
	if after > 8 {
		t.Errorf("reel still holds %d more files after the idle connections went", after)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCallbackCannotReplaceAShareLink posts, to a dashboard's receiver,
// share links a stranger holding the secret would: another site's for a
// running job, and one on the API's own host for a job already settled.
// y then copies neither: the running job's link is the one on the API's
// domain, and the settled job keeps its video link.
func TestCallbackCannotReplaceAShareLink(t *testing.T) {
	t.Parallel()
	h := newHardAPI(t, 0)
	addr := freeAddr(t)
	const secret = "chaos-share-secret-0123456789"
	env := append(h.env(t), "REEL_CALLBACK_SECRET="+secret, "DISPLAY=")
	tm := startTerm(t, env, "--listen", addr, "ok-9", "run")
	tm.WaitScreen("both rows answered", func(s string) bool {
		return strings.Contains(s, "video ok-9") && strings.Contains(termtest.LineWith(s, "run"), "generating")
	}, 30*time.Second)

	post := func(body string) {
		resp, err := http.Post("http://"+addr+"/callback/"+secret, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("callback answered %d", resp.StatusCode)
		}
	}
	own := h.srv.URL + "/share/run"
	post(`{"shareUrl":"` + h.srv.URL + `/share/hijacked","jobId":"ok-9"}`)
	post(`{"shareUrl":"https://evil.example/login","jobId":"run"}`)
	post(`{"shareUrl":"` + own + `","jobId":"run"}`)
	post(`{"shareUrl":"https://evil.example/login","jobId":"run"}`)

	// The receiver coalesces: the first callback reaches the engine at
	// once, the next three together when its 100 ms window ends. Until
	// then the running job has no link at all (its video is fetched when
	// it ends, and with it the file link), so y rightly answers "no link
	// yet". Wait for the callbacks' link in the job's details, which is
	// the engine's state on screen, and only then copy.
	tm.Press("j")
	tm.Press("\r")
	screen := tm.WaitScreen("the running job's callback link in its details", func(s string) bool {
		return strings.Contains(s, "/share/run") || strings.Contains(s, "evil.example")
	}, 20*time.Second)
	if strings.Contains(screen, "evil.example") {
		t.Fatalf("another site's link reached the running job:\n%s", screen)
	}
	tm.Press("\r") // details closed: the link now shows only where y puts it
	tm.Press("y")
	screen = tm.WaitScreen("a link copied", func(s string) bool { return strings.Contains(s, "clipboard") || strings.Contains(s, "here it is") }, 10*time.Second)
	if strings.Contains(screen, "evil.example") || !strings.Contains(screen, own) {
		t.Errorf("the running job's link is not the one on the API's domain:\n%s", screen)
	}
	tm.Press("k")
	tm.Press("y")
	screen = tm.WaitScreen("the settled job's link", func(s string) bool { return strings.Contains(s, "ok-9-v.mp4") || strings.Contains(s, "hijacked") }, 10*time.Second)
	if strings.Contains(screen, "hijacked") {
		t.Errorf("the settled job's link changed:\n%s", screen)
	}
	tm.Press("q")
	tm.Exit(20 * time.Second)
}
