//! 整改案件 in a browser: the cases in the viewer's scope, one case with its
//! findings, history, attachments and extensions, and the forms of the
//! steps the viewer may take now.
//!
//! - `GET /cases?year=&state=&county=&department=&category=&overdue=1&sort=`:
//!   the list; the URL holds every filter and the order, so a link shows
//!   the same list. A blank field is no filter.
//! - `POST /cases`: an inspector opens a case over every open finding of a
//!   department and year that no case holds (the 部门 page's form).
//! - `GET /cases/{id}[?done=STEP]`: the case; after a step, what was done.
//! - `GET /cases/{id}/notice-draft.pdf`: the notice's draft, watermarked.
//! - `POST /cases/{id}/{step}`: one [`Step`]; the response is a multipart
//!   form (its text and attachments), every other step a plain form.
//!
//! A form is offered only when the viewer's role may take the step and the
//! case's state allows it ([`crate::cases::flow::after`], the rule the
//! store applies); each form carries the session's CSRF token and the
//! version of the case it was shown with, so a step taken on an outdated
//! page is refused (412) instead of overwriting someone's change. The steps
//! themselves are [`crate::cases::act`]'s, the same as the API's.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::kept::{KeptPage, Lookup, PageCache};
use super::{escape, form_session, page, page_caller, see_other_to, signed_in_bar, viewer};
use crate::access::extract::Source;
use crate::access::permits;
use crate::cases::act::{self, Caller, NoticeChoices, Opening, Step};
use crate::cases::attachments::MAX_ATTACHMENT;
use crate::cases::record::{self, Filter, Write};
use crate::cases::{Case, CaseDetail, EXTENSION_BASIS, flow};
use crate::http::{ApiError, AppState};
use crate::metrics::Period;
use crate::metrics::findings::{self, FindingDetail, StoredFinding};
use crate::people::session::Session;
use crate::time::{chinese_date, chinese_instant_text};
use crate::vocab::{Action, CaseEventKind, CaseState, CategoryCode};

/// At most this many files go with one response.
const MAX_FILES: usize = 5;

/// The cases' pages and forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(open))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/notice-draft.pdf", get(notice_preview))
        .route(
            "/cases/{id}/{step}",
            post(take).layer(DefaultBodyLimit::max(
                MAX_FILES * MAX_ATTACHMENT + 64 * 1024,
            )),
        )
}

/// What the page says once a step is done.
fn done_words(step: Step) -> &'static str {
    match step {
        Step::Notice => "整改通知书已签发、编号并归档，整改期限自即日起计算。",
        Step::Response => "整改情况已报送，等待督查人员核验。",
        Step::Verification => "核验结果已记录。",
        Step::Extension => "延期申请已提交，等待领导审批。",
        Step::ExtensionDecision => "延期申请已审批。",
        Step::Dismissal => "撤销提请已提交，须由另一人确认。",
        Step::DismissalDecision => "撤销提请已处理。",
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

// ------------------------------------------------------------------ list

/// The list's state, all in the URL.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListView {
    year: Option<i32>,
    state: Option<CaseState>,
    department: Option<String>,
    /// `1`: overdue cases only.
    overdue: Option<u8>,
    /// `deadline` (soonest first), `department`, or newest first.
    sort: Option<ListOrder>,
    /// A county (district, zone) in reach: its cases only.
    county: Option<String>,
    /// Cases holding a finding of this category (RULES.md §3).
    category: Option<CategoryCode>,
}

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ListOrder {
    /// Newest case first (the default).
    Newest,
    /// Soonest deadline first; cases without one last.
    Deadline,
    /// By department.
    Department,
}

impl ListOrder {
    const ALL: [ListOrder; 3] = [
        ListOrder::Newest,
        ListOrder::Deadline,
        ListOrder::Department,
    ];

    fn name(self) -> &'static str {
        match self {
            ListOrder::Newest => "newest",
            ListOrder::Deadline => "deadline",
            ListOrder::Department => "department",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            ListOrder::Newest => "最新立案在前",
            ListOrder::Deadline => "期限最近在前",
            ListOrder::Department => "按部门",
        }
    }
}

