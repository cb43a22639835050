//! `evaluation_snapshots`: a year's official result, frozen once with its
//! SHA-256 and an audit entry, and read back verified.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::run::{Evaluated, EvaluationError, score};
use super::year::YearEvaluation;
use crate::audit::{self, Change};
use crate::config::Config;
use crate::digest::hex;
use crate::metrics::{self, Context, Period};
use crate::store::Store;
use crate::time::{format_millis, now_millis};
use crate::vocab::{AuditAction, EvaluationStatus};

/// A frozen snapshot's record.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When it was frozen.
    pub frozen_at: i64,
    /// Who froze it.
    pub frozen_by: String,
    /// SHA-256 of `result`'s JSON.
    pub sha256: String,
    /// The result.
    pub result: YearEvaluation,
}

/// Computes the year and stores it as the official snapshot. Fails with
/// [`EvaluationError::AlreadyFrozen`] if the year is frozen already (also
/// when another freeze of the same year wins a race: the year is the key).
pub async fn freeze(
    store: &Store,
    config: &Config,
    year: i32,
    as_of: i64,
    frozen_by: &str,
) -> Result<Evaluated, EvaluationError> {
    if let Some(s) = load(store, year).await? {
        return Err(already_frozen(year, &s));
    }
    let ctx = Context::load(store, config, Period::new(year, None, None)?, as_of).await?;
    let judged = metrics::judge(&ctx, store).await?;
    let result = score(store, config, &ctx, &judged).await?;
    let json = serde_json::to_string(&result).expect("an evaluation serialises");
    let sha256 = hex(&Sha256::digest(json.as_bytes()));
    let frozen_at = now_millis();
    // The snapshot and its audit entry commit together.
    let mut tx = store.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO evaluation_snapshots \
         (year, scheme_id, scheme_version, as_of, frozen_at, frozen_by, sha256, result) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(i64::from(year))
    .bind(&result.scheme.id)
    .bind(&result.scheme.version)
    .bind(as_of)
    .bind(frozen_at)
    .bind(frozen_by)
    .bind(&sha256)
    .bind(&json)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        drop(tx);
        // Lost a race with another freeze of the same year?
        if let Some(s) = load(store, year).await? {
            return Err(already_frozen(year, &s));
        }
        return Err(e.into());
    }
    let change = Change {
        actor: frozen_by,
        action: AuditAction::EvaluationFreeze,
        subject: format!("evaluation:{year}"),
        details: serde_json::json!({
            "scheme": result.scheme.id,
            "scheme_version": result.scheme.version,
            "as_of": format_millis(as_of),
            "sha256": sha256,
        }),
    };
    audit::append(&mut tx, &change).await?;
    tx.commit().await?;
    Ok(Evaluated {
        status: EvaluationStatus::Frozen,
        frozen_at: Some(format_millis(frozen_at)),
        frozen_by: Some(frozen_by.to_string()),
        sha256: Some(sha256),
        result,
    })
}

fn already_frozen(year: i32, s: &Snapshot) -> EvaluationError {
    EvaluationError::AlreadyFrozen {
        year,
        frozen_at: format_millis(s.frozen_at),
        frozen_by: s.frozen_by.clone(),
        scheme_version: s.result.scheme.version.clone(),
    }
}

/// The frozen snapshot of a year, verified against its digest.
pub async fn load(store: &Store, year: i32) -> Result<Option<Snapshot>, EvaluationError> {
    let row = sqlx::query(
        "SELECT frozen_at, frozen_by, sha256, result FROM evaluation_snapshots WHERE year = $1",
    )
    .bind(i64::from(year))
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let json: String = row.try_get("result")?;
    let sha256: String = row.try_get("sha256")?;
    if hex(&Sha256::digest(json.as_bytes())) != sha256 {
        return Err(EvaluationError::Damaged {
            year,
            message: "its SHA-256 does not match the stored result".into(),
        });
    }
    let result = serde_json::from_str(&json).map_err(|e| EvaluationError::Damaged {
        year,
        message: e.to_string(),
    })?;
    Ok(Some(Snapshot {
        frozen_at: row.try_get("frozen_at")?,
        frozen_by: row.try_get("frozen_by")?,
        sha256,
        result,
    }))
}
