//! The HTTP API of the documents:
//!
//! - `POST /api/v1/documents/draft/{kind}` — a draft PDF (no number,
//!   watermarked 草稿), `kind` being `notice`, `circular` or `annual`;
//! - `POST /api/v1/documents/issue/{kind}` — number, archive and record it:
//!   `201` with the archive record (JSON). A new rectification notice is
//!   not issued here but as a step of its case (`409` points there); a
//!   notice issued here is a correction (`"replaces"`), naming exactly the
//!   findings of the notice it replaces;
//! - `GET /api/v1/documents[?kind=&year=]` — the archive, newest first;
//! - `GET /api/v1/documents/{id}` — one record;
//! - `GET /api/v1/documents/{id}/pdf` — its PDF, checked against the
//!   SHA-256 recorded when it was issued.
//!
//! Bodies (JSON): a notice `{"department_id", "year", "date"?,
//! "working_days"?, "cc"?}`; a circular `{"year", "jurisdiction_id"?,
//! "date"?, "except"?, "cc"?}`; a report `{"year", "date"?, "as_of"?,
//! "signer"?, "cc"?}`; `"replaces"` (an archive id) when issuing a
//! correction. Dates are `YYYY-MM-DD` (default today). An unknown id
//! answers 404, a request that cannot be honoured (no open findings, no
//! overdue notice, a character no font has) 400. Rendering runs on a
//! blocking thread with the process's shared engine.
//!
//! Leaders and inspectors draft for what their scope reaches; inspectors
//! issue, each in the name of its own scope's bureau only, and the archive
//! records the signed-in inspector as the one who issued. A department, a
//! jurisdiction or a document outside the caller's reach is 404.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::annual::{self, AnnualRequest};
use super::archive::{self, IssueOptions, IssuedDocument};
use super::circular::{self, CircularRequest};
use super::notice::{self, NoticeRequest};
use super::{DocumentError, Engine, Prepared};
use crate::access::{Identity, Reach};
use crate::http::{ApiError, AppState};
use crate::vocab::{Action, DocumentKind, ParseNameError};

/// The documents routes, to merge into the application's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/documents", get(list))
        .route("/api/v1/documents/{id}", get(one))
        .route("/api/v1/documents/{id}/pdf", get(pdf))
        .route("/api/v1/documents/draft/{kind}", post(draft))
        .route("/api/v1/documents/issue/{kind}", post(issue))
}

impl From<DocumentError> for ApiError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::NotFound(m) => ApiError::NotFound(m),
            DocumentError::Org(crate::org::OrgError::UnknownDepartment(_)) => {
                ApiError::NotFound(e.to_string())
            }
            DocumentError::Invalid(_)
            | DocumentError::MissingGlyph { .. }
            | DocumentError::Org(crate::org::OrgError::NoIssuer { .. }) => {
                ApiError::BadRequest(e.to_string())
            }
            DocumentError::Metrics(m) => m.into(),
            DocumentError::Query(_)
            | DocumentError::Evaluation(_)
            | DocumentError::Org(_)
            | DocumentError::Audit(_)
            | DocumentError::Calendar(_)
            | DocumentError::Font(_)
            | DocumentError::Typst(_)
            | DocumentError::Io(_) => ApiError::Internal(e.to_string()),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeBody {
    department_id: String,
    year: i32,
    date: Option<NaiveDate>,
    working_days: Option<u32>,
    #[serde(default)]
    cc: Vec<String>,
    replaces: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CircularBody {
    year: i32,
    jurisdiction_id: Option<String>,
    date: Option<NaiveDate>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    cc: Vec<String>,
    replaces: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnualBody {
    year: i32,
    date: Option<NaiveDate>,
    as_of: Option<String>,
    signer: Option<String>,
    #[serde(default)]
    cc: Vec<String>,
    replaces: Option<i64>,
}

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("invalid request body: {e}")))
}

/// What a request prepares a document for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// A draft: nothing is numbered or recorded.
    Draft,
    /// The document to number, archive and record.
    Issue,
}

/// Why this route issues no new notice.
const NOTICE_THROUGH_ITS_CASE: &str = "a rectification notice is issued as a step of its case \
     (open one: POST /api/v1/cases; issue its notice: POST /api/v1/cases/{id}/notice), which \
     names its findings and follows its deadline; this route issues a notice only as a \
     correction (\"replaces\": the archive id of the notice it corrects)";

