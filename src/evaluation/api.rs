//! The HTTP API of the evaluation:
//!
//! - `GET /api/v1/evaluation/{year}?as_of=&live=` — the year's result: the
//!   frozen snapshot if the year has one (unless `live=true`), else the
//!   stored live result as of `as_of` (default: the latest, as of the last
//!   scan or refresh), with the basis it rests on; a result not stored yet
//!   is `202 Accepted` while it is computed (see [`crate::results::serve`]);
//! - `GET /api/v1/evaluation/{year}/{id}` — one department or county with its
//!   breakdown, down to the records that cost points.
//!
//! - `POST /api/v1/evaluation/{year}/freeze[?as_of=]` — a city leader
//!   freezes the year as the official result (201; 409 once frozen).
//!
//! Reading never freezes. Each
//! answers the departments and counties of the caller's reach; one outside
//! it is 404, as if it did not exist.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::run::{self, Evaluated, EvaluationError};
use super::scheme::Scheme;
use super::year::{CountyResult, DepartmentResult, YearEvaluation};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::metrics::{MetricsError, Period, parse_as_of};
use crate::results::serve::{self, Served, ServedJson};
use crate::results::{Basis, ResultKind};
use crate::vocab::{Action, EvaluationStatus};

/// Query parameters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvaluationQuery {
    /// The as-of instant (RFC 3339, or a date meaning its end).
    pub as_of: Option<String>,
    /// Compute live even if the year is frozen.
    #[serde(default)]
    pub live: bool,
}

/// The evaluation routes, to merge into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/evaluation/{year}", get(year))
        .route("/api/v1/evaluation/{year}/{id}", get(unit))
        .route("/api/v1/evaluation/{year}/freeze", post(freeze))
}

impl From<EvaluationError> for ApiError {
    fn from(e: EvaluationError) -> Self {
        match e {
            EvaluationError::Metrics(m) => m.into(),
            EvaluationError::AlreadyFrozen { .. } => ApiError::Conflict(e.to_string()),
            EvaluationError::Scheme(_)
            | EvaluationError::Query(_)
            | EvaluationError::Audit(_)
            | EvaluationError::Damaged { .. } => ApiError::Internal(e.to_string()),
        }
    }
}

/// The year's result as a reader reaches it.
#[derive(Debug)]
pub enum Answer {
    /// The frozen snapshot.
    Frozen(Evaluated),
    /// The stored live result and what it rests on.
    Stored(Evaluated, Basis),
    /// Not stored yet: being computed (the last failure, if any).
    Computing(Option<String>),
}

/// The body of an answer from a stored result.
#[derive(Debug, Serialize)]
struct Body<T: Serialize> {
    #[serde(flatten)]
    result: T,
    /// What a live result rests on (absent for a frozen snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<Basis>,
}

impl<T: Serialize> Body<T> {
    fn respond(result: T, basis: Option<Basis>) -> Result<Response, ApiError> {
        let headers = match &basis {
            Some(b) => serve::basis_headers(b)?,
            None => Default::default(),
        };
        Ok((headers, Json(Body { result, basis })).into_response())
    }
}

/// What a request asks: the reader's reach and the as-of instant.
async fn asked(
    state: &AppState,
    identity: &Identity,
    q: &EvaluationQuery,
) -> Result<(Reach, Option<i64>), ApiError> {
    identity.require(Action::ReadEvaluation)?;
    let as_of = match q.as_of.as_deref() {
        Some(text) => Some(parse_as_of(Some(text)).map_err(ApiError::from)?),
        None => None,
    };
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(state).await?);
    Ok((reach, as_of))
}

/// The frozen snapshot of `year` cut to `reach`, unless `live`; 404 for a
/// year no scheme covers (there is nothing to wait for).
async fn frozen_or_none(
    state: &AppState,
    reach: &Reach,
    year: i32,
    live: bool,
) -> Result<Option<Evaluated>, ApiError> {
    if !live {
        if let Some(mut frozen) = run::frozen(&state.store, year).await? {
            frozen
                .result
                .retain(|id| reach.department(id), |id| reach.jurisdiction(id));
            return Ok(Some(frozen));
        }
    }
    if Scheme::applicable(state.config.evaluation_schemes.as_deref(), year)
        .map_err(EvaluationError::from)?
        .is_none()
    {
        return Err(ApiError::NotFound(format!(
            "no evaluation scheme covers {year}"
        )));
    }
    Ok(None)
}

