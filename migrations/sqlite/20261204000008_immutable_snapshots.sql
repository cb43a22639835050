-- A frozen evaluation is the official result of its year: like the archive
-- and the audit trail, it is never updated or deleted (src/evaluation/
-- snapshot.rs only inserts). A wrong result is corrected by a new scheme
-- year and an explanation, never by rewriting the record.

CREATE TRIGGER evaluation_snapshots_no_update BEFORE UPDATE ON evaluation_snapshots
BEGIN
    SELECT RAISE(ABORT, 'a frozen evaluation is immutable');
END;
CREATE TRIGGER evaluation_snapshots_no_delete BEFORE DELETE ON evaluation_snapshots
BEGIN
    SELECT RAISE(ABORT, 'a frozen evaluation is immutable');
END;
