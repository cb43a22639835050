//! dukao's own pages: server-rendered Chinese HTML, embedded in the binary
//! with their stylesheet (government intranets are offline: no CDN, no web
//! font). Every page is sent with a Content Security Policy that allows
//! nothing but dukao's own stylesheet, images of its own (the charts are
//! plotters SVG, served by the page's own routes) and forms posting back to
//! dukao — no script at all, inline or not — and every datum is escaped
//! ([`escape`]). Pages read stored results and the store; they never
//! compute a year.
//!
//! - [`signin`]: the sign-in page, the start page (who is signed in, what
//!   they may do, the open cases in reach), signing out.
//! - [`overview`]: 总览, its drill-down to the records (and their CSV), and
//!   a department's page; [`headline`]: its headline figures and trends;
//!   [`rectification`]: its rectification cases as they stand today.
//! - [`work`]: 督办, the inspectors' work list.
//! - [`cases`]: the cases, one case and the forms of its steps.
//! - [`documents`]: 公文, the issued documents.
//! - [`ledgers`]: the jobs' ledger and the audit trail.
//! - [`kept`]: pages kept once rendered, until what they rest on changes.
//!
//! Forms carry a CSRF token: the sign-in form a double-submit token (a
//! cookie and a field that must match), every signed-in form its session's
//! token ([`form_session`]). An error a page handler returns is answered as
//! a page ([`html_errors`]).

pub mod cases;
pub mod documents;
pub mod headline;
pub mod kept;
pub mod ledgers;
pub mod overview;
pub mod print;
pub mod rectification;
pub mod signin;
pub mod work;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use axum::http::HeaderMap;

use crate::access::extract::{session_of, session_reading};
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
        .merge(cases::routes())
        .merge(documents::routes())
        .merge(ledgers::routes())
        .layer(axum::middleware::map_response(html_errors))
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

/// The pages a role finds in the header bar: each with the action it
/// needs (a page the role may not read is not offered).
const NAVIGATION: [(&str, &str, Action); 6] = [
    ("/overview", "总览", Action::ReadEvaluation),
    ("/work", "督办", Action::DraftDocument),
    ("/cases", "整改案件", Action::ReadCases),
    ("/documents", "公文", Action::ReadDocuments),
    ("/jobs", "定时任务", Action::ReadJobs),
    ("/audit", "审计", Action::ReadAudit),
];

/// The header bar's right side for a signed-in person: where their role
/// may go, who they are, and the sign-out form (with the session's CSRF
/// token).
pub fn signed_in_bar(session: &Session) -> String {
    let role = session.user.role;
    let city = session.user.scope == crate::people::Scope::City;
    let links: String = NAVIGATION
        .iter()
        .filter(|(_, _, action)| {
            permits(role, *action) && (city || !crate::access::city_wide(*action))
        })
        .map(|(href, name, _)| format!("<a href=\"{href}\">{name}</a>"))
        .collect();
    format!(
        "<nav class=\"links\" aria-label=\"导航\"><a href=\"/\">首页</a>{links}</nav>\
         <form class=\"signout\" method=\"post\" action=\"/logout\">\
         <span class=\"who\">{}</span>\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button class=\"plain\" type=\"submit\">退出登录</button></form>",
        escape(&session.user.name),
        escape(&session.csrf)
    )
}

/// The session of a page's form: the cookie's, with the form's `csrf`
/// field matching its token; otherwise the page to answer (sign in; the
/// form is stale).
pub async fn form_session(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Result<Session, Response>, ApiError> {
    let Some(session) = session_of(state, headers).await? else {
        return Ok(Err(see_other("/login")));
    };
    Ok(csrf_checked(session, csrf))
}

/// A session found already, if the form's `csrf` field carries its token;
/// otherwise the page saying the form is stale (403).
pub fn csrf_checked(session: Session, csrf: &str) -> Result<Session, Response> {
    if crate::people::constant_time_eq(csrf.as_bytes(), session.csrf.as_bytes()) {
        return Ok(session);
    }
    let bar = signed_in_bar(&session);
    Err(page(
        StatusCode::FORBIDDEN,
        "表单已失效",
        &bar,
        "<div class=\"card\"><h1>表单已失效</h1><p role=\"alert\">这份表单不属于当前登录会话（可能已重新登录或在其他窗口退出）。\
         请返回上一页、刷新后再提交。</p><p><a href=\"/\">返回首页</a></p></div>",
        None,
    ))
}

/// The Chinese headline of an error's status.
pub fn error_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "请求有误",
        401 => "请先登录",
        403 => "无权操作",
        404 => "未找到",
        409 => "无法办理",
        412 | 428 => "内容已被他人修改",
        413 => "文件过大",
        415 => "文件类型不支持",
        429 => "请稍后再试",
        _ => "服务出错",
    }
}

