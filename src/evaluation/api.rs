//! The HTTP API of the evaluation:
//!
//! - `GET /api/v1/evaluation/{year}?as_of=&live=` — the year's result: the
//!   frozen snapshot if the year has one (unless `live=true`), else computed
//!   as of `as_of` (default now);
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
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::run::{self, Evaluated, EvaluationError, Mode};
use super::year::{CountyResult, DepartmentResult};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::metrics::{MetricsError, parse_as_of};
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

/// The year's result, cut to what `identity` reaches.
async fn evaluated(
    state: &AppState,
    identity: &Identity,
    year: i32,
    q: &EvaluationQuery,
) -> Result<Evaluated, ApiError> {
    identity.require(Action::ReadEvaluation)?;
    let as_of = parse_as_of(q.as_of.as_deref()).map_err(ApiError::from)?;
    let mode = if q.live { Mode::Live } else { Mode::Official };
    let mut evaluated = run::evaluate(&state.store, &state.config, year, as_of, mode).await?;
    let reach = Reach::of(&identity.scope, &crate::org::api::org(state).await?);
    evaluated
        .result
        .retain(|id| reach.department(id), |id| reach.jurisdiction(id));
    Ok(evaluated)
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
) -> Result<Json<Evaluated>, ApiError> {
    let year = parse_year(&year)?;
    Ok(Json(evaluated(&state, &identity, year, &q).await?))
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
) -> Result<Json<UnitResult>, ApiError> {
    let year = parse_year(&year)?;
    let e = evaluated(&state, &identity, year, &q).await?;
    if let Some(d) = e.result.department(&id) {
        return Ok(Json(UnitResult::Department {
            year,
            status: e.status,
            result: Box::new(d.clone()),
        }));
    }
    if let Some(c) = e.result.county(&id) {
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
        return Ok(Json(UnitResult::County {
            year,
            status: e.status,
            result: Box::new(c.clone()),
            departments,
        }));
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