fn selected(yes: bool) -> &'static str {
    if yes { " selected" } else { "" }
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    super::Filters(v): super::Filters<ListView>,
) -> Result<Response, ApiError> {
    let viewer = match viewer(&state, &headers, Action::ReadCases).await? {
        Ok(viewer) => viewer,
        Err(answer) => return Ok(answer),
    };
    let key = match PageCache::look(&state, &viewer, &uri)? {
        Lookup::Kept(page) => return Ok(page),
        Lookup::Render(key) => key,
    };
    let org = &viewer.org;
    let today = crate::time::local_date(state.clock.now());
    let filter = Filter {
        year: v.year,
        state: v.state,
        department_id: v.department.clone().filter(|d| !d.is_empty()),
        category: v.category,
    };
    let reach = super::narrowed(&viewer, v.county.as_deref())?;
    let mut cases = record::list(&state.store, &reach, &filter)
        .await
        .map_err(internal)?;
    if v.overdue == Some(1) {
        cases.retain(|c| c.overdue_on(today));
    }
    let name_of = |id: &str| {
        org.departments
            .get(id)
            .map_or_else(|| id.to_string(), |d| d.name.clone())
    };
    let order = v.sort.unwrap_or(ListOrder::Newest);
    match order {
        ListOrder::Newest => cases.sort_by(|a, b| b.id.cmp(&a.id)),
        ListOrder::Deadline => cases.sort_by_key(|c| (c.deadline.is_none(), c.deadline, c.id)),
        ListOrder::Department => {
            cases.sort_by_cached_key(|c| (name_of(&c.department_id), c.id));
        }
    }

    let own = viewer.session.user.role == crate::vocab::Role::Department;
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"basis\">{}；{}</p>\n",
        if own {
            "本部门的整改案件"
        } else {
            "整改案件"
        },
        escape(&viewer.session.user.scope.words(org)),
        escape(&chinese_date(today)),
    );
    // The filters: a GET form, so the URL keeps them.
    body.push_str("<form class=\"filters\" method=\"get\" action=\"/cases\">");
    let _ = write!(
        body,
        "<label for=\"year\">年度</label><input type=\"number\" id=\"year\" name=\"year\" min=\"2000\" max=\"2100\" value=\"{}\">",
        v.year.map_or(String::new(), |y| y.to_string())
    );
    let states: Vec<(&str, &str)> = CaseState::ALL
        .iter()
        .map(|s| (s.as_str(), s.chinese()))
        .collect();
    body.push_str(&super::filter_select(
        "state",
        "状态",
        &states,
        v.state.map(CaseState::as_str),
    ));
    body.push_str(&super::county_filter(&viewer, v.county.as_deref()));
    let categories: Vec<(&str, &str)> = CategoryCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.chinese()))
        .collect();
    body.push_str(&super::filter_select(
        "category",
        "问题类别",
        &categories,
        v.category.map(CategoryCode::as_str),
    ));
    body.push_str(&super::department_filter(
        &viewer,
        filter.department_id.as_deref(),
    ));
    body.push_str("<label for=\"sort\">排序</label><select id=\"sort\" name=\"sort\">");
    for o in ListOrder::ALL {
        let _ = write!(
            body,
            "<option value=\"{}\"{}>{}</option>",
            o.name(),
            selected(order == o),
            o.chinese()
        );
    }
    let _ = write!(
        body,
        "</select><label class=\"check\"><input type=\"checkbox\" name=\"overdue\" value=\"1\"{}>只看已逾期</label>\
         <button type=\"submit\">筛选</button></form>\n",
        if v.overdue == Some(1) { " checked" } else { "" }
    );

    let _ = write!(body, "<p>共 {} 件。</p>", cases.len());
    if !cases.is_empty() {
        body.push_str(
            "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th scope=\"col\">案件</th>\
             <th scope=\"col\">部门</th><th scope=\"col\">年度</th><th scope=\"col\">状态</th>\
             <th scope=\"col\">整改期限</th><th scope=\"col\">问题</th></tr></thead><tbody>\n",
        );
        for c in &cases {
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\"><a href=\"/cases/{id}\">第 {id} 号</a></th><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{} 条</td></tr>",
                escape(&name_of(&c.department_id)),
                c.year,
                escape(c.state.chinese()),
                deadline_words(c, today),
                c.findings.len(),
                id = c.id,
            );
        }
        body.push_str("</tbody></table></div>");
    }
    Ok(state
        .pages
        .answer(Some(key), KeptPage::new("整改案件", body), &viewer.session))
}

