//! The HTTP API of the rectification cases.
//!
//! | route | who | does |
//! |---|---|---|
//! | `GET /api/v1/cases[?year=&state=&department_id=]` | leader, inspector, department | the cases in reach, newest first |
//! | `POST /api/v1/cases` | inspector | opens a case: `{"department_id", "year", "findings"?: [keys], "manual"?: [{"category", "evidence"}]}`; without `findings`, every open finding of the department and year no case holds |
//! | `GET /api/v1/cases/{id}` | leader, inspector, department | the case, its history, attachments, extensions; `ETag` |
//! | `POST /api/v1/cases/{id}/notice/draft` | leader, inspector | the notice's draft PDF |
//! | `POST /api/v1/cases/{id}/notice` | inspector | issues the 整改通知书 for exactly the case's findings (`{"date"?, "working_days"?, "cc"?}`) |
//! | `POST /api/v1/cases/{id}/attachments?name=` | department | uploads a PDF, PNG or JPEG (≤ 10 MiB) |
//! | `GET /api/v1/cases/{id}/attachments/{sha256}` | leader, inspector, department | the file |
//! | `POST /api/v1/cases/{id}/{change}` | by change | one of the changes below, each with the version it saw |
//! | `GET /api/v1/escalations?year=` | leader, inspector | overdue cases awaiting their circular, per bureau |
//! | `POST /api/v1/escalations/draft` | leader, inspector | `{"year", "issuer_id"?, "date"?}`: the circular's draft PDF |
//! | `POST /api/v1/escalations/issue` | inspector | the same, issued: numbered, archived, the cases marked |
//!
//! | change | who | body |
//! |---|---|---|
//! | `response` | department | `{"text", "attachments": [sha256]}` |
//! | `verification` | inspector | `{"outcome": "accept"|"return", "reason"?}` |
//! | `extension` | department | `{"reason", "working_days"}` |
//! | `extension-decision` | leader | `{"approve", "remark"?}` |
//! | `dismissal` | inspector | `{"reason"}` |
//! | `dismissal-decision` | inspector, leader (not the proposer) | `{"confirm", "remark"?}` |
//!
//! Every change of a case must name the version it saw in `If-Match` (the
//! `ETag` of `GET /api/v1/cases/{id}`): without it 428, a stale one 412. A
//! change the state does not allow is 409 with the reason. A case outside
//! the caller's reach is 404.

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::act::{self, Caller, ManualFinding, Opening, Step, extension_days, required};
use super::attachments::{self, MAX_ATTACHMENT};
use super::escalation::Pending;
use super::record::{self, Filter, Write};
use super::{Case, CaseDetail, CaseError};
use crate::access::Identity;
use crate::access::extract::Source;
use crate::documents::Engine;
use crate::documents::api::pdf_response as pdf;
use crate::documents::archive::IssuedDocument;
use crate::http::{ApiError, AppState, LengthAtMost};
use crate::vocab::{Action, CaseState, CategoryCode};

/// The cases routes, to merge into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list).post(open))
        .route("/api/v1/cases/{id}", get(one))
        .route("/api/v1/cases/{id}/notice/draft", post(notice_draft))
        .route("/api/v1/cases/{id}/notice", post(notice_issue))
        .route(
            "/api/v1/cases/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(MAX_ATTACHMENT)),
        )
        .route("/api/v1/cases/{id}/attachments/{sha256}", get(download))
        .route("/api/v1/cases/{id}/{change}", post(change))
        .route("/api/v1/escalations", get(escalations))
        .route("/api/v1/escalations/draft", post(escalation_draft))
        .route("/api/v1/escalations/issue", post(escalation_issue))
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::NotFound(_) | CaseError::NoSuch(_) => ApiError::NotFound(e.to_string()),
            CaseError::Stale { .. } => ApiError::PreconditionFailed(e.to_string()),
            CaseError::Refused { .. } => ApiError::Conflict(e.to_string()),
            CaseError::Invalid(_) => ApiError::BadRequest(e.to_string()),
            CaseError::MediaType(_) => ApiError::UnsupportedMediaType(e.to_string()),
            CaseError::Document(d) => d.into(),
            CaseError::Metrics(m) => m.into(),
            CaseError::Query(_)
            | CaseError::Audit(_)
            | CaseError::Calendar(_)
            | CaseError::Stored(_)
            | CaseError::Io(_) => ApiError::Internal(e.to_string()),
        }
    }
}

