//! `GET /api/v1/audit` (the newest entries) and `GET /api/v1/audit/verify`:
//! the city's leaders and administrators only.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::{AuditError, Entry, Filter, Verification, list, verify};
use crate::access::Identity;
use crate::http::{ApiError, AppState};
use crate::vocab::Action;

/// The audit routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/audit", get(entries))
        .route("/api/v1/audit/verify", get(check))
}

impl From<AuditError> for ApiError {
    fn from(e: AuditError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    subject: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn entries(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    identity.require(Action::ReadAudit)?;
    let filter = Filter {
        subject: q.subject,
        before: q.before,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(list(&state.store, &filter).await?))
}

async fn check(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Verification>, ApiError> {
    identity.require(Action::ReadAudit)?;
    Ok(Json(verify(&state.store).await?))
}
