//! The data version: one number that grows with every change of what
//! results rest on (an import landing, a case changing). A stored result
//! names the version it was computed from; a reader compares it with the
//! current one to know whether the result is current. Owns `data_version`.

use sqlx::{AnyConnection, Row};

use crate::store::Store;

/// The data version as one scalar subquery, for a query that asks several
/// owners at once whether anything changed (the pages' cache: `pages::kept`).
pub const MARK: &str = "(SELECT version FROM data_version WHERE id = 1)";

/// The data version and its last change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataVersion {
    /// The number.
    pub version: i64,
    /// When it last changed (ms since the epoch).
    pub changed_at: i64,
    /// What changed it (`import:…`, `case:…`).
    pub cause: String,
}

/// The current data version.
pub async fn current(store: &Store) -> Result<DataVersion, sqlx::Error> {
    let row = sqlx::query("SELECT version, changed_at, cause FROM data_version WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    Ok(DataVersion {
        version: row.try_get(0)?,
        changed_at: row.try_get(1)?,
        cause: row.try_get(2)?,
    })
}

/// Moves the data version on, inside the transaction of the change that
/// causes it (so the change and the new version land together or not at
/// all).
pub async fn bump(conn: &mut AnyConnection, cause: &str, now: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE data_version SET version = version + 1, changed_at = $1, cause = $2 \
         WHERE id = 1 RETURNING version",
    )
    .bind(now)
    .bind(cause)
    .fetch_one(conn)
    .await?;
    row.try_get(0)
}