/// A case's deadline in words, and whether it is overdue: the date, and
/// 已逾期 when it is.
pub(super) fn deadline_text(c: &Case, today: chrono::NaiveDate) -> (String, bool) {
    match c.deadline {
        None => ("—（未下发通知书）".to_string(), false),
        Some(d) if c.overdue_on(today) => (format!("{}（已逾期）", chinese_date(d)), true),
        Some(d) => (chinese_date(d), false),
    }
}

/// A case's deadline as the pages show it (HTML): [`deadline_text`], an
/// overdue one marked as well as said.
pub(super) fn deadline_words(c: &Case, today: chrono::NaiveDate) -> String {
    match deadline_text(c, today) {
        (text, true) => format!("<span class=\"late\">{}</span>", escape(&text)),
        (text, false) => escape(&text),
    }
}

// ------------------------------------------------------------------ open

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenForm {
    csrf: String,
    department_id: String,
    year: i32,
}

async fn open(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Form(f): Form<OpenForm>,
) -> Result<Response, ApiError> {
    let session = match form_session(&state, &headers, &f.csrf).await? {
        Ok(session) => session,
        Err(answer) => return Ok(answer),
    };
    let caller = page_caller(&state, session, source.0, Action::OpenCase).await?;
    let opening = Opening {
        department_id: f.department_id,
        year: f.year,
        findings: None,
        manual: Vec::new(),
    };
    let case = act::open(&state, &caller, opening).await?;
    Ok(see_other_to(&format!("/cases/{}?done=opened", case.id)))
}

// ------------------------------------------------------------------ one case

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShowQuery {
    done: Option<String>,
}