/// What an error page explains beyond its headline.
fn error_hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "所请求的内容不存在，或不在您的查看范围内。",
        409 => "当前状态下不能进行这项操作。",
        412 | 428 => "您看到的不是最新版本，请重新打开页面查看最新情况后再操作。",
        413 => "附件每个不超过 10 MiB。",
        415 => "附件只接受 PDF、PNG 或 JPEG 文件。",
        _ => "",
    }
}

/// The pages answer their errors as pages: an error a page handler returns
/// (JSON from the shared [`ApiError`]) becomes a Chinese page with the same
/// status, its headline, a hint, and the detail.
async fn html_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !is_json {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_default();
    let body = format!(
        "<div class=\"card\"><h1>{}</h1><p role=\"alert\">{}</p>\
         <details><summary>技术详情（供系统管理员排查）</summary><p class=\"basis\">{}</p></details>\
         <p><a href=\"/\">返回首页</a></p></div>",
        error_title(status),
        error_hint(status),
        escape(&detail)
    );
    let mut answer = page(status, error_title(status), "", &body, None);
    if let Some(v) = retry_after {
        answer.headers_mut().insert(header::RETRY_AFTER, v);
    }
    answer
}

/// Who is looking, and what they reach.
pub struct Viewer {
    /// The session.
    pub session: Session,
    /// What the viewer's scope reaches.
    pub reach: Reach,
    /// The organisation (names of what the page lists).
    pub org: std::sync::Arc<Org>,
    /// What the store's owners said when the session was found: whether a
    /// kept page is still true ([`kept`]).
    pub marks: kept::Marks,
}

/// The signed-in viewer allowed `action`, or the page to answer instead
/// (the sign-in page; a refusal).
pub async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    action: Action,
) -> Result<Result<Viewer, Response>, ApiError> {
    // One round trip: the session, and the markers telling whether a kept
    // page is still true (and which organisation the scope reaches into).
    let Some((session, read)) = session_reading(state, headers, &kept::Marks::columns()).await?
    else {
        return Ok(Err(see_other("/login")));
    };
    let marks = kept::Marks::of(&read, crate::time::local_date(state.clock.now()))
        .ok_or_else(|| ApiError::Internal("the markers were not all read".into()))?;
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
    let org = crate::org::api::org_at(state, marks.data_version()).await?;
    let reach = Reach::of(&session.user.scope, &org);
    Ok(Ok(Viewer {
        session,
        reach,
        org,
        marks,
    }))
}

/// The viewer's reach narrowed to the county (district, zone) a list's
/// filter names (`county=`): none named, the viewer's own reach; one the
/// viewer does not reach, or no such jurisdiction: not found. The list's
/// query then applies it as its scope, as it applies the viewer's.
pub fn narrowed(viewer: &Viewer, county: Option<&str>) -> Result<Reach, ApiError> {
    match county.filter(|c| !c.is_empty()) {
        None => Ok(viewer.reach.clone()),
        Some(id) if viewer.org.jurisdictions.contains_key(id) && viewer.reach.jurisdiction(id) => {
            Ok(Reach::of(
                &crate::people::Scope::Jurisdiction(id.to_string()),
                &viewer.org,
            ))
        }
        Some(id) => Err(ApiError::NotFound(format!(
            "no jurisdiction {id:?} in reach"
        ))),
    }
}

/// A list filter's county field: the jurisdictions below the city the
/// viewer reaches (none for a viewer who reaches one or none), `chosen`
/// selected.
pub fn county_filter(viewer: &Viewer, chosen: Option<&str>) -> String {
    let counties: Vec<(&str, &str)> = viewer
        .org
        .jurisdictions
        .values()
        .filter(|j| !j.is_root() && viewer.reach.jurisdiction(&j.id))
        .map(|j| (j.id.as_str(), j.name.as_str()))
        .collect();
    if counties.len() < 2 {
        return String::new();
    }
    filter_select("county", "区县", &counties, chosen)
}

/// A filter form's select field `name`, labelled, offering 全部 (no filter)
/// and each `(value, words)`, `chosen` selected.
pub fn filter_select(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    chosen: Option<&str>,
) -> String {
    let mut out = format!(
        "<label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\"><option value=\"\">全部</option>"
    );
    for (value, words) in options {
        out.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            escape(value),
            if chosen == Some(*value) {
                " selected"
            } else {
                ""
            },
            escape(words)
        ));
    }
    out.push_str("</select>");
    out
}

