//! 发文字号 and the archive of issued documents.
//!
//! Issuing is one transaction: the counter of (issuer, kind, year) is
//! upserted (`… ON CONFLICT DO UPDATE SET last_number = last_number + 1
//! RETURNING last_number`), which locks its row on PostgreSQL and takes the
//! write lock on SQLite until commit; the document is rendered with that
//! number, its PDF written under the archive folder, and its row and the
//! findings it names inserted. A failure anywhere rolls the counter back, so
//! numbers have no gaps and are never reused; a concurrent issue waits for
//! the lock and takes the next number.
//!
//! The PDF's file name carries the start of its SHA-256
//! (`2026/DEP-…/notice-0003-1a2b3c4d5e6f.pdf`), is written to a temporary
//! name and renamed (no partial files), and made read-only. Rows are
//! immutable (triggers); a correction is a new document naming the one it
//! replaces.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{DocumentError, Engine, Prepared};
use crate::access::Reach;
use crate::audit::{self, Change};
use crate::digest::hex;
use crate::store::Store;
use crate::vocab::{AuditAction, DocumentKind};

/// An issued, archived document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuedDocument {
    /// Archive id.
    pub id: i64,
    /// Which document.
    pub kind: DocumentKind,
    /// 发文字号.
    pub number: String,
    /// Its sequence number within issuer, kind and year.
    pub sequence: i64,
    /// The year of the number.
    pub year: i64,
    /// The issuing department.
    pub issuer_id: String,
    /// Its name.
    pub issuer_name: String,
    /// The title.
    pub title: String,
    /// 主送机关.
    pub addressee: String,
    /// The department or jurisdiction it is about.
    pub subject_id: String,
    /// The year of the data.
    pub data_year: i64,
    /// 成文日期, `YYYY-MM-DD`.
    pub issued_on: String,
    /// The rectification deadline it sets.
    pub deadline: Option<String>,
    /// When it was archived (RFC 3339).
    pub issued_at: String,
    /// Who issued it.
    pub issued_by: String,
    /// The PDF.
    pub path: String,
    /// SHA-256 of the PDF (hex).
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// The document it corrects and replaces.
    pub replaces_id: Option<i64>,
    /// The document that replaced it, if any.
    pub replaced_by: Option<i64>,
}

/// How to issue.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Where PDFs are archived.
    pub archive_dir: PathBuf,
    /// Who issues (recorded).
    pub issued_by: String,
    /// The issued document this one corrects and replaces.
    pub replaces: Option<i64>,
    /// Now, from the caller's clock (ms): when the document is recorded
    /// as issued; a 成文日期 in a year before today's (Asia/Shanghai) is
    /// refused, as that year's numbering has closed.
    pub now_ms: i64,
}

impl IssueOptions {
    /// Today in Asia/Shanghai, by the caller's clock.
    pub fn today(&self) -> NaiveDate {
        crate::time::local_date(self.now_ms)
    }
}

/// The number the next issue of this issuer, kind and year would get (no
/// lock: a guess that the issue confirms under the counter's lock).
async fn next_number(store: &Store, prepared: &Prepared, year: i64) -> Result<i64, DocumentError> {
    let last: Option<i64> = sqlx::query(
        "SELECT last_number FROM document_counters WHERE issuer_id = $1 AND kind = $2 AND year = $3",
    )
    .bind(&prepared.issuer_id)
    .bind(prepared.kind.as_str())
    .bind(year)
    .fetch_optional(store.pool())
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    Ok(last.map_or(1, |n| n + 1))
}

