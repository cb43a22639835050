//! A page as a PDF (`format=pdf` on 总览 and on a department's page): the
//! page's figures as tables and its charts, rendered by the documents'
//! typst engine on A4 ([`crate::documents::engine::PAGE_TEMPLATE`]), with
//! the same basis line as the page (as-of instant, data version, scheme).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::documents::Engine;
use crate::http::ApiError;

/// One table of a printed page.
#[derive(Debug, Clone, Serialize)]
pub struct PrintTable {
    /// Its heading.
    pub heading: String,
    /// The column heads.
    pub header: Vec<String>,
    /// The rows, as text, as many cells as heads.
    pub rows: Vec<Vec<String>>,
}

/// One chart of a printed page (plotters SVG, the page's own).
#[derive(Debug, Clone, Serialize)]
pub struct PrintChart {
    /// The SVG.
    pub svg: String,
    /// What it shows.
    pub caption: String,
}

/// A printed page.
#[derive(Debug, Clone, Serialize)]
pub struct Printed {
    /// The title.
    pub title: String,
    /// What its figures rest on (plain text).
    pub basis: String,
    /// Its tables.
    pub tables: Vec<PrintTable>,
    /// Its charts.
    pub charts: Vec<PrintChart>,
}

impl Printed {
    /// The PDF, as a download named `filename`.
    pub async fn respond(self, filename: &str) -> Result<Response, ApiError> {
        let inputs = serde_json::to_value(&self).map_err(|e| ApiError::Internal(e.to_string()))?;
        let bytes = Engine::shared()?.render_page(inputs).await?;
        Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response())
    }
}