/// What the page says above the case: a step done, or why one failed.
enum Banner {
    /// What was done (its name marks the banner: `id="done-notice"`).
    Done(&'static str, String),
    Failed(String),
}

async fn show(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, ApiError> {
    let Some(session) = crate::access::extract::session_of(&state, &headers).await? else {
        return Ok(super::see_other("/login"));
    };
    let banner = q.done.as_deref().and_then(|d| match d {
        "opened" => Some(Banner::Done(
            "opened",
            "案件已立案。请预览并签发整改通知书。".to_string(),
        )),
        other => Step::parse(other).map(|s| Banner::Done(s.name(), done_words(s).to_string())),
    });
    let caller = page_caller(&state, session.clone(), source.0, Action::ReadCases).await?;
    render(&state, &caller, &session, id, banner, StatusCode::OK).await
}

/// The case page.
async fn render(
    state: &AppState,
    caller: &Caller,
    session: &Session,
    id: i64,
    banner: Option<Banner>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let case = caller.case(state, id).await?;
    let detail = caller.detail(state, case).await?;
    let case = &detail.case;
    let today = caller.today();
    let department = caller
        .org
        .departments
        .get(&case.department_id)
        .map_or_else(|| case.department_id.clone(), |d| d.name.clone());
    let mut body = format!(
        "<h1>整改案件 第 {} 号</h1>\n<p class=\"basis\">{}；{} 年度；<a href=\"/cases\">全部案件</a></p>\n",
        case.id,
        escape(&department),
        case.year
    );
    match banner {
        Some(Banner::Done(name, text)) => {
            let _ = write!(
                body,
                "<p class=\"notice\" role=\"status\" id=\"done-{name}\">{}</p>",
                escape(&text)
            );
        }
        Some(Banner::Failed(text)) => {
            let _ = write!(
                body,
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape(&text)
            );
        }
        None => {}
    }
    // The notice's number (a department sees its own notice; a document
    // outside the viewer's reach is named by its existence only).
    let notice_number = match case.notice_id {
        Some(doc) => crate::documents::archive::get(&state.store, doc, &caller.reach)
            .await
            .ok()
            .map(|d| d.number),
        None => None,
    };
    let left = match case.deadline {
        Some(deadline) if today < deadline => state
            .config
            .calendar()
            .ok()
            .and_then(|c| c.working_days_between(today, deadline).ok()),
        _ => None,
    };
    facts(&mut body, &detail, &department, today, notice_number, left);
    steps(&mut body, caller, session, &detail);
    findings_table(&mut body, state, case).await?;
    history(&mut body, &detail);
    attachments(&mut body, &detail);
    extensions(&mut body, &detail);
    Ok(page(
        status,
        &format!("整改案件 第 {} 号", case.id),
        &signed_in_bar(session),
        &body,
        None,
    ))
}

fn facts(
    body: &mut String,
    detail: &CaseDetail,
    department: &str,
    today: chrono::NaiveDate,
    notice_number: Option<String>,
    working_days_left: Option<i64>,
) {
    let case = &detail.case;
    let notice = match case.notice_id {
        Some(doc) => format!(
            "<a href=\"/api/v1/documents/{doc}/pdf\">{}（已下发，查看 PDF）</a>",
            escape(notice_number.as_deref().unwrap_or("整改通知书"))
        ),
        None => "尚未下发".to_string(),
    };
    let deadline = match case.deadline {
        None => "—（下发整改通知书后起算）".to_string(),
        Some(_) => {
            let mut words = deadline_words(case, today);
            if let Some(n) = working_days_left
                && matches!(case.state, CaseState::Notified | CaseState::Returned)
            {
                let _ = write!(words, "（还剩 {n} 个工作日）");
            }
            words
        }
    };
    let _ = write!(
        body,
        "<section><h2>基本情况</h2><dl>\
         <dt>部门</dt><dd>{}</dd><dt>状态</dt><dd>{}</dd>\
         <dt>整改通知书</dt><dd>{notice}</dd><dt>整改期限</dt><dd>{deadline}</dd>\
         <dt>立案</dt><dd>{}，{}</dd>{}{}{}</dl></section>\n",
        escape(department),
        escape(case.state.chinese()),
        escape(&case.opened_by),
        escape(&chinese_instant_text(&case.opened_at)),
        case.escalation_id.map_or(String::new(), |doc| format!(
            "<dt>逾期通报</dt><dd><a href=\"/api/v1/documents/{doc}/pdf\">已通报（查看 PDF）</a></dd>"
        )),
        case.dismissal.as_ref().map_or(String::new(), |d| format!(
            "<dt>撤销提请</dt><dd>{}提请：{}（待另一人确认）</dd>",
            escape(&d.proposed_by),
            escape(&d.reason)
        )),
        case.closed_at.as_ref().map_or(String::new(), |at| format!(
            "<dt>结案</dt><dd>{}</dd>",
            escape(&chinese_instant_text(at))
        )),
    );
}

/// The forms of the steps the viewer may take now.
fn steps(body: &mut String, caller: &Caller, session: &Session, detail: &CaseDetail) {
    let case = &detail.case;
    let role = session.user.role;
    let open_to = |step: Step| {
        permits(role, step.action()) && flow::after(case, step.event(), &caller.actor.name).is_ok()
    };
    let mut forms = String::new();
    if case.state == CaseState::Opened && permits(role, Action::DraftDocument) {
        let _ = write!(
            forms,
            "<p><a class=\"button\" href=\"/cases/{}/notice-draft.pdf\">预览整改通知书（草稿 PDF）</a></p>",
            case.id
        );
    }
    let hidden = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"version\" value=\"{}\">",
        escape(&session.csrf),
        case.version
    );
    for step in Step::ALL.into_iter().filter(|s| open_to(*s)) {
        let action = format!("/cases/{}/{}", case.id, step.name());
        let form = match step {
            Step::Notice => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>签发整改通知书</h3><p>以本局名义签发本案全部 {} 条问题的整改通知书：编号、归档后不可撤回，整改期限按适用规定的工作日计算。</p>\
                 <button type=\"submit\">签发</button></form>",
                case.findings.len()
            ),
            Step::Response => format!(
                "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">{hidden}\
                 <h3>报送整改情况</h3>\
                 <label for=\"text\">整改情况说明</label><textarea id=\"text\" name=\"text\" rows=\"5\" required></textarea>\
                 <label for=\"attachments\">证明材料（PDF、PNG 或 JPEG，每个不超过 10 MiB，至多 {MAX_FILES} 个）</label>\
                 <input type=\"file\" id=\"attachments\" name=\"attachments\" accept=\"application/pdf,image/png,image/jpeg\" multiple>\
                 <button type=\"submit\">报送</button></form>"
            ),
            Step::Verification => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>核验整改情况</h3>\
                 <fieldset><legend>核验结论</legend>\
                 <label class=\"check\"><input type=\"radio\" name=\"outcome\" value=\"accept\" required>通过，办结本案</label>\
                 <label class=\"check\"><input type=\"radio\" name=\"outcome\" value=\"return\">退回重新整改（期限不重新计算）</label></fieldset>\
                 <label for=\"reason\">意见（退回时必填）</label><textarea id=\"reason\" name=\"reason\" rows=\"3\"></textarea>\
                 <button type=\"submit\">提交核验结论</button></form>"
            ),
            Step::Extension => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>申请延期</h3>\
                 <label for=\"working_days\">延长工作日数（1–60）</label>\
                 <input type=\"number\" id=\"working_days\" name=\"working_days\" min=\"1\" max=\"60\" required>\
                 <label for=\"ext_reason\">理由</label><textarea id=\"ext_reason\" name=\"reason\" rows=\"3\" required></textarea>\
                 <p class=\"basis\">{}</p><button type=\"submit\">提交申请</button></form>",
                escape(EXTENSION_BASIS)
            ),
            Step::ExtensionDecision => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>审批延期申请</h3><p class=\"basis\">{}</p>\
                 <label for=\"remark\">意见</label><textarea id=\"remark\" name=\"remark\" rows=\"2\"></textarea>\
                 <button type=\"submit\" name=\"decision\" value=\"approve\">同意延期</button>\
                 <button type=\"submit\" name=\"decision\" value=\"refuse\" class=\"secondary\">不同意</button></form>",
                escape(EXTENSION_BASIS)
            ),
            Step::Dismissal => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>提请撤销（误报）</h3>\
                 <label for=\"dis_reason\">理由</label><textarea id=\"dis_reason\" name=\"reason\" rows=\"2\" required></textarea>\
                 <p class=\"basis\">撤销须由另一人确认。</p><button type=\"submit\" class=\"secondary\">提请撤销</button></form>"
            ),
            Step::DismissalDecision => format!(
                "<form method=\"post\" action=\"{action}\">{hidden}\
                 <h3>确认撤销</h3>\
                 <label for=\"dis_remark\">意见</label><textarea id=\"dis_remark\" name=\"remark\" rows=\"2\"></textarea>\
                 <button type=\"submit\" name=\"decision\" value=\"approve\">确认撤销</button>\
                 <button type=\"submit\" name=\"decision\" value=\"refuse\" class=\"secondary\">不予撤销</button></form>"
            ),
        };
        forms.push_str(&form);
    }
    if !forms.is_empty() {
        let _ = write!(
            body,
            "<section class=\"steps\"><h2>办理</h2>{forms}</section>\n"
        );
    }
}

