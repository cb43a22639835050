//! The command line: `dukao check KIND` (the items of one check) and
//! `dukao metrics` (the summary of all checks). Both record the detected
//! findings in `detected_findings` (deduplicated across runs).

use std::io::Write;
use std::time::Instant;

use anyhow::Context as _;

use super::summary::{self, Summary};
use super::{CheckItem, Context, Judged, Period, Timing, judge, judge_checks, parse_as_of, table};
use crate::config::Config;
use crate::store::Store;
use crate::vocab::{CheckKind, Status};

/// The period and instant of a run.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct PeriodArgs {
    /// The year (requests, corrections, … are taken by the date of their event).
    #[arg(long)]
    pub year: i32,
    /// Narrow to one quarter (1–4).
    #[arg(long, conflicts_with = "month", value_parser = clap::value_parser!(u32).range(1..=4))]
    pub quarter: Option<u32>,
    /// Narrow to one month (1–12).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=12))]
    pub month: Option<u32>,
    /// Judge as of this instant (RFC 3339, without offset Asia/Shanghai; a
    /// plain date means the end of that day). Default: now. Anything done
    /// later counts as not yet done.
    #[arg(long)]
    pub as_of: Option<String>,
}

impl PeriodArgs {
    fn resolve(&self) -> anyhow::Result<(Period, i64)> {
        let period = Period::new(self.year, self.quarter, self.month)?;
        let as_of = parse_as_of(self.as_of.as_deref())?;
        Ok((period, as_of))
    }
}

/// Output of `dukao check`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckFormat {
    /// A JSON array, one object per item.
    #[default]
    Json,
    /// CSV with a header row.
    Csv,
}

/// Output of `dukao metrics`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsFormat {
    /// Tables with Chinese headers.
    #[default]
    Table,
    /// One JSON object: `checks` and `findings` rows.
    Json,
    /// Long CSV: one measure per line.
    Csv,
}

/// `dukao check KIND`: every item of one check, with its citation.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Which check.
    #[arg(value_enum)]
    pub kind: CheckKind,
    /// The period and instant.
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: CheckFormat,
}

/// `dukao metrics`: counts per status and rates per check, and findings per
/// category, per department and per jurisdiction.
#[derive(clap::Args, Debug, Clone)]
pub struct MetricsArgs {
    /// The period and instant.
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: MetricsFormat,
    /// Print the wall time of each stage to standard error.
    #[arg(long)]
    pub timings: bool,
}

/// Runs `dukao check`.
pub async fn run_check(
    config: &Config,
    store: &Store,
    args: &CheckArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (period, as_of) = args.period.resolve()?;
    let ctx = Context::load(store, config, period, as_of).await?;
    let judged = judge_checks(&ctx, store, &[args.kind]).await?;
    record(&ctx, store, &judged).await?;
    match args.format {
        CheckFormat::Json => write_json(out, &judged.items)?,
        CheckFormat::Csv => write_csv(out, &judged.items)?,
    }
    out.flush()?;
    Ok(())
}

/// Runs `dukao metrics`.
pub async fn run_metrics(
    config: &Config,
    store: &Store,
    args: &MetricsArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (period, as_of) = args.period.resolve()?;
    let t = Instant::now();
    let ctx = Context::load(store, config, period, as_of).await?;
    let mut timings = vec![Timing::since("context", t)];
    let mut judged = judge(&ctx, store).await?;
    timings.append(&mut judged.timings);
    let t = Instant::now();
    record(&ctx, store, &judged).await?;
    timings.push(Timing::since("record findings", t));
    let t = Instant::now();
    let summary = summary::summarize(&ctx, &judged.items, &judged.findings)?;
    timings.push(Timing::since("summary (polars)", t));
    let t = Instant::now();
    match args.format {
        MetricsFormat::Table => table::write_summary(out, &summary)?,
        MetricsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &summary)?;
            writeln!(out)?;
        }
        MetricsFormat::Csv => write_summary_csv(out, &summary)?,
    }
    out.flush()?;
    timings.push(Timing::since("output", t));
    if args.timings {
        let mut err = std::io::stderr().lock();
        for t in &timings {
            writeln!(err, "{:<24} {:>8.3} s", t.stage, t.elapsed.as_secs_f64())?;
        }
        writeln!(
            err,
            "{:<24} {:>8.3} s  ({} items)",
            "total",
            started.elapsed().as_secs_f64(),
            judged.items.len()
        )?;
    }
    Ok(())
}

