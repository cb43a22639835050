//! The HTTP API of the metrics:
//!
//! - `GET /api/v1/check/{kind}?year=&quarter=&month=&as_of=` — the items of
//!   one check (`approvals`, `catalog`, `freshness`, `grants`, `corrections`,
//!   `open-applications`) as a JSON array;
//! - `GET /api/v1/metrics?year=&quarter=&month=&as_of=` — the summary.
//!
//! `as_of` is RFC 3339 (without offset: Asia/Shanghai) or a date (the end of
//! that day); default: the latest stored result (as of the last scan or
//! refresh). Both answer from stored results and never compute while the
//! request waits: a result not stored yet is `202 Accepted` while the
//! background computes it ([`crate::results::serve`]). A bad period or
//! instant answers 400, an unknown check 404. Each answers the items and
//! rows of the caller's reach, cut in the store query; a check's items come
//! per responsible department, in the check's order within each.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{MetricsError, Period, parse_as_of};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::results::ResultKind;
use crate::results::serve::{self, ServedJson};
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

/// The period and the as-of instant asked for (`None`: the latest).
fn asked(q: &PeriodQuery) -> Result<(Period, Option<i64>), ApiError> {
    let period = Period::new(q.year, q.quarter, q.month)?;
    let as_of = match q.as_of.as_deref() {
        Some(text) => Some(parse_as_of(Some(text))?),
        None => None,
    };
    Ok((period, as_of))
}

async fn check(
    State(state): State<AppState>,
    identity: Identity,
    Path(kind): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    identity.require(Action::ReadChecks)?;
    let kind: CheckKind = kind
        .parse()
        .map_err(|e: crate::vocab::ParseNameError| ApiError::NotFound(e.to_string()))?;
    let (period, as_of) = asked(&q)?;
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(&state).await?);
    let render = |mut stored: crate::results::Stored| {
        serde_json::to_vec(&stored.value[crate::results::ITEMS].take())
            .map_err(|e| ApiError::Internal(e.to_string()))
    };
    match serve::read_rendered(
        &state,
        ResultKind::Check(kind),
        period,
        as_of,
        &reach,
        "items",
        render,
    )
    .await?
    {
        ServedJson::Ready(r) => serve::respond(&r, false),
        ServedJson::Computing { last_failure } => Ok(serve::computing(last_failure)),
    }
}

async fn metrics(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    identity.require(Action::ReadChecks)?;
    let (period, as_of) = asked(&q)?;
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(&state).await?);
    let render = |stored: crate::results::Stored| {
        serde_json::to_vec(&stored.value).map_err(|e| ApiError::Internal(e.to_string()))
    };
    match serve::read_rendered(
        &state,
        ResultKind::Summary,
        period,
        as_of,
        &reach,
        "summary",
        render,
    )
    .await?
    {
        ServedJson::Ready(r) => serve::respond(&r, true),
        ServedJson::Computing { last_failure } => Ok(serve::computing(last_failure)),
    }
}
