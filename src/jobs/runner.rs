//! Running the jobs through the ledger: noticing what fell due, deciding
//! what to do with missed occurrences, claiming, running, retrying.
//!
//! [`Runner::tick`] is the whole cycle for one job at the runner's clock;
//! tokio-cron-scheduler calls it at each job's cron time, at start (the
//! catch-up) and every minute (retries, expired leases). Tests call it
//! with a manual clock instead, and never sleep.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, watch};

use super::ledger::{self, Claim, Ended, LedgerError, Occurrence};
use super::schedule::{self, JobSettings, ScheduleError};
use super::work::{self, Outcome};
use crate::config::Config;
use crate::store::Store;
use crate::time::{Clock, format_millis};
use crate::vocab::{JobName, MissedPolicy, OccurrenceState, Trigger};

/// Why the runner could not do its part (a job's own failure is not one
/// of these: it is recorded in the ledger and retried).
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The schedule could not be followed.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// The calendar could not be loaded.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// The audit trail could not be written.
    #[error("audit trail: {0}")]
    Audit(String),
    /// What a job follows could not be read (the annual report's state).
    #[error(transparent)]
    Work(#[from] super::work::WorkError),
}

/// How long a claim holds before another replica may take the occurrence
/// over (renewed while the job runs).
pub const LEASE: Duration = Duration::from_secs(10 * 60);
/// An occurrence claimed within this time after falling due runs on
/// schedule; later, it was missed and the job's policy decides.
pub const GRACE: Duration = Duration::from_secs(60 * 60);
/// The first retry of a failed run waits this long, doubling to at most
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(60);
/// The longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// What one attempt of an occurrence came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    /// The job.
    pub job: JobName,
    /// The period.
    pub period: String,
    /// Why it ran.
    pub trigger: Trigger,
    /// Succeeded or failed.
    pub state: OccurrenceState,
    /// What it did, or its error.
    pub message: String,
}

/// What a manual run came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ManualRun {
    /// It ran.
    Ran(Attempt),
    /// The period succeeded already and `again` was not asked: nothing ran.
    AlreadySucceeded(Occurrence),
    /// Another attempt of the job is running (here or on another replica).
    Busy(Option<Occurrence>),
}

/// Runs jobs through the ledger.
#[derive(Clone)]
pub struct Runner {
    store: Store,
    config: Arc<Config>,
    clock: Clock,
    owner: Arc<str>,
    /// One lock per job: the same job never overlaps itself in this
    /// process (the ledger sees to it across replicas).
    locks: Arc<[Mutex<()>; JobName::ALL.len()]>,
    running: watch::Sender<usize>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("owner", &self.owner)
            .finish()
    }
}

impl Runner {
    /// A runner named `owner` (unique per replica: host and process).
    pub fn new(store: Store, config: Arc<Config>, clock: Clock, owner: &str) -> Runner {
        Runner {
            store,
            config,
            clock,
            owner: owner.into(),
            locks: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
            running: watch::channel(0).0,
        }
    }

