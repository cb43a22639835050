-- The clock (src/jobs, src/results).
--
-- `job_occurrences` is the scheduler's truth: one row per job and period
-- (`daily-scan` / `2026-03-04`, `annual-report` / `2025`), unique, so an
-- occurrence runs once whatever the number of replicas. A replica claims a
-- row by moving it to `running` with a lease (its name and an expiry); one
-- that dies leaves a lease that expires, and the row is claimed again. A
-- failed run keeps its error and the instant of its next attempt until one
-- succeeds; a missed occurrence the job's policy does not run is stored as
-- `skipped` with its reason.
CREATE TABLE job_occurrences (
    job TEXT NOT NULL,
    period TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    trigger TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    next_attempt_at BIGINT,
    outcome TEXT,
    warning TEXT,
    error TEXT,
    PRIMARY KEY (job, period)
);
CREATE INDEX job_occurrences_due ON job_occurrences (job, due_at);

-- The data version: grows by one with every change of what results rest
-- on (an import, a case transition); stored results name the version
-- they were computed from, so a reader knows whether they are current.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    cause TEXT NOT NULL
);
INSERT INTO data_version (id, version, changed_at, cause) VALUES (1, 1, 0, 'created');

-- Results stored for instant reading, keyed by what they are (`evaluation`,
-- `summary`, `check:approvals`), their period (`2026`, `2026Q1`,
-- `2026-03`), the as-of instant and the data version. `head` is the
-- result without its per-unit rows. The rows are parts: each a run of
-- consecutive rows of one department or jurisdiction (`unit_id`, `level`)
-- in one array (`field`) at its `position`, so a reader's scope is a
-- condition of the query and the order is kept. A part's body is its rows
-- as a JSON array, zstd-compressed (a city's items run to hundreds of MB of
-- JSON; compressed, a tenth).
CREATE TABLE stored_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    as_of BIGINT NOT NULL,
    data_version BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    compute_ms BIGINT NOT NULL,
    head TEXT NOT NULL,
    UNIQUE (kind, period, as_of, data_version)
);
CREATE INDEX stored_results_latest ON stored_results (kind, period, computed_at);
CREATE TABLE stored_result_parts (
    result_id BIGINT NOT NULL REFERENCES stored_results (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    position BIGINT NOT NULL,
    level TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (result_id, field, position)
);
CREATE INDEX stored_result_parts_unit ON stored_result_parts (result_id, level, unit_id);

-- Reminders of items with one working day left, one digest per
-- department and day (never one message per item).
CREATE TABLE reminder_digests (
    department_id TEXT NOT NULL,
    day TEXT NOT NULL,
    items BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (department_id, day)
);
