package submit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/retry"
)

// memJournal is a Journal in memory, with the store's rules.
type memJournal struct {
	mu sync.Mutex
	m  map[string]Entry
}

func newMem() *memJournal { return &memJournal{m: map[string]Entry{}} }

func (j *memJournal) ClaimRow(_ context.Context, key, source string, force bool) (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, found := j.m[key]
	if found && e.State != Failed && !(force && (e.State == Unknown || e.State == Sending)) {
		return e, false, nil
	}
	e = Entry{Key: key, Source: source, State: Sending, Attempts: e.Attempts + 1}
	j.m[key] = e
	return e, true, nil
}

func (j *memJournal) Submission(_ context.Context, key string) (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.m[key]
	return e, ok, nil
}

func (j *memJournal) Answer(_ context.Context, e Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.m[e.Key]; !ok {
		return errors.New("never claimed")
	}
	j.m[e.Key] = e
	return nil
}

// step is one scripted answer: connected says whether the request reached
// a connection (as the HTTP client's trace would tell).
type step struct {
	err       error
	connected bool
}

// fakePoster answers each row's POSTs from a script, by the body's "n".
type fakePoster struct {
	mu     sync.Mutex
	script map[string][]step
	sent   map[string]int
	bodies map[string]json.RawMessage
}

func (p *fakePoster) CreateRaw(ctx context.Context, template bool, body json.RawMessage) (*api.Created, error) {
	var b struct {
		DynamicVariables map[string]string `json:"dynamicVariables"`
	}
	_ = json.Unmarshal(body, &b)
	n := b.DynamicVariables["n"]
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.sent[n]
	p.sent[n]++
	p.bodies[n] = body
	var s step
	if i < len(p.script[n]) {
		s = p.script[n][i]
	} else {
		s = step{connected: true}
	}
	if s.connected {
		if tr := httptrace.ContextClientTrace(ctx); tr != nil && tr.GotConn != nil {
			tr.GotConn(httptrace.GotConnInfo{})
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	return &api.Created{ID: "job-" + n, VideoID: "vid-" + n}, nil
}

func templateRow(n string) Row {
	body, _ := json.Marshal(map[string]any{"templateJobId": "tpl", "dynamicVariables": map[string]string{"n": n}})
	return Row{File: "f.csv", Line: 1, Number: 1, Kind: Template, Body: body, Key: "row_" + n}
}

func feed(rows ...Row) <-chan Row {
	ch := make(chan Row, len(rows))
	for _, r := range rows {
		ch <- r
	}
	close(ch)
	return ch
}

func TestSendOutcomes(t *testing.T) {
	refused := &api.TransientError{Err: errors.New("connection refused")}
	reset := &api.TransientError{Err: errors.New("connection reset by peer")}
	tests := []struct {
		name   string
		script []step
		want   Outcome
		sends  int
		waits  []time.Duration
	}{
		{"created", nil, OutCreated, 1, nil},
		{"400 is a refusal", []step{{&api.BadRequestError{Message: "bad"}, true}}, OutFailed, 1, nil},
		{"404 template", []step{{&api.NotFoundError{Kind: "template job"}, true}}, OutFailed, 1, nil},
		{"422", []step{{&api.StatusError{StatusCode: 422}, true}}, OutFailed, 1, nil},
		{"500 may have created it", []step{{&api.TransientError{StatusCode: 500}, true}}, OutUnknown, 1, nil},
		{"503 without Retry-After may have too", []step{{&api.TransientError{StatusCode: 503}, true}}, OutUnknown, 1, nil},
		{"a reset after sending", []step{{reset, true}}, OutUnknown, 1, nil},
		{"a 200 that cannot be read", []step{{&api.TransientError{StatusCode: 200, Err: errors.New("truncated")}, true}}, OutUnknown, 1, nil},
		{"a 3xx", []step{{&api.StatusError{StatusCode: 302}, true}}, OutUnknown, 1, nil},
		{"429 then created", []step{{&api.RateLimitedError{RetryAfter: 3 * time.Second}, true}}, OutCreated, 2, []time.Duration{3 * time.Second}},
		{"503 with Retry-After then created", []step{{&api.TransientError{StatusCode: 503, RetryAfter: 2 * time.Second}, true}}, OutCreated, 2, []time.Duration{2 * time.Second}},
		{"429 asking for an hour fails, unslept", []step{{&api.RateLimitedError{RetryAfter: time.Hour}, true}}, OutFailed, 1, []time.Duration{}},
		{"503 asking for 6 minutes fails", []step{{&api.TransientError{StatusCode: 503, RetryAfter: 6 * time.Minute}, true}}, OutFailed, 1, []time.Duration{}},
		{"429 for 5 minutes waits", []step{{&api.RateLimitedError{RetryAfter: 5 * time.Minute}, true}}, OutCreated, 2, []time.Duration{5 * time.Minute}},
		{"refused twice then created", []step{{refused, false}, {refused, false}}, OutCreated, 3, nil},
		{"refused then reset: unknown", []step{{refused, false}, {reset, true}}, OutUnknown, 2, nil},
		{"refused every time", []step{{refused, false}, {refused, false}, {refused, false}}, OutFailed, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePoster{script: map[string][]step{"1": tt.script}, sent: map[string]int{}, bodies: map[string]json.RawMessage{}}
			j := newMem()
			var waits []time.Duration
			var got []Result
			o := Options{Poster: p, Journal: j, MaxSends: 3,
				Sleep:  func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
				Report: func(r Result) { got = append(got, r) }}
			sum, err := Send(context.Background(), feed(templateRow("1")), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Outcome != tt.want || p.sent["1"] != tt.sends {
				t.Fatalf("results %+v after %d sends; want %s after %d", got, p.sent["1"], tt.want, tt.sends)
			}
			if tt.waits != nil && fmt.Sprint(waits) != fmt.Sprint(tt.waits) {
				t.Fatalf("waited %v, want %v", waits, tt.waits)
			}
			wantState := map[Outcome]State{OutCreated: Created, OutFailed: Failed, OutUnknown: Unknown}[tt.want]
			if e := j.m["row_1"]; e.State != wantState || e.Attempts != tt.sends {
				t.Fatalf("journal %+v, want %s after %d sends", e, wantState, tt.sends)
			}
			if sum.Created+sum.Failed+sum.Unknown != 1 {
				t.Fatalf("summary %+v", sum)
			}

			// The same rows again: only a failed row is sent again.
			before := p.sent["1"]
			got = nil
			if _, err := Send(context.Background(), feed(templateRow("1")), o); err != nil {
				t.Fatal(err)
			}
			resent := p.sent["1"] - before
			switch tt.want {
			case OutCreated:
				if resent != 0 || got[0].Outcome != OutSkipped || got[0].JobID != "job-1" {
					t.Fatalf("rerun of a created row: %d sends, %+v", resent, got)
				}
			case OutUnknown:
				if resent != 0 || got[0].Outcome != OutUnknown {
					t.Fatalf("rerun of an unknown row: %d sends, %+v", resent, got)
				}
				o.Force = true
				if _, err := Send(context.Background(), feed(templateRow("1")), o); err != nil || p.sent["1"]-before != 1 {
					t.Fatalf("--resend-unknown: %d sends, %v", p.sent["1"]-before, err)
				}
			case OutFailed:
				if resent == 0 {
					t.Fatal("a failed row was not sent again")
				}
			}
		})
	}
}

func TestSendStopsOnARejectedKey(t *testing.T) {
	script := map[string][]step{"2": {{&api.KeyRejectedError{StatusCode: 401}, true}}}
	p := &fakePoster{script: script, sent: map[string]int{}, bodies: map[string]json.RawMessage{}}
	rows := make(chan Row)
	go func() {
		defer close(rows)
		for i := range 50 {
			rows <- templateRow(fmt.Sprint(i + 2))
		}
	}()
	sum, err := Send(context.Background(), rows, Options{Poster: p, Journal: newMem(), Workers: 1})
	if !api.IsKeyRejected(err) || sum.Failed != 1 || sum.NotSent != 49 {
		t.Fatalf("summary %+v, err %v", sum, err)
	}
}

func TestSendInterruptedFinishesWhatIsOnTheWire(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &blockingPoster{entered: make(chan struct{}), release: make(chan struct{})}
	j := newMem()
	done := make(chan Summary)
	go func() {
		sum, _ := Send(ctx, feed(templateRow("1"), templateRow("2")), Options{Poster: p, Journal: j, Workers: 1})
		done <- sum
	}()
	<-p.entered
	cancel()
	close(p.release)
	sum := <-done
	if sum.Created != 1 || j.m["row_1"].State != Created || j.m["row_1"].JobID != "job" {
		t.Fatalf("summary %+v, journal %+v: the answer on the wire must be kept", sum, j.m["row_1"])
	}
	if _, sent := j.m["row_2"]; sent {
		t.Fatal("a row was taken after the interrupt")
	}
}

type blockingPoster struct{ entered, release chan struct{} }

func (p *blockingPoster) CreateRaw(ctx context.Context, _ bool, _ json.RawMessage) (*api.Created, error) {
	close(p.entered)
	<-p.release
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return &api.Created{ID: "job"}, nil
}

func TestCallbackFields(t *testing.T) {
	tr := templateRow("1")
	b, err := withCallback(tr, "https://hooks.example/cb/s")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	if got["callbackUrl"] != "https://hooks.example/cb/s" || got["callback"] != nil ||
		got["callbackPayload"].(map[string]any)[PayloadKey] != "row_1" {
		t.Fatalf("template body %s", b)
	}
	mr := Row{Kind: Manual, Key: "row_m", Body: json.RawMessage(`{"videoCreative":{},"callbackPayload":{"mine":1},"callback":"https://own/"}`)}
	b, _ = withCallback(mr, "https://hooks.example/cb/s")
	got = nil
	_ = json.Unmarshal(b, &got)
	p := got["callbackPayload"].(map[string]any)
	if got["callback"] != "https://own/" || got["callbackUrl"] != nil || p["mine"] != float64(1) || p[PayloadKey] != "row_m" {
		t.Fatalf("manual body %s: the row's own callback and payload stay, the key joins", b)
	}
	if b, _ := withCallback(mr, ""); string(b) != string(mr.Body) {
		t.Fatal("no receiver: the body must go as it is")
	}
}

// gatePoster holds its first POST until released and counts them all.
type gatePoster struct {
	mu               sync.Mutex
	calls            int
	entered, release chan struct{}
	second           chan struct{}
}

func (p *gatePoster) CreateRaw(context.Context, bool, json.RawMessage) (*api.Created, error) {
	p.mu.Lock()
	p.calls++
	n := p.calls
	p.mu.Unlock()
	switch n {
	case 1:
		close(p.entered)
		<-p.release
	case 2:
		close(p.second)
	}
	return &api.Created{ID: fmt.Sprint("job-", n)}, nil
}

// The same row twice in one run (the same row in two files), with
// --resend-unknown: the second waits for the first's answer and is then
// skipped, never sent beside it.
func TestSendNeverRacesItself(t *testing.T) {
	for range 20 {
		p := &gatePoster{entered: make(chan struct{}), release: make(chan struct{}), second: make(chan struct{})}
		parked := make(chan struct{})
		var once sync.Once
		done := make(chan Summary)
		go func() {
			sum, _ := Send(context.Background(), feed(templateRow("1"), templateRow("1")), Options{
				Poster: p, Journal: newMem(), Force: true, Workers: 2,
				parked: func() { once.Do(func() { close(parked) }) },
			})
			done <- sum
		}()
		<-p.entered
		select {
		case <-parked:
		case <-p.second:
			t.Fatal("the row was sent again while its first POST was on the wire")
		}
		close(p.release)
		sum := <-done
		if p.calls != 1 || sum.Created != 1 || sum.Skipped != 1 {
			t.Fatalf("%d POSTs, summary %+v: want 1 created, 1 skipped", p.calls, sum)
		}
	}
}

// pacePoster's rate cap never gives a turn before ctx ends.
type pacePoster struct {
	fakePoster
	waiting chan struct{}
}

func (p *pacePoster) Pace(ctx context.Context) (context.Context, error) {
	close(p.waiting)
	<-ctx.Done()
	return ctx, ctx.Err()
}

// A row taken from the feed, then interrupted while waiting its turn at
// the rate cap, counts as not sent in Send's own summary.
func TestSendCountsRowsStoppedBeforeTheirTurn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pacePoster{waiting: make(chan struct{})}
	done := make(chan Summary)
	go func() {
		sum, _ := Send(ctx, feed(templateRow("1"), templateRow("2"), templateRow("3")), Options{Poster: p, Journal: newMem(), Workers: 1})
		done <- sum
	}()
	<-p.waiting
	cancel()
	if sum := <-done; sum.NotSent != 3 || sum.Created+sum.Failed+sum.Unknown+sum.Skipped != 0 {
		t.Fatalf("summary %+v: want 3 not sent", sum)
	}
}

// A long wait is told, and the failed row's message names the limit.
func TestSendTellsOfLongWaits(t *testing.T) {
	p := &fakePoster{script: map[string][]step{
		"1": {{&api.RateLimitedError{RetryAfter: 2 * time.Minute}, true}},
		"2": {{&api.RateLimitedError{RetryAfter: 3 * time.Second}, true}},
		"3": {{&api.RateLimitedError{RetryAfter: time.Hour}, true}},
	}, sent: map[string]int{}, bodies: map[string]json.RawMessage{}}
	var mu sync.Mutex
	told := map[string]time.Duration{}
	var failed string
	_, err := Send(context.Background(), feed(templateRow("1"), templateRow("2"), templateRow("3")), Options{
		Poster: p, Journal: newMem(),
		Sleep:   func(context.Context, time.Duration) error { return nil },
		Waiting: func(r Row, d time.Duration) { mu.Lock(); told[r.Key] = d; mu.Unlock() },
		Report: func(r Result) {
			if r.Outcome == OutFailed {
				failed = r.Err
			}
		},
	})
	if err != nil || fmt.Sprint(told) != "map[row_1:2m0s]" {
		t.Fatalf("told %v, err %v: want only row_1's 2m", told, err)
	}
	if !strings.Contains(failed, "wait 1h0m0s, more than 5m0s (the limit)") {
		t.Fatalf("the hour's row: %q", failed)
	}
	if MaxWait != retry.MaxRetryAfter {
		t.Errorf("submit's cap %v is not the program's one cap, retry.MaxRetryAfter (%v)", MaxWait, retry.MaxRetryAfter)
	}
}
