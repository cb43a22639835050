//! The platform's side of the HTTP API:
//!
//! - `POST /api/v1/ingest/{table}` — push rows as CSV or NDJSON (a platform
//!   token allowed that table; all or nothing). The token is checked before
//!   a byte of the body is read, a declared length over the limit is 413 at
//!   once, and the body is parsed where it was received, never copied;
//! - `GET /api/v1/tables` — rows per interchange table;
//! - `GET /api/v1/imports` — the last 100 import runs, landed or rejected.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use super::runs::{self, ImportRun};
use super::{Format, ImportError, ImportOptions, ImportReport, ImportSource};
use crate::access::Identity;
use crate::http::{ApiError, AppState, LengthAtMost};
use crate::model::TableName;
use crate::vocab::Action;

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

async fn tables(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<TableRows>>, ApiError> {
    identity.require(Action::ReadImports)?;
    let counts = state.store.counts().await?;
    Ok(Json(
        counts
            .into_iter()
            .map(|(table, rows)| TableRows { table, rows })
            .collect(),
    ))
}

async fn imports(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ImportRun>>, ApiError> {
    identity.require(Action::ReadImports)?;
    Ok(Json(runs::recent(&state.store, 100).await?))
}

/// `POST /api/v1/ingest/{table}`: an NDJSON or CSV body, all or nothing.
/// The extractors run in order: who (401/403), the declared length (413),
/// then the body.
async fn ingest_table(
    State(state): State<AppState>,
    identity: Identity,
    Path(table): Path<String>,
    _: LengthAtMost<MAX_INGEST_BODY>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let table = TableName::parse(&table)
        .ok_or_else(|| ApiError::NotFound(format!("unknown table {table:?}")))?;
    identity.require_table(table)?;
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
    let source = ImportSource::from_body(table, format, body);
    let profiles = state
        .config
        .profiles()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let options = ImportOptions {
        actor: identity.name.clone(),
        ..ImportOptions::new(&format!("http:{table}:{}", identity.name), &profiles)
    };
    match super::import(&state.store, vec![source], &options).await {
        Ok(report) => {
            // The scan after an import: this year's results (and findings)
            // are recomputed in the background; readers meanwhile get the
            // previous ones marked stale.
            let year = chrono::Datelike::year(&crate::time::local_date(state.clock.now()));
            if let Ok(period) = crate::metrics::Period::new(year, None, None) {
                state
                    .results
                    .request(crate::results::refresh::Want::Latest(period));
            }
            Ok(Json(report))
        }
        Err(ImportError::Invalid { errors, total }) => Err(ApiError::Invalid { errors, total }),
        Err(ImportError::Input(message)) => Err(ApiError::BadRequest(message)),
        Err(ImportError::Store(e)) => Err(ApiError::Internal(e.to_string())),
        Err(ImportError::Audit(e)) => Err(ApiError::Internal(e.to_string())),
    }
}
