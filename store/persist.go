package store

import (
	"context"

	"github.com/reel-dev/reel/track"
)

// *Store is the engine's Persister: pass it as track.Options.Persist.
var _ track.Persister = (*Store)(nil)

// The engine calls these with its lock held and no context; each is one
// short transaction, bounded by the busy timeout when another process
// holds the write lock.

// Added implements track.Persister: Add, durable before the rows show.
func (s *Store) Added(jobs []track.Job) error { return s.Add(context.Background(), jobs...) }

// Removed implements track.Persister.
func (s *Store) Removed(ids []string) error { return s.Remove(context.Background(), ids...) }

// Changed implements track.Persister.
func (s *Store) Changed(j track.Job) error { return s.Save(context.Background(), j) }
