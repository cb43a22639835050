//! What every HTTP route shares: the application state, the JSON error
//! answer, and who is calling (bearer tokens of the platform and of
//! operators).
//!
//! This module sits below every feature's routes: `metrics::api`,
//! `evaluation::api`, `documents::api`, `audit::api`, `org::api` and
//! `ingest::api` depend on it, and [`crate::web`] assembles them into the
//! router, so no feature module imports the router that imports it (as
//! crates.io keeps its `AppState` apart from its router).

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::{Config, Operator};
use crate::ingest;
use crate::store::Store;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
}

/// An error answered as JSON `{"error": "..."}` with its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or wrong token.
    #[error("missing or invalid platform token")]
    Unauthorized,
    /// A state change without the token of a configured operator.
    #[error(
        "this changes state: present an operator's token (Authorization: Bearer …); \
         operators are configured under [[operators]] or in DUKAO_OPERATORS"
    )]
    OperatorRequired,
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// Unsupported body type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// The body's rows failed validation; nothing was stored.
    #[error("{total} error(s) in the input; nothing was imported")]
    Invalid {
        /// Errors kept.
        errors: Vec<ingest::RowError>,
        /// All errors.
        total: u64,
    },
    /// Anything else.
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unauthorized | ApiError::OperatorRequired => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        }
        let body = match &self {
            ApiError::Invalid { errors, total } => json!({
                "error": self.to_string(),
                "total": total,
                "errors": errors,
            }),
            ApiError::Unauthorized
            | ApiError::OperatorRequired
            | ApiError::NotFound(_)
            | ApiError::UnsupportedMediaType(_)
            | ApiError::BadRequest(_)
            | ApiError::Internal(_) => json!({ "error": self.to_string() }),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("static header"),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Checks `Authorization: Bearer <token>` against the platform's tokens.
pub fn platform(headers: &HeaderMap, tokens: &[String]) -> Result<(), ApiError> {
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
    if tokens
        .iter()
        .any(|t| !t.is_empty() && constant_time_eq(t.as_bytes(), presented.as_bytes()))
    {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// The configured operator whose token the request presents: the name that
/// goes into the archive and the audit trail. Platform (ingest) tokens are
/// not operator tokens.
pub fn operator<'a>(headers: &HeaderMap, operators: &'a [Operator]) -> Result<&'a str, ApiError> {
    let presented = bearer(headers).ok_or(ApiError::OperatorRequired)?;
    operators
        .iter()
        .find(|o| !o.token.is_empty() && constant_time_eq(o.token.as_bytes(), presented.as_bytes()))
        .map(|o| o.name.as_str())
        .ok_or(ApiError::OperatorRequired)
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Compares without leaking where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
