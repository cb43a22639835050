//! The platform's side of the HTTP API:
//!
//! - `POST /api/v1/ingest/{table}` — push rows as CSV or NDJSON (a platform
//!   token; all or nothing);
//! - `GET /api/v1/tables` — rows per interchange table;
//! - `GET /api/v1/imports` — the last 100 import runs, landed or rejected.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::runs::{self, ImportRun};
use super::{Format, ImportError, ImportOptions, ImportReport, ImportSource};
use crate::http::{self, ApiError, AppState};
use crate::model::TableName;

/// Largest request body the ingest endpoint takes (larger exports go through
/// `dukao import`).
pub const MAX_INGEST_BODY: usize = 256 << 20;

/// The platform routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tables", get(tables))
        .route("/api/v1/imports", get(imports))
        .route(
            "/api/v1/ingest/{table}",
            post(ingest_table).layer(DefaultBodyLimit::max(MAX_INGEST_BODY)),
        )
}

#[derive(Serialize)]
struct TableRows {
    table: TableName,
    rows: i64,
}

async fn tables(State(state): State<AppState>) -> Result<Json<Vec<TableRows>>, ApiError> {
    let counts = state.store.counts().await?;
    Ok(Json(
        counts
            .into_iter()
            .map(|(table, rows)| TableRows { table, rows })
            .collect(),
    ))
}

async fn imports(State(state): State<AppState>) -> Result<Json<Vec<ImportRun>>, ApiError> {
    Ok(Json(runs::recent(&state.store, 100).await?))
}

/// `POST /api/v1/ingest/{table}`: an NDJSON or CSV body, all or nothing.
async fn ingest_table(
    State(state): State<AppState>,
    Path(table): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    http::platform(&headers, &state.config.ingest_tokens)?;
    let table = TableName::parse(&table)
        .ok_or_else(|| ApiError::NotFound(format!("unknown table {table:?}")))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::from_content_type(content_type).ok_or_else(|| {
        ApiError::UnsupportedMediaType(format!(
            "unsupported Content-Type {content_type:?}; send text/csv or application/x-ndjson"
        ))
    })?;
    if body.is_empty() {
        return Err(ApiError::BadRequest("empty body".into()));
    }
    let source = ImportSource::from_body(table, format, body.to_vec());
    let profiles = state
        .config
        .profiles()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let options = ImportOptions::new(&format!("http:{table}"), &profiles);
    match super::import(&state.store, vec![source], &options).await {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::Invalid { errors, total }) => Err(ApiError::Invalid { errors, total }),
        Err(ImportError::Input(message)) => Err(ApiError::BadRequest(message)),
        Err(ImportError::Store(e)) => Err(ApiError::Internal(e.to_string())),
    }
}