    /// This replica's default name: host, process id and a random suffix.
    pub fn replica_name() -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "dukao".into());
        let mut suffix = [0u8; 4];
        getrandom::fill(&mut suffix).ok();
        format!(
            "{host}-{}-{:08x}",
            std::process::id(),
            u32::from_le_bytes(suffix)
        )
    }

    /// The settings of `job`.
    pub fn settings(&self, job: JobName) -> &JobSettings {
        self.config.jobs.get(job)
    }

    /// Every enabled job's cycle, one job after the other.
    pub async fn tick_all(&self) -> Vec<(JobName, Result<Vec<Attempt>, RunnerError>)> {
        let mut out = Vec::new();
        for job in JobName::ALL {
            if self.settings(job).enabled {
                out.push((job, self.tick(job).await));
            }
        }
        out
    }

    /// One job's cycle at the runner's clock: records the occurrences that
    /// fell due since the ledger last looked (missed ones as its policy
    /// says), then claims and runs every claimable one, oldest first.
    pub async fn tick(&self, job: JobName) -> Result<Vec<Attempt>, RunnerError> {
        let _one = self.locks[index(job)].lock().await;
        self.notice(job).await?;
        let mut attempts = Vec::new();
        loop {
            let claim = Claim {
                job,
                period: None,
                owner: &self.owner,
                now: self.clock.now(),
                lease_ms: millis(LEASE),
                retry_now: false,
            };
            let Some(occurrence) = ledger::claim(&self.store, &claim).await? else {
                break;
            };
            attempts.push(self.attempt(occurrence).await?);
        }
        Ok(attempts)
    }

    /// Records what fell due since the ledger's newest occurrence of `job`
    /// (on a new ledger, within the job's lookback): the on-time ones as
    /// pending, the missed ones as the job's policy says.
    async fn notice(&self, job: JobName) -> Result<(), RunnerError> {
        let settings = self.settings(job);
        let now = self.clock.now();
        let horizon = now - schedule::lookback_days(job) * 86_400_000;
        let after = ledger::latest_due(&self.store, job)
            .await?
            .map_or(horizon, |t| t.max(horizon));
        let calendar = self.config.calendar()?;
        let due = schedule::due_between(job, settings, &calendar, after, now)?;
        let (on_time, missed): (Vec<_>, Vec<_>) = due
            .into_iter()
            .partition(|d| now - d.due_at <= millis(GRACE));
        let runs = match settings.missed {
            MissedPolicy::Latest if on_time.is_empty() => 1,
            MissedPolicy::Latest | MissedPolicy::Skip => 0,
            MissedPolicy::All => settings.cap as usize,
        };
        let newest_first: Vec<_> = missed.iter().rev().collect();
        for (i, d) in newest_first.iter().enumerate() {
            if i < runs {
                ledger::add_pending(&self.store, job, &d.period, d.due_at, Trigger::CatchUp)
                    .await?;
                continue;
            }
            let reason = match settings.missed {
                MissedPolicy::Latest => {
                    let by = on_time
                        .last()
                        .or(newest_first.first().copied())
                        .map_or(String::new(), |n| n.period.clone());
                    format!("停机期间错过，由 {by} 的运行代替（补运行策略：只补最近一次）")
                }
                MissedPolicy::All => format!(
                    "停机期间错过，超出补运行上限 {} 次（补运行策略：逐一补运行）",
                    settings.cap
                ),
                MissedPolicy::Skip => {
                    "停机期间错过，本任务不补运行（补运行策略：不补运行）".to_string()
                }
            };
            ledger::add_skipped(&self.store, job, &d.period, d.due_at, &reason, now).await?;
        }
        for d in &on_time {
            ledger::add_pending(&self.store, job, &d.period, d.due_at, Trigger::Schedule).await?;
        }
        Ok(())
    }

    /// Runs `period` of `job` now, through the ledger: a period that
    /// succeeded already is left alone unless `again`.
    pub async fn run_manually(
        &self,
        job: JobName,
        period: &str,
        again: bool,
    ) -> Result<ManualRun, RunnerError> {
        let _one = self.locks[index(job)].lock().await;
        let now = self.clock.now();
        match ledger::get(&self.store, job, period).await? {
            Some(o) if o.state == OccurrenceState::Succeeded && !again => {
                return Ok(ManualRun::AlreadySucceeded(o));
            }
            Some(o) if o.state == OccurrenceState::Running && o.lease_until >= Some(now) => {
                return Ok(ManualRun::Busy(Some(o)));
            }
            Some(_) => {
                ledger::reopen(&self.store, job, period).await?;
            }
            None => {
                ledger::add_pending(&self.store, job, period, now, Trigger::Manual).await?;
            }
        }
        let claim = Claim {
            job,
            period: Some(period),
            owner: &self.owner,
            now,
            lease_ms: millis(LEASE),
            retry_now: true,
        };
        match ledger::claim(&self.store, &claim).await? {
            Some(o) => Ok(ManualRun::Ran(self.attempt(o).await?)),
            None => Ok(ManualRun::Busy(None)),
        }
    }

    /// Runs a claimed occurrence, renewing its lease meanwhile, and records
    /// how it ended.
    async fn attempt(&self, o: Occurrence) -> Result<Attempt, RunnerError> {
        self.running.send_modify(|n| *n += 1);
        let _done = Finished(&self.running);
        let job = o.job;
        let work = work::run(&self.store, &self.config, &self.clock, job, &o.period);
        let renew = async {
            let mut every = tokio::time::interval(LEASE / 3);
            every.tick().await;
            loop {
                every.tick().await;
                let until = self.clock.now() + millis(LEASE);
                match self.store.pool().acquire().await {
                    Ok(mut conn) => {
                        if let Ok(false) =
                            ledger::renew(&mut conn, job, &o.period, &self.owner, until).await
                        {
                            tracing::warn!(%job, period = %o.period, "lost the lease of a running job");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot renew a job's lease"),
                }
            }
        };
        let result: Result<Outcome, String> = tokio::select! {
            r = work => r.map_err(|e| e.to_string()),
            _ = renew => unreachable!("renewing never ends"),
        };
        let now = self.clock.now();
        let (ended, state, message) = match result {
            Ok(outcome) => {
                let message = outcome.summary.clone();
                (
                    Ended::Succeeded {
                        outcome: outcome.summary,
                        warning: outcome.warning,
                    },
                    OccurrenceState::Succeeded,
                    message,
                )
            }
            Err(error) => {
                let retry_at = now + millis(backoff(o.attempts));
                tracing::error!(%job, period = %o.period, %error, retry_at = %format_millis(retry_at), "job failed");
                (
                    Ended::Failed {
                        error: error.clone(),
                        retry_at,
                    },
                    OccurrenceState::Failed,
                    error,
                )
            }
        };
        if !ledger::finish(&self.store, job, &o.period, &self.owner, now, &ended).await? {
            tracing::warn!(%job, period = %o.period, "the lease expired while the job ran; another replica took it over");
        }
        Ok(Attempt {
            job,
            period: o.period,
            trigger: o.trigger,
            state,
            message,
        })
    }

    /// Resolves once no job runs in this process, or after `timeout`;
    /// returns whether none runs.
    pub async fn drained(&self, timeout: Duration) -> bool {
        let mut rx = self.running.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n == 0))
            .await
            .is_ok()
    }
}

/// Counts a running attempt down when it ends, however it ends.
struct Finished<'a>(&'a watch::Sender<usize>);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// The wait before retrying after the `attempts`-th failure.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    (FIRST_BACKOFF * 2u32.pow(doublings)).min(MAX_BACKOFF)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn index(job: JobName) -> usize {
    JobName::ALL
        .iter()
        .position(|j| *j == job)
        .expect("every job is in ALL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(60));
        assert_eq!(backoff(2), Duration::from_secs(120));
        assert_eq!(backoff(4), Duration::from_secs(480));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