async fn findings_table(body: &mut String, state: &AppState, case: &Case) -> Result<(), ApiError> {
    let period = Period::new(case.year, None, None).map_err(internal)?;
    let stored: Vec<StoredFinding> =
        findings::stored_of_department(&state.store, &case.department_id, &period)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|f| case.findings.contains(&f.key))
            .collect();
    let _ = write!(
        body,
        "<section><h2>问题（{} 条）</h2><div class=\"scroll\"><table class=\"figures\"><thead><tr>\
         <th scope=\"col\">编号</th><th scope=\"col\">类别</th><th scope=\"col\">期限</th>\
         <th scope=\"col\">情况</th><th scope=\"col\">依据</th></tr></thead><tbody>\n",
        case.findings.len()
    );
    for key in &case.findings {
        let Some(f) = stored.iter().find(|f| &f.key == key) else {
            let _ = writeln!(
                body,
                "<tr><th scope=\"row\">{}</th><td colspan=\"4\">（该问题记录已不在本年度数据中）</td></tr>",
                escape(key)
            );
            continue;
        };
        let (due, what, cite) = match &f.detail {
            FindingDetail::Detected {
                rule,
                record_id,
                citation_text,
                status,
                due,
                ..
            } => (
                due.map_or("—".to_string(), chinese_date),
                format!("{}：{}（{}）", rule.chinese(), record_id, status.chinese()),
                citation_text.clone(),
            ),
            FindingDetail::Imported {
                inspector,
                evidence,
            } => (
                "—".to_string(),
                format!("督查发现（{inspector}）：{evidence}"),
                String::new(),
            ),
        };
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(key),
            escape(f.category.chinese()),
            escape(&due),
            escape(&what),
            escape(&cite)
        );
    }
    body.push_str("</tbody></table></div></section>\n");
    Ok(())
}

