//! What each job does when its occurrence runs. One exhaustive `match`
//! dispatches; each job's file does its own work and says in one line
//! what it did (the ledger's `outcome`), and what it warns of.

mod annual_report;
mod calendar_watch;
mod case_deadlines;
mod daily_scan;
mod quarterly;

use chrono::NaiveDate;

use crate::config::Config;
use crate::store::Store;
use crate::time::Clock;
use crate::vocab::JobName;

pub use annual_report::{AnnualDeadline, FROZEN_BY, annual_deadline};
pub use daily_scan::{Digest, Reminder};

/// Why a job's run failed (recorded in the ledger, retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// Judging or storing the results failed.
    #[error(transparent)]
    Compute(#[from] crate::results::compute::ComputeError),
    /// The evaluation could not be frozen.
    #[error(transparent)]
    Evaluation(#[from] crate::evaluation::EvaluationError),
    /// A document could not be prepared or rendered.
    #[error(transparent)]
    Document(#[from] crate::documents::DocumentError),
    /// The cases could not be read.
    #[error(transparent)]
    Cases(#[from] crate::cases::CaseError),
    /// The organisation could not be loaded.
    #[error(transparent)]
    Org(#[from] crate::org::OrgError),
    /// The regulation profiles could not be loaded.
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
    /// The calendar could not be loaded or lacks a year.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// A stored result could not be written.
    #[error(transparent)]
    Results(#[from] crate::results::ResultsError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A draft could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A stored value does not parse or serialise (named).
    #[error("{0}")]
    Stored(String),
    /// The period does not name what the job needs.
    #[error("period {0:?} is not one this job can run")]
    Period(String),
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// One line, in Chinese, for the ledger and the pages.
    pub summary: String,
    /// What it warns of, if anything.
    pub warning: Option<String>,
}

impl Outcome {
    fn done(summary: String) -> Outcome {
        Outcome {
            summary,
            warning: None,
        }
    }
}

/// What a job's run is given.
pub struct Run<'a> {
    /// The store.
    pub store: &'a Store,
    /// The configuration.
    pub config: &'a Config,
    /// Now (ms), at the start of the run.
    pub now: i64,
    /// The period.
    pub period: &'a str,
}

impl Run<'_> {
    fn today(&self) -> NaiveDate {
        crate::time::local_date(self.now)
    }

    fn day_of_period(&self) -> Result<NaiveDate, WorkError> {
        NaiveDate::parse_from_str(self.period, "%Y-%m-%d")
            .map_err(|_| WorkError::Period(self.period.to_string()))
    }

    fn year_of_period(&self) -> Result<i32, WorkError> {
        self.period
            .parse()
            .map_err(|_| WorkError::Period(self.period.to_string()))
    }

    fn drafts_dir(&self) -> std::path::PathBuf {
        self.config.archive_dir.join("drafts")
    }

    fn write_draft(&self, name: &str, bytes: &[u8]) -> Result<String, WorkError> {
        let dir = self.drafts_dir();
        let path = dir.join(name);
        let failed = |source| WorkError::Write {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        std::fs::write(&path, bytes).map_err(failed)?;
        Ok(path.display().to_string())
    }
}

/// Runs `period` of `job`.
pub async fn run(
    store: &Store,
    config: &Config,
    clock: &Clock,
    job: JobName,
    period: &str,
) -> Result<Outcome, WorkError> {
    let run = Run {
        store,
        config,
        now: clock.now(),
        period,
    };
    match job {
        JobName::DailyScan => daily_scan::run(&run).await,
        JobName::CaseDeadlines => case_deadlines::run(&run).await,
        JobName::Quarterly => quarterly::run(&run).await,
        JobName::AnnualReport => annual_report::run(&run).await,
        JobName::CalendarWatch => calendar_watch::run(&run),
    }
}