/// The viewer's reach narrowed by a list's filters: to one department
/// (`department=`) when one is named, else to a county (`county=`, see
/// [`narrowed`]). A department the viewer does not reach, or none such,
/// is not found.
pub fn narrowed_to(
    viewer: &Viewer,
    county: Option<&str>,
    department: Option<&str>,
) -> Result<Reach, ApiError> {
    match department.filter(|d| !d.is_empty()) {
        None => narrowed(viewer, county),
        Some(id) => match viewer.org.departments.get(id) {
            Some(d) if viewer.reach.department(id) => Ok(Reach::Department {
                id: d.id.clone(),
                jurisdiction_id: d.jurisdiction_id.clone(),
            }),
            _ => Err(ApiError::NotFound(format!("no department {id:?} in reach"))),
        },
    }
}

/// A list filter's department field: the departments the viewer reaches
/// (none for a viewer who reaches one), `chosen` selected.
pub fn department_filter(viewer: &Viewer, chosen: Option<&str>) -> String {
    let departments: Vec<(&str, &str)> = viewer
        .org
        .departments
        .values()
        .filter(|d| viewer.reach.department(&d.id))
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .collect();
    if departments.len() < 2 {
        return String::new();
    }
    filter_select("department", "部门", &departments, chosen)
}

/// A list page's filters, from the URL: axum's `Query`, except that a
/// blank field is no filter. A filter form sends every field, and 全部 or
/// an empty year box arrive as `state=` or `year=`, which mean "any", not
/// a value that fails to parse.
pub struct Filters<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Filters<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, ApiError> {
        let filled: Vec<&str> = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.ends_with('='))
            .collect();
        let uri: axum::http::Uri = format!("/?{}", filled.join("&"))
            .parse()
            .map_err(|e| ApiError::BadRequest(format!("the URL's query: {e}")))?;
        axum::extract::Query::<T>::try_from_uri(&uri)
            .map(|q| Filters(q.0))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// The caller of a page's action ([`crate::cases::act`]): the signed-in
/// viewer allowed `action`.
pub async fn page_caller(
    state: &AppState,
    session: Session,
    source: String,
    action: Action,
) -> Result<crate::cases::act::Caller, ApiError> {
    crate::cases::act::Caller::new(
        state,
        crate::access::Identity::of_session(session),
        source,
        action,
    )
    .await
}

