-- Interchange format v1 tables. Timestamps are milliseconds since the Unix
-- epoch (UTC); booleans are 0/1. Foreign keys are deferred so an import can
-- land a table whose rows refer to each other in any order.

CREATE TABLE jurisdictions (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT REFERENCES jurisdictions (id) DEFERRABLE INITIALLY DEFERRED,
    profile TEXT
);

CREATE TABLE departments (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    jurisdiction_id TEXT NOT NULL REFERENCES jurisdictions (id) DEFERRABLE INITIALLY DEFERRED,
    credit_code TEXT,
    is_authority INTEGER NOT NULL
);
CREATE INDEX departments_jurisdiction ON departments (jurisdiction_id);

CREATE TABLE catalog_entries (
    id TEXT PRIMARY KEY NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL,
    share_type TEXT NOT NULL,
    share_basis TEXT,
    open_type TEXT NOT NULL,
    update_cycle TEXT NOT NULL,
    format TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    withdrawal_approved INTEGER
);
CREATE INDEX catalog_entries_department ON catalog_entries (department_id);

CREATE TABLE catalog_events (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX catalog_events_entry ON catalog_events (entry_id, at);

CREATE TABLE duty_changes (
    id TEXT PRIMARY KEY NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX duty_changes_department ON duty_changes (department_id, published_at);

CREATE TABLE data_updates (
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, at)
) WITHOUT ROWID;

CREATE TABLE share_requests (
    id TEXT PRIMARY KEY NOT NULL,
    requester_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    provider_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    share_type TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    reviewed_at BIGINT,
    forwarded_at BIGINT,
    already_published INTEGER NOT NULL,
    replied_at BIGINT,
    decision TEXT NOT NULL,
    refusal_reason TEXT
);
CREATE INDEX share_requests_submitted ON share_requests (submitted_at);
CREATE INDEX share_requests_provider ON share_requests (provider_id);

CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES share_requests (id) DEFERRABLE INITIALLY DEFERRED,
    grantee_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX grants_grantee ON grants (grantee_id);

-- High volume (tens of millions of rows a year): no foreign key, the importer
-- checks grant ids itself; keyed by (grant, instant) so a re-import updates.
CREATE TABLE access_log (
    grant_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (grant_id, at)
) WITHOUT ROWID;

CREATE TABLE corrections (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    raised_by_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    raised_at BIGINT NOT NULL,
    extended_at BIGINT,
    extension_days BIGINT,
    resolved_at BIGINT,
    outcome TEXT
);

CREATE TABLE open_applications (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES catalog_entries (id) DEFERRABLE INITIALLY DEFERRED,
    applicant_kind TEXT NOT NULL,
    applicant_code TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    on_the_spot INTEGER NOT NULL,
    answered_at BIGINT,
    decision TEXT NOT NULL
);

CREATE TABLE findings (
    id TEXT PRIMARY KEY NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments (id) DEFERRABLE INITIALLY DEFERRED,
    category TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    inspector TEXT NOT NULL,
    evidence TEXT NOT NULL
);
CREATE INDEX findings_department ON findings (department_id);

-- One row per import run (CLI or HTTP), landed or rejected.
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    rows BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    landed INTEGER NOT NULL,
    summary TEXT NOT NULL
);
