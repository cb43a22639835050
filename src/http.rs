//! What every HTTP route shares: the application state and the JSON error
//! answer. Who is calling, and what they may do, is [`crate::access`].
//!
//! This module sits below every feature's routes: `metrics::api`,
//! `evaluation::api`, `documents::api`, `audit::api`, `org::api` and
//! `ingest::api` depend on it, and [`crate::web`] assembles them into the
//! router, so no feature module imports the router that imports it (as
//! crates.io keeps its `AppState` apart from its router).

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::Config;
use crate::ingest;
use crate::results::refresh::Refresher;
use crate::store::Store;
use crate::time::Clock;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
    /// The time (sessions' idle and age limits, token expiry, the as-of
    /// instant of recomputed results).
    pub clock: Clock,
    /// Recomputes missing or stale stored results in the background.
    pub results: Refresher,
    /// Answers rendered from stored results, kept per result and reach.
    pub rendered: Arc<crate::results::serve::RenderedCache>,
    /// Pages kept once rendered, per URL, role and reach, while nothing
    /// they rest on changed.
    pub pages: Arc<crate::pages::kept::PageCache>,
    /// The organisation as last loaded (reloaded when the data moved).
    pub org_cache: Arc<crate::org::api::OrgCache>,
    /// Runs the scheduled jobs through the ledger (ticked by
    /// [`crate::jobs::Clockwork`], or by hand).
    pub jobs: crate::jobs::Runner,
}

impl AppState {
    /// The state of a service on the system clock.
    pub fn new(store: Store, config: Config) -> AppState {
        AppState::with_clock(store, config, Clock::system())
    }

    /// The state of a service reading the time from `clock` (tests move a
    /// manual one instead of sleeping).
    pub fn with_clock(store: Store, config: Config, clock: Clock) -> AppState {
        let config = Arc::new(config);
        AppState {
            results: Refresher::new(store.clone(), config.clone(), clock.clone()),
            rendered: Arc::default(),
            pages: Arc::default(),
            org_cache: Arc::default(),
            jobs: crate::jobs::Runner::new(
                store.clone(),
                config.clone(),
                clock.clone(),
                &crate::jobs::Runner::replica_name(),
            ),
            store,
            config,
            clock,
        }
    }
}

/// An error answered as JSON `{"error": "..."}` with its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No identity, or one that is unknown, revoked or expired.
    #[error("sign in (POST /api/v1/session) or present an API token (Authorization: Bearer …)")]
    Unauthenticated,
    /// Wrong login or password (the answer never says which).
    #[error("wrong login or password")]
    SignInRefused,
    /// Too many failed sign-ins for a login.
    #[error("too many failed sign-ins: try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until an attempt is taken again.
        retry_after_secs: u64,
    },
    /// Identified, but this role or scope may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A body larger than the endpoint takes.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The change conflicts with the state (done already, not allowed in
    /// this state), named in the message.
    #[error("{0}")]
    Conflict(String),
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The change named a version of the resource that is no longer the
    /// current one (someone changed it meanwhile): read it again.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A change that must name the version it saw (`If-Match`) did not.
    #[error("{0}")]
    PreconditionRequired(String),
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

impl ApiError {
    /// The HTTP status it is answered with (as JSON by the API, as a page
    /// by the pages).
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::SignInRefused => StatusCode::UNAUTHORIZED,
            ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        }
        let body = match &self {
            ApiError::Invalid { errors, total } => json!({
                "error": self.to_string(),
                "total": total,
                "errors": errors,
            }),
            ApiError::Unauthenticated
            | ApiError::SignInRefused
            | ApiError::Throttled { .. }
            | ApiError::Forbidden(_)
            | ApiError::PayloadTooLarge(_)
            | ApiError::Conflict(_)
            | ApiError::NotFound(_)
            | ApiError::PreconditionFailed(_)
            | ApiError::PreconditionRequired(_)
            | ApiError::UnsupportedMediaType(_)
            | ApiError::BadRequest(_)
            | ApiError::Internal(_) => json!({ "error": self.to_string() }),
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::Unauthenticated = self {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let ApiError::Throttled { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
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

impl From<crate::people::PeopleError> for ApiError {
    fn from(e: crate::people::PeopleError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// A header value dukao built itself (a cookie, a number); one that is not
/// a valid header is a bug, answered 500.
pub fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|e| ApiError::Internal(format!("header {text:?}: {e}")))
}

/// Answers 413 for a declared body length over `LIMIT` bytes before the
/// body is read; put it before the body extractor, and cap a body without
/// a declared length with `DefaultBodyLimit::max(LIMIT)` on the route.
#[derive(Debug, Clone, Copy)]
pub struct LengthAtMost<const LIMIT: usize>;

impl<S: Send + Sync, const LIMIT: usize> axum::extract::FromRequestParts<S>
    for LengthAtMost<LIMIT>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(n) if n > LIMIT as u64 => Err(ApiError::PayloadTooLarge(format!(
                "a body of {n} bytes is over this endpoint's limit of {LIMIT} bytes"
            ))),
            Some(_) | None => Ok(LengthAtMost),
        }
    }
}