/// The caller of a page's action for the signed-in viewer allowed
/// `action`, or the sign-in page for nobody.
pub async fn signed_in_caller(
    state: &AppState,
    headers: &HeaderMap,
    source: String,
    action: Action,
) -> Result<Result<crate::cases::act::Caller, Response>, ApiError> {
    let Some(session) = session_of(state, headers).await? else {
        return Ok(Err(see_other("/login")));
    };
    Ok(Ok(page_caller(state, session, source, action).await?))
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A redirect to a page built from data (the path dukao made; any byte a
/// header cannot carry is a bug, answered 500).
pub fn see_other_to(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(e) => ApiError::Internal(format!("redirect to {location:?}: {e}")).into_response(),
    }
}

/// Text made safe for a URL's query value (percent-encoded UTF-8).
pub fn url_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
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

    #[tokio::test]
    async fn a_blank_filter_is_no_filter() {
        use axum::extract::FromRequestParts;
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Asked {
            year: Option<i32>,
            state: Option<crate::vocab::CaseState>,
            q: Option<String>,
        }
        let parts = |uri: &str| {
            axum::http::Request::get(uri)
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let blank = "/cases?year=&state=&q=";
        // What axum's Query makes of a submitted filter form: "" is no year.
        let uri: axum::http::Uri = blank.parse().unwrap();
        assert!(axum::extract::Query::<Asked>::try_from_uri(&uri).is_err());
        let Filters(asked) = Filters::<Asked>::from_request_parts(&mut parts(blank), &())
            .await
            .unwrap();
        assert_eq!((asked.year, asked.state, asked.q), (None, None, None));
        let Filters(asked) = Filters::<Asked>::from_request_parts(
            &mut parts("/cases?year=2025&state=closed&q=%E5%B1%80"),
            &(),
        )
        .await
        .unwrap();
        assert_eq!(asked.year, Some(2025));
        assert_eq!(asked.state, Some(crate::vocab::CaseState::Closed));
        assert_eq!(asked.q.as_deref(), Some("局"));
        let wrong = Filters::<Asked>::from_request_parts(&mut parts("/cases?year=soon"), &()).await;
        assert!(matches!(wrong, Err(ApiError::BadRequest(_))));
        let unknown =
            Filters::<Asked>::from_request_parts(&mut parts("/cases?colour=red"), &()).await;
        assert!(matches!(unknown, Err(ApiError::BadRequest(_))));
    }
}

/// WCAG 2.1 AA contrast of the stylesheet, read from the stylesheet
/// itself: every rule that sets a text colour is checked against the
/// background it is drawn on — its own, the header bar's for what sits in
/// it, else both page backgrounds (the tinted page and the white cards) —
/// at 4.5:1 (normal text); the keyboard focus ring against both
/// backgrounds at 3:1 (a non-text indicator). A colour changed in the
/// stylesheet is checked by this test without touching it.
#[cfg(test)]
mod contrast {
    use std::collections::HashMap;

    use super::STYLESHEET;

    /// `#rgb` or `#rrggbb` as 0–1 channels.
    fn rgb(hex: &str) -> [f64; 3] {
        let h = hex.trim_start_matches('#');
        let h: String = if h.len() == 3 {
            h.chars().flat_map(|c| [c, c]).collect()
        } else {
            h.to_string()
        };
        assert_eq!(h.len(), 6, "not a hex colour: {hex}");
        std::array::from_fn(|i| {
            f64::from(u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap()) / 255.0
        })
    }

    /// WCAG relative luminance.
    fn luminance(hex: &str) -> f64 {
        let lin = |c: f64| {
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = rgb(hex).map(lin);
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    fn ratio(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The rules: selectors and their declarations (name → value), in
    /// order; `@media` blocks are read as their inner rules.
    fn rules() -> Vec<(String, HashMap<String, String>)> {
        let mut css = STYLESHEET.to_string();
        while let Some(start) = css.find("/*") {
            let end = css[start..].find("*/").unwrap() + start + 2;
            css.replace_range(start..end, "");
        }
        let mut out = Vec::new();
        let mut rest = css.as_str();
        while let Some(open) = rest.find('{') {
            let selector = rest[..open].trim().to_string();
            if selector.starts_with("@media") {
                rest = &rest[open + 1..];
                continue;
            }
            let close = rest[open..].find('}').unwrap() + open;
            let declarations = rest[open + 1..close]
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            out.push((
                selector.trim_start_matches('}').trim().to_string(),
                declarations,
            ));
            rest = &rest[close + 1..];
        }
        out
    }

    #[test]
    fn every_text_colour_meets_aa_on_its_background() {
        let rules = rules();
        let root = &rules.iter().find(|(s, _)| s == ":root").unwrap().1;
        let resolve = |value: &str| -> Option<String> {
            let v = value.split_whitespace().next()?;
            let v = match v.strip_prefix("var(").and_then(|v| v.strip_suffix(')')) {
                Some(name) => root.get(name)?.clone(),
                None => v.to_string(),
            };
            v.starts_with('#').then_some(v)
        };
        let background = |d: &HashMap<String, String>| {
            d.get("background")
                .or(d.get("background-color"))
                .and_then(|v| resolve(v))
        };
        let page = [
            resolve("var(--tint)").unwrap(),
            resolve("var(--paper)").unwrap(),
        ];
        let bar = rules
            .iter()
            .find(|(s, _)| s == "header.bar")
            .and_then(|(_, d)| background(d))
            .unwrap();
        let mut checked = 0;
        for (selector, declarations) in &rules {
            let Some(colour) = declarations.get("color").and_then(|v| resolve(v)) else {
                continue;
            };
            let grounds: Vec<String> = match background(declarations) {
                Some(own) => vec![own],
                None if selector.starts_with("header.bar")
                    || selector.starts_with("button.plain") =>
                {
                    vec![bar.clone()]
                }
                None => page.to_vec(),
            };
            for ground in &grounds {
                let r = ratio(&colour, ground);
                assert!(
                    r >= 4.5,
                    "{selector}: {colour} on {ground} is {r:.2}:1, under AA's 4.5:1"
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 20,
            "only {checked} pairs found: is the stylesheet read?"
        );
        let ring = |selector: &str| {
            rules
                .iter()
                .find(|(s, _)| s == selector)
                .and_then(|(_, d)| d.get("outline"))
                .and_then(|o| o.split_whitespace().find(|w| w.starts_with('#')))
                .unwrap_or_else(|| panic!("no focus ring for {selector}"))
                .to_string()
        };
        for (selector, grounds) in [
            (":focus-visible", page.to_vec()),
            ("header.bar :focus-visible", vec![bar.clone()]),
        ] {
            let focus = ring(selector);
            for ground in &grounds {
                let r = ratio(&focus, ground);
                assert!(
                    r >= 3.0,
                    "{selector}: the ring {focus} on {ground} is {r:.2}:1"
                );
            }
        }
    }

    #[test]
    fn the_ratio_is_wcags() {
        assert!((ratio("#000", "#fff") - 21.0).abs() < 1e-9);
        assert!((ratio("#777777", "#ffffff") - 4.48).abs() < 0.01);
    }
}
