package track

// Persister makes the tracked list durable; the store implements it. The
// engine calls it synchronously, with its own lock held, so calls arrive in
// the order the changes happened; a Persister must therefore be quick and
// must not call back into the engine. Errors are logged and shown in
// Conn.LastError: tracking goes on in memory.
type Persister interface {
	// Added is called before new jobs appear anywhere (Add, Restore).
	Added(jobs []Job) error
	// Removed is called when jobs stop being tracked.
	Removed(ids []string) error
	// Changed is called when a job's state changes in a way worth keeping:
	// status, progress, ids, video, error, callback. Pure polling
	// bookkeeping (LastPoll, NextPoll, ETA) does not call it.
	Changed(job Job) error
}

// worthKeeping reports whether b differs from a in what a Persister keeps.
func worthKeeping(a, b *Job) bool {
	return a.Status != b.Status || a.NotFound != b.NotFound || a.Kind != b.Kind ||
		a.Progress != b.Progress || a.MaximumProgress != b.MaximumProgress ||
		a.JobID != b.JobID || a.VideoID != b.VideoID || a.Video != b.Video ||
		a.Err != b.Err || a.ShareURL != b.ShareURL || !a.CallbackAt.Equal(b.CallbackAt) ||
		!a.Started.Equal(b.Started) || !a.Ended.Equal(b.Ended)
}