/// Numbers, renders, archives and records a document, all or nothing.
pub async fn issue(
    store: &Store,
    engine: Arc<Engine>,
    prepared: &Prepared,
    options: &IssueOptions,
) -> Result<(IssuedDocument, Vec<u8>), DocumentError> {
    if prepared.issued_on.year() < options.today().year() {
        return Err(DocumentError::Invalid(format!(
            "成文日期 {} falls in {}, whose numbering closed at its end; date the document \
             in {} (back-dating is refused)",
            prepared.issued_on,
            prepared.issued_on.year(),
            options.today().year()
        )));
    }
    if let Some(old) = options.replaces {
        let replaced = get(store, old, &Reach::City).await?;
        if replaced.kind != prepared.kind {
            return Err(DocumentError::Invalid(format!(
                "document {old} ({}) is a {}, not a {}: a correction replaces a document of its own kind",
                replaced.number, replaced.kind, prepared.kind
            )));
        }
        if replaced.subject_id != prepared.subject_id || replaced.issuer_id != prepared.issuer_id {
            return Err(DocumentError::Invalid(format!(
                "document {old} ({}) is about {} from {}: a correction replaces a document \
                 on the same subject from the same issuer",
                replaced.number, replaced.subject_id, replaced.issuer_name
            )));
        }
        if let Some(by) = replaced.replaced_by {
            return Err(DocumentError::Invalid(format!(
                "document {old} ({}) was already replaced by document {by}",
                replaced.number
            )));
        }
    }
    let year = i64::from(prepared.issued_on.year());
    // Render with the number this issue will most likely get before taking
    // the counter's lock, so that the lock is held only for the writes, not
    // for a render; if another issue takes that number meanwhile, render
    // again with the one taken.
    let expected = next_number(store, prepared, year).await?;
    let mut pdf = engine
        .clone()
        .render_blocking(prepared.kind, prepared.inputs(Some(expected)))
        .await?;
    let mut tx = store.begin().await?;
    let sequence: i64 = sqlx::query(
        "INSERT INTO document_counters (issuer_id, kind, year, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (issuer_id, kind, year) \
         DO UPDATE SET last_number = document_counters.last_number + 1 \
         RETURNING last_number",
    )
    .bind(&prepared.issuer_id)
    .bind(prepared.kind.as_str())
    .bind(year)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;

    // Issues of one issuer, kind and year are serialised by the counter's
    // lock: a finding already named by another notice cannot slip in twice.
    if prepared.kind == DocumentKind::Notice && !prepared.covers.is_empty() {
        let taken: Vec<String> = sqlx::query(NAMED_FINDINGS)
            .bind(prepared.kind.as_str())
            .bind(&prepared.subject_id)
            .bind(options.replaces.unwrap_or(-1))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
        if let Some(key) = prepared.covers.iter().find(|k| taken.contains(k)) {
            return Err(DocumentError::Invalid(format!(
                "finding {key} was named by a notice issued meanwhile; draft the notice again"
            )));
        }
    }

    let number = prepared.number(Some(sequence));
    let inputs = prepared.inputs(Some(sequence));
    if sequence != expected {
        tracing::debug!(
            expected,
            sequence,
            "another issue took the number: rendering again"
        );
        pdf = engine
            .render_blocking(prepared.kind, inputs.clone())
            .await?;
    }
    let sha256 = hex(&Sha256::digest(&pdf));
    let relative = PathBuf::from(year.to_string())
        .join(sanitize(&prepared.issuer_id))
        .join(format!(
            "{}-{sequence:04}-{}.pdf",
            prepared.kind,
            &sha256[..12]
        ));
    let path = options.archive_dir.join(&relative);
    write_once(&path, &pdf)?;

    // Record, audit and commit; on any failure the archived file goes too.
    let recorded: Result<i64, DocumentError> = async {
        let issued_at = options.now_ms;
        let id: i64 = sqlx::query(
            "INSERT INTO issued_documents (kind, issuer_id, issuer_name, year, sequence, number, title, \
             addressee, subject_id, data_year, issued_on, deadline, issued_at, issued_by, path, sha256, \
             size, input, replaces_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
             RETURNING id",
        )
        .bind(prepared.kind.as_str())
        .bind(&prepared.issuer_id)
        .bind(&prepared.issuer_name)
        .bind(year)
        .bind(sequence)
        .bind(&number)
        .bind(&prepared.title)
        .bind(&prepared.addressee)
        .bind(&prepared.subject_id)
        .bind(i64::from(prepared.data_year))
        .bind(prepared.issued_on.format("%Y-%m-%d").to_string())
        .bind(prepared.deadline.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(issued_at)
        .bind(&options.issued_by)
        .bind(path.display().to_string())
        .bind(&sha256)
        .bind(pdf.len() as i64)
        .bind(serde_json::to_string(&inputs).expect("inputs serialise"))
        .bind(options.replaces)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        for key in &prepared.covers {
            sqlx::query(
                "INSERT INTO issued_document_findings (document_id, finding_key) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        let change = Change {
            actor: &options.issued_by,
            action: AuditAction::DocumentIssue,
            subject: format!("document:{id}"),
            details: serde_json::json!({
                "kind": prepared.kind.as_str(),
                "number": number,
                "addressee": prepared.addressee,
                "subject_id": prepared.subject_id,
                "sha256": sha256,
                "findings": prepared.covers.len(),
                "replaces": options.replaces,
            }),
        };
        audit::append(&mut tx, &change).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    let id = match recorded {
        Ok(id) => id,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    let doc = get(store, id, &Reach::City).await?;
    tracing::info!(id, number = %doc.number, path = %doc.path, "document issued");
    Ok((doc, pdf))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `bytes` to `path` through a temporary file and a rename, then
/// makes it read-only. An existing file with the same content is kept (its
/// name carries the content's hash); any other is never overwritten.
pub(crate) fn write_once(path: &Path, bytes: &[u8]) -> Result<(), DocumentError> {
    let io = |what: &str, e: std::io::Error| {
        DocumentError::Io(format!("{what} {}: {e}", path.display()))
    };
    if let Ok(existing) = std::fs::read(path) {
        if existing == bytes {
            return Ok(());
        }
        return Err(DocumentError::Io(format!(
            "{} exists with other content; archived files are never overwritten",
            path.display()
        )));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create the folder of", e))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| io("cannot write", e))?;
    let mut permissions = std::fs::metadata(&tmp)
        .map_err(|e| io("cannot stat", e))?
        .permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&tmp, permissions).map_err(|e| io("cannot protect", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("cannot move into place", e))?;
    Ok(())
}

const COLUMNS: &str = "d.id, d.kind, d.number, d.sequence, d.year, d.issuer_id, d.issuer_name, d.title, \
    d.addressee, d.subject_id, d.data_year, d.issued_on, d.deadline, d.issued_at, d.issued_by, d.path, \
    d.sha256, d.size, d.replaces_id, (SELECT r.id FROM issued_documents r WHERE r.replaces_id = d.id) AS replaced_by";

fn from_row(r: &AnyRow) -> Result<IssuedDocument, DocumentError> {
    let id: i64 = r.try_get("id")?;
    let kind: String = r.try_get("kind")?;
    Ok(IssuedDocument {
        id,
        kind: kind
            .parse()
            .map_err(|e| DocumentError::Io(format!("issued document {id}: column kind: {e}")))?,
        number: r.try_get("number")?,
        sequence: r.try_get("sequence")?,
        year: r.try_get("year")?,
        issuer_id: r.try_get("issuer_id")?,
        issuer_name: r.try_get("issuer_name")?,
        title: r.try_get("title")?,
        addressee: r.try_get("addressee")?,
        subject_id: r.try_get("subject_id")?,
        data_year: r.try_get("data_year")?,
        issued_on: r.try_get("issued_on")?,
        deadline: r.try_get("deadline")?,
        issued_at: crate::time::format_millis(r.try_get("issued_at")?),
        issued_by: r.try_get("issued_by")?,
        path: r.try_get("path")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        replaces_id: r.try_get("replaces_id")?,
        replaced_by: r.try_get("replaced_by")?,
    })
}

/// One archived document, if the reach sees it (else not found, as if it
/// did not exist).
pub async fn get(store: &Store, id: i64, reach: &Reach) -> Result<IssuedDocument, DocumentError> {
    let (visible, params) = visible(reach, 2);
    let sql = format!("SELECT {COLUMNS} FROM issued_documents d WHERE d.id = $1 AND {visible}");
    let mut query = sqlx::query(&sql).bind(id);
    for p in &params {
        query = query.bind(p);
    }
    let row = query
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| DocumentError::NotFound(format!("no issued document {id}")))?;
    from_row(&row)
}

/// Archived documents a reach sees, newest first, optionally of one kind
/// and number year.
pub async fn list(
    store: &Store,
    kind: Option<DocumentKind>,
    year: Option<i32>,
    reach: &Reach,
) -> Result<Vec<IssuedDocument>, DocumentError> {
    let (visible, params) = visible(reach, 3);
    let sql = format!(
        "SELECT {COLUMNS} FROM issued_documents d \
         WHERE ($1 IS NULL OR d.kind = $1) AND ($2 IS NULL OR d.year = $2) AND {visible} \
         ORDER BY d.id DESC"
    );
    let mut query = sqlx::query(&sql)
        .bind(kind.map(|k| k.as_str()))
        .bind(year.map(i64::from));
    for p in &params {
        query = query.bind(p);
    }
    let rows = query.fetch_all(store.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// The condition (over `issued_documents d`) for the documents a reach
/// sees, with its parameters numbered from `$first`: the city sees all; a
/// jurisdiction the documents about it, its subtree and their departments,
/// and those its departments issued; a department the notices addressed to
/// it and the circulars on its jurisdiction.
fn visible(reach: &Reach, first: usize) -> (String, Vec<String>) {
    let placeholders = crate::store::placeholders;
    match reach {
        Reach::City => ("1 = 1".into(), Vec::new()),
        Reach::Nothing => ("1 = 0".into(), Vec::new()),
        Reach::Jurisdiction {
            jurisdictions,
            departments,
            ..
        } => {
            let subjects: Vec<String> = jurisdictions.iter().chain(departments).cloned().collect();
            let issuers: Vec<String> = departments.iter().cloned().collect();
            if issuers.is_empty() {
                let sql = format!("d.subject_id IN ({})", placeholders(first, subjects.len()));
                return (sql, subjects);
            }
            let sql = format!(
                "(d.subject_id IN ({}) OR d.issuer_id IN ({}))",
                placeholders(first, subjects.len()),
                placeholders(first + subjects.len(), issuers.len())
            );
            (sql, subjects.into_iter().chain(issuers).collect())
        }
        Reach::Department {
            id,
            jurisdiction_id,
        } => (
            format!(
                "((d.kind = ${} AND d.subject_id = ${}) OR (d.kind = ${} AND d.subject_id = ${}))",
                first,
                first + 1,
                first + 2,
                first + 3
            ),
            vec![
                DocumentKind::Notice.as_str().to_string(),
                id.clone(),
                DocumentKind::Circular.as_str().to_string(),
                jurisdiction_id.clone(),
            ],
        ),
    }
}

/// The input a document was rendered from.
pub async fn input(store: &Store, id: i64) -> Result<serde_json::Value, DocumentError> {
    let text: String = sqlx::query("SELECT input FROM issued_documents WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| DocumentError::NotFound(format!("no issued document {id}")))?
        .try_get(0)?;
    serde_json::from_str(&text).map_err(|e| DocumentError::Io(format!("stored input of {id}: {e}")))
}

/// The archived PDF, checked against its SHA-256.
pub fn read_pdf(doc: &IssuedDocument) -> Result<Vec<u8>, DocumentError> {
    let bytes = std::fs::read(&doc.path)
        .map_err(|e| DocumentError::Io(format!("cannot read {}: {e}", doc.path)))?;
    if hex(&Sha256::digest(&bytes)) != doc.sha256 {
        return Err(DocumentError::Io(format!(
            "{} does not match the SHA-256 recorded when document {} ({}) was issued",
            doc.path, doc.id, doc.number
        )));
    }
    Ok(bytes)
}

/// The issued notices of `year` (by data year) that set a deadline passed by
/// `date`, are not replaced, and no issued circular names yet.
pub async fn overdue_notices(
    store: &Store,
    issuer_id: &str,
    year: i32,
    date: NaiveDate,
) -> Result<Vec<IssuedDocument>, DocumentError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM issued_documents d \
         WHERE d.kind = '{notice}' AND d.issuer_id = $1 AND d.data_year = $2 \
         AND d.deadline IS NOT NULL AND d.deadline < $3 \
         AND NOT EXISTS (SELECT 1 FROM issued_documents r WHERE r.replaces_id = d.id) \
         AND NOT EXISTS (SELECT 1 FROM issued_document_findings l JOIN issued_documents c \
                         ON c.id = l.document_id WHERE c.kind = '{circular}' \
                         AND l.finding_key = 'notice:' || CAST(d.id AS TEXT)) \
         ORDER BY d.subject_id, d.id",
        notice = DocumentKind::Notice,
        circular = DocumentKind::Circular,
    ))
    .bind(issuer_id)
    .bind(i64::from(year))
    .bind(date.format("%Y-%m-%d").to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// The findings (by key) that issued documents of a kind name about a
/// subject, except the document `$3`.
const NAMED_FINDINGS: &str = "SELECT l.finding_key FROM issued_document_findings l \
     JOIN issued_documents d ON d.id = l.document_id \
     WHERE d.kind = $1 AND d.subject_id = $2 AND d.id <> $3";

/// The findings (by key) an issued notice to the department names: not open
/// any more. A correction that replaces notice `replaces` may name that
/// notice's findings again.
pub async fn named_findings(
    store: &Store,
    department_id: &str,
    replaces: Option<i64>,
) -> Result<std::collections::HashSet<String>, DocumentError> {
    sqlx::query(NAMED_FINDINGS)
        .bind(DocumentKind::Notice.as_str())
        .bind(department_id)
        .bind(replaces.unwrap_or(-1))
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0).map_err(DocumentError::from))
        .collect()
}

/// The findings (by key) issued document `id` names, in key order.
pub async fn findings_of(store: &Store, id: i64) -> Result<Vec<String>, DocumentError> {
    sqlx::query(
        "SELECT finding_key FROM issued_document_findings WHERE document_id = $1 \
         ORDER BY finding_key",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0).map_err(DocumentError::from))
    .collect()
}

/// Documents of each kind issued about the data of `year` and not replaced.
pub async fn issued_per_kind(
    store: &Store,
    year: i32,
) -> Result<std::collections::BTreeMap<DocumentKind, i64>, DocumentError> {
    let mut out = std::collections::BTreeMap::new();
    for r in sqlx::query(
        "SELECT kind, COUNT(*) FROM issued_documents WHERE data_year = $1 \
         AND NOT EXISTS (SELECT 1 FROM issued_documents r WHERE r.replaces_id = issued_documents.id) \
         GROUP BY kind",
    )
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?
    {
        let kind: String = r.try_get(0)?;
        let kind = kind
            .parse()
            .map_err(|e| DocumentError::Io(format!("issued_documents: column kind: {e}")))?;
        out.insert(kind, r.try_get(1)?);
    }
    Ok(out)
}
