//! The jobs over HTTP:
//!
//! - `GET /api/v1/jobs` — every job's schedule, last and next run, and the
//!   failures waiting for a retry (leaders, inspectors, admins);
//! - `POST /api/v1/jobs/{name}/run?period=&again=` — an admin runs one
//!   period now through the ledger: `200` with what it did, `409` when the
//!   period succeeded already (unless `again=true`) or the job is running;
//! - `GET /api/v1/reminders?day=` — the daily scan's reminder digests of a
//!   day, one per department, cut to the caller's reach.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::work::Digest;
use super::{JobStatus, ManualRun, RunnerError, ScheduleError, schedule};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::vocab::{Action, JobName};

/// The jobs routes, to merge into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/jobs", get(list))
        .route("/api/v1/jobs/{name}/run", post(run))
        .route("/api/v1/reminders", get(reminders))
}

impl From<RunnerError> for ApiError {
    fn from(e: RunnerError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<ScheduleError> for ApiError {
    fn from(e: ScheduleError) -> Self {
        match e {
            ScheduleError::Period { .. } => ApiError::BadRequest(e.to_string()),
            ScheduleError::Cron { .. }
            | ScheduleError::Calendar(_)
            | ScheduleError::Setting { .. } => ApiError::Internal(e.to_string()),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<JobStatus>>, ApiError> {
    identity.require(Action::ReadJobs)?;
    Ok(Json(
        super::status(&state.store, &state.config, state.clock.now()).await?,
    ))
}

/// Query parameters of a manual run.
#[derive(Debug, Default, Deserialize)]
pub struct RunQuery {
    /// The period (default: the latest one due).
    pub period: Option<String>,
    /// Run a period that succeeded already once more.
    #[serde(default)]
    pub again: bool,
}

async fn run(
    State(state): State<AppState>,
    identity: Identity,
    Path(name): Path<String>,
    Query(q): Query<RunQuery>,
) -> Result<Json<ManualRun>, ApiError> {
    identity.require(Action::RunJobs)?;
    let job: JobName = name
        .parse()
        .map_err(|e: crate::vocab::ParseNameError| ApiError::NotFound(e.to_string()))?;
    let period = match q.period.as_deref() {
        Some(p) => schedule::parse_period(job, p)?,
        None => schedule::current_period(job, state.clock.now()),
    };
    let ran = super::run_audited(
        &state.jobs,
        &state.store,
        &identity.name,
        job,
        &period,
        q.again,
    )
    .await?;
    match &ran {
        ManualRun::Ran(_) => Ok(Json(ran)),
        ManualRun::AlreadySucceeded(o) => Err(ApiError::Conflict(format!(
            "{job} {period} succeeded already at {}; nothing was run (again=true runs it once more)",
            o.finished_at
                .map(crate::time::format_millis)
                .unwrap_or_default()
        ))),
        ManualRun::Busy(_) => Err(ApiError::Conflict(format!(
            "{job} is running; try again when it has finished"
        ))),
    }
}

/// Query parameters of the reminders.
#[derive(Debug, Default, Deserialize)]
pub struct RemindersQuery {
    /// The day (`YYYY-MM-DD`); default today.
    pub day: Option<String>,
}

/// `GET /api/v1/reminders?day=`: the day's reminder digests (items with
/// one working day left), one per department, of the caller's reach.
async fn reminders(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<RemindersQuery>,
) -> Result<Json<Vec<Digest>>, ApiError> {
    identity.require(Action::ReadChecks)?;
    let day = match q.day.as_deref() {
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiError::BadRequest(format!("invalid day {text:?}: use YYYY-MM-DD")))?,
        None => crate::time::local_date(state.clock.now()),
    };
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(&state).await?);
    Digest::of_day(&state.store, &reach, &day.to_string())
        .await
        .map(Json)
        .map_err(|e| ApiError::Internal(e.to_string()))
}
