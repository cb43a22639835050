//! 督办: the inspectors' work list — what needs doing today, in the
//! viewer's scope, read from the store: responses waiting for
//! verification, cases past their deadline, escalations waiting to be
//! issued (drafted by the case-deadline job), and today's reminders
//! (items with at most one working day left, one digest per department).

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;

use super::kept::{CSRF_SLOT, KeptPage, Lookup, PageCache};
use super::{csrf_checked, escape, page_caller, see_other_to, url_encode, viewer};
use crate::access::extract::Source;
use crate::access::permits;
use crate::cases::act::{self, EscalationAsked};
use crate::cases::escalation;
use crate::cases::record::{self, Filter};
use crate::http::{ApiError, AppState};
use crate::jobs::work::Digest;
use crate::time::chinese_date;
use crate::vocab::{Action, CaseState};

/// The work list's routes: the list, and the escalations' preview and
/// issue.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(work))
        .route("/work/escalation-draft.pdf", get(escalation_draft))
        .route("/work/escalations", post(issue_escalation))
}

/// The list's state in the URL: the document just issued from it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkView {
    /// The escalation circular just issued (its archive id).
    issued: Option<i64>,
    /// A county (district, zone) in reach: its work only.
    county: Option<String>,
}

/// One pending escalation, named in a link or a form: the year of the
/// notices and the bureau that issued them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationNamed {
    year: i32,
    issuer: String,
}

/// The issue form: the escalation and the session's CSRF token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationForm {
    csrf: String,
    year: i32,
    issuer: String,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

