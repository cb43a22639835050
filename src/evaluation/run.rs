//! Evaluating a year against the store — the one "official or live"
//! evaluation every caller uses (the CLI, the API, the annual report; next,
//! the scheduler and the dashboard).
//!
//! - A frozen year answers with its snapshot ([`Mode::Official`]); it is
//!   never recomputed silently. A live computation of a frozen year is
//!   available on request ([`Mode::Live`]), marked as such, and never
//!   replaces the snapshot.
//! - A live year is judged by the metrics' one pipeline
//!   ([`crate::metrics::judge`]) and scored under the scheme that applies to
//!   it.
//! - The change from the previous year uses the previous year's snapshot
//!   when it is frozen, else its live computation as of the end of that year
//!   (or the as-of instant, if earlier). When no scheme covers the previous
//!   year, or the store has no records of it, the comparison is simply
//!   absent; when its records cover only part of it, the result says so
//!   (`previous_partial`).

use serde::Serialize;

use super::scheme::{Scheme, SchemeError};
use super::snapshot::{self, Snapshot};
use super::year::YearEvaluation;
use crate::config::Config;
use crate::metrics::{self, Context, Judged, MetricsError, Period};
use crate::store::Store;
use crate::time::format_millis;
use crate::vocab::{EvaluationStatus, PreviousSource};

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
    /// The official snapshot, or computed now.
    pub status: EvaluationStatus,
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

impl Evaluated {
    fn frozen(s: Snapshot) -> Evaluated {
        Evaluated {
            status: EvaluationStatus::Frozen,
            frozen_at: Some(format_millis(s.frozen_at)),
            frozen_by: Some(s.frozen_by),
            sha256: Some(s.sha256),
            result: s.result,
        }
    }

    /// A live result.
    pub fn live(result: YearEvaluation) -> Evaluated {
        Evaluated {
            status: EvaluationStatus::Live,
            frozen_at: None,
            frozen_by: None,
            sha256: None,
            result,
        }
    }
}

/// The evaluation of `year` as of `as_of` (the frozen snapshot, unless
/// `mode` is [`Mode::Live`]).
pub async fn evaluate(
    store: &Store,
    config: &Config,
    year: i32,
    as_of: i64,
    mode: Mode,
) -> Result<Evaluated, EvaluationError> {
    if let Some(s) = official(store, year, mode).await? {
        return Ok(s);
    }
    let ctx = Context::load(store, config, Period::new(year, None, None)?, as_of).await?;
    let judged = metrics::judge(&ctx, store).await?;
    Ok(Evaluated::live(score(store, config, &ctx, &judged).await?))
}

/// [`evaluate`] for a year the caller has judged already (the annual report
/// judges the year once for its figures and its evaluation).
pub async fn evaluate_judged(
    store: &Store,
    config: &Config,
    ctx: &Context,
    judged: &Judged,
    mode: Mode,
) -> Result<Evaluated, EvaluationError> {
    if let Some(s) = official(store, ctx.period.year, mode).await? {
        return Ok(s);
    }
    Ok(Evaluated::live(score(store, config, ctx, judged).await?))
}

/// The frozen snapshot of `year`, if it has one.
pub async fn frozen(store: &Store, year: i32) -> Result<Option<Evaluated>, EvaluationError> {
    Ok(snapshot::load(store, year).await?.map(Evaluated::frozen))
}

async fn official(
    store: &Store,
    year: i32,
    mode: Mode,
) -> Result<Option<Evaluated>, EvaluationError> {
    Ok(match mode {
        Mode::Official => snapshot::load(store, year).await?.map(Evaluated::frozen),
        Mode::Live => None,
    })
}

/// Scores a judged year under its scheme, with the previous year's
/// comparison.
pub async fn score(
    store: &Store,
    config: &Config,
    ctx: &Context,
    judged: &Judged,
) -> Result<YearEvaluation, EvaluationError> {
    let scheme = Scheme::for_year(config.evaluation_schemes.as_deref(), ctx.period.year)?;
    let current = YearEvaluation::compute(ctx, &scheme, &judged.items, &judged.findings);
    Ok(match previous(store, config, ctx).await? {
        Some((previous, source)) => current.with_previous(&previous, source),
        None => current,
    })
}

/// The previous year's result to compare with: its snapshot, else computed
/// as of the end of that year or `ctx.as_of`, whichever is earlier; `None`
/// when no scheme covers it or the store has no records of it.
async fn previous(
    store: &Store,
    config: &Config,
    ctx: &Context,
) -> Result<Option<(YearEvaluation, PreviousSource)>, EvaluationError> {
    let year = ctx.period.year - 1;
    if let Some(s) = snapshot::load(store, year).await? {
        return Ok(Some((s.result, PreviousSource::Frozen)));
    }
    let Some(scheme) = Scheme::applicable(config.evaluation_schemes.as_deref(), year)? else {
        return Ok(None);
    };
    let period = Period::new(year, None, None)?;
    let before = ctx.for_period(period, ctx.as_of.min(period.end_ms() - 1));
    let judged = metrics::judge(&before, store).await?;
    let result = YearEvaluation::compute(&before, &scheme, &judged.items, &judged.findings);
    if result.coverage.is_empty() && judged.findings.is_empty() {
        return Ok(None);
    }
    Ok(Some((result, PreviousSource::Computed)))
}
