-- Findings detected by the metrics (src/metrics/findings.rs), deduplicated
-- across runs by a stable key (`rule:record_id[:episode]`) and upserted on
-- each run. Instants are milliseconds since the Unix epoch (UTC).

CREATE TABLE detected_findings (
    key TEXT PRIMARY KEY NOT NULL,
    rule TEXT NOT NULL,
    check_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    department_id TEXT NOT NULL,
    category TEXT NOT NULL,
    profile TEXT NOT NULL,
    citation TEXT NOT NULL,
    citation_text TEXT NOT NULL,
    status TEXT NOT NULL,
    due TEXT,
    done_at BIGINT,
    occurred_at BIGINT NOT NULL,
    as_of BIGINT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX detected_findings_department ON detected_findings (department_id, category);
CREATE INDEX detected_findings_occurred ON detected_findings (occurred_at);