fn history(body: &mut String, detail: &CaseDetail) {
    body.push_str(
        "<section><h2>办理记录</h2><div class=\"scroll\"><table class=\"figures\"><thead><tr>\
         <th scope=\"col\">时间</th><th scope=\"col\">事项</th><th scope=\"col\">办理人</th>\
         <th scope=\"col\">内容</th></tr></thead><tbody>\n",
    );
    for e in &detail.events {
        let mut text = e.text.clone().unwrap_or_default();
        if let Some(days) = e.working_days {
            let _ = write!(text, "（{days} 个工作日）");
        }
        if let Some(d) = e.deadline {
            let _ = write!(text, "（期限 {}）", chinese_date(d));
        }
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}（{}）</td><td>{}</td></tr>",
            escape(&chinese_instant_text(&e.at)),
            escape(e.kind_name),
            escape(&e.actor),
            escape(e.role.map_or("系统", |r| r.chinese())),
            escape(&text)
        );
    }
    body.push_str("</tbody></table></div></section>\n");
}

fn attachments(body: &mut String, detail: &CaseDetail) {
    if detail.attachments.is_empty() {
        return;
    }
    body.push_str("<section><h2>附件</h2><ul>");
    for a in &detail.attachments {
        let _ = write!(
            body,
            "<li><a href=\"/api/v1/cases/{}/attachments/{}\">{}</a>（{}，{} KiB，{} 于 {} 上传）</li>",
            detail.case.id,
            escape(&a.sha256),
            escape(&a.name),
            escape(&a.media_type),
            (a.size + 1023) / 1024,
            escape(&a.uploaded_by),
            escape(&chinese_instant_text(&a.uploaded_at)),
        );
    }
    body.push_str("</ul></section>\n");
}

fn extensions(body: &mut String, detail: &CaseDetail) {
    if detail.extensions.is_empty() {
        return;
    }
    body.push_str("<section><h2>延期申请</h2><ul>");
    for x in &detail.extensions {
        let decision = match (x.approved, x.new_deadline) {
            (None, _) => "待审批".to_string(),
            (Some(true), Some(d)) => format!("已同意，期限延至 {}", chinese_date(d)),
            (Some(true), None) => "已同意".to_string(),
            (Some(false), _) => "不同意".to_string(),
        };
        let _ = write!(
            body,
            "<li>{} 申请延长 {} 个工作日：{}；{}</li>",
            escape(&x.requested_by),
            x.working_days,
            escape(&x.reason),
            escape(&decision)
        );
    }
    let _ = write!(
        body,
        "</ul><p class=\"basis\">{}</p></section>\n",
        escape(EXTENSION_BASIS)
    );
}

// ------------------------------------------------------------------ preview

