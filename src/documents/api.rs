//! The HTTP API of the documents:
//!
//! - `POST /api/v1/documents/draft/{kind}` — a draft PDF (no number,
//!   watermarked 草稿), `kind` being `notice`, `circular` or `annual`;
//! - `POST /api/v1/documents/issue/{kind}` — number, archive and record it:
//!   `201` with the archive record (JSON);
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

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::annual::{self, AnnualRequest};
use super::archive::{self, IssueOptions, IssuedDocument};
use super::circular::{self, CircularRequest};
use super::notice::{self, NoticeRequest};
use super::{DocumentError, Engine, Prepared, today};
use crate::http::{self, ApiError, AppState};
use crate::vocab::{DocumentKind, ParseNameError};

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

/// Prepares a document from a request body; returns it with the id it replaces.
async fn prepare(
    state: &AppState,
    kind: &str,
    value: serde_json::Value,
) -> Result<(Prepared, Option<i64>), ApiError> {
    let kind: DocumentKind = kind
        .parse()
        .map_err(|e: ParseNameError| ApiError::NotFound(e.to_string()))?;
    let (store, config) = (&state.store, &state.config);
    Ok(match kind {
        DocumentKind::Notice => {
            let b: NoticeBody = body(value)?;
            let request = NoticeRequest {
                department_id: b.department_id,
                year: b.year,
                date: b.date.unwrap_or_else(today),
                working_days: b.working_days,
                cc: b.cc,
                replaces: b.replaces,
            };
            (notice::prepare(store, config, &request).await?, b.replaces)
        }
        DocumentKind::Circular => {
            let b: CircularBody = body(value)?;
            let request = CircularRequest {
                year: b.year,
                jurisdiction_id: b.jurisdiction_id,
                date: b.date.unwrap_or_else(today),
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
            let as_of = match b.as_of.as_deref() {
                Some(t) => Some(
                    crate::metrics::parse_as_of(Some(t))
                        .map_err(|e| ApiError::BadRequest(e.to_string()))?,
                ),
                None => None,
            };
            let request = AnnualRequest {
                year: b.year,
                date: b.date.unwrap_or_else(today),
                as_of,
                signer: b.signer,
                cc: b.cc,
            };
            (annual::prepare(store, config, &request).await?, b.replaces)
        }
    })
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
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
    Path(kind): Path<String>,
    Json(value): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let (prepared, _) = prepare(&state, &kind, value).await?;
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
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(value): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<IssuedDocument>), ApiError> {
    let issued_by = http::operator(&headers, &state.config.operators)?.to_string();
    let (prepared, replaces) = prepare(&state, &kind, value).await?;
    let options = IssueOptions {
        archive_dir: state.config.archive_dir.clone(),
        issued_by,
        replaces,
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
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<IssuedDocument>>, ApiError> {
    let kind = match q.kind.as_deref() {
        Some(k) => Some(
            k.parse::<DocumentKind>()
                .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    Ok(Json(archive::list(&state.store, kind, q.year).await?))
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<IssuedDocument>, ApiError> {
    Ok(Json(archive::get(&state.store, id).await?))
}

async fn pdf(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let doc = archive::get(&state.store, id).await?;
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
