//! Signing in and out over HTTP:
//!
//! - `POST /api/v1/session` `{"login", "password"}` — signs in: sets the
//!   session cookie (HttpOnly, SameSite=Strict) and answers who you are
//!   with the CSRF token your state changes must echo; 401 on a wrong login
//!   or password (never saying which), 429 with `Retry-After` after too
//!   many failures;
//! - `GET /api/v1/session` — who you are (a session or a token);
//! - `DELETE /api/v1/session` — signs out: the session ends in the store,
//!   not only in the browser.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::session::{self, SignIn, SignOut};
use crate::access::extract::{Source, cleared_cookie, session_cookie};
use crate::access::{Identity, Via};
use crate::http::{ApiError, AppState, header_value};
use crate::people::Scope;
use crate::vocab::Role;

/// The session routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/session",
        post(sign_in).get(who_am_i).delete(sign_out),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    login: String,
    password: String,
}

/// Who is signed in.
#[derive(Debug, Serialize)]
struct Me {
    name: String,
    role: Role,
    role_name: &'static str,
    scope: Scope,
    /// The login (people) or token name (programs).
    login: Option<String>,
    token: Option<String>,
    /// The CSRF token (people only).
    csrf: Option<String>,
}

fn me(identity: &Identity) -> Me {
    let (login, token, csrf) = match &identity.via {
        Via::Session { login, csrf, .. } => (Some(login.clone()), None, Some(csrf.clone())),
        Via::Token { name, .. } => (None, Some(name.clone()), None),
    };
    Me {
        name: identity.name.clone(),
        role: identity.role,
        role_name: identity.role.chinese(),
        scope: identity.scope.clone(),
        login,
        token,
        csrf,
    }
}

async fn sign_in(
    State(state): State<AppState>,
    source: Source,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    let policy = &state.config.session;
    let outcome = session::sign_in(
        &state.store,
        policy,
        &credentials.login,
        &credentials.password,
        &source.0,
        state.clock.now(),
    )
    .await?;
    match outcome {
        SignIn::Started { session, secret } => {
            let identity = Identity {
                name: session.user.name.clone(),
                role: session.user.role,
                scope: session.user.scope.clone(),
                via: Via::Session {
                    session_id: session.id,
                    login: session.user.login.clone(),
                    csrf: session.csrf.clone(),
                },
            };
            let cookie = session_cookie(
                &secret,
                policy.max_age.as_secs(),
                state.config.secure_cookies,
            );
            let mut response = Json(me(&identity)).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, header_value(&cookie)?);
            Ok(response)
        }
        SignIn::Refused => Err(ApiError::SignInRefused),
        SignIn::Throttled { retry_after_ms } => Err(ApiError::Throttled {
            retry_after_secs: u64::try_from((retry_after_ms + 999) / 1000).unwrap_or(1),
        }),
    }
}

async fn who_am_i(identity: Identity) -> Json<Me> {
    Json(me(&identity))
}

async fn sign_out(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
) -> Result<Response, ApiError> {
    let Via::Session {
        session_id, login, ..
    } = &identity.via
    else {
        return Err(ApiError::BadRequest(
            "an API token does not sign out: revoke it with `dukao token revoke`".into(),
        ));
    };
    let who = SignOut {
        session_id: *session_id,
        login,
        name: &identity.name,
    };
    session::sign_out(&state.store, who, &source.0, state.clock.now()).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        header_value(&cleared_cookie(state.config.secure_cookies))?,
    );
    Ok(response)
}
