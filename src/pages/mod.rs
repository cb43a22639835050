//! dukao's own pages: server-rendered Chinese HTML, embedded in the binary
//! with their stylesheet (government intranets are offline: no CDN, no web
//! font). Every page is sent with a Content Security Policy that allows
//! nothing but dukao's own stylesheet and forms posting back to dukao — no
//! script at all so far, inline or not — and every datum is escaped
//! ([`escape`]).
//!
//! - [`signin`]: the sign-in page, the start page that says who is signed
//!   in and what they may do, and signing out. Forms carry a CSRF token:
//!   the sign-in form a double-submit token (a cookie and a field that must
//!   match), every signed-in form its session's token.
//!
//! The leaders' and inspectors' dashboard builds on this module.

pub mod overview;
pub mod signin;
pub mod work;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use axum::http::HeaderMap;

use crate::access::extract::session_of;
use crate::access::{Reach, permits};
use crate::http::{ApiError, AppState};
use crate::org::Org;
use crate::people::session::Session;
use crate::vocab::Action;

/// The stylesheet, compiled in.
const STYLESHEET: &str = include_str!("../../templates/web/dukao.css");

/// What a page may load: its own stylesheet; forms post to dukao only.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/dukao.css", get(stylesheet))
        .merge(signin::routes())
        .merge(overview::routes())
        .merge(work::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// Text made safe to place in HTML content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A whole page: `title` (escaped here) and `body` (HTML the caller built
/// from escaped data), answered with `status` and the security headers;
/// `reload_secs` makes a page that waits for a result reload itself
/// (without script).
pub fn page(
    status: StatusCode,
    title: &str,
    header_extra: &str,
    body: &str,
    reload_secs: Option<u32>,
) -> Response {
    let reload = reload_secs.map_or(String::new(), |s| {
        format!("<meta http-equiv=\"refresh\" content=\"{s}\">\n")
    });
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{reload}\
         <title>{title} · 督考</title>\n<link rel=\"stylesheet\" href=\"/static/dukao.css\">\n\
         </head>\n<body>\n<header class=\"bar\"><span class=\"brand\">督考 · 政务数据共享监督</span>{header_extra}</header>\n\
         <main>\n{body}\n</main>\n<footer>督考（dukao）</footer>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The header bar's right side for a signed-in person: where to go, who
/// they are, and the sign-out form (with the session's CSRF token).
pub fn signed_in_bar(session: &crate::people::session::Session) -> String {
    format!(
        "<nav class=\"links\" aria-label=\"导航\"><a href=\"/\">首页</a><a href=\"/overview\">总览</a><a href=\"/work\">督办</a></nav>\
         <form class=\"signout\" method=\"post\" action=\"/logout\">\
         <span class=\"who\">{}</span>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button class=\"plain\" type=\"submit\">退出登录</button></form>",
        escape(&session.user.name),
        escape(&session.csrf)
    )
}

/// Who is looking, and what they reach.
pub struct Viewer {
    /// The session.
    pub session: Session,
    /// What the viewer's scope reaches.
    pub reach: Reach,
    /// The organisation (names of what the page lists).
    pub org: Org,
}

/// The signed-in viewer allowed `action`, or the page to answer instead
/// (the sign-in page; a refusal).
pub async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    action: Action,
) -> Result<Result<Viewer, Response>, ApiError> {
    let Some(session) = session_of(state, headers).await? else {
        return Ok(Err(see_other("/login")));
    };
    if !permits(session.user.role, action) {
        let body = format!(
            "<div class=\"card\"><h1>无权查看</h1><p>{}的角色没有“{}”的权限。</p>\
             <p><a href=\"/\">返回首页</a></p></div>",
            escape(session.user.role.chinese()),
            escape(action.chinese())
        );
        let bar = signed_in_bar(&session);
        return Ok(Err(page(
            StatusCode::FORBIDDEN,
            "无权查看",
            &bar,
            &body,
            None,
        )));
    }
    let org = crate::org::api::org(state).await?;
    let reach = Reach::of(&session.user.scope, &org);
    Ok(Ok(Viewer {
        session,
        reach,
        org,
    }))
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("王明"), "王明");
    }
}
