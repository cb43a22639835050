//! The HTTP service: health, the JSON API, and the platform's ingest endpoint.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use tower_http::trace::TraceLayer;

use crate::config::{Config, Operator};
use crate::ingest::{self, Format, ImportError, ImportOptions, ImportSource};
use crate::model::TableName;
use crate::store::{Store, get_bool};

/// Largest request body the ingest endpoint takes (larger exports go through
/// `dukao import`).
pub const MAX_INGEST_BODY: usize = 256 << 20;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The configuration.
    pub config: Arc<Config>,
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/tables", get(tables))
        .route("/api/v1/jurisdictions", get(jurisdictions))
        .route("/api/v1/departments", get(departments))
        .route("/api/v1/imports", get(imports))
        .route(
            "/api/v1/ingest/{table}",
            post(ingest_table).layer(DefaultBodyLimit::max(MAX_INGEST_BODY)),
        )
        .merge(crate::metrics::api::routes())
        .merge(crate::evaluation::api::routes())
        .merge(crate::documents::api::routes())
        .merge(crate::audit::routes())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// An error answered as JSON `{"error": "..."}` with its status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or wrong token.
    #[error("missing or invalid platform token")]
    Unauthorized,
    /// A state change without the token of a configured operator.
    #[error(
        "this changes state: present an operator's token (Authorization: Bearer …); \
         operators are configured under [[operators]] or in DUKAO_OPERATORS"
    )]
    OperatorRequired,
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// Unsupported body type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// The body's rows failed validation; nothing was stored.
    #[error("{total} error(s) in the input; nothing was imported")]
    Invalid {
        /// Errors kept.
        errors: Vec<ingest::RowError>,
        /// All errors.
        total: u64,
    },
    /// Anything else.
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unauthorized | ApiError::OperatorRequired => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        }
        let body = match &self {
            ApiError::Invalid { errors, total } => json!({
                "error": self.to_string(),
                "total": total,
                "errors": errors,
            }),
            _ => json!({ "error": self.to_string() }),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("static header"),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    sqlx::query("SELECT 1").execute(state.store.pool()).await?;
    Ok(Json(
        json!({ "status": "ok", "backend": state.store.backend() }),
    ))
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

#[derive(Serialize)]
struct Jurisdiction {
    id: String,
    name: String,
    level: String,
    parent_id: Option<String>,
    profile: Option<String>,
    departments: i64,
}

async fn jurisdictions(State(state): State<AppState>) -> Result<Json<Vec<Jurisdiction>>, ApiError> {
    let rows = sqlx::query(
        "SELECT j.id, j.name, j.level, j.parent_id, j.profile, \
                (SELECT COUNT(*) FROM departments d WHERE d.jurisdiction_id = j.id) \
         FROM jurisdictions j ORDER BY j.id",
    )
    .fetch_all(state.store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Jurisdiction {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            level: r.try_get(2)?,
            parent_id: r.try_get(3)?,
            profile: r.try_get(4)?,
            departments: r.try_get(5)?,
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
struct DepartmentFilter {
    jurisdiction_id: Option<String>,
}

#[derive(Serialize)]
struct Department {
    id: String,
    name: String,
    jurisdiction_id: String,
    credit_code: Option<String>,
    is_authority: bool,
    catalog_entries: i64,
}

async fn departments(
    State(state): State<AppState>,
    Query(filter): Query<DepartmentFilter>,
) -> Result<Json<Vec<Department>>, ApiError> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.jurisdiction_id, d.credit_code, d.is_authority, \
                (SELECT COUNT(*) FROM catalog_entries e WHERE e.department_id = d.id) AS entries \
         FROM departments d \
         WHERE ($1 IS NULL OR d.jurisdiction_id = $1) ORDER BY d.id",
    )
    .bind(filter.jurisdiction_id)
    .fetch_all(state.store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Department {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            jurisdiction_id: r.try_get(2)?,
            credit_code: r.try_get(3)?,
            is_authority: get_bool(&r, "is_authority")?.unwrap_or(false),
            catalog_entries: r.try_get(5)?,
        });
    }
    Ok(Json(out))
}

#[derive(Serialize)]
struct ImportRun {
    id: i64,
    source: String,
    started_at: String,
    finished_at: String,
    rows: i64,
    errors: i64,
    landed: bool,
    summary: String,
}

async fn imports(State(state): State<AppState>) -> Result<Json<Vec<ImportRun>>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, source, started_at, finished_at, rows, errors, landed, summary \
         FROM import_runs ORDER BY id DESC LIMIT 100",
    )
    .fetch_all(state.store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(ImportRun {
            id: r.try_get(0)?,
            source: r.try_get(1)?,
            started_at: crate::time::format_millis(r.try_get(2)?),
            finished_at: crate::time::format_millis(r.try_get(3)?),
            rows: r.try_get(4)?,
            errors: r.try_get(5)?,
            landed: get_bool(&r, "landed")?.unwrap_or(false),
            summary: r.try_get(7)?,
        });
    }
    Ok(Json(out))
}

/// `POST /api/v1/ingest/{table}`: an NDJSON or CSV body, all or nothing.
async fn ingest_table(
    State(state): State<AppState>,
    Path(table): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ingest::ImportReport>, ApiError> {
    authorize(&headers, &state.config.ingest_tokens)?;
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
    let options = ImportOptions {
        progress: false,
        origin: format!("http:{table}"),
    };
    match ingest::import(&state.store, vec![source], &options).await {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::Invalid { errors, total }) => Err(ApiError::Invalid { errors, total }),
        Err(ImportError::Input(message)) => Err(ApiError::BadRequest(message)),
        Err(ImportError::Store(e)) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Checks `Authorization: Bearer <token>` against the configured tokens.
fn authorize(headers: &HeaderMap, tokens: &[String]) -> Result<(), ApiError> {
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
    if tokens
        .iter()
        .any(|t| !t.is_empty() && constant_time_eq(t.as_bytes(), presented.as_bytes()))
    {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// The configured operator whose token the request presents: the name that
/// goes into the archive and the audit trail. Platform (ingest) tokens are
/// not operator tokens.
pub fn operator<'a>(headers: &HeaderMap, operators: &'a [Operator]) -> Result<&'a str, ApiError> {
    let presented = bearer(headers).ok_or(ApiError::OperatorRequired)?;
    operators
        .iter()
        .find(|o| !o.token.is_empty() && constant_time_eq(o.token.as_bytes(), presented.as_bytes()))
        .map(|o| o.name.as_str())
        .ok_or(ApiError::OperatorRequired)
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Compares without leaking where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.bind).await?;
    tracing::info!(address = %listener.local_addr()?, backend = ?state.store.backend(), "dukao is serving");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
