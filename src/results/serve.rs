//! Answering from stored results: what the evaluation and metrics routes
//! share. A request never waits for a computation:
//!
//! - a current result is answered with its [`Basis`];
//! - a stale one (the data changed since, or, for "as of now", it is older
//!   than the refresh interval) is answered marked stale, and its
//!   recomputation starts in the background, once;
//! - a missing one is `202 Accepted` with `Retry-After`, its computation
//!   started; a computation that failed says why.
//!
//! The basis travels in the body where the answer is an object, and always
//! in the headers `Dukao-As-Of`, `Dukao-Data-Version`, `Dukao-Stale`.

use axum::Json;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::refresh::Want;
use super::{Basis, ResultKind, Stored, Wanted, load, version};
use crate::access::Reach;
use crate::http::{ApiError, AppState, header_value};
use crate::metrics::Period;

/// Seconds a client is asked to wait before asking again for a result
/// being computed.
pub const RETRY_AFTER_SECS: u64 = 5;

/// A stored result, or the news that it is being computed.
#[derive(Debug)]
pub enum Served {
    /// The result, cut to the reader's scope, and what it rests on.
    Ready(Stored, Basis),
    /// Not stored yet: being computed.
    Computing {
        /// Why the last attempt failed, if one did.
        last_failure: Option<String>,
    },
}

impl From<super::ResultsError> for ApiError {
    fn from(e: super::ResultsError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The stored `kind` of `period` for `reach`: as of now when `as_of` is
/// `None`, else as of that instant.
pub async fn read(
    state: &AppState,
    kind: ResultKind,
    period: Period,
    as_of: Option<i64>,
    reach: &Reach,
) -> Result<Served, ApiError> {
    let (wanted, want) = match as_of {
        None => (Wanted::Latest, Want::Latest(period)),
        Some(ms) => (Wanted::AsOf(ms), Want::AsOf(period, ms)),
    };
    let current = version::current(&state.store).await?.version;
    let label = period.label();
    let Some(stored) = load(&state.store, kind, &label, wanted, reach).await? else {
        state.results.request(want);
        return Ok(Served::Computing {
            last_failure: state.results.failure(want),
        });
    };
    let too_old = match wanted {
        Wanted::Latest => {
            state.clock.now() - stored.as_of > state.config.results.refresh_after_ms()
        }
        Wanted::AsOf(_) => false,
    };
    let stale = stored.data_version != current || too_old;
    if stale {
        state.results.request(want);
    }
    let basis = stored.basis(current, stale);
    Ok(Served::Ready(stored, basis))
}

/// The answer for a result still being computed.
pub fn computing(last_failure: Option<String>) -> Response {
    let message = match &last_failure {
        Some(e) => format!("结果正在重新计算（上次计算失败：{e}），请稍后再试"),
        None => "结果正在计算，请稍后再试".to_string(),
    };
    let mut response = (
        StatusCode::ACCEPTED,
        Json(json!({
            "status": "computing",
            "message": message,
            "last_failure": last_failure,
            "retry_after": RETRY_AFTER_SECS,
        })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, RETRY_AFTER_SECS.into());
    response
}

/// The headers that carry a basis.
pub fn basis_headers(basis: &Basis) -> Result<HeaderMap, ApiError> {
    let mut headers = HeaderMap::new();
    headers.insert(
        HeaderName::from_static("dukao-as-of"),
        header_value(&basis.as_of)?,
    );
    headers.insert(
        HeaderName::from_static("dukao-data-version"),
        basis.data_version.into(),
    );
    headers.insert(
        HeaderName::from_static("dukao-stale"),
        header_value(if basis.stale { "true" } else { "false" })?,
    );
    Ok(headers)
}