async fn work(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    super::Filters(v): super::Filters<WorkView>,
) -> Result<Response, ApiError> {
    let viewer = match viewer(&state, &headers, Action::ReadCases).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(answer),
    };
    let key = match PageCache::look(&state, &viewer, &uri)? {
        Lookup::Kept(page) => return Ok(page),
        Lookup::Render(key) => key,
    };
    let narrowed = super::narrowed(&viewer, v.county.as_deref())?;
    let (session, reach, org) = (&viewer.session, &narrowed, &viewer.org);
    let today = crate::time::local_date(state.clock.now());
    let name_of = |id: &str| {
        org.departments
            .get(id)
            .map_or_else(|| id.to_string(), |d| d.name.clone())
    };

    let open: Vec<_> = record::list(&state.store, reach, &Filter::default())
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|c| !matches!(c.state, CaseState::Closed | CaseState::Dismissed))
        .collect();
    let mut body = format!(
        "<h1>督办</h1>\n<p class=\"basis\">{}，{}</p>\n",
        escape(&chinese_date(today)),
        escape(&session.user.scope.words(org))
    );
    let counties = super::county_filter(&viewer, v.county.as_deref());
    if !counties.is_empty() {
        let _ = write!(
            body,
            "<form class=\"filters\" method=\"get\" action=\"/work\">{counties}<button type=\"submit\">筛选</button></form>\n"
        );
    }
    if let Some(id) = v.issued {
        let doc = crate::documents::archive::get(&state.store, id, &viewer.reach)
            .await
            .map_err(internal)?;
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\" id=\"done-escalation\">逾期通报已签发、编号并归档：\
             <a href=\"/api/v1/documents/{}/pdf\">{}</a>，所涉案件已记录。</p>\n",
            doc.id,
            escape(&doc.number)
        );
    }

    let waiting: Vec<_> = open
        .iter()
        .filter(|c| c.state == CaseState::Responded)
        .collect();
    let overdue: Vec<_> = open.iter().filter(|c| c.overdue_on(today)).collect();
    let unnotified: Vec<_> = open
        .iter()
        .filter(|c| c.state == CaseState::Opened)
        .collect();
    for (title, cases, empty) in [
        ("待核验的整改报告", &waiting, "没有待核验的整改报告。"),
        ("已逾期的整改案件", &overdue, "没有逾期的整改案件。"),
        (
            "已立案、待签发整改通知书",
            &unnotified,
            "没有待签发整改通知书的案件。",
        ),
    ] {
        let _ = write!(body, "<section><h2>{title}（{}）</h2>", cases.len());
        if cases.is_empty() {
            let _ = write!(body, "<p>{empty}</p>");
        } else {
            body.push_str(
                "<table class=\"figures\"><thead><tr><th scope=\"col\">案件</th>\
                 <th scope=\"col\">部门</th><th scope=\"col\">状态</th><th scope=\"col\">整改期限</th>\
                 <th scope=\"col\">问题</th></tr></thead><tbody>\n",
            );
            for c in cases.iter() {
                let _ = writeln!(
                    body,
                    "<tr><th scope=\"row\"><a href=\"/cases/{id}\">第 {id} 号</a></th><td>{}</td><td>{}</td><td>{}</td><td>{} 条</td></tr>",
                    escape(&name_of(&c.department_id)),
                    escape(c.state.chinese()),
                    c.deadline.map_or("—".to_string(), chinese_date),
                    c.findings.len(),
                    id = c.id,
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>\n");
    }

    if permits(session.user.role, Action::DraftDocument) {
        let profiles = state.config.profiles().map_err(internal)?;
        let mut pending = Vec::new();
        for year in [today.year() - 1, today.year()] {
            pending.extend(
                escalation::pending(&state.store, org, &profiles, reach, year, today)
                    .await
                    .map_err(internal)?,
            );
        }
        let _ = write!(
            body,
            "<section><h2>待签发的逾期通报（{}）</h2>",
            pending.len()
        );
        if pending.is_empty() {
            body.push_str("<p>没有待签发的逾期通报。</p>");
        } else {
            let may_issue = permits(session.user.role, Action::IssueDocument);
            body.push_str(
                "<table class=\"figures\"><thead><tr><th scope=\"col\">发文机关</th>\
                 <th scope=\"col\">年度</th><th scope=\"col\">逾期案件</th><th scope=\"col\">依据</th>\
                 <th scope=\"col\">办理</th></tr></thead><tbody>\n",
            );
            for p in &pending {
                let step = match (&p.step.wording, &p.step.cite) {
                    (Some(w), Some(c)) => format!("{w}（{c}）"),
                    _ => "通报（本局监督措施，条文未规定逾期后果）".to_string(),
                };
                let cases: Vec<String> = p
                    .cases
                    .iter()
                    .map(|c| format!("<a href=\"/cases/{id}\">第 {id} 号</a>", id = c.id))
                    .collect();
                let named = format!("year={}&amp;issuer={}", p.year, url_encode(&p.issuer_id));
                let issue = if may_issue {
                    format!(
                        "<form method=\"post\" action=\"/work/escalations\" class=\"inline\">\
                         <input type=\"hidden\" name=\"csrf\" value=\"{CSRF_SLOT}\">\
                         <input type=\"hidden\" name=\"year\" value=\"{}\">\
                         <input type=\"hidden\" name=\"issuer\" value=\"{}\">\
                         <button type=\"submit\">签发通报</button></form>",
                        p.year,
                        escape(&p.issuer_id)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    body,
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{} 件：{}</td><td>{}</td>\
                     <td><a href=\"/work/escalation-draft.pdf?{named}\">预览通报草稿（PDF）</a>{issue}</td></tr>",
                    escape(&p.issuer_name),
                    p.year,
                    p.cases.len(),
                    cases.join("、"),
                    escape(&step)
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>\n");
    }

    let digests = Digest::of_day(&state.store, reach, &today.to_string())
        .await
        .map_err(internal)?;
    let items: usize = digests.iter().map(|d| d.items.len()).sum();
    let _ = write!(
        body,
        "<section><h2>今日到期提醒（{} 个部门，{} 项）</h2>",
        digests.len(),
        items
    );
    if digests.is_empty() {
        body.push_str("<p>今天没有期限至多剩 1 个工作日的事项（或今日监测尚未运行）。</p>");
    } else {
        body.push_str(
            "<table class=\"figures\"><thead><tr><th scope=\"col\">部门</th><th scope=\"col\">事项</th>\
             <th scope=\"col\">最近期限</th></tr></thead><tbody>\n",
        );
        for d in &digests {
            let first = d.items.iter().filter_map(|i| i.due).min();
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{} 项</td><td>{}</td></tr>",
                escape(&name_of(&d.department_id)),
                d.items.len(),
                first.map_or("—".to_string(), chinese_date)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</section>\n");
    Ok(state
        .pages
        .answer(Some(key), KeptPage::new("督办", body), session))
}

/// The escalation's circular as a draft (watermarked, unnumbered): what
/// 签发通报 would issue.
async fn escalation_draft(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Query(named): Query<EscalationNamed>,
) -> Result<Response, ApiError> {
    let caller =
        match super::signed_in_caller(&state, &headers, source.0, Action::DraftDocument).await? {
            Ok(caller) => caller,
            Err(sign_in) => return Ok(sign_in),
        };
    let asked = EscalationAsked {
        year: named.year,
        issuer_id: Some(named.issuer),
        date: None,
    };
    let (group, prepared) = act::escalation(&state, &caller, &asked).await?;
    let bytes = prepared
        .render_draft(crate::documents::Engine::shared()?)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"escalation-{}-{}-draft.pdf\"",
                    group.year,
                    group.cases.len()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// 签发通报: issues the escalation's circular in the name of the bureau the
/// inspector may issue for, marks its cases, and goes back to 督办 saying
/// so.
async fn issue_escalation(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Form(f): Form<EscalationForm>,
) -> Result<Response, ApiError> {
    let Some(session) = crate::access::extract::session_of(&state, &headers).await? else {
        return Ok(super::see_other("/login"));
    };
    let session = match csrf_checked(session, &f.csrf) {
        Ok(session) => session,
        Err(answer) => return Ok(answer),
    };
    let caller = page_caller(&state, session, source.0, Action::IssueDocument).await?;
    let asked = EscalationAsked {
        year: f.year,
        issuer_id: Some(f.issuer),
        date: None,
    };
    let doc = act::issue_escalation(&state, &caller, &asked).await?;
    Ok(see_other_to(&format!("/work?issued={}", doc.id)))
}
