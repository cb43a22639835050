-- A frozen evaluation is the official result of its year: like the archive
-- and the audit trail, it is never updated or deleted (src/evaluation/
-- snapshot.rs only inserts). A wrong result is corrected by a new scheme
-- year and an explanation, never by rewriting the record.
--
-- Row triggers do not see TRUNCATE, so each record that must not be
-- rewritten — snapshots, the archive, the audit trail — also refuses it
-- with a statement trigger.

CREATE FUNCTION evaluation_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a frozen evaluation is immutable';
END;
$$;
CREATE TRIGGER evaluation_snapshots_immutable BEFORE UPDATE OR DELETE ON evaluation_snapshots
    FOR EACH ROW EXECUTE FUNCTION evaluation_snapshots_immutable();

CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is a permanent record: it cannot be truncated', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER evaluation_snapshots_no_truncate BEFORE TRUNCATE ON evaluation_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER issued_documents_no_truncate BEFORE TRUNCATE ON issued_documents
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER issued_document_findings_no_truncate BEFORE TRUNCATE ON issued_document_findings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