/// The version an `If-Match` header names: `"case-12-v3"` (or `3`).
fn if_match(headers: &HeaderMap, id: i64) -> Result<i64, ApiError> {
    let value = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::PreconditionRequired(format!(
                "a change of case {id} names the version it saw: send If-Match with the ETag of \
                 GET /api/v1/cases/{id}"
            ))
        })?;
    let bare = value.trim().trim_start_matches("W/").trim_matches('"');
    let version = bare
        .strip_prefix(&format!("case-{id}-v"))
        .unwrap_or(bare)
        .parse::<i64>()
        .map_err(|_| {
            ApiError::BadRequest(format!("If-Match {value:?} is not a version of case {id}"))
        })?;
    Ok(version)
}

fn with_etag(detail: CaseDetail, status: StatusCode) -> Response {
    let etag = detail.case.etag();
    let mut response = (status, Json(detail)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    case: Case,
    status: StatusCode,
) -> Result<Response, ApiError> {
    Ok(with_etag(caller.detail(state, case).await?, status))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    year: Option<i32>,
    state: Option<CaseState>,
    department_id: Option<String>,
    /// Cases holding a finding of this category.
    category: Option<CategoryCode>,
}

async fn list(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::ReadCases).await?;
    let filter = Filter {
        year: q.year,
        state: q.state,
        department_id: q.department_id,
        category: q.category,
    };
    let today = caller.today();
    let cases = record::list(&state.store, &caller.reach, &filter).await?;
    Ok(Json(
        cases
            .into_iter()
            .map(|c| {
                let overdue = c.overdue_on(today);
                let mut v = serde_json::to_value(c).expect("a case serialises");
                v["overdue"] = serde_json::json!(overdue);
                v
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenBody {
    department_id: String,
    year: i32,
    findings: Option<Vec<String>>,
    #[serde(default)]
    manual: Vec<ManualFinding>,
}

async fn open(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Json(b): Json<OpenBody>,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::OpenCase).await?;
    let opening = Opening {
        department_id: b.department_id,
        year: b.year,
        findings: b.findings,
        manual: b.manual,
    };
    let case = act::open(&state, &caller, opening).await?;
    answer(&state, &caller, case, StatusCode::CREATED).await
}

async fn one(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::ReadCases).await?;
    let case = caller.case(&state, id).await?;
    answer(&state, &caller, case, StatusCode::OK).await
}

/// A JSON body that may be left out (its defaults then).
fn optional<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    json(body)
}

async fn notice_draft(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::DraftDocument).await?;
    let case = caller.case(&state, id).await?;
    let bytes = act::notice_draft(&state, &caller, &case, optional(&body)?).await?;
    Ok(pdf(bytes, &format!("case-{id}-notice-draft.pdf")))
}

async fn notice_issue(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::IssueDocument).await?;
    // A case outside the caller's reach is not found, whatever the request
    // carries.
    caller.case(&state, id).await?;
    let seen = if_match(&headers, id)?;
    let case = act::issue_notice(&state, &caller, id, seen, optional(&body)?).await?;
    answer(&state, &caller, case, StatusCode::CREATED).await
}

#[derive(Debug, Deserialize)]
struct UploadQuery {
    name: String,
}

async fn upload(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path(id): Path<i64>,
    Query(q): Query<UploadQuery>,
    _: LengthAtMost<MAX_ATTACHMENT>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<attachments::Attachment>), ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::RespondCase).await?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let attachment = act::attach(&state, &caller, id, &q.name, declared, &body).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