async fn record(ctx: &Context, store: &Store, judged: &Judged) -> anyhow::Result<()> {
    let r = judged
        .record(ctx, store, crate::time::now_millis())
        .await
        .context("recording detected findings")?;
    tracing::info!(
        findings = r.findings,
        new = r.inserted,
        healed = r.healed,
        stored = r.total,
        "detected findings recorded"
    );
    Ok(())
}

/// Writes items as a JSON array, one object per line.
pub fn write_json(out: &mut dyn Write, items: &[CheckItem]) -> anyhow::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, item)?;
    }
    out.write_all(b"\n]\n")?;
    Ok(())
}

/// Quotes a CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_value(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => csv_field(s),
        Some(other) => csv_field(&other.to_string()),
    }
}

/// Writes items as CSV with the columns of [`CheckItem::COLUMNS`].
pub fn write_csv(out: &mut dyn Write, items: &[CheckItem]) -> anyhow::Result<()> {
    writeln!(out, "{}", CheckItem::COLUMNS.join(","))?;
    for item in items {
        let value = serde_json::to_value(item)?;
        let line: Vec<String> = CheckItem::COLUMNS
            .iter()
            .map(|c| csv_value(value.get(*c)))
            .collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// Writes the summary as long CSV: `level,id,name,jurisdiction_id,subject,measure,value`,
/// where `subject` is a check (measures: items, each status, breaches,
/// on_time_rate) or `findings` (measures: `CATEGORY` totals, and
/// `CATEGORY:detected` / `CATEGORY:imported`).
pub fn write_summary_csv(out: &mut dyn Write, s: &Summary) -> anyhow::Result<()> {
    writeln!(out, "level,id,name,jurisdiction_id,subject,measure,value")?;
    for r in &s.checks {
        let prefix = format!(
            "{},{},{},{},{}",
            r.level.as_str(),
            csv_field(&r.id),
            csv_field(&r.name),
            csv_field(&r.jurisdiction_id),
            r.check.as_str()
        );
        writeln!(out, "{prefix},items,{}", r.items)?;
        for st in Status::ALL {
            writeln!(out, "{prefix},{},{}", st.as_str(), r.counts.get(st))?;
        }
        writeln!(out, "{prefix},breaches,{}", r.breaches)?;
        let rate = r
            .on_time_rate
            .map(|v| format!("{v:.6}"))
            .unwrap_or_default();
        writeln!(out, "{prefix},on_time_rate,{rate}")?;
    }
    for r in &s.findings {
        let prefix = format!(
            "{},{},{},{},findings",
            r.level.as_str(),
            csv_field(&r.id),
            csv_field(&r.name),
            csv_field(&r.jurisdiction_id)
        );
        let c = r.category.as_str();
        writeln!(out, "{prefix},{c},{}", r.total)?;
        writeln!(out, "{prefix},{c}:detected,{}", r.detected)?;
        writeln!(out, "{prefix},{c}:imported,{}", r.imported)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        Check(CheckArgs),
        Metrics(MetricsArgs),
    }

    #[test]
    fn arguments_parse() {
        let cli = Cli::try_parse_from([
            "dukao",
            "check",
            "open-applications",
            "--year",
            "2025",
            "--quarter",
            "3",
            "--format",
            "csv",
        ])
        .unwrap();
        let Command::Check(a) = cli.command else {
            panic!()
        };
        assert_eq!(a.kind, CheckKind::OpenApplications);
        assert_eq!(a.period.quarter, Some(3));
        assert_eq!(a.format, CheckFormat::Csv);
        let cli = Cli::try_parse_from([
            "dukao",
            "metrics",
            "--year",
            "2025",
            "--timings",
            "--as-of",
            "2025-06-30",
        ])
        .unwrap();
        let Command::Metrics(m) = cli.command else {
            panic!()
        };
        assert!(m.timings);
        assert_eq!(m.format, MetricsFormat::Table);
        assert!(
            Cli::try_parse_from([
                "dukao",
                "metrics",
                "--year",
                "2025",
                "--quarter",
                "1",
                "--month",
                "2"
            ])
            .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "dukao",
                "check",
                "approvals",
                "--year",
                "2025",
                "--quarter",
                "5"
            ])
            .is_err()
        );
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("《细则》第三十条"), "《细则》第三十条");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
    }

    #[test]
    fn plain_as_of_date_is_the_end_of_that_day() {
        let t = parse_as_of(Some("2025-06-30")).unwrap();
        assert_eq!(
            crate::time::format_millis(t),
            "2025-06-30T23:59:59.999+08:00"
        );
        assert!(parse_as_of(Some("yesterday")).is_err());
    }
}
