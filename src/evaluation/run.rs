//! Evaluating a year against the store: the metrics of the year, the scheme
//! that applies to it, last year for the change, and the frozen snapshot.
//!
//! A frozen year answers with its snapshot: [`evaluate`] never recomputes
//! it silently. A live computation of a frozen year is available on request
//! ([`Mode::Live`]), marked as such, and never replaces the snapshot.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::scheme::{Scheme, SchemeError};
use super::year::YearEvaluation;
use crate::audit::{self, Change};
use crate::config::Config;
use crate::metrics::{self, CheckKind, Context, MetricsError, Period, findings};
use crate::store::Store;
use crate::time::{format_millis, now_millis};

/// Why an evaluation could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The metrics failed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The scheme could not be loaded.
    #[error(transparent)]
    Scheme(#[from] SchemeError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The audit trail could not be written.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// `--freeze` on a year already frozen.
    #[error(
        "the evaluation of {year} was frozen on {frozen_at} by {frozen_by} (scheme {scheme_version}); a frozen year is never recomputed or overwritten"
    )]
    AlreadyFrozen {
        /// The year.
        year: i32,
        /// When it was frozen.
        frozen_at: String,
        /// Who froze it.
        frozen_by: String,
        /// The scheme version of the snapshot.
        scheme_version: String,
    },
    /// A stored snapshot does not match its digest or does not parse.
    #[error("the frozen evaluation of {year} is damaged: {message}")]
    Damaged {
        /// The year.
        year: i32,
        /// What is wrong.
        message: String,
    },
}

/// Which result a caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The frozen snapshot if the year has one, else a live computation.
    Official,
    /// A live computation even if the year is frozen (for comparison).
    Live,
}

/// A year's evaluation and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluated {
    /// `frozen` (the official snapshot) or `live` (computed now).
    pub status: &'static str,
    /// When the snapshot was frozen (frozen only).
    pub frozen_at: Option<String>,
    /// Who froze it (frozen only).
    pub frozen_by: Option<String>,
    /// SHA-256 of the snapshot's JSON (frozen only).
    pub sha256: Option<String>,
    /// The result.
    #[serde(flatten)]
    pub result: YearEvaluation,
}

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

/// Computes a year live: the metrics of the year as of `as_of`, the
/// applicable scheme, without the previous year.
pub async fn compute(
    store: &Store,
    config: &Config,
    year: i32,
    as_of: i64,
) -> Result<YearEvaluation, EvaluationError> {
    let scheme = Scheme::for_year(config.evaluation_schemes.as_deref(), year)?;
    let period = Period::new(year, None, None)?;
    let ctx = Context::load(store, config, period, as_of).await?;
    compute_with(&ctx, store, &scheme).await
}

/// Computes a year under a given context and scheme.
pub async fn compute_with(
    ctx: &Context,
    store: &Store,
    scheme: &Scheme,
) -> Result<YearEvaluation, EvaluationError> {
    let items = metrics::run_checks(ctx, store, &CheckKind::ALL, &mut Vec::new()).await?;
    let mut all = findings::detected(ctx, &items);
    all.extend(findings::imported(ctx, store).await?);
    Ok(YearEvaluation::compute(ctx, scheme, &items, &all))
}

/// The evaluation of `year`: the frozen snapshot if there is one (unless
/// `mode` is [`Mode::Live`]), else computed as of `as_of`, with last year's
/// scores (its snapshot if frozen, else computed as of the end of that year
/// or `as_of`, whichever is earlier).
pub async fn evaluate(
    store: &Store,
    config: &Config,
    year: i32,
    as_of: i64,
    mode: Mode,
) -> Result<Evaluated, EvaluationError> {
    if mode == Mode::Official {
        if let Some(s) = load_snapshot(store, year).await? {
            return Ok(Evaluated {
                status: "frozen",
                frozen_at: Some(format_millis(s.frozen_at)),
                frozen_by: Some(s.frozen_by),
                sha256: Some(s.sha256),
                result: s.result,
            });
        }
    }
    let result = compute_year_with_previous(store, config, year, as_of).await?;
    Ok(Evaluated {
        status: "live",
        frozen_at: None,
        frozen_by: None,
        sha256: None,
        result,
    })
}

async fn compute_year_with_previous(
    store: &Store,
    config: &Config,
    year: i32,
    as_of: i64,
) -> Result<YearEvaluation, EvaluationError> {
    let current = compute(store, config, year, as_of).await?;
    let (previous, source) = match load_snapshot(store, year - 1).await? {
        Some(s) => (s.result, "frozen"),
        None => {
            let end = Period::new(year - 1, None, None)?.end_ms() - 1;
            (
                compute(store, config, year - 1, as_of.min(end)).await?,
                "computed",
            )
        }
    };
    Ok(current.with_previous(&previous, source))
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
    if let Some(s) = load_snapshot(store, year).await? {
        return Err(already_frozen(year, &s));
    }
    let result = compute_year_with_previous(store, config, year, as_of).await?;
    let json = serde_json::to_string(&result).expect("an evaluation serialises");
    let sha256 = hex(&Sha256::digest(json.as_bytes()));
    let frozen_at = now_millis();
    // The snapshot and its audit entry commit together.
    let mut tx = store.pool().begin().await?;
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
        if let Some(s) = load_snapshot(store, year).await? {
            return Err(already_frozen(year, &s));
        }
        return Err(e.into());
    }
    let change = Change {
        actor: frozen_by,
        action: "evaluation.freeze",
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
        status: "frozen",
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
pub async fn load_snapshot(store: &Store, year: i32) -> Result<Option<Snapshot>, EvaluationError> {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
