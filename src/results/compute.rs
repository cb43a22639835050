//! Computing a period's results once and storing them: the one place the
//! metrics are judged for readers. The daily scan, the refresh after an
//! import and the background refresh of a stale result all come here.
//!
//! One judgement of the period gives every stored kind: the items of each
//! check, the summary, and (for a whole year with a scheme) the live
//! evaluation with its breakdown. The data version is read *before*
//! judging, so a change landing while the judgement runs leaves the stored
//! result marked with the older version, hence stale, hence recomputed.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use super::{ITEMS, Key, Part, ResultKind, ResultsError, save, save_parts, version};
use crate::config::Config;
use crate::evaluation::{EvaluationError, Scheme, SchemeError, run};
use crate::metrics::findings::Recorded;
use crate::metrics::summary::{self, Level};
use crate::metrics::{self, CheckItem, Context, Judged, MetricsError, Period};
use crate::store::Store;
use crate::vocab::CheckKind;

/// Why a period could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    /// Judging failed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// Scoring failed.
    #[error(transparent)]
    Evaluation(#[from] EvaluationError),
    /// The scheme could not be read.
    #[error(transparent)]
    Scheme(#[from] SchemeError),
    /// Storing failed.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// Reading the data version failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A result did not serialise.
    #[error("serialising a result: {0}")]
    Json(#[from] serde_json::Error),
}

/// Whether the computation records what it judged as findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Record new findings and heal ended ones (a scan of the present).
    Findings,
    /// Only store the results (a past as-of instant, a narrower period).
    ResultsOnly,
}

/// What a computation did.
#[derive(Debug)]
pub struct Computed {
    /// The period.
    pub period: Period,
    /// The as-of instant (ms).
    pub as_of: i64,
    /// The data version the results rest on.
    pub data_version: i64,
    /// The judgement (its items feed the reminders).
    pub judged: Judged,
    /// What recording did, when asked.
    pub recorded: Option<Recorded>,
    /// Whether an evaluation was stored (a whole year with a scheme).
    pub evaluated: bool,
    /// Wall time of judging and scoring, in milliseconds.
    pub compute_ms: i64,
    /// Wall time of storing the results, in milliseconds.
    pub store_ms: i64,
}

/// Judges `period` as of `as_of` and stores its results; `now` is the wall
/// clock (the instant recorded findings are seen at).
pub async fn compute(
    store: &Store,
    config: &Config,
    period: Period,
    as_of: i64,
    now: i64,
    recording: Recording,
) -> Result<Computed, ComputeError> {
    let started = Instant::now();
    let data_version = version::current(store).await?.version;
    let ctx = Context::load(store, config, period, as_of).await?;
    let judged = metrics::judge(&ctx, store).await?;
    let recorded = match recording {
        Recording::Findings => Some(judged.record(&ctx, store, now).await?),
        Recording::ResultsOnly => None,
    };
    let label = period.label();
    let mut values: Vec<(ResultKind, Value)> = Vec::new();
    let whole_year = period.quarter.is_none() && period.month.is_none();
    let scheme = Scheme::applicable(config.evaluation_schemes.as_deref(), period.year)?;
    let evaluated = whole_year && scheme.is_some();
    if evaluated {
        let evaluation = run::score(store, config, &ctx, &judged).await?;
        values.push((ResultKind::Evaluation, serde_json::to_value(&evaluation)?));
    }
    let summary = summary::summarize(&ctx, &judged.items, &judged.findings)?;
    values.push((ResultKind::Summary, serde_json::to_value(&summary)?));
    // A check's items are stored per responsible department (each one
    // part, in the check's order within it): a city's run to a million.
    let mut per_check: BTreeMap<CheckKind, BTreeMap<&str, Vec<&CheckItem>>> = CheckKind::ALL
        .iter()
        .map(|k| (*k, BTreeMap::new()))
        .collect();
    for item in &judged.items {
        per_check
            .entry(item.check)
            .or_default()
            .entry(item.responsible_id.as_str())
            .or_default()
            .push(item);
    }
    let mut checks = Vec::new();
    for (kind, departments) in per_check {
        let mut parts = Vec::with_capacity(departments.len());
        let mut position = 0;
        for (department, items) in departments {
            parts.push(Part::of_rows(
                ITEMS,
                position,
                Level::Department,
                department,
                &items,
            )?);
            position += items.len() as i64;
        }
        checks.push((ResultKind::Check(kind), parts));
    }
    let compute_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let storing = Instant::now();
    let key = |kind| Key {
        kind,
        period: &label,
        as_of,
        data_version,
    };
    for (kind, value) in &values {
        save(store, &key(*kind), now, compute_ms, value).await?;
    }
    let empty = serde_json::json!({});
    for (kind, parts) in &checks {
        save_parts(store, &key(*kind), now, compute_ms, &empty, parts).await?;
    }
    Ok(Computed {
        period,
        as_of,
        data_version,
        judged,
        recorded,
        evaluated,
        compute_ms,
        store_ms: i64::try_from(storing.elapsed().as_millis()).unwrap_or(i64::MAX),
    })
}
