-- Rectification cases (src/cases): an inspector groups open findings of
-- one department into a case, issues the 整改通知书 for exactly them, the
-- department responds (text and attachments), an inspector accepts or
-- returns the response; a leader decides extensions; a dismissal needs a
-- second person. `state` is where the case stands; overdue is never
-- stored, it is computed from `deadline`. `version` grows by one with
-- every change: a change names the version it saw (If-Match) and a stale
-- one is refused. Events are the case's history and are never rewritten.
-- Dates are `YYYY-MM-DD` (Asia/Shanghai); instants are milliseconds since
-- the Unix epoch.

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id TEXT NOT NULL,
    data_year BIGINT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    notice_id BIGINT,
    deadline TEXT,
    responded_on TEXT,
    closed_at BIGINT,
    escalation_id BIGINT,
    dismissal_reason TEXT,
    dismissal_proposed_by TEXT
);
CREATE INDEX cases_department ON cases (department_id, data_year);

-- A finding belongs to one case at most.
CREATE TABLE case_findings (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    finding_key TEXT NOT NULL UNIQUE,
    PRIMARY KEY (case_id, finding_key)
);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT,
    working_days BIGINT,
    deadline TEXT
);
CREATE INDEX case_events_case ON case_events (case_id);

-- Attachments of a response: PDF or images, stored under the archive
-- folder by their SHA-256 (content-addressed, written once).
CREATE TABLE case_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    event_id BIGINT REFERENCES case_events (id),
    UNIQUE (case_id, sha256)
);

-- An extension asked by the department, decided by a leader.
CREATE TABLE case_extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    working_days BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    approved BIGINT,
    decided_by TEXT,
    decided_at BIGINT,
    new_deadline TEXT
);

CREATE TRIGGER case_events_immutable_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'the history of a case is immutable'); END;
CREATE TRIGGER case_events_immutable_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'the history of a case is immutable'); END;
