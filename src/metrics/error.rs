//! Errors of the metrics computations.

use crate::calendar::CalendarError;
use crate::store::StoreError;
use crate::time::TimestampError;

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
    /// A jurisdiction or the configuration names a profile that is not loaded.
    #[error(
        "unknown regulation profile {id:?} named by {origin}: expected one of xinxian, pingdingshan, yingkou, kaifeng, jincheng"
    )]
    UnknownProfile {
        /// The profile id.
        id: String,
        /// Who names it (`jurisdiction JUR-…` or `default_profile`).
        origin: String,
    },
    /// Jurisdictions whose parents form a cycle.
    #[error("jurisdiction {0} is its own ancestor (parent_id cycle)")]
    ParentCycle(String),
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
    /// The polars aggregation failed.
    #[error("summary computation failed: {0}")]
    Polars(#[from] polars::error::PolarsError),
}
