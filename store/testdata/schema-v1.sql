-- A store as reel's schema version 1 left it: the layout of migrations[0],
-- copied here on purpose so that editing a shipped migration fails the
-- migration test. Times are Unix nanoseconds.
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

INSERT INTO meta(key, value) VALUES ('schema_version', 1);

INSERT INTO jobs (id, seq, added_at, kind, job_id, video_id, status, progress, maximum_progress,
	job_json, video_json, status_since, started_at, ended_at, last_poll, updated_at)
VALUES
	('j1', 1, 1772366400000000000, 'job', 'j1', 'v1', '', 0, 100, NULL, NULL, 0, 0, 0, 1772366400000000000, 1772366400000000000),
	('j2', 2, 1772366460000000000, '', '', '', '', 0, 0, NULL, NULL, 0, 0, 0, 0, 1772366460000000000);

-- j1 runs to the end; the trigger writes its history.
UPDATE jobs SET status = 'in_queue', status_since = 1772366400000000000 WHERE id = 'j1';
UPDATE jobs SET status = 'generating', status_since = 1772366520000000000, started_at = 1772366520000000000, progress = 10 WHERE id = 'j1';
UPDATE jobs SET status = 'finished', status_since = 1772367120000000000, ended_at = 1772367120000000000, progress = 100,
	job_json = '{"id":"j1","videoId":"v1","status":"finished","progress":100,"maximumProgress":100,"old":"field"}', video_json = '{"id":"v1","name":"Old intro","videoSizeBytes":99}' WHERE id = 'j1';
