//! The clock: dukao's scheduled duties, run on time and once.
//!
//! tokio-cron-scheduler fires the ticks; the truth is the ledger of
//! occurrences in the store ([`ledger`]). Each job ([`JobName`]) has a
//! period (a day, a quarter, a year) and a rule for when a period falls due
//! ([`schedule`]). At each tick the [`runner`] records what fell due —
//! occurrences missed while dukao was down as the job's [`MissedPolicy`]
//! says, the skipped ones with their reason — then claims each due
//! occurrence through the database and runs it ([`work`]). A failed run is
//! retried with backoff and shows its error until one succeeds; a replica
//! that dies mid-run leaves a lease that expires.
//!
//! - `dukao jobs list` / `GET /api/v1/jobs`: schedule, last run, next run.
//! - `dukao jobs run NAME [--period P] [--again]` /
//!   `POST /api/v1/jobs/{name}/run`: through the same ledger.
//!
//! [`MissedPolicy`]: crate::vocab::MissedPolicy

pub mod api;
pub mod cli;
pub mod ledger;
pub mod runner;
pub mod schedule;
pub mod work;

use std::time::Duration;

use chrono_tz::Asia::Shanghai;
use serde::Serialize;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

pub use runner::{Attempt, ManualRun, Runner, RunnerError};
pub use schedule::{JobSettings, ScheduleError};

use crate::time::format_millis;
use crate::vocab::{JobName, MissedPolicy, OccurrenceState};
use ledger::Occurrence;

/// The settings of every job (`[jobs.<name>]` in `dukao.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobsConfig {
    settings: [JobSettings; JobName::ALL.len()],
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            settings: JobName::ALL.map(JobSettings::default_for),
        }
    }
}

impl JobsConfig {
    /// The settings of `job`.
    pub fn get(&self, job: JobName) -> &JobSettings {
        &self.settings[position(job)]
    }

    /// The settings of `job`, to change.
    pub fn get_mut(&mut self, job: JobName) -> &mut JobSettings {
        &mut self.settings[position(job)]
    }
}

fn position(job: JobName) -> usize {
    JobName::ALL
        .iter()
        .position(|j| *j == job)
        .expect("every job is in ALL")
}

/// One job as `jobs list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobStatus {
    /// The job.
    pub job: JobName,
    /// Its Chinese name.
    pub title: &'static str,
    /// Whether it runs.
    pub enabled: bool,
    /// Its cron expression (Asia/Shanghai).
    pub cron: String,
    /// What it does with missed occurrences.
    pub missed: MissedPolicy,
    /// Its last finished or running occurrence.
    pub last: Option<Occurrence>,
    /// Occurrences failed and waiting for their retry.
    pub failing: Vec<Occurrence>,
    /// Its next occurrence: period and instant (RFC 3339).
    pub next: Option<(String, String)>,
    /// Why the next occurrence cannot be told (a calendar missing).
    pub next_error: Option<String>,
    /// The same in Chinese, for the pages.
    pub next_error_chinese: Option<String>,
    /// The annual report only: where last year's report stands and the
    /// reporting dates the city's regulation gives, until it is issued.
    pub annual_report: Option<work::AnnualDeadline>,
}

/// How many recent occurrences a status looks through.
const RECENT: i64 = 20;

/// Every job's status at `now`.
pub async fn status(
    store: &crate::store::Store,
    config: &crate::config::Config,
    now: i64,
) -> Result<Vec<JobStatus>, RunnerError> {
    let calendar = config.calendar()?;
    let mut out = Vec::new();
    for job in JobName::ALL {
        let settings = config.jobs.get(job);
        let recent = ledger::recent(store, job, RECENT).await?;
        let last = recent
            .iter()
            .find(|o| o.state != OccurrenceState::Pending)
            .cloned();
        let failing = recent
            .iter()
            .filter(|o| o.state == OccurrenceState::Failed)
            .cloned()
            .collect();
        let (next, next_error, next_error_chinese) = if settings.enabled {
            match schedule::next_after(job, settings, &calendar, now) {
                Ok(next) => (
                    next.map(|d| (d.period, format_millis(d.due_at))),
                    None,
                    None,
                ),
                Err(e) => (None, Some(e.to_string()), Some(e.chinese())),
            }
        } else {
            (None, None, None)
        };
        let annual_report = match job {
            JobName::AnnualReport => {
                let year = schedule::current_period(job, now)
                    .parse::<i32>()
                    .expect("the annual report's period is a year");
                Some(work::annual_deadline(store, config, year).await?)
            }
            JobName::DailyScan
            | JobName::CaseDeadlines
            | JobName::Quarterly
            | JobName::CalendarWatch => None,
        };
        out.push(JobStatus {
            annual_report,
            job,
            title: job.chinese(),
            enabled: settings.enabled,
            cron: settings.cron.clone(),
            missed: settings.missed,
            last,
            failing,
            next,
            next_error,
            next_error_chinese,
        });
    }
    Ok(out)
}

