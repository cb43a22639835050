//! Import errors: one per bad row or file, all of a run collected.

use std::fmt;

use super::source::Location;
use crate::store::StoreError;

/// How many row errors a run keeps in full; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// One problem with the input: which file, which record, which column, the
/// value, and why it was rejected.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowError {
    /// The file (or `<table> body` for an HTTP push).
    pub file: String,
    /// The record, where the problem is a record's.
    pub location: Option<Location>,
    /// The column, where the problem is a cell's.
    pub column: Option<String>,
    /// The offending value.
    pub value: Option<String>,
    /// Why it was rejected.
    pub message: String,
}

impl RowError {
    /// A problem of a whole file.
    pub fn file(file: &str, message: String) -> RowError {
        RowError {
            file: file.to_string(),
            location: None,
            column: None,
            value: None,
            message,
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(location) = self.location {
            write!(f, " {location}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value {value:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Collects a run's errors: keeps the first [`MAX_REPORTED_ERRORS`], counts all.
#[derive(Debug, Default)]
pub struct ErrorSink {
    kept: Vec<RowError>,
    total: u64,
}

impl ErrorSink {
    /// Records an error.
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.kept.len() < MAX_REPORTED_ERRORS {
            self.kept.push(error);
        }
    }

    /// Whether any error was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Number of errors recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept errors and the total count.
    pub fn into_parts(self) -> (Vec<RowError>, u64) {
        (self.kept, self.total)
    }
}

/// Why an import did not land. Nothing of the run is stored in either case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input has errors; all of them are listed (up to
    /// [`MAX_REPORTED_ERRORS`], with the total count).
    #[error("{total} error(s) in the input; nothing was imported")]
    Invalid {
        /// The errors kept.
        errors: Vec<RowError>,
        /// How many there were.
        total: u64,
    },
    /// A path holds no interchange file, or a file is not named after a table.
    #[error("{0}")]
    Input(String),
    /// The store failed; the run was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The audit entry of the run could not be written; it was rolled back.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(StoreError::Query(e))
    }
}
