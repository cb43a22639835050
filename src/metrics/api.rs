//! The HTTP API of the metrics:
//!
//! - `GET /api/v1/check/{kind}?year=&quarter=&month=&as_of=` — the items of
//!   one check (`approvals`, `catalog`, `freshness`, `grants`, `corrections`,
//!   `open-applications`) as a JSON array;
//! - `GET /api/v1/metrics?year=&quarter=&month=&as_of=` — the summary.
//!
//! `as_of` is RFC 3339 (without offset: Asia/Shanghai) or a date (the end of
//! that day); default now. A bad period or instant answers 400, an unknown
//! check 404. These endpoints compute without recording findings (a GET has
//! no side effects); `dukao check` and `dukao metrics` record them. Each
//! answers the items and rows of the caller's reach.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::summary::{self, Level, Summary};
use super::{CheckItem, Context, MetricsError, Period, judge, judge_checks, parse_as_of};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::vocab::{Action, CheckKind};

/// Query parameters of both endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct PeriodQuery {
    /// The year.
    pub year: i32,
    /// A quarter (1–4).
    pub quarter: Option<u32>,
    /// A month (1–12).
    pub month: Option<u32>,
    /// The as-of instant.
    pub as_of: Option<String>,
}

/// The metrics routes, to merge into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/check/{kind}", get(check))
        .route("/api/v1/metrics", get(metrics))
}

impl From<MetricsError> for ApiError {
    fn from(e: MetricsError) -> Self {
        match e {
            MetricsError::Period(_) | MetricsError::AsOf { .. } => {
                ApiError::BadRequest(e.to_string())
            }
            MetricsError::Query(_)
            | MetricsError::Store(_)
            | MetricsError::Calendar(_)
            | MetricsError::Rules(_)
            | MetricsError::Org(_)
            | MetricsError::Stored { .. }
            | MetricsError::Decode(_)
            | MetricsError::Task(_)
            | MetricsError::Cases(_)
            | MetricsError::Polars(_) => ApiError::Internal(e.to_string()),
        }
    }
}

async fn context(state: &AppState, q: &PeriodQuery) -> Result<Context, ApiError> {
    let period = Period::new(q.year, q.quarter, q.month)?;
    let as_of = parse_as_of(q.as_of.as_deref())?;
    Ok(Context::load(&state.store, &state.config, period, as_of).await?)
}

async fn check(
    State(state): State<AppState>,
    identity: Identity,
    Path(kind): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Vec<CheckItem>>, ApiError> {
    identity.require(Action::ReadChecks)?;
    let kind: CheckKind = kind
        .parse()
        .map_err(|e: crate::vocab::ParseNameError| ApiError::NotFound(e.to_string()))?;
    let ctx = context(&state, &q).await?;
    let reach = Reach::of(&identity.scope, &ctx.org);
    let mut items = judge_checks(&ctx, &state.store, &[kind]).await?.items;
    items.retain(|i| reach.department(&i.responsible_id));
    Ok(Json(items))
}

async fn metrics(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Summary>, ApiError> {
    identity.require(Action::ReadChecks)?;
    let ctx = context(&state, &q).await?;
    let reach = Reach::of(&identity.scope, &ctx.org);
    let judged = judge(&ctx, &state.store).await?;
    let mut summary = summary::summarize(&ctx, &judged.items, &judged.findings)?;
    summary.retain(|level, id| match level {
        Level::Department => reach.department(id),
        Level::Jurisdiction => reach.jurisdiction(id),
    });
    Ok(Json(summary))
}
