//! The ledger of occurrences: the scheduler's truth. Owns
//! `job_occurrences`.
//!
//! Each (job, period) is one row, unique, so that an occurrence exists
//! once whatever the number of replicas that noticed it was due. Claiming
//! moves a row to `running` under a lease (the claimer's name and an
//! expiry) in one conditional `UPDATE`:
//!
//! - on PostgreSQL the candidate row is picked `FOR UPDATE SKIP LOCKED`,
//!   under a transaction-scoped advisory lock on the job, so that two
//!   replicas never claim the same row and never run two periods of one
//!   job at once;
//! - on SQLite the single writer serialises the statement.
//!
//! A row is claimable when pending, failed with its next attempt due, or
//! running under a lease that expired (its claimer died); never while
//! another occurrence of the same job runs under a live lease.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::store::{Backend, Store};
use crate::vocab::{JobName, OccurrenceState, Trigger};

/// Scalar subqueries that move whenever an occurrence is added, claimed or
/// finished (its row count, its latest start, its latest end), for a query
/// that asks several owners at once whether anything changed (the pages'
/// cache: `pages::kept`).
pub const MARKS: [&str; 3] = [
    "(SELECT COUNT(*) FROM job_occurrences)",
    "(SELECT COALESCE(MAX(started_at), 0) FROM job_occurrences)",
    "(SELECT COALESCE(MAX(finished_at), 0) FROM job_occurrences)",
];

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A row holds a value the vocabulary does not know.
    #[error("job_occurrences row {job}/{period}: {message}")]
    Corrupt {
        /// The job column.
        job: String,
        /// The period column.
        period: String,
        /// What is wrong.
        message: String,
    },
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Occurrence {
    /// The job.
    pub job: JobName,
    /// The period.
    pub period: String,
    /// When it fell due (ms).
    pub due_at: i64,
    /// Where it stands.
    pub state: OccurrenceState,
    /// Why it ran.
    pub trigger: Trigger,
    /// Attempts so far.
    pub attempts: i64,
    /// Who holds or last held it.
    pub lease_owner: Option<String>,
    /// Until when the lease holds (ms).
    pub lease_until: Option<i64>,
    /// When the last attempt started (ms).
    pub started_at: Option<i64>,
    /// When the last attempt ended (ms).
    pub finished_at: Option<i64>,
    /// When a failed one is tried again (ms).
    pub next_attempt_at: Option<i64>,
    /// What a successful run did, or why one was skipped.
    pub outcome: Option<String>,
    /// What a successful run warns of (a calendar not loaded).
    pub warning: Option<String>,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

const COLUMNS: &str = "job, period, due_at, state, trigger, attempts, lease_owner, lease_until, \
     started_at, finished_at, next_attempt_at, outcome, warning, error";

fn from_row(row: &AnyRow) -> Result<Occurrence, LedgerError> {
    let job: String = row.try_get("job")?;
    let period: String = row.try_get("period")?;
    let corrupt = |message: String| LedgerError::Corrupt {
        job: job.clone(),
        period: period.clone(),
        message,
    };
    let state: String = row.try_get("state")?;
    let trigger: String = row.try_get("trigger")?;
    Ok(Occurrence {
        job: job
            .parse()
            .map_err(|e: crate::vocab::ParseNameError| corrupt(e.to_string()))?,
        state: state
            .parse()
            .map_err(|e: crate::vocab::ParseNameError| corrupt(e.to_string()))?,
        trigger: trigger
            .parse()
            .map_err(|e: crate::vocab::ParseNameError| corrupt(e.to_string()))?,
        due_at: row.try_get("due_at")?,
        attempts: row.try_get("attempts")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: row.try_get("lease_until")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        outcome: row.try_get("outcome")?,
        warning: row.try_get("warning")?,
        error: row.try_get("error")?,
        period,
    })
}

/// The newest due instant the ledger knows of `job` (ms).
pub async fn latest_due(store: &Store, job: JobName) -> Result<Option<i64>, LedgerError> {
    let row = sqlx::query("SELECT MAX(due_at) FROM job_occurrences WHERE job = $1")
        .bind(job.as_str())
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?)
}

/// One occurrence.
pub async fn get(
    store: &Store,
    job: JobName,
    period: &str,
) -> Result<Option<Occurrence>, LedgerError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM job_occurrences WHERE job = $1 AND period = $2"
    ))
    .bind(job.as_str())
    .bind(period)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The newest occurrences of `job`, newest first.
