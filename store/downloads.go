package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// DownloadState is where a video's download stands.
type DownloadState string

// The download states.
const (
	DownloadRunning DownloadState = "running" // bytes are arriving in Path + ".part"
	DownloadDone    DownloadState = "done"    // Path is complete and its size checked
	DownloadFailed  DownloadState = "failed"  // Err says why; a retry resumes from Bytes
)

// Download is the state of one video's download.
type Download struct {
	VideoID string
	Path    string // the finished file's path
	Bytes   int64  // written so far
	Total   int64  // expected size; 0 when unknown
	State   DownloadState
	Err     string
	Updated time.Time // set by SaveDownload
}

// SaveDownload records a download's state. It is no change to the tracked
// list, but a read-only store still refuses it.
func (s *Store) SaveDownload(ctx context.Context, d Download) error {
	return s.write(ctx, false, "saving download of "+d.VideoID, func(tx *txx, _ int64, now int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO downloads (video_id, path, bytes, total, state, err, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(video_id) DO UPDATE SET path = excluded.path, bytes = excluded.bytes,
				total = excluded.total, state = excluded.state, err = excluded.err,
				updated_at = excluded.updated_at`,
			d.VideoID, d.Path, d.Bytes, d.Total, string(d.State), d.Err, now)
		return err
	})
}

// Download returns a video's download state; ok is false when reel never
// downloaded it.
func (s *Store) Download(ctx context.Context, videoID string) (d Download, ok bool, err error) {
	var updated int64
	err = s.db.QueryRowContext(ctx, `SELECT video_id, path, bytes, total, state, err, updated_at
		FROM downloads WHERE video_id = ?`, videoID).
		Scan(&d.VideoID, &d.Path, &d.Bytes, &d.Total, &d.State, &d.Err, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Download{}, false, nil
	}
	if err != nil {
		return Download{}, false, classify(s.path, "reading download state", err)
	}
	d.Updated = fromNanos(updated)
	return d, true, nil
}
