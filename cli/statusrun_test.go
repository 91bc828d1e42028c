package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// fakeLookups answers lookups from memory: an ID in hold waits until its
// channel is closed; "bad-key" is a rejected key.
type fakeLookups struct {
	hold map[string]chan struct{}

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	maxRoutines int
	calls       int
}

func (f *fakeLookups) Lookup(ctx context.Context, id string) (*api.Lookup, error) {
	f.mu.Lock()
	f.calls++
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.maxRoutines = max(f.maxRoutines, runtime.NumGoroutine())
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if ch := f.hold[id]; ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if id == "bad-key" {
		return nil, &api.KeyRejectedError{}
	}
	return &api.Lookup{Kind: api.KindJob, Job: &api.Job{ID: id, Status: api.StatusGenerating, Progress: 50, MaximumProgress: 100}}, nil
}

// syncBuffer is a bytes.Buffer a test may read while a command writes.
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

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

var noRetry = retryPolicy{Attempts: 1, Sleep: retry.Sleep}

// A row is printed as soon as every row before it is known, not at the end;
// --json is one valid array all the same.
func TestStatusPrintsEachRowWhenItsTurnComes(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprint("json=", asJSON), func(t *testing.T) {
			release := make(chan struct{})
			f := &fakeLookups{hold: map[string]chan struct{}{"c3": release}}
			var out syncBuffer
			sio := IO{Out: &out, Err: &bytes.Buffer{}, Now: time.Now}
			done := make(chan error, 1)
			go func() {
				done <- runStatus(context.Background(), sio, f, sliceIDs{"a1", "b2", "c3", "d4"}, statusOptions{JSON: asJSON, Retry: noRetry})
			}()
			waitFor(t, "a1 and b2 printed while c3 is unanswered", func() bool {
				s := out.String()
				return strings.Contains(s, "a1") && strings.Contains(s, "b2")
			})
			if s := out.String(); strings.Contains(s, "d4") {
				t.Errorf("d4 printed before c3, whose place comes first:\n%s", s)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			s := out.String()
			if !asJSON {
				if i, j := strings.Index(s, "c3"), strings.Index(s, "d4"); i < 0 || j < i {
					t.Errorf("rows out of order:\n%s", s)
				}
				return
			}
			var got []statusJSON
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				t.Fatalf("not one JSON array: %v\n%s", err, s)
			}
			var ids []string
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			if fmt.Sprint(ids) != "[a1 b2 c3 d4]" {
				t.Errorf("ids %v", ids)
			}
		})
	}
}