/// The running clock: tokio-cron-scheduler ticking the runner.
pub struct Clockwork {
    scheduler: JobScheduler,
    runner: Runner,
}

/// How long shutdown waits for a running job.
pub const SHUTDOWN_WAIT: Duration = Duration::from_secs(60);

impl Clockwork {
    /// Starts ticking: each enabled job at its cron time (Asia/Shanghai),
    /// every job each minute (retries, expired leases), and once now (the
    /// catch-up of what was missed while dukao was down), in the
    /// background.
    pub async fn start(runner: Runner) -> Result<Clockwork, JobSchedulerError> {
        let scheduler = JobScheduler::new().await?;
        for job in JobName::ALL {
            let settings = runner.settings(job);
            if !settings.enabled {
                continue;
            }
            let r = runner.clone();
            let tick = Job::new_async_tz(settings.cron.as_str(), Shanghai, move |_, _| {
                let r = r.clone();
                Box::pin(async move { report(job, r.tick(job).await) })
            })?;
            scheduler.add(tick).await?;
        }
        let r = runner.clone();
        let sweep = Job::new_async("0 * * * * *", move |_, _| {
            let r = r.clone();
            Box::pin(async move {
                for (job, result) in r.tick_all().await {
                    report(job, result);
                }
            })
        })?;
        scheduler.add(sweep).await?;
        scheduler.start().await?;
        let r = runner.clone();
        tokio::spawn(async move {
            for (job, result) in r.tick_all().await {
                report(job, result);
            }
        });
        Ok(Clockwork { scheduler, runner })
    }

    /// Stops ticking and waits up to [`SHUTDOWN_WAIT`] for a running job.
    pub async fn stop(mut self) {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!(error = %e, "stopping the scheduler");
        }
        if !self.runner.drained(SHUTDOWN_WAIT).await {
            tracing::warn!(
                "a job was still running at shutdown; its lease will expire and another replica retries it"
            );
        }
    }
}

fn report(job: JobName, result: Result<Vec<Attempt>, RunnerError>) {
    match result {
        Ok(attempts) => {
            for a in attempts {
                tracing::info!(job = %a.job, period = %a.period, state = %a.state, "{}", a.message);
            }
        }
        Err(e) => tracing::error!(%job, error = %e, "the scheduler could not run the job"),
    }
}

/// Runs `period` of `job` by hand for `actor`, through the ledger, and
/// records in the audit trail that someone did (a run refused because the
/// period succeeded already changes nothing and is not recorded).
pub async fn run_audited(
    runner: &Runner,
    store: &crate::store::Store,
    actor: &str,
    job: JobName,
    period: &str,
    again: bool,
) -> Result<ManualRun, RunnerError> {
    let ran = runner.run_manually(job, period, again).await?;
    if let ManualRun::Ran(a) = &ran {
        let change = crate::audit::Change {
            actor,
            action: crate::vocab::AuditAction::JobRun,
            subject: format!("job:{job}:{period}"),
            details: serde_json::json!({
                "again": again,
                "state": a.state,
                "message": a.message,
            }),
        };
        let mut tx = store.begin().await.map_err(ledger::LedgerError::from)?;
        crate::audit::append(&mut tx, &change)
            .await
            .map_err(|e| RunnerError::Audit(e.to_string()))?;
        tx.commit().await.map_err(ledger::LedgerError::from)?;
    }
    Ok(ran)
}
