//! `import_runs`: one row per import, landed or rejected, with its counts.

use serde::Serialize;
use sqlx::Row;

use super::ImportOptions;
use crate::store::{Store, StoreError, get_bool};
use crate::time::format_millis;

/// One recorded import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRun {
    /// Sequence.
    pub id: i64,
    /// Who started it (`cli`, `demo`, `http:<table>`).
    pub source: String,
    /// Start (RFC 3339).
    pub started_at: String,
    /// End (RFC 3339).
    pub finished_at: String,
    /// Rows read.
    pub rows: i64,
    /// Errors found.
    pub errors: i64,
    /// Whether its rows were stored.
    pub landed: bool,
    /// Rows per table, or the first error.
    pub summary: String,
}

/// Records a run; a failure to record is logged, not fatal (the import's own
/// outcome is what the caller needs).
pub(super) async fn record(
    store: &Store,
    options: &ImportOptions,
    started_at: i64,
    rows: u64,
    errors: u64,
    landed: bool,
    summary: &str,
) {
    let result = sqlx::query(
        "INSERT INTO import_runs (source, started_at, finished_at, rows, errors, landed, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(if options.origin.is_empty() {
        "cli"
    } else {
        options.origin.as_str()
    })
    .bind(started_at)
    .bind(crate::time::now_millis())
    .bind(rows as i64)
    .bind(errors as i64)
    .bind(landed)
    .bind(summary.chars().take(2000).collect::<String>())
    .execute(store.pool())
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not record the import run");
    }
}

/// The newest `limit` runs, newest first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<ImportRun>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, source, started_at, finished_at, rows, errors, landed, summary \
         FROM import_runs ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(ImportRun {
            id: r.try_get(0)?,
            source: r.try_get(1)?,
            started_at: format_millis(r.try_get(2)?),
            finished_at: format_millis(r.try_get(3)?),
            rows: r.try_get(4)?,
            errors: r.try_get(5)?,
            landed: get_bool(&r, "landed")?.unwrap_or(false),
            summary: r.try_get(7)?,
        });
    }
    Ok(out)
}