async fn notice_preview(
    State(state): State<AppState>,
    source: Source,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let caller =
        match super::signed_in_caller(&state, &headers, source.0, Action::DraftDocument).await? {
            Ok(caller) => caller,
            Err(sign_in) => return Ok(sign_in),
        };
    let case = caller.case(&state, id).await?;
    let bytes = act::notice_draft(&state, &caller, &case, NoticeChoices::default()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"case-{id}-notice-draft.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------------------ steps

/// The fields of a plain step form; each step reads the ones it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepForm {
    csrf: String,
    version: i64,
    outcome: Option<String>,
    reason: Option<String>,
    remark: Option<String>,
    working_days: Option<String>,
    decision: Option<String>,
}

/// A response form's content: its text and files.
struct ResponseForm {
    csrf: String,
    version: i64,
    text: String,
    files: Vec<(String, String, axum::body::Bytes)>,
}

/// What a submitted form carries, by step.
enum Submitted {
    Plain(StepForm),
    Response(ResponseForm),
}

impl Submitted {
    fn csrf(&self) -> &str {
        match self {
            Submitted::Plain(f) => &f.csrf,
            Submitted::Response(f) => &f.csrf,
        }
    }

    fn version(&self) -> i64 {
        match self {
            Submitted::Plain(f) => f.version,
            Submitted::Response(f) => f.version,
        }
    }
}

async fn read_response(request: Request, state: &AppState) -> Result<ResponseForm, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!("the response form is too large: {e}"))
        } else {
            ApiError::BadRequest(format!("the response form: {e}"))
        }
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| ApiError::BadRequest(format!("the response form: {e}")))?;
    let mut form = ResponseForm {
        csrf: String::new(),
        version: -1,
        text: String::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "csrf" => form.csrf = field.text().await.map_err(bad)?,
            "version" => {
                form.version = field
                    .text()
                    .await
                    .map_err(bad)?
                    .trim()
                    .parse()
                    .map_err(|_| {
                        ApiError::BadRequest("the form's version is not a number".into())
                    })?;
            }
            "text" => form.text = field.text().await.map_err(bad)?,
            "attachments" => {
                let file_name = field.file_name().unwrap_or("").to_string();
                let media_type = field.content_type().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                // A file input left empty sends one nameless, empty part.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if bytes.len() > MAX_ATTACHMENT {
                    return Err(ApiError::PayloadTooLarge(format!(
                        "{file_name} is {} bytes; an attachment is at most {MAX_ATTACHMENT}",
                        bytes.len()
                    )));
                }
                form.files.push((file_name, media_type, bytes));
                if form.files.len() > MAX_FILES {
                    return Err(ApiError::BadRequest(format!(
                        "a response carries at most {MAX_FILES} files"
                    )));
                }
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "the response form has no field {other:?}"
                )));
            }
        }
    }
    Ok(form)
}

