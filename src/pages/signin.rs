//! Signing in and out in a browser, and the start page.
//!
//! - `GET /login`: the sign-in form. Its CSRF token is double-submitted: a
//!   random token in a short-lived HttpOnly, SameSite=Strict cookie and the
//!   same in a hidden field, which must match when the form comes back (a
//!   page of another site can neither read the cookie nor set the field).
//! - `POST /login`: signs in as `POST /api/v1/session` does (the same
//!   throttling and audit), sets the session cookie and goes to `/`; a
//!   wrong login or password shows the form again without saying which.
//! - `GET /`: who is signed in, in which role and scope, and what they may
//!   do (read from [`crate::access::permits`]); without a session, the
//!   sign-in page.
//! - `POST /logout`: ends the session in the store; the form carries the
//!   session's CSRF token.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{escape, page, see_other, signed_in_bar};
use crate::access::extract::{Source, cleared_cookie, cookie, session_cookie, session_of};
use crate::access::{city_wide, permits};
use crate::http::{ApiError, AppState, header_value};
use crate::people::session::{self, SignIn, SignOut};
use crate::people::{Scope, constant_time_eq};
use crate::vocab::{Action, CaseState};

/// The cookie of the sign-in form's CSRF token.
const SIGNIN_COOKIE: &str = "dukao_signin";

/// The sign-in routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/", get(start))
}

/// The form, with a fresh double-submit token, and a message if any.
fn signin_page(
    state: &AppState,
    status: StatusCode,
    message: Option<&str>,
    login: &str,
) -> Result<Response, ApiError> {
    let token = crate::people::token_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let error = message.map_or_else(String::new, |m| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(m))
    });
    let body = format!(
        "<div class=\"card narrow\">\n<h1>登录</h1>\n{error}\
         <form method=\"post\" action=\"/login\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\n\
         <label for=\"login\">登录名</label>\n\
         <input type=\"text\" id=\"login\" name=\"login\" value=\"{login}\" autocomplete=\"username\" required autofocus>\n\
         <label for=\"password\">密码</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">登录</button>\n</form>\n</div>",
        login = escape(login),
    );
    let mut response = page(status, "登录", "", &body, None);
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SIGNIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=1800{secure}"
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, header_value(&cookie)?);
    Ok(response)
}

async fn form(State(state): State<AppState>) -> Result<Response, ApiError> {
    signin_page(&state, StatusCode::OK, None, "")
}

#[derive(Deserialize)]
struct SignInForm {
    login: String,
    password: String,
    csrf: String,
}

async fn sign_in(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response, ApiError> {
    let expected = cookie(&headers, SIGNIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        return signin_page(
            &state,
            StatusCode::FORBIDDEN,
            Some("登录页面已过期，请重新登录。"),
            &f.login,
        );
    }
    let policy = &state.config.session;
    let outcome = session::sign_in(
        &state.store,
        policy,
        &f.login,
        &f.password,
        &source.0,
        state.clock.now(),
    )
    .await?;
    match outcome {
        SignIn::Started { secret, .. } => {
            let mut response = see_other("/");
            let secure = state.config.secure_cookies;
            let headers = response.headers_mut();
            for value in [
                session_cookie(&secret, policy.max_age.as_secs(), secure),
                format!("{SIGNIN_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0"),
            ] {
                headers.append(header::SET_COOKIE, header_value(&value)?);
            }
            Ok(response)
        }
        SignIn::Refused => signin_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("登录名或密码错误。"),
            &f.login,
        ),
        SignIn::Throttled { retry_after_ms } => {
            let secs = u64::try_from((retry_after_ms + 999) / 1000).unwrap_or(1);
            let message = format!("登录失败次数过多，请于{secs}秒后再试。");
            let mut response = signin_page(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&message),
                &f.login,
            )?;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header_value(&secs.to_string())?);
            Ok(response)
        }
    }
}

async fn start(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(session) = session_of(&state, &headers).await? else {
        return Ok(see_other("/login"));
    };
    let user = &session.user;
    let org = crate::org::api::org(&state).await?;
    let rights: String = Action::ALL
        .into_iter()
        .filter(|a| permits(user.role, *a) && (!city_wide(*a) || user.scope == Scope::City))
        .map(|a| format!("<li>{}</li>\n", escape(a.chinese())))
        .collect();
    let cases = if permits(user.role, Action::ReadCases) {
        open_cases(&state, &session, &org).await?
    } else {
        String::new()
    };
    let body = format!(
        "<div class=\"card\">\n<h1>您好，{name}</h1>\n<dl>\n\
         <dt>登录名</dt><dd>{login}</dd>\n<dt>角色</dt><dd>{role}</dd>\n<dt>范围</dt><dd>{scope}</dd>\n</dl>\n\
         <h2>您可以</h2>\n<ul class=\"rights\">\n{rights}</ul>\n</div>\n{cases}",
        name = escape(&user.name),
        login = escape(&user.login),
        role = escape(user.role.chinese()),
        scope = escape(&user.scope.words(&org)),
    );
    Ok(page(
        StatusCode::OK,
        "首页",
        &signed_in_bar(&session),
        &body,
        None,
    ))
}

/// The open cases in the viewer's reach, soonest deadline first: for a
/// department, its notices and what it must answer by when.
async fn open_cases(
    state: &AppState,
    session: &session::Session,
    org: &crate::org::Org,
) -> Result<String, ApiError> {
    use std::fmt::Write as _;
    let reach = crate::access::Reach::of(&session.user.scope, org);
    let today = crate::time::local_date(state.clock.now());
    let mut open: Vec<_> = crate::cases::record::list(
        &state.store,
        &reach,
        &crate::cases::record::Filter::default(),
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .into_iter()
    .filter(|c| !matches!(c.state, CaseState::Closed | CaseState::Dismissed))
    .collect();
    open.sort_by_key(|c| (c.deadline.is_none(), c.deadline, c.id));
    let mut out = format!("<section><h2>办理中的整改案件（{} 件）</h2>", open.len());
    if open.is_empty() {
        out.push_str("<p>没有办理中的整改案件。</p>");
    } else {
        out.push_str("<ul>");
        for c in open.iter().take(10) {
            let department = org
                .departments
                .get(&c.department_id)
                .map_or(c.department_id.as_str(), |d| d.name.as_str());
            let _ = write!(
                out,
                "<li><a href=\"/cases/{}\">第 {} 号</a>　{}　{}　整改期限 {}</li>",
                c.id,
                c.id,
                escape(department),
                escape(c.state.chinese()),
                super::cases::deadline_words(c, today)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("<p><a href=\"/cases\">全部整改案件</a></p></section>");
    Ok(out)
}

#[derive(Deserialize)]
struct SignOutForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Form(f): Form<SignOutForm>,
) -> Result<Response, ApiError> {
    let Some(session) = session_of(&state, &headers).await? else {
        return Ok(see_other("/login"));
    };
    if !constant_time_eq(session.csrf.as_bytes(), f.csrf.as_bytes()) {
        return Err(ApiError::Forbidden(
            "the sign-out form does not carry this session's CSRF token".into(),
        ));
    }
    let who = SignOut {
        session_id: session.id,
        login: &session.user.login,
        name: &session.user.name,
    };
    session::sign_out(&state.store, who, &source.0, state.clock.now()).await?;
    let mut response = see_other("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        header_value(&cleared_cookie(state.config.secure_cookies))?,
    );
    Ok(response)
}