/// A stored live evaluation as read in a reach.
fn live_of(stored: crate::results::Stored, year: i32) -> Result<Evaluated, ApiError> {
    let mut result: YearEvaluation = serde_json::from_value(stored.value)
        .map_err(|e| ApiError::Internal(format!("stored evaluation of {year}: {e}")))?;
    // The grade counts are over the units in reach.
    result.retain(|_: &str| true, |_: &str| true);
    Ok(Evaluated::live(result))
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The year's result for `reach`, as the pages read it: the frozen
/// snapshot unless `live`, else the stored live result as of `as_of`
/// (default the latest); 404 for a year no scheme covers.
pub async fn read(
    state: &AppState,
    reach: &Reach,
    year: i32,
    as_of: Option<i64>,
    live: bool,
) -> Result<Answer, ApiError> {
    if let Some(frozen) = frozen_or_none(state, reach, year, live).await? {
        return Ok(Answer::Frozen(frozen));
    }
    let period = Period::new(year, None, None)?;
    match serve::read(state, ResultKind::Evaluation, period, as_of, reach).await? {
        Served::Ready(stored, basis) => Ok(Answer::Stored(live_of(stored, year)?, basis)),
        Served::Computing { last_failure } => Ok(Answer::Computing(last_failure)),
    }
}

fn parse_year(text: &str) -> Result<i32, ApiError> {
    text.parse::<i32>()
        .map_err(|_| ApiError::BadRequest(format!("invalid year {text:?}")))
        .and_then(|y| {
            crate::metrics::Period::new(y, None, None)
                .map(|_| y)
                .map_err(|e: MetricsError| ApiError::BadRequest(e.to_string()))
        })
}

async fn year(
    State(state): State<AppState>,
    identity: Identity,
    Path(year): Path<String>,
    Query(q): Query<EvaluationQuery>,
) -> Result<Response, ApiError> {
    let year = parse_year(&year)?;
    let (reach, as_of) = asked(&state, &identity, &q).await?;
    if let Some(frozen) = frozen_or_none(&state, &reach, year, q.live).await? {
        return Body::respond(frozen, None);
    }
    let period = Period::new(year, None, None)?;
    let render = |stored| json(&live_of(stored, year)?);
    rendered(&state, period, as_of, &reach, "year", render).await
}

/// One unit of a year's result.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnitResult {
    /// A department.
    Department {
        /// The year.
        year: i32,
        /// Frozen or live.
        status: EvaluationStatus,
        /// The result.
        #[serde(flatten)]
        result: Box<DepartmentResult>,
    },
    /// A county, with its departments' results.
    County {
        /// The year.
        year: i32,
        /// Frozen or live.
        status: EvaluationStatus,
        /// The result.
        #[serde(flatten)]
        result: Box<CountyResult>,
        /// Its authority's and departments' results.
        departments: Vec<DepartmentResult>,
    },
}

async fn unit(
    State(state): State<AppState>,
    identity: Identity,
    Path((year, id)): Path<(String, String)>,
    Query(q): Query<EvaluationQuery>,
) -> Result<Response, ApiError> {
    let year = parse_year(&year)?;
    let (reach, as_of) = asked(&state, &identity, &q).await?;
    if let Some(frozen) = frozen_or_none(&state, &reach, year, q.live).await? {
        return Body::respond(one_unit(&frozen, year, &id)?, None);
    }
    let period = Period::new(year, None, None)?;
    let render = |stored| json(&one_unit(&live_of(stored, year)?, year, &id)?);
    rendered(&state, period, as_of, &reach, &format!("unit:{id}"), render).await
}

/// An answer rendered from the stored live evaluation (kept per result,
/// answer and reach), with its basis; 202 while it is computed.
async fn rendered(
    state: &AppState,
    period: Period,
    as_of: Option<i64>,
    reach: &Reach,
    variant: &str,
    render: impl FnOnce(crate::results::Stored) -> Result<Vec<u8>, ApiError>,
) -> Result<Response, ApiError> {
    match serve::read_rendered(
        state,
        ResultKind::Evaluation,
        period,
        as_of,
        reach,
        variant,
        render,
    )
    .await?
    {
        ServedJson::Ready(r) => serve::respond(&r, true),
        ServedJson::Computing { last_failure } => Ok(serve::computing(last_failure)),
    }
}

/// One department or county of a year's result, with a county's
/// departments; 404 for one not in it (or not in reach).
fn one_unit(e: &Evaluated, year: i32, id: &str) -> Result<UnitResult, ApiError> {
    if let Some(d) = e.result.department(id) {
        return Ok(UnitResult::Department {
            year,
            status: e.status,
            result: Box::new(d.clone()),
        });
    }
    if let Some(c) = e.result.county(id) {
        let departments = e
            .result
            .departments
            .iter()
            .filter(|d| {
                c.authority_id.as_deref() == Some(d.score.id.as_str())
                    || c.department_ids.contains(&d.score.id)
            })
            .cloned()
            .collect();
        return Ok(UnitResult::County {
            year,
            status: e.status,
            result: Box::new(c.clone()),
            departments,
        });
    }
    Err(ApiError::NotFound(format!(
        "no department or county {id:?} in the evaluation of {year}"
    )))
}

/// Freezes the year as of `as_of` (default now) in the name of the leader
/// who asks.
async fn freeze(
    State(state): State<AppState>,
    identity: Identity,
    Path(year): Path<String>,
    Query(q): Query<EvaluationQuery>,
) -> Result<(StatusCode, Json<Evaluated>), ApiError> {
    identity.require(Action::FreezeEvaluation)?;
    let year = parse_year(&year)?;
    let as_of = parse_as_of(q.as_of.as_deref()).map_err(ApiError::from)?;
    let frozen =
        super::snapshot::freeze(&state.store, &state.config, year, as_of, &identity.name).await?;
    Ok((StatusCode::CREATED, Json(frozen)))
}