// The streamed array reads the same as json.Marshal of the whole, indented.
func TestStatusJSONStreamLaysOutAsOneArray(t *testing.T) {
	f := &fakeLookups{}
	var out bytes.Buffer
	list := []string{"a1", "b2"}
	if err := runStatus(context.Background(), IO{Out: &out, Err: &bytes.Buffer{}, Now: time.Now}, f, sliceIDs(list), statusOptions{JSON: true, Retry: noRetry}); err != nil {
		t.Fatal(err)
	}
	var all []statusJSON
	for _, id := range list {
		l, _ := f.Lookup(context.Background(), id)
		all = append(all, toStatusJSON(result{ID: id, Lookup: l}))
	}
	want, _ := marshalJSON(all, true)
	if out.String() != string(want) {
		t.Errorf("streamed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// Thousands of IDs are read by a fixed pool: a few requests at a time and a
// few goroutines, not one each.
func TestStatusUsesAFixedPool(t *testing.T) {
	const n = 5000
	list := make([]string, n)
	for i := range list {
		list[i] = fmt.Sprintf("job-%d", i)
	}
	f := &fakeLookups{}
	before := runtime.NumGoroutine()
	var out bytes.Buffer
	if err := runStatus(context.Background(), IO{Out: &out, Err: &bytes.Buffer{}, Now: time.Now}, f, sliceIDs(list), statusOptions{Retry: noRetry}); err != nil {
		t.Fatal(err)
	}
	if f.calls != n {
		t.Errorf("%d lookups, want %d", f.calls, n)
	}
	if f.maxInFlight > lookupWorkers {
		t.Errorf("%d lookups at once, want at most %d", f.maxInFlight, lookupWorkers)
	}
	if extra := f.maxRoutines - before; extra > lookupWorkers+10 {
		t.Errorf("%d goroutines more than before while reading %d IDs: want a fixed pool of %d workers", extra, n, lookupWorkers)
	}
	if lines := strings.Count(out.String(), "\n"); lines != n+1 {
		t.Errorf("%d lines, want a header and %d rows", lines, n)
	}
}

// A rejected key stops the reading: the rest are not asked about, still get
// a row each, and the exit code is 3.
func TestStatusStopsOnARejectedKey(t *testing.T) {
	list := []string{"bad-key"}
	for i := range 500 {
		list = append(list, fmt.Sprintf("job-%d", i))
	}
	f := &fakeLookups{}
	var out bytes.Buffer
	err := runStatus(context.Background(), IO{Out: &out, Err: &bytes.Buffer{}, Now: time.Now}, f, sliceIDs(list), statusOptions{JSON: true, Retry: noRetry})
	if code := exitCode(err); code != ExitKeyRejected {
		t.Errorf("exit %d (%v), want %d", code, err, ExitKeyRejected)
	}
	if f.calls > lookupWindow+lookupWorkers {
		t.Errorf("%d lookups after the key was rejected", f.calls)
	}
	var got []statusJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != len(list) {
		t.Fatalf("%d objects (%v), want %d", len(got), err, len(list))
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*ExitError); ok {
		return ee.Code
	}
	return -1
}

// On a terminal, a progress line counts the rows and estimates the time
// left from the pace so far; it is wiped before rows go to the same screen,
// and at the end.
func TestStatusProgressLine(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(5 * time.Second) // each look at the clock: 5 s on
		return now
	}
	f := &fakeLookups{}
	var out, bar bytes.Buffer
	sio := IO{Out: &out, Err: &bar, Now: clock}
	list := []string{"a1", "b2", "c3", "d4"}
	if err := runStatus(context.Background(), sio, f, sliceIDs(list), statusOptions{Retry: noRetry, Progress: &bar}); err != nil {
		t.Fatal(err)
	}
	s := bar.String()
	for _, want := range []string{"1/4  25%", "3/4  75%", "left", "4/4  100%"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress lacks %q: %q", want, s)
		}
	}
	if !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("progress line not wiped at the end: %q", s)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("progress reached standard output: %q", out.String())
	}
}

// After done, the line stays wiped: a tick that comes late draws nothing.
func TestProgressLineStaysDoneAfterDone(t *testing.T) {
	var b bytes.Buffer
	p := newProgressLine(&b, "reading", 2, time.Now)
	p.above(nil)
	p.done()
	n := b.Len()
	p.mu.Lock()
	p.drawLocked() // what the ticker does
	p.mu.Unlock()
	p.above(nil)
	if b.Len() != n {
		t.Errorf("drawn after done: %q", b.String()[n:])
	}
}

// A row goes out under the line's lock: the ticker's redraw cannot land
// between the wipe and the row (it would leave the row after the bar).
func TestProgressLineRowBetweenWipeAndRowIsLocked(t *testing.T) {
	var b bytes.Buffer
	p := newProgressLine(&b, "reading", 3, time.Now)
	p.sameTerminal = true
	p.above(nil) // drawn
	wrote := false
	p.above(func() {
		wrote = true
		if p.mu.TryLock() {
			p.mu.Unlock()
			t.Error("the line's lock is free while the row is written: a tick could draw between")
		}
		if !strings.HasSuffix(b.String(), "\r\x1b[K") {
			t.Errorf("the line was not wiped before the row: %q", b.String())
		}
		b.WriteString("row\n")
	})
	if !wrote {
		t.Fatal("the row was not written")
	}
	if got := b.String(); !strings.Contains(got, "row\n\r\x1b[Kreading") {
		t.Errorf("the line was not drawn again under the row: %q", got)
	}
	var nilLine *progressLine
	nilLine.above(func() { b.WriteString("plain") }) // no terminal: the row alone
	if !strings.HasSuffix(b.String(), "plain") {
		t.Errorf("a nil line dropped the row: %q", b.String())
	}
}