/// Prepares a document from a request body for what `reach` covers;
/// returns it with the id it replaces. The addressee is checked before
/// anything is computed, so that an answer never tells what lies outside
/// the reach.
async fn prepare(
    state: &AppState,
    reach: &Reach,
    kind: &str,
    value: serde_json::Value,
    purpose: Purpose,
) -> Result<(Prepared, Option<i64>), ApiError> {
    let kind: DocumentKind = kind
        .parse()
        .map_err(|e: ParseNameError| ApiError::NotFound(e.to_string()))?;
    let (store, config) = (&state.store, &state.config);
    let today = crate::time::local_date(state.clock.now());
    Ok(match kind {
        DocumentKind::Notice => {
            let b: NoticeBody = body(value)?;
            if !reach.department(&b.department_id) {
                return Err(ApiError::NotFound(format!(
                    "no department {:?}",
                    b.department_id
                )));
            }
            // A new notice belongs to a case; a correction names exactly
            // the findings of the notice it replaces (of that case), which
            // the caller must reach.
            let findings = match (purpose, b.replaces) {
                (Purpose::Issue, None) => {
                    return Err(ApiError::Conflict(NOTICE_THROUGH_ITS_CASE.into()));
                }
                (Purpose::Draft, None) => None,
                (Purpose::Draft | Purpose::Issue, Some(old)) => {
                    archive::get(store, old, reach).await?;
                    Some(archive::findings_of(store, old).await?)
                }
            };
            let request = NoticeRequest {
                findings,
                department_id: b.department_id,
                year: b.year,
                date: b.date.unwrap_or(today),
                working_days: b.working_days,
                cc: b.cc,
                replaces: b.replaces,
            };
            (notice::prepare(store, config, &request).await?, b.replaces)
        }
        DocumentKind::Circular => {
            let b: CircularBody = body(value)?;
            // Without a jurisdiction: the scope's own (the city's root).
            let jurisdiction_id = match (b.jurisdiction_id, reach) {
                (Some(id), _) if reach.jurisdiction(&id) => Some(id),
                (Some(id), _) => return Err(ApiError::NotFound(format!("no jurisdiction {id:?}"))),
                (None, Reach::Jurisdiction { root, .. }) => Some(root.clone()),
                (None, Reach::City | Reach::Department { .. } | Reach::Nothing) => None,
            };
            let request = CircularRequest {
                notices: None,
                followed: Default::default(),
                year: b.year,
                jurisdiction_id,
                date: b.date.unwrap_or(today),
                except: b.except,
                cc: b.cc,
            };
            (
                circular::prepare(store, config, &request).await?,
                b.replaces,
            )
        }
        DocumentKind::Annual => {
            let b: AnnualBody = body(value)?;
            if *reach != Reach::City {
                return Err(ApiError::Forbidden(
                    "the annual sharing report is the city's: it needs the city's scope".into(),
                ));
            }
            let as_of = match b.as_of.as_deref() {
                Some(t) => Some(
                    crate::metrics::parse_as_of(Some(t))
                        .map_err(|e| ApiError::BadRequest(e.to_string()))?,
                ),
                None => None,
            };
            let request = AnnualRequest {
                year: b.year,
                date: b.date.unwrap_or(today),
                as_of,
                signer: b.signer,
                cc: b.cc,
            };
            (annual::prepare(store, config, &request).await?, b.replaces)
        }
    })
}

/// A PDF answer, shown inline under `filename`.
pub(crate) fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn draft(
    State(state): State<AppState>,
    identity: Identity,
    Path(kind): Path<String>,
    Json(value): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    identity.require(Action::DraftDocument)?;
    let org = crate::org::api::org(&state).await?;
    let reach = Reach::of(&identity.scope, &org);
    let (prepared, _) = prepare(&state, &reach, &kind, value, Purpose::Draft).await?;
    let bytes = prepared.render_draft(Engine::shared()?).await?;
    let name = format!(
        "{}-{}-{}-draft.pdf",
        prepared.kind,
        ascii(&prepared.subject_id),
        prepared.data_year
    );
    Ok(pdf_response(bytes, &name))
}

async fn issue(
    State(state): State<AppState>,
    identity: Identity,
    Path(kind): Path<String>,
    Json(value): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<IssuedDocument>), ApiError> {
    identity.require(Action::IssueDocument)?;
    let org = crate::org::api::org(&state).await?;
    let reach = Reach::of(&identity.scope, &org);
    let (prepared, replaces) = prepare(&state, &reach, &kind, value, Purpose::Issue).await?;
    let issuer_jurisdiction = org.department(&prepared.issuer_id)?.jurisdiction_id.clone();
    if !reach.may_issue_as(&org, &issuer_jurisdiction) {
        return Err(ApiError::Forbidden(format!(
            "this document is issued in the name of {}; an inspector of scope {} issues \
             only in its own bureau's name",
            prepared.issuer_name, identity.scope
        )));
    }
    let options = IssueOptions {
        archive_dir: state.config.archive_dir.clone(),
        issued_by: identity.name.clone(),
        replaces,
        now_ms: state.clock.now(),
    };
    let (doc, _) = archive::issue(&state.store, Engine::shared()?, &prepared, &options).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    kind: Option<String>,
    year: Option<i32>,
}

async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<IssuedDocument>>, ApiError> {
    identity.require(Action::ReadDocuments)?;
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(&state).await?);
    let kind = match q.kind.as_deref() {
        Some(k) => Some(
            k.parse::<DocumentKind>()
                .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    Ok(Json(
        archive::list(&state.store, kind, q.year, &reach).await?,
    ))
}

/// One archived document the caller reaches.
async fn reached(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<IssuedDocument, ApiError> {
    identity.require(Action::ReadDocuments)?;
    let reach = Reach::of(&identity.scope, &*crate::org::api::org(state).await?);
    Ok(archive::get(&state.store, id, &reach).await?)
}

async fn one(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<IssuedDocument>, ApiError> {
    Ok(Json(reached(&state, &identity, id).await?))
}

async fn pdf(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let doc = reached(&state, &identity, id).await?;
    let bytes = tokio::task::spawn_blocking(move || archive::read_pdf(&doc).map(|b| (b, doc)))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let name = format!(
        "{}-{}-{:04}.pdf",
        bytes.1.kind, bytes.1.year, bytes.1.sequence
    );
    Ok(pdf_response(bytes.0, &name))
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