async fn download(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path((id, sha256)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::ReadCases).await?;
    caller.case(&state, id).await?;
    let (attachment, bytes) =
        attachments::read(&state.store, &state.config.archive_dir, id, &sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, attachment.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", attachment.sha256),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// What a step's JSON body writes; every field is read or refused.
async fn write(
    step: Step,
    state: &AppState,
    caller: &Caller,
    case: &Case,
    body: &[u8],
) -> Result<Write, ApiError> {
    Ok(match step {
        Step::Notice => {
            return Err(ApiError::BadRequest(format!(
                "the notice is issued with POST /api/v1/cases/{}/notice",
                case.id
            )));
        }
        Step::Response => {
            let b: ResponseBody = json(body)?;
            Write::Response {
                text: required(&b.text, "the response's text")?,
                attachments: b.attachments,
                on: caller.today(),
            }
        }
        Step::Verification => {
            let b: VerifyBody = json(body)?;
            match b.outcome {
                Outcome::Accept => Write::Accept { remark: b.reason },
                Outcome::Return => Write::Return {
                    reason: required(
                        b.reason.as_deref().unwrap_or(""),
                        "the reason for returning a response",
                    )?,
                },
            }
        }
        Step::Extension => {
            let b: ExtensionBody = json(body)?;
            Write::ExtensionRequest {
                reason: required(&b.reason, "the reason for an extension")?,
                working_days: extension_days(b.working_days)?,
            }
        }
        Step::ExtensionDecision => {
            let b: DecisionBody = json(body)?;
            act::extension_decision(state, case, b.approve, b.remark).await?
        }
        Step::Dismissal => {
            let b: DismissalBody = json(body)?;
            Write::DismissalProposal {
                reason: required(&b.reason, "the reason for a dismissal")?,
            }
        }
        Step::DismissalDecision => {
            let b: DismissalDecisionBody = json(body)?;
            Write::DismissalDecision {
                confirm: b.confirm,
                remark: b.remark,
            }
        }
    })
}

fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid request body: {e}")))
}

/// `POST /api/v1/cases/{id}/{change}`: who (401/403), the case in reach
/// (404), the body, then the change at the version `If-Match` names.
async fn change(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Path((id, change)): Path<(i64, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let step = Step::parse(&change).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no change {change:?} of a case (one of: {})",
            Step::ALL.map(Step::name).join(", ")
        ))
    })?;
    let caller = Caller::new(&state, identity, source.0, step.action()).await?;
    let case = caller.case(&state, id).await?;
    let write = write(step, &state, &caller, &case, &body).await?;
    let seen = if_match(&headers, id)?;
    let case = act::apply(&state, &caller, id, seen, write).await?;
    answer(&state, &caller, case, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseBody {
    text: String,
    #[serde(default)]
    attachments: Vec<String>,
}

/// An inspector's verdict on a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// Rectified: close the case.
    Accept,
    /// Not rectified: back to the department, the deadline running on.
    Return,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    outcome: Outcome,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionBody {
    reason: String,
    working_days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    approve: bool,
    remark: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DismissalBody {
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DismissalDecisionBody {
    confirm: bool,
    remark: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearQuery {
    year: i32,
}

async fn escalations(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<Pending>>, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::DraftDocument).await?;
    Ok(Json(act::escalations(&state, &caller, q.year).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalationBody {
    year: i32,
    issuer_id: Option<String>,
    date: Option<NaiveDate>,
}

async fn escalation_draft(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Json(b): Json<EscalationBody>,
) -> Result<Response, ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::DraftDocument).await?;
    let asked = act::EscalationAsked {
        year: b.year,
        issuer_id: b.issuer_id,
        date: b.date,
    };
    let (group, prepared) = act::escalation(&state, &caller, &asked).await?;
    let bytes = prepared.render_draft(Engine::shared()?).await?;
    Ok(pdf(
        bytes,
        &format!("escalation-{}-{}-draft.pdf", group.year, group.cases.len()),
    ))
}

async fn escalation_issue(
    State(state): State<AppState>,
    identity: Identity,
    source: Source,
    Json(b): Json<EscalationBody>,
) -> Result<(StatusCode, Json<IssuedDocument>), ApiError> {
    let caller = Caller::new(&state, identity, source.0, Action::IssueDocument).await?;
    let asked = act::EscalationAsked {
        year: b.year,
        issuer_id: b.issuer_id,
        date: b.date,
    };
    let doc = act::issue_escalation(&state, &caller, &asked).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}
