//! Errors of the metrics computations.

use crate::calendar::CalendarError;
use crate::org::OrgError;
use crate::rules::RulesError;
use crate::store::StoreError;
use crate::time::TimestampError;
use crate::vocab::ParseNameError;

/// Why a check or the summary could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The working-day calendar could not be loaded.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The regulation profiles could not be loaded.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The organisation could not be resolved.
    #[error(transparent)]
    Org(#[from] OrgError),
    /// A stored value is not in its vocabulary (the importer and the
    /// metrics write only known values, so the store was changed behind
    /// their back).
    #[error("{table} {key}: column {column}: {source}")]
    Stored {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// The column.
        column: &'static str,
        /// What is wrong.
        source: ParseNameError,
    },
    /// The period is not a valid year, quarter or month.
    #[error("invalid period: {0}")]
    Period(String),
    /// `--as-of` is not a timestamp.
    #[error("invalid as-of instant {value:?}: {source}")]
    AsOf {
        /// The text given.
        value: String,
        /// Why it was rejected.
        source: TimestampError,
    },
    /// A packed row could not be read (a bug, or a column of the wrong type).
    #[error("cannot read a stored row: {0}")]
    Decode(String),
    /// A check's task panicked or was cancelled.
    #[error("a check failed to complete: {0}")]
    Task(String),
    /// The rectification cases could not be read.
    #[error(transparent)]
    Cases(Box<crate::cases::CaseError>),
    /// The polars aggregation failed.
    #[error("summary computation failed: {0}")]
    Polars(#[from] polars::error::PolarsError),
}
