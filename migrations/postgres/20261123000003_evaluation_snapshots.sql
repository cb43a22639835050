-- Frozen annual evaluations (src/evaluation/snapshot.rs): the official
-- result of a year, stored once and never recomputed or overwritten. The
-- year is the key, so two concurrent freezes cannot both land. `result` is
-- the JSON of the YearEvaluation, `sha256` its digest (hex). Instants are
-- milliseconds since the Unix epoch (UTC).

CREATE TABLE evaluation_snapshots (
    year BIGINT PRIMARY KEY NOT NULL,
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    as_of BIGINT NOT NULL,
    frozen_at BIGINT NOT NULL,
    frozen_by TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    result TEXT NOT NULL
);
