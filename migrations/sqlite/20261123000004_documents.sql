-- Official documents (src/documents): the 发文字号 counters and the archive
-- of issued documents.
--
-- A number is taken by upserting its counter (per issuer, kind and year) in
-- the transaction that archives the document, so numbers are sequential,
-- never reused, and two concurrent issues get two numbers. Issued documents
-- and the findings they name are immutable: a correction is a new document
-- whose `replaces_id` names the one it replaces (at most one replacement
-- each). Dates are `YYYY-MM-DD`; instants are milliseconds since the Unix
-- epoch (UTC); `input` is the JSON the PDF was rendered from.

CREATE TABLE document_counters (
    issuer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (issuer_id, kind, year)
);

CREATE TABLE issued_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    issuer_id TEXT NOT NULL,
    issuer_name TEXT NOT NULL,
    year BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    addressee TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    data_year BIGINT NOT NULL,
    issued_on TEXT NOT NULL,
    deadline TEXT,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    input TEXT NOT NULL,
    replaces_id BIGINT REFERENCES issued_documents (id),
    UNIQUE (issuer_id, kind, year, sequence),
    UNIQUE (replaces_id)
);
CREATE INDEX issued_documents_subject ON issued_documents (kind, subject_id);

CREATE TABLE issued_document_findings (
    document_id BIGINT NOT NULL REFERENCES issued_documents (id),
    finding_key TEXT NOT NULL,
    PRIMARY KEY (document_id, finding_key)
);

CREATE TRIGGER issued_documents_no_update BEFORE UPDATE ON issued_documents
BEGIN
    SELECT RAISE(ABORT, 'issued documents are immutable: issue a correction that replaces it');
END;
CREATE TRIGGER issued_documents_no_delete BEFORE DELETE ON issued_documents
BEGIN
    SELECT RAISE(ABORT, 'issued documents are immutable: issue a correction that replaces it');
END;
CREATE TRIGGER issued_document_findings_no_update BEFORE UPDATE ON issued_document_findings
BEGIN
    SELECT RAISE(ABORT, 'issued documents are immutable: issue a correction that replaces it');
END;
CREATE TRIGGER issued_document_findings_no_delete BEFORE DELETE ON issued_document_findings
BEGIN
    SELECT RAISE(ABORT, 'issued documents are immutable: issue a correction that replaces it');
END;
