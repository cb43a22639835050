//! `dukao jobs list` and `dukao jobs run NAME [--period P] [--again]`.

use std::io::Write;

use super::{JobStatus, ManualRun, Runner, schedule};
use crate::config::Config;
use crate::store::Store;
use crate::time::{Clock, format_millis};
use crate::vocab::{JobName, OccurrenceState};

/// `dukao jobs …`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum JobsCommand {
    /// Every job: its schedule, its last run with the outcome, its next run,
    /// and the failures waiting for a retry.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run one job's period now, through the ledger (a period that
    /// succeeded already is left alone unless --again).
    Run {
        /// daily-scan, case-deadlines, quarterly, annual-report, calendar-watch.
        name: JobName,
        /// The period: a day (2026-03-04), a quarter (2026Q2), a year
        /// (2025, the annual report's). Default: the latest one due.
        #[arg(long)]
        period: Option<String>,
        /// Run a period that succeeded already once more.
        #[arg(long)]
        again: bool,
    },
}

/// Runs `dukao jobs …`.
pub async fn run_jobs(
    config: &Config,
    store: &Store,
    command: &JobsCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let clock = Clock::system();
    match command {
        JobsCommand::List { json } => {
            let jobs = super::status(store, config, clock.now()).await?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &jobs)?;
                writeln!(out)?;
            } else {
                write_table(&jobs, out)?;
            }
        }
        JobsCommand::Run {
            name,
            period,
            again,
        } => {
            let period = match period {
                Some(p) => schedule::parse_period(*name, p)?,
                None => schedule::current_period(*name, clock.now()),
            };
            let runner = Runner::new(
                store.clone(),
                std::sync::Arc::new(config.clone()),
                clock,
                &Runner::replica_name(),
            );
            let ran = super::run_audited(&runner, store, "cli", *name, &period, *again).await?;
            write_manual(&ran, out)?;
            if let ManualRun::Ran(a) = &ran {
                if a.state == OccurrenceState::Failed {
                    anyhow::bail!(
                        "{name} {period} failed; it is retried with backoff by `dukao serve`"
                    );
                }
            }
        }
    }
    Ok(())
}

/// Prints what a manual run came to.
pub fn write_manual(ran: &ManualRun, out: &mut dyn Write) -> std::io::Result<()> {
    match ran {
        ManualRun::Ran(a) => writeln!(
            out,
            "{} {}: {}（{}）",
            a.job,
            a.period,
            a.state.chinese(),
            a.message
        ),
        ManualRun::AlreadySucceeded(o) => writeln!(
            out,
            "{} {} 已于 {} 成功运行，未再次运行（需要重新运行请加 --again）：{}",
            o.job,
            o.period,
            o.finished_at.map(format_millis).unwrap_or_default(),
            o.outcome.as_deref().unwrap_or("")
        ),
        ManualRun::Busy(o) => writeln!(
            out,
            "{} 正在运行{}，请稍后再试",
            o.as_ref().map_or(String::new(), |o| o.job.to_string()),
            o.as_ref()
                .and_then(|o| o.lease_owner.clone())
                .map_or(String::new(), |w| format!("（{w}）"))
        ),
    }
}

/// The `jobs list` table.
pub fn write_table(jobs: &[JobStatus], out: &mut dyn Write) -> std::io::Result<()> {
    for j in jobs {
        writeln!(
            out,
            "{:<15} {}  {}  cron {:<14} 错过时：{}",
            j.job.as_str(),
            j.title,
            if j.enabled { "启用" } else { "停用" },
            j.cron,
            j.missed.chinese()
        )?;
        match &j.last {
            Some(o) => writeln!(
                out,
                "  上次  {} {} {} {}",
                o.period,
                o.state.chinese(),
                o.finished_at
                    .or(o.started_at)
                    .map(format_millis)
                    .unwrap_or_default(),
                o.error.as_deref().or(o.outcome.as_deref()).unwrap_or("")
            )?,
            None => writeln!(out, "  上次  （尚未运行）")?,
        }
        if let Some(w) = j.last.as_ref().and_then(|o| o.warning.as_deref()) {
            writeln!(out, "  提示  {w}")?;
        }
        for f in &j.failing {
            writeln!(
                out,
                "  失败  {} 第 {} 次：{}；下次重试 {}",
                f.period,
                f.attempts,
                f.error.as_deref().unwrap_or(""),
                f.next_attempt_at.map(format_millis).unwrap_or_default()
            )?;
        }
        if let Some(a) = &j.annual_report {
            match &a.issued {
                Some((number, on)) => {
                    writeln!(out, "  报告  {}年度报告已签发：{number}（{on}）", a.year)?
                }
                None => writeln!(out, "  报告  {}年度报告尚未签发", a.year)?,
            }
            for d in &a.duties {
                let due = d.due.map_or("条文未规定期限".to_string(), |due| {
                    format!("{}前", crate::time::chinese_date(due))
                });
                writeln!(
                    out,
                    "        {}向{}报送{}：{}（{}）",
                    d.who, d.to, d.what, due, d.cite
                )?;
            }
        }
        match (&j.next, &j.next_error) {
            (Some((period, at)), _) => writeln!(out, "  下次  {period} {at}")?,
            (None, Some(e)) => writeln!(out, "  下次  无法确定：{e}")?,
            (None, None) => writeln!(out, "  下次  —")?,
        }
    }
    Ok(())
}
