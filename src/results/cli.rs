//! `dukao results compute --year Y [--quarter Q | --month M] [--as-of T]`:
//! computes a period's results and stores them, as the daily scan does, for
//! an operator after a bulk import on the command line or to prepare the
//! results of a past instant; prints what it stored and how long it took.

use std::io::Write;

use super::compute::{self, Recording};
use crate::config::Config;
use crate::metrics::{Period, parse_as_of};
use crate::store::Store;
use crate::time::format_millis;

/// `dukao results …`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum ResultsCommand {
    /// Judge a period and store its results (items per check, summary,
    /// evaluation of a whole year) for the API and the pages to read.
    Compute {
        /// The year.
        #[arg(long)]
        year: i32,
        /// A quarter (1–4).
        #[arg(long, conflicts_with = "month")]
        quarter: Option<u32>,
        /// A month (1–12).
        #[arg(long)]
        month: Option<u32>,
        /// As of this instant (RFC 3339, or a date meaning its end);
        /// default now. As of now, a whole year's findings are recorded too.
        #[arg(long)]
        as_of: Option<String>,
    },
}

/// Runs `dukao results …`.
pub async fn run_results(
    config: &Config,
    store: &Store,
    command: &ResultsCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let ResultsCommand::Compute {
        year,
        quarter,
        month,
        as_of,
    } = command;
    let period = Period::new(*year, *quarter, *month)?;
    let now = crate::time::now_millis();
    let (as_of, recording) = match as_of.as_deref() {
        Some(text) => (parse_as_of(Some(text))?, Recording::ResultsOnly),
        None if quarter.is_none() && month.is_none() => (now, Recording::Findings),
        None => (now, Recording::ResultsOnly),
    };
    let started = std::time::Instant::now();
    let computed = compute::compute(store, config, period, as_of, now, recording).await?;
    writeln!(
        out,
        "{}: {} items judged as of {}, stored with data version {}{}; judged in {} ms, stored in {} ms ({} ms in all)",
        period.label(),
        computed.judged.items.len(),
        format_millis(as_of),
        computed.data_version,
        if computed.evaluated {
            ", with the evaluation"
        } else {
            ""
        },
        computed.compute_ms,
        computed.store_ms,
        started.elapsed().as_millis()
    )?;
    Ok(())
}
