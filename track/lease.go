package track

import (
	"context"
	"errors"
	"time"
)

// One poller per workspace. Processes that share a store elect, through a
// lease kept in that store, the one that polls a workspace (an API key on
// one server); the others watch the store and send what their users ask
// for to the poller. Workspace is what that takes of a store: SQLite's
// implements it, and so must any other backend.

// Holder names a process that may hold a workspace's lease.
type Holder struct {
	Name  string // host:pid, shown on the other dashboards
	Nonce string // random: tells apart two processes with one Name
}

// Lease is a workspace's lease as it stands after a Claim.
type Lease struct {
	Holder  string // the holder's Name; "" when nobody holds it
	Nonce   string // the holder's Nonce
	Term    int64  // bumps each time the lease changes hands
	Expires time.Time
	Mine    bool // the claimer holds it, at Term
}

// RequestKind is what a viewer asks the poller to do.
type RequestKind string

// The requests a viewer forwards: its user's r and R, a callback its
// receiver took, a hint that a job may have moved.
const (
	AskRefresh  RequestKind = "refresh"
	AskNudge    RequestKind = "nudge"
	AskCallback RequestKind = "callback"
)

// Request is one thing a viewer asks of the poller.
type Request struct {
	Kind     RequestKind
	ID       string // the job it names; "" = every job
	ShareURL string // AskCallback: the link the callback carried
	At       time.Time
}

// ErrFenced is a write refused because the writer's lease term is over:
// another process polls the workspace now.
var ErrFenced = errors.New("lease lost: another process polls this workspace now")

// ErrUnstorable is a write the store refused for what it holds, not for
// being unreachable: a text or size it cannot keep. Trying it again would
// fail again, so it is not retried.
var ErrUnstorable = errors.New("the store cannot keep this value")

// Workspace is what electing a poller needs of a shared store. Every
// method is one transaction; ws is the workspace's key (a salted hash of
// the API key, never the key).
type Workspace interface {
	// Persister: Added and Removed are the users' own changes to the
	// tracked list, written by any process; Changed is never called.
	Persister
	// Salt is the store's random salt for hashing API keys into ws.
	Salt(ctx context.Context) ([]byte, error)
	// Claim takes ws's lease for h when nobody holds it, it has expired, or
	// h holds it already (which renews it for ttl), and returns it as it
	// stands. Taking it from another holder bumps the term.
	Claim(ctx context.Context, ws string, h Holder, ttl time.Duration) (Lease, error)
	// TakeFrom takes ws's lease for h from a holder known to be gone (its
	// process ended), without waiting out the TTL, if the lease is still
	// at term; it returns the lease as it stands, as Claim does.
	TakeFrom(ctx context.Context, ws string, h Holder, term int64, ttl time.Duration) (Lease, error)
	// Lease reads ws's lease without claiming it (a zero Lease when
	// nobody ever held it); it works on a read-only store.
	Lease(ctx context.Context, ws string) (Lease, error)
	// Resign gives the lease up at once, if h still holds it at term.
	Resign(ctx context.Context, ws string, h Holder, term int64) error
	// SaveFenced is Persister.Changed for the poller: it writes j only if
	// h still holds ws's lease at term, and returns ErrFenced otherwise.
	SaveFenced(ctx context.Context, ws string, h Holder, term int64, j Job) error
	// Ask queues a viewer's request for ws's poller.
	Ask(ctx context.Context, ws string, r Request) error
	// Take removes and returns ws's queued requests, oldest first, if h
	// holds the lease at term (ErrFenced otherwise). Cheap when none wait.
	Take(ctx context.Context, ws string, h Holder, term int64) ([]Request, error)
}