/// `POST /cases/{id}/{step}`: the form read, its session and CSRF token
/// checked, the step taken at the version the form was shown with; then
/// back to the case (303), or the case again with the reason it failed.
async fn take(
    State(state): State<AppState>,
    source: Source,
    Path((id, segment)): Path<(i64, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let step = Step::parse(&segment)
        .ok_or_else(|| ApiError::NotFound(format!("no step {segment:?} of a case")))?;
    let headers = request.headers().clone();
    // Who is asking is known before the body is read; the form's token is
    // checked against that session once the body is.
    let Some(session) = crate::access::extract::session_of(&state, &headers).await? else {
        return Ok(super::see_other("/login"));
    };
    let submitted = match step {
        Step::Response => Submitted::Response(read_response(request, &state).await?),
        Step::Notice
        | Step::Verification
        | Step::Extension
        | Step::ExtensionDecision
        | Step::Dismissal
        | Step::DismissalDecision => {
            let Form(f) = Form::<StepForm>::from_request(request, &state)
                .await
                .map_err(|e| ApiError::BadRequest(format!("the form: {e}")))?;
            Submitted::Plain(f)
        }
    };
    let session = match super::csrf_checked(session, submitted.csrf()) {
        Ok(session) => session,
        Err(answer) => return Ok(answer),
    };
    let caller = page_caller(&state, session.clone(), source.0, step.action()).await?;
    let seen = submitted.version();
    let taken = apply(&state, &caller, id, step, seen, submitted).await;
    match taken {
        Ok(()) => Ok(see_other_to(&format!("/cases/{id}?done={}", step.name()))),
        Err(
            e @ (ApiError::Conflict(_)
            | ApiError::PreconditionFailed(_)
            | ApiError::BadRequest(_)
            | ApiError::UnsupportedMediaType(_)
            | ApiError::PayloadTooLarge(_)),
        ) => {
            let status = e.status();
            let text = format!("{}：{}", super::error_title(status), e);
            render(
                &state,
                &caller,
                &session,
                id,
                Some(Banner::Failed(text)),
                status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn decision(form: &StepForm) -> Result<bool, ApiError> {
    match form.decision.as_deref() {
        Some("approve") => Ok(true),
        Some("refuse") => Ok(false),
        other => Err(ApiError::BadRequest(format!(
            "the decision is approve or refuse, not {other:?}"
        ))),
    }
}

fn remark(form: &StepForm) -> Option<String> {
    form.remark
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// Takes one step with what its form carried.
async fn apply(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: Step,
    seen: i64,
    submitted: Submitted,
) -> Result<(), ApiError> {
    let form = match submitted {
        Submitted::Response(r) => {
            let text = act::required(&r.text, "整改情况说明")?;
            // The case is read (in reach, at the version the form showed,
            // still answerable) before any file is kept.
            let case = caller.case(state, id).await?;
            if seen != case.version {
                return Err(crate::cases::CaseError::Stale {
                    id,
                    seen,
                    current: case.version,
                }
                .into());
            }
            flow::after(&case, CaseEventKind::ResponseSubmitted, &caller.actor.name)
                .map_err(|reason| ApiError::Conflict(format!("case {id}: {reason}")))?;
            let mut shas = Vec::new();
            for (name, media_type, bytes) in &r.files {
                let attachment = act::attach(state, caller, id, name, media_type, bytes).await?;
                shas.push(attachment.sha256);
            }
            let write = Write::Response {
                text,
                attachments: shas,
                on: caller.today(),
            };
            act::apply(state, caller, id, seen, write).await?;
            return Ok(());
        }
        Submitted::Plain(form) => form,
    };
    let write = match step {
        Step::Notice => {
            act::issue_notice(state, caller, id, seen, NoticeChoices::default()).await?;
            return Ok(());
        }
        Step::Response => {
            return Err(ApiError::BadRequest(
                "a response is sent as a multipart form (its text and files)".into(),
            ));
        }
        Step::Verification => match form.outcome.as_deref() {
            Some("accept") => Write::Accept {
                remark: remark(&form),
            },
            Some("return") => Write::Return {
                reason: act::required(form.reason.as_deref().unwrap_or(""), "退回理由")?,
            },
            other => {
                return Err(ApiError::BadRequest(format!(
                    "the verification's outcome is accept or return, not {other:?}"
                )));
            }
        },
        Step::Extension => {
            let days = form
                .working_days
                .as_deref()
                .unwrap_or("")
                .trim()
                .parse::<u32>()
                .map_err(|_| ApiError::BadRequest("延长工作日数须为 1–60 的整数".into()))?;
            Write::ExtensionRequest {
                reason: act::required(form.reason.as_deref().unwrap_or(""), "延期理由")?,
                working_days: act::extension_days(days)?,
            }
        }
        Step::ExtensionDecision => {
            let case = caller.case(state, id).await?;
            act::extension_decision(state, &case, decision(&form)?, remark(&form)).await?
        }
        Step::Dismissal => Write::DismissalProposal {
            reason: act::required(form.reason.as_deref().unwrap_or(""), "撤销理由")?,
        },
        Step::DismissalDecision => Write::DismissalDecision {
            confirm: decision(&form)?,
            remark: remark(&form),
        },
    };
    act::apply(state, caller, id, seen, write).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_named_once_and_parse_back() {
        for step in Step::ALL {
            assert_eq!(Step::parse(step.name()), Some(step));
        }
        assert_eq!(Step::parse("close"), None);
    }

    #[test]
    fn an_overdue_deadline_says_so_in_words() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let case = Case {
            id: 1,
            department_id: "D".into(),
            year: 2025,
            state: CaseState::Notified,
            version: 2,
            opened_by: "x".into(),
            opened_at: "2026-03-01T00:00:00Z".into(),
            notice_id: Some(1),
            deadline: Some(day(10)),
            responded_on: None,
            closed_at: None,
            escalation_id: None,
            dismissal: None,
            pending_extension: None,
            findings: vec![],
        };
        assert!(deadline_words(&case, day(11)).contains("已逾期"));
        assert!(!deadline_words(&case, day(10)).contains("已逾期"));
    }
}
