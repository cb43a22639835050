//! Reading who is asking from a request: a bearer token (programs) or the
//! session cookie (people). Without either, or with one that is unknown,
//! revoked or expired, the request is answered 401 before its body is read
//! — handlers take [`Identity`] before any body extractor.
//!
//! A cookie-authenticated request that changes state (any method but GET,
//! HEAD, OPTIONS) must also echo its session's CSRF token in
//! [`CSRF_HEADER`]; a bearer token needs none, as no browser sends it on
//! its own.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::{Identity, Via};
use crate::http::{ApiError, AppState};
use crate::people::{self, session};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dukao_session";
/// The header a cookie-authenticated state change carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRequestParts<AppState> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(identity) = parts.extensions.get::<Identity>() {
            return Ok(identity.clone());
        }
        let now = state.clock.now();
        let identity = if let Some(secret) = bearer(&parts.headers) {
            let token = people::token_for_secret(&state.store, secret, now)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            Identity {
                name: token.name.clone(),
                role: token.role,
                scope: token.scope,
                via: Via::Token {
                    name: token.name,
                    tables: token.tables,
                },
            }
        } else if let Some(session) = session_of(state, &parts.headers).await? {
            if !parts.method.is_safe() {
                let presented = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !people::constant_time_eq(presented.as_bytes(), session.csrf.as_bytes()) {
                    return Err(ApiError::Forbidden(format!(
                        "a change made with a session cookie needs the session's CSRF token \
                         in {CSRF_HEADER}"
                    )));
                }
            }
            Identity::of_session(session)
        } else {
            return Err(ApiError::Unauthenticated);
        };
        parts.extensions.insert(identity.clone());
        Ok(identity)
    }
}

/// The live session the request's cookie names, if any (its idle clock
/// restarted). A page's form checks its `csrf` field against it.
pub async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<session::Session>, ApiError> {
    Ok(session_reading(state, headers, &[])
        .await?
        .map(|(session, _)| session))
}

/// [`session_of`], reading in the same query the integer scalar
/// subqueries `also`, in their order
/// ([`crate::people::session::resume`]).
pub async fn session_reading(
    state: &AppState,
    headers: &HeaderMap,
    also: &[String],
) -> Result<Option<(session::Session, Vec<i64>)>, ApiError> {
    match cookie(headers, SESSION_COOKIE) {
        Some(secret) => Ok(session::resume(
            &state.store,
            &state.config.session,
            secret,
            state.clock.now(),
            also,
        )
        .await?),
        None => Ok(None),
    }
}

/// Where a request came from (the peer address; `unknown` when the server
/// was not started with connection info, as in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Source(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string()),
        ))
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A cookie's value.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that starts a session: HttpOnly, SameSite=Strict,
/// `Secure` when served over TLS, living as long as the session may.
pub fn session_cookie(secret: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_bearer_tokens_are_read() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; dukao_session=s3cret".parse().unwrap());
        headers.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("s3cret"));
        assert_eq!(cookie(&headers, "b"), Some("2"));
        assert_eq!(cookie(&headers, "dukao"), None);
        headers.insert(header::AUTHORIZATION, "Bearer  dk_1 ".parse().unwrap());
        assert_eq!(bearer(&headers), Some("dk_1"));
        headers.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Basic x".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn the_session_cookie_is_strict() {
        let c = session_cookie("abc", 60, true);
        assert_eq!(
            c,
            "dukao_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert!(!cleared_cookie(false).contains("Secure"));
        assert!(cleared_cookie(false).contains("Max-Age=0"));
    }
}
