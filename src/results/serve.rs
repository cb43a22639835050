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
//!
//! A stored result never changes (a new computation is a new result), so
//! an answer rendered from one is kept per result, answer and reach
//! ([`RenderedCache`]): reading it again is one short query for the
//! current header and the bytes from memory.

use axum::Json;
use axum::http::{HeaderMap, HeaderName, StatusCode, header as http_header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::refresh::Want;
use super::{Basis, Header, ResultKind, Stored, Wanted, body, header, version};
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

/// The header of the stored `kind` of `period` wanted, with its basis; a
/// missing one is asked for (`Err` carries why the last try failed, if it
/// did), a stale one renewed in the background.
async fn current(
    state: &AppState,
    kind: ResultKind,
    period: Period,
    as_of: Option<i64>,
) -> Result<Result<(Header, Basis), Option<String>>, ApiError> {
    let (wanted, want) = match as_of {
        None => (Wanted::Latest, Want::Latest(period)),
        Some(ms) => (Wanted::AsOf(ms), Want::AsOf(period, ms)),
    };
    let now_version = version::current(&state.store).await?.version;
    let Some(h) = header(&state.store, kind, &period.label(), wanted).await? else {
        state.results.request(want);
        return Ok(Err(state.results.failure(want)));
    };
    let too_old = match wanted {
        Wanted::Latest => state.clock.now() - h.as_of > state.config.results.refresh_after_ms(),
        Wanted::AsOf(_) => false,
    };
    let stale = h.data_version != now_version || too_old;
    if stale {
        state.results.request(want);
    }
    let basis = h.basis(now_version, stale);
    Ok(Ok((h, basis)))
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
    match current(state, kind, period, as_of).await? {
        Ok((h, basis)) => Ok(Served::Ready(body(&state.store, &h, reach).await?, basis)),
        Err(last_failure) => Ok(Served::Computing { last_failure }),
    }
}

/// An answer's body rendered from a stored result, and what it rests on.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The JSON, as rendered (shared with the cache).
    pub json: Arc<Vec<u8>>,
    /// The basis.
    pub basis: Basis,
}

/// A rendered answer, or the news that its result is being computed.
#[derive(Debug)]
pub enum ServedJson {
    /// The body.
    Ready(Rendered),
    /// Not stored yet: being computed.
    Computing {
        /// Why the last attempt failed, if one did.
        last_failure: Option<String>,
    },
}

/// [`read`], rendered by `render` and kept: the same stored result read
/// again in the same reach (and `variant`: which answer of it) is the
/// same bytes, so they are rendered once per result and reach and then
/// answered from memory — a stored result never changes, a new
/// computation is a new result.
pub async fn read_rendered(
    state: &AppState,
    kind: ResultKind,
    period: Period,
    as_of: Option<i64>,
    reach: &Reach,
    variant: &str,
    render: impl FnOnce(Stored) -> Result<Vec<u8>, ApiError>,
) -> Result<ServedJson, ApiError> {
    let (h, basis) = match current(state, kind, period, as_of).await? {
        Ok(found) => found,
        Err(last_failure) => return Ok(ServedJson::Computing { last_failure }),
    };
    let key = (h.id, variant.to_string(), reach.key());
    if let Some(json) = state.rendered.get(&key) {
        return Ok(ServedJson::Ready(Rendered { json, basis }));
    }
    let json = Arc::new(render(body(&state.store, &h, reach).await?)?);
    state.rendered.put(key, json.clone());
    Ok(ServedJson::Ready(Rendered { json, basis }))
}

/// A rendered JSON object with the basis added as its `basis` field.
pub fn with_basis(r: &Rendered) -> Result<Vec<u8>, ApiError> {
    let basis = serde_json::to_vec(&r.basis).map_err(|e| ApiError::Internal(e.to_string()))?;
    let json = r.json.as_slice();
    match json.iter().rposition(|b| *b == b'}') {
        Some(end) if json.first() == Some(&b'{') => {
            let mut out = Vec::with_capacity(json.len() + basis.len() + 10);
            out.extend_from_slice(&json[..end]);
            if json[1..end].iter().any(|b| !b.is_ascii_whitespace()) {
                out.push(b',');
            }
            out.extend_from_slice(b"\"basis\":");
            out.extend_from_slice(&basis);
            out.push(b'}');
            Ok(out)
        }
        _ => Err(ApiError::Internal(
            "a rendered result is not a JSON object".into(),
        )),
    }
}

/// A rendered answer: the JSON (with the basis added when `with` says
/// so), and the basis headers.
pub fn respond(r: &Rendered, basis_in_body: bool) -> Result<Response, ApiError> {
    let body = if basis_in_body {
        with_basis(r)?
    } else {
        r.json.as_ref().clone()
    };
    let mut headers = basis_headers(&r.basis)?;
    headers.insert(
        http_header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    Ok((headers, body).into_response())
}

/// The rendered answers kept, per stored result, variant and reach (the
/// newest [`RenderedCache::CAPACITY`]).
#[derive(Debug, Default)]
pub struct RenderedCache {
    inner: Mutex<CacheInner>,
}

type CacheKey = (i64, String, String);

#[derive(Debug, Default)]
struct CacheInner {
    map: HashMap<CacheKey, Arc<Vec<u8>>>,
    order: VecDeque<CacheKey>,
}

impl RenderedCache {
    /// How many rendered answers are kept.
    pub const CAPACITY: usize = 256;

    fn get(&self, key: &CacheKey) -> Option<Arc<Vec<u8>>> {
        self.inner.lock().ok()?.map.get(key).cloned()
    }

    fn put(&self, key: CacheKey, json: Arc<Vec<u8>>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.map.insert(key.clone(), json).is_none() {
            inner.order.push_back(key);
        }
        while inner.order.len() > Self::CAPACITY {
            if let Some(old) = inner.order.pop_front() {
                inner.map.remove(&old);
            }
        }
    }
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
        .insert(http_header::RETRY_AFTER, RETRY_AFTER_SECS.into());
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