pub async fn recent(
    store: &Store,
    job: JobName,
    limit: i64,
) -> Result<Vec<Occurrence>, LedgerError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM job_occurrences WHERE job = $1 \
         ORDER BY due_at DESC, period DESC LIMIT $2"
    ))
    .bind(job.as_str())
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Records an occurrence as pending unless the ledger has it already
/// (another replica noticed it first); returns whether this call did.
pub async fn add_pending(
    store: &Store,
    job: JobName,
    period: &str,
    due_at: i64,
    trigger: Trigger,
) -> Result<bool, LedgerError> {
    let done = sqlx::query(
        "INSERT INTO job_occurrences (job, period, due_at, state, trigger, attempts) \
         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (job, period) DO NOTHING",
    )
    .bind(job.as_str())
    .bind(period)
    .bind(due_at)
    .bind(OccurrenceState::Pending.as_str())
    .bind(trigger.as_str())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a missed occurrence as skipped, with the reason, unless the
/// ledger has it already.
pub async fn add_skipped(
    store: &Store,
    job: JobName,
    period: &str,
    due_at: i64,
    reason: &str,
    now: i64,
) -> Result<bool, LedgerError> {
    let done = sqlx::query(
        "INSERT INTO job_occurrences (job, period, due_at, state, trigger, attempts, finished_at, outcome) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT (job, period) DO NOTHING",
    )
    .bind(job.as_str())
    .bind(period)
    .bind(due_at)
    .bind(OccurrenceState::Skipped.as_str())
    .bind(Trigger::CatchUp.as_str())
    .bind(now)
    .bind(reason)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes a finished occurrence pending again for a manual run (`--again`);
/// one running is left alone. Returns whether it did.
pub async fn reopen(store: &Store, job: JobName, period: &str) -> Result<bool, LedgerError> {
    let done = sqlx::query(
        "UPDATE job_occurrences SET state = $3, trigger = $4, next_attempt_at = NULL \
         WHERE job = $1 AND period = $2 AND state IN ($5, $6, $7)",
    )
    .bind(job.as_str())
    .bind(period)
    .bind(OccurrenceState::Pending.as_str())
    .bind(Trigger::Manual.as_str())
    .bind(OccurrenceState::Succeeded.as_str())
    .bind(OccurrenceState::Skipped.as_str())
    .bind(OccurrenceState::Failed.as_str())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A claim: who asks, until when, and (for a manual run) which period.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The job.
    pub job: JobName,
    /// Only this period (a manual run), else the oldest claimable one.
    pub period: Option<&'a str>,
    /// The claimer's name (its replica).
    pub owner: &'a str,
    /// Now (ms).
    pub now: i64,
    /// How long the lease holds (ms).
    pub lease_ms: i64,
    /// Whether a failed occurrence may be claimed before its next attempt
    /// is due (a manual run).
    pub retry_now: bool,
}

/// Claims an occurrence of the job, if one is claimable and no other
/// occurrence of the job runs; returns it, now `running` under the claim.
pub async fn claim(store: &Store, c: &Claim<'_>) -> Result<Option<Occurrence>, LedgerError> {
    let mut tx = store.begin().await?;
    let lock = match store.backend() {
        Backend::Postgres => {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("dukao-job:{}", c.job))
                .execute(&mut *tx)
                .await?;
            " FOR UPDATE SKIP LOCKED"
        }
        Backend::Sqlite => "",
    };
    // $1 job, $2 owner, $3 now, $4 lease end, $5 running, $6 pending,
    // $7 failed, $8 the period or NULL, $9 retry failed now (1/0).
    let sql = format!(
        "UPDATE job_occurrences SET state = $5, lease_owner = $2, lease_until = $4, \
         started_at = $3, attempts = attempts + 1 \
         WHERE job = $1 AND period = (\
           SELECT period FROM job_occurrences \
           WHERE job = $1 AND ($8 IS NULL OR period = $8) AND (\
             state = $6 \
             OR (state = $7 AND ($9 = 1 OR next_attempt_at <= $3)) \
             OR (state = $5 AND lease_until < $3)) \
           ORDER BY due_at, period LIMIT 1{lock}) \
         AND NOT EXISTS (SELECT 1 FROM job_occurrences r \
           WHERE r.job = $1 AND r.state = $5 AND r.lease_until >= $3) \
         RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(c.job.as_str())
        .bind(c.owner)
        .bind(c.now)
        .bind(c.now + c.lease_ms)
        .bind(OccurrenceState::Running.as_str())
        .bind(OccurrenceState::Pending.as_str())
        .bind(OccurrenceState::Failed.as_str())
        .bind(c.period)
        .bind(i64::from(c.retry_now))
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    row.as_ref().map(from_row).transpose()
}

/// Extends the lease of a running occurrence the owner still holds;
/// returns whether it still held it.
pub async fn renew(
    conn: &mut AnyConnection,
    job: JobName,
    period: &str,
    owner: &str,
    until: i64,
) -> Result<bool, LedgerError> {
    let done = sqlx::query(
        "UPDATE job_occurrences SET lease_until = $4 \
         WHERE job = $1 AND period = $2 AND lease_owner = $3 AND state = $5",
    )
    .bind(job.as_str())
    .bind(period)
    .bind(owner)
    .bind(until)
    .bind(OccurrenceState::Running.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Ended {
    /// Done: what it did, and what it warns of.
    Succeeded {
        /// What it did.
        outcome: String,
        /// What it warns of.
        warning: Option<String>,
    },
    /// Failed: why, and when to try again (ms).
    Failed {
        /// The error.
        error: String,
        /// The next attempt.
        retry_at: i64,
    },
}

/// Records how the owner's attempt ended; returns false when the owner
/// had lost the lease meanwhile (another replica took the occurrence over
/// after it expired), in which case nothing is written.
pub async fn finish(
    store: &Store,
    job: JobName,
    period: &str,
    owner: &str,
    now: i64,
    ended: &Ended,
) -> Result<bool, LedgerError> {
    let (state, outcome, warning, error, retry_at) = match ended {
        Ended::Succeeded { outcome, warning } => (
            OccurrenceState::Succeeded,
            Some(outcome.as_str()),
            warning.as_deref(),
            None,
            None,
        ),
        Ended::Failed { error, retry_at } => (
            OccurrenceState::Failed,
            None,
            None,
            Some(error.as_str()),
            Some(*retry_at),
        ),
    };
    let done = sqlx::query(
        "UPDATE job_occurrences SET state = $4, finished_at = $5, outcome = $6, warning = $7, \
         error = $8, next_attempt_at = $9, lease_until = NULL \
         WHERE job = $1 AND period = $2 AND lease_owner = $3 AND state = $10",
    )
    .bind(job.as_str())
    .bind(period)
    .bind(owner)
    .bind(state.as_str())
    .bind(now)
    .bind(outcome)
    .bind(warning)
    .bind(error)
    .bind(retry_at)
    .bind(OccurrenceState::Running.as_str())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
