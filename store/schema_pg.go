package store

// pgMigrations are the PostgreSQL schema's history, as migrations are
// SQLite's: pgMigrations[i] takes a database from version i to i+1; never
// edit a step that has shipped, append one. Its version is kept in meta
// like SQLite's, and counted apart: PostgreSQL's started whole, at the
// SQLite schema's fifth version.
//
// The tables and columns are SQLite's, with PostgreSQL's types (BIGINT for
// times and counters, BYTEA for JSON and snaps, BOOLEAN for not_found), and
// the triggers in PL/pgSQL doing what SQLite's do. history's rowid column
// stands for SQLite's implicit one, so the queries ordering by it are
// shared.
var pgMigrations = []string{
	// 1: everything SQLite's schema 5 has.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO meta(key, value) VALUES ('rev', 0), ('workspace_salt', floor(random() * 9.2e18)::bigint);

CREATE TABLE jobs (
	id               TEXT PRIMARY KEY,
	seq              BIGINT NOT NULL,
	added_at         BIGINT NOT NULL,
	kind             TEXT NOT NULL DEFAULT '',
	job_id           TEXT NOT NULL DEFAULT '',
	video_id         TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT '',
	not_found        BOOLEAN NOT NULL DEFAULT false,
	progress         DOUBLE PRECISION NOT NULL DEFAULT 0,
	maximum_progress DOUBLE PRECISION NOT NULL DEFAULT 0,
	job_json         BYTEA,
	video_json       BYTEA,
	status_since     BIGINT NOT NULL DEFAULT 0,
	started_at       BIGINT NOT NULL DEFAULT 0,
	ended_at         BIGINT NOT NULL DEFAULT 0,
	last_poll        BIGINT NOT NULL DEFAULT 0,
	err              TEXT NOT NULL DEFAULT '',
	share_url        TEXT NOT NULL DEFAULT '',
	callback_at      BIGINT NOT NULL DEFAULT 0,
	updated_at       BIGINT NOT NULL DEFAULT 0,
	rev              BIGINT NOT NULL DEFAULT 0,
	added_rev        BIGINT NOT NULL DEFAULT 0,
	writer           TEXT NOT NULL DEFAULT '',
	snap             BYTEA
);
CREATE INDEX jobs_rev ON jobs(rev);

CREATE TABLE history (
	rowid  BIGSERIAL PRIMARY KEY,
	id     TEXT NOT NULL,
	status TEXT NOT NULL,
	at     BIGINT NOT NULL
);
CREATE INDEX history_id ON history(id, at);
CREATE INDEX history_status ON history(status, at);

CREATE TABLE removed (
	id     TEXT PRIMARY KEY,
	rev    BIGINT NOT NULL,
	writer TEXT NOT NULL,
	at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX removed_rev ON removed(rev);

CREATE TABLE downloads (
	video_id   TEXT PRIMARY KEY,
	path       TEXT NOT NULL DEFAULT '',
	bytes      BIGINT NOT NULL DEFAULT 0,
	total      BIGINT NOT NULL DEFAULT 0,
	state      TEXT NOT NULL DEFAULT '',
	err        TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE submissions (
	row        TEXT PRIMARY KEY,
	source     TEXT NOT NULL,
	state      TEXT NOT NULL,
	job_id     TEXT NOT NULL DEFAULT '',
	video_id   TEXT NOT NULL DEFAULT '',
	err        TEXT NOT NULL DEFAULT '',
	attempts   BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE leases (
	workspace  TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	nonce      TEXT NOT NULL,
	term       BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);

CREATE TABLE requests (
	n         BIGSERIAL PRIMARY KEY,
	workspace TEXT NOT NULL,
	kind      TEXT NOT NULL,
	job       TEXT NOT NULL DEFAULT '',
	share_url TEXT NOT NULL DEFAULT '',
	at        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX requests_workspace ON requests(workspace, n);

CREATE TABLE runs (
	id            TEXT PRIMARY KEY,
	first_status  TEXT NOT NULL,
	first_at      BIGINT NOT NULL,
	left_at       BIGINT NOT NULL DEFAULT 0,
	prep_at       BIGINT NOT NULL DEFAULT 0,
	gen_at        BIGINT NOT NULL DEFAULT 0,
	last_status   TEXT NOT NULL,
	last_at       BIGINT NOT NULL,
	name          TEXT NOT NULL DEFAULT '',
	video_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
	failure       BYTEA
);
CREATE INDEX runs_last ON runs(last_at);

-- The stored API object as JSON, or NULL when it is not JSON (SQLite's
-- json_valid guard).
CREATE FUNCTION reel_json(b BYTEA) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN convert_from(b, 'UTF8')::jsonb;
EXCEPTION WHEN others THEN
	RETURN NULL;
END $$;

CREATE FUNCTION reel_seconds(v JSONB) RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN jsonb_typeof(v -> 'videoDurationSeconds') = 'number'
		THEN (v ->> 'videoDurationSeconds')::double precision END
$$;

CREATE FUNCTION reel_history_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status <> '' AND NEW.status IS DISTINCT FROM OLD.status THEN
		INSERT INTO history(id, status, at) VALUES (NEW.id, NEW.status,
			CASE WHEN NEW.status_since <> 0 THEN NEW.status_since ELSE NEW.updated_at END);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER history_on_status AFTER UPDATE OF status ON jobs
	FOR EACH ROW EXECUTE FUNCTION reel_history_on_status();

CREATE FUNCTION reel_runs_on_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v  JSONB;
	jj BYTEA;
BEGIN
	SELECT reel_json(video_json), job_json INTO v, jj FROM jobs WHERE id = NEW.id;
	INSERT INTO runs AS r (id, first_status, first_at, prep_at, gen_at, last_status, last_at, name, video_seconds, failure)
	VALUES (NEW.id, NEW.status, NEW.at,
		CASE WHEN NEW.status IN ('preprocessing', 'preprocessing_finished') THEN NEW.at ELSE 0 END,
		CASE WHEN NEW.status = 'generating' THEN NEW.at ELSE 0 END,
		NEW.status, NEW.at,
		coalesce(v ->> 'name', ''), coalesce(reel_seconds(v), 0),
		CASE WHEN NEW.status = 'failed' THEN jj END)
	ON CONFLICT (id) DO UPDATE SET
		left_at = CASE WHEN r.left_at = 0 AND r.first_status = 'in_queue' AND NEW.status <> 'in_queue'
			THEN NEW.at ELSE r.left_at END,
		prep_at = CASE WHEN r.prep_at = 0 AND NEW.status IN ('preprocessing', 'preprocessing_finished')
			THEN NEW.at ELSE r.prep_at END,
		gen_at = CASE WHEN r.gen_at = 0 AND NEW.status = 'generating' THEN NEW.at ELSE r.gen_at END,
		last_status = CASE WHEN NEW.at >= r.last_at THEN NEW.status ELSE r.last_status END,
		last_at = greatest(r.last_at, NEW.at),
		failure = CASE WHEN NEW.status = 'failed' THEN excluded.failure ELSE r.failure END;
	RETURN NULL;
END $$;
CREATE TRIGGER runs_on_history AFTER INSERT ON history
	FOR EACH ROW EXECUTE FUNCTION reel_runs_on_history();

CREATE FUNCTION reel_runs_on_video() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v JSONB;
BEGIN
	IF NEW.video_json IS NOT NULL AND NEW.video_json IS DISTINCT FROM OLD.video_json THEN
		v := reel_json(NEW.video_json);
		IF v IS NOT NULL THEN
			UPDATE runs SET
				name = coalesce(v ->> 'name', name),
				video_seconds = coalesce(reel_seconds(v), video_seconds)
			WHERE id = NEW.id;
		END IF;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER runs_on_video AFTER UPDATE OF video_json ON jobs
	FOR EACH ROW EXECUTE FUNCTION reel_runs_on_video();
`,
}

// PostgresSchemaVersion is the PostgreSQL schema version this reel writes
// and understands: len(pgMigrations), which a test checks.
const PostgresSchemaVersion = 1
