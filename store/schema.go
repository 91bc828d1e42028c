package store

import (
	"context"

	"github.com/reel-dev/reel/track"
)

// migrations are the schema's history, oldest first: migrations[i] takes a
// store from version i to version i+1. Never edit a step that has shipped;
// append a new one. The schema's version is len(migrations).
//
// Times are Unix nanoseconds, 0 for "never". JSON columns hold the API's
// objects as received, so fields reel does not know survive a round trip.
var migrations = []string{
	// 1: the tracked jobs, their last known state, and every status change.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE jobs (
	id               TEXT PRIMARY KEY,   -- as the user gave it
	seq              INTEGER NOT NULL,   -- order added
	added_at         INTEGER NOT NULL,
	kind             TEXT NOT NULL DEFAULT '',  -- job or video, once known
	job_id           TEXT NOT NULL DEFAULT '',
	video_id         TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT '',
	not_found        INTEGER NOT NULL DEFAULT 0,
	progress         REAL NOT NULL DEFAULT 0,
	maximum_progress REAL NOT NULL DEFAULT 0,
	job_json         BLOB,
	video_json       BLOB,
	status_since     INTEGER NOT NULL DEFAULT 0,
	started_at       INTEGER NOT NULL DEFAULT 0,
	ended_at         INTEGER NOT NULL DEFAULT 0,
	last_poll        INTEGER NOT NULL DEFAULT 0,
	err              TEXT NOT NULL DEFAULT '',
	share_url        TEXT NOT NULL DEFAULT '',
	callback_at      INTEGER NOT NULL DEFAULT 0,
	updated_at       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE history (
	id     TEXT NOT NULL,
	status TEXT NOT NULL,
	at     INTEGER NOT NULL
);
CREATE INDEX history_id ON history(id, at);

-- A trigger, not Go code, records status changes, so every writer (this
-- reel or another version) keeps the history whole.
CREATE TRIGGER history_on_status AFTER UPDATE OF status ON jobs
WHEN NEW.status <> '' AND NEW.status IS NOT OLD.status
BEGIN
	INSERT INTO history(id, status, at) VALUES (
		NEW.id, NEW.status,
		CASE WHEN NEW.status_since <> 0 THEN NEW.status_since ELSE NEW.updated_at END);
END;
`,
	// 2: what other processes changed (rev, writer, tombstones), the fast-
	// load snap, downloads, and an index for finish-time estimates.
	`
INSERT INTO meta(key, value) VALUES ('rev', 0);
ALTER TABLE jobs ADD COLUMN rev       INTEGER NOT NULL DEFAULT 0; -- meta.rev of the last write
ALTER TABLE jobs ADD COLUMN added_rev INTEGER NOT NULL DEFAULT 0; -- meta.rev when added
ALTER TABLE jobs ADD COLUMN writer    TEXT NOT NULL DEFAULT '';   -- the Store that wrote it last
ALTER TABLE jobs ADD COLUMN snap      BLOB;  -- the state again, compact, for fast loads (snap.go)
CREATE INDEX jobs_rev ON jobs(rev);

CREATE TABLE removed (
	id     TEXT PRIMARY KEY,
	rev    INTEGER NOT NULL,
	writer TEXT NOT NULL
);
CREATE INDEX removed_rev ON removed(rev);

CREATE TABLE downloads (
	video_id   TEXT PRIMARY KEY,
	path       TEXT NOT NULL DEFAULT '',
	bytes      INTEGER NOT NULL DEFAULT 0,
	total      INTEGER NOT NULL DEFAULT 0,
	state      TEXT NOT NULL DEFAULT '',
	err        TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX history_status ON history(status, at);
`,
	// 3: the submit journal: each row's intent before its POST and the
	// answer after, so `reel submit` creates every row once (submissions.go).
	`
CREATE TABLE submissions (
	row        TEXT PRIMARY KEY,  -- the row key: file, row number and content, hashed (no credential)
	source     TEXT NOT NULL,     -- file:line, for people
	state      TEXT NOT NULL,     -- sending, created, failed or unknown
	job_id     TEXT NOT NULL DEFAULT '',
	video_id   TEXT NOT NULL DEFAULT '',
	err        TEXT NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`,
	// 4: one poller per workspace. A lease per workspace, keyed by
	// a salted hash of the API key (never the key), and the requests viewers
	// leave for the poller.
	`
INSERT INTO meta(key, value) VALUES ('workspace_salt', abs(random()));
CREATE TABLE leases (
	workspace  TEXT PRIMARY KEY,          -- salted hash of the API key and the API's origin
	holder     TEXT NOT NULL,             -- host:pid, shown to the viewers
	nonce      TEXT NOT NULL,             -- random, tells two holders with one name apart
	term       INTEGER NOT NULL,          -- bumps when the lease changes hands; fences writes
	expires_at INTEGER NOT NULL           -- Unix nanoseconds; 0 = resigned
) WITHOUT ROWID;

CREATE TABLE requests (
	n         INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace TEXT NOT NULL,
	kind      TEXT NOT NULL,
	job       TEXT NOT NULL DEFAULT '',
	share_url TEXT NOT NULL DEFAULT '',
	at        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_workspace ON requests(workspace, n);
`,
	// 5: each job's milestones, and what the statistics need of its video
	// and failure, kept by triggers as history grows and outliving the job's
	// removal, so statistics read one short row a job instead of every
	// change (see stats.go); removal markers learn when they were made, to
	// be pruned with the history.
	`
CREATE TABLE runs (
	id            TEXT PRIMARY KEY,
	first_status  TEXT NOT NULL,
	first_at      INTEGER NOT NULL,
	left_at       INTEGER NOT NULL DEFAULT 0, -- left the queue; 0: never, or not seen in it
	prep_at       INTEGER NOT NULL DEFAULT 0, -- first preprocessing
	gen_at        INTEGER NOT NULL DEFAULT 0, -- first generating
	last_status   TEXT NOT NULL,
	last_at       INTEGER NOT NULL,
	name          TEXT NOT NULL DEFAULT '',   -- the video's
	video_seconds REAL NOT NULL DEFAULT 0,    -- the video's length; 0: unknown
	failure       BLOB                        -- the job object when it failed
) WITHOUT ROWID;
CREATE INDEX runs_last ON runs(last_at);

-- History rows come from the jobs trigger, after the jobs row is written:
-- the job object read here is the one that carried the new status.
CREATE TRIGGER runs_on_history AFTER INSERT ON history
BEGIN
	INSERT INTO runs(id, first_status, first_at, prep_at, gen_at, last_status, last_at, name, video_seconds, failure)
	SELECT NEW.id, NEW.status, NEW.at,
		CASE WHEN NEW.status IN ('preprocessing', 'preprocessing_finished') THEN NEW.at ELSE 0 END,
		CASE WHEN NEW.status = 'generating' THEN NEW.at ELSE 0 END,
		NEW.status, NEW.at,
		coalesce((SELECT CASE WHEN json_valid(CAST(video_json AS TEXT)) THEN json_extract(CAST(video_json AS TEXT), '$.name') END
			FROM jobs WHERE id = NEW.id), ''),
		coalesce((SELECT CASE WHEN json_valid(CAST(video_json AS TEXT)) THEN json_extract(CAST(video_json AS TEXT), '$.videoDurationSeconds') END
			FROM jobs WHERE id = NEW.id), 0),
		CASE WHEN NEW.status = 'failed' THEN (SELECT job_json FROM jobs WHERE id = NEW.id) END
	WHERE true
	ON CONFLICT(id) DO UPDATE SET
		left_at = CASE WHEN left_at = 0 AND first_status = 'in_queue' AND NEW.status <> 'in_queue'
			THEN NEW.at ELSE left_at END,
		prep_at = CASE WHEN prep_at = 0 AND NEW.status IN ('preprocessing', 'preprocessing_finished')
			THEN NEW.at ELSE prep_at END,
		gen_at = CASE WHEN gen_at = 0 AND NEW.status = 'generating' THEN NEW.at ELSE gen_at END,
		last_status = CASE WHEN NEW.at >= last_at THEN NEW.status ELSE last_status END,
		last_at = max(last_at, NEW.at),
		failure = CASE WHEN NEW.status = 'failed' THEN excluded.failure ELSE failure END;
END;

-- A finished job's video is read after the status changed.
CREATE TRIGGER runs_on_video AFTER UPDATE OF video_json ON jobs
WHEN NEW.video_json IS NOT NULL AND NEW.video_json IS NOT OLD.video_json AND json_valid(CAST(NEW.video_json AS TEXT))
BEGIN
	UPDATE runs SET
		name = coalesce(json_extract(CAST(NEW.video_json AS TEXT), '$.name'), name),
		video_seconds = coalesce(json_extract(CAST(NEW.video_json AS TEXT), '$.videoDurationSeconds'), video_seconds)
	WHERE id = NEW.id;
END;

ALTER TABLE removed ADD COLUMN at INTEGER NOT NULL DEFAULT 0; -- when removed
UPDATE removed SET at = CAST(strftime('%s', 'now') AS INTEGER) * 1000000000;
`,
}

// SchemaVersion is the schema version this reel writes and understands; it
// is len(migrations), which a test checks.
const SchemaVersion = 5

// afterMigration holds the steps SQL cannot do, run in the same
// transaction right after the SQL step of the version they are keyed by.
var afterMigration = map[int]func(context.Context, *txx) error{
	2: fillSnaps,
	5: fillRuns,
}

// fillSnaps writes the snap of rows that lack one (all of them, coming from
// version 1), so that loading them stays fast.
func fillSnaps(ctx context.Context, tx *txx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE snap IS NULL`)
	if err != nil {
		return err
	}
	var jobs []track.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			rows.Close()
			return err
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, j := range jobs {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET snap = ? WHERE id = ?`, encodeSnap(nil, &j), j.ID); err != nil {
			return err
		}
	}
	return nil
}
