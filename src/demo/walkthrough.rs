//! What `dukao demo` does after importing the demo municipality: the
//! bureau's year-end work on it, written to files a newcomer can open —
//! the metrics summary (its breaches recorded as findings), the evaluation
//! with rankings, the draft rectification notice to the department with the
//! most findings, and the draft annual sharing report with its charts.
//! Drafts only: nothing is numbered or archived.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::config::Config;
use crate::documents::cli::{
    AnnualArgs, DraftArgs, NoticeArgs, OutputArgs, ReportArgs, ReportCommand, run_notice,
    run_report,
};
use crate::evaluation::cli::{EvaluateArgs, EvaluateFormat, run_evaluate};
use crate::metrics::cli::{MetricsArgs, MetricsFormat, PeriodArgs, run_metrics};
use crate::metrics::findings;
use crate::org::Org;
use crate::store::Store;

/// One file the walkthrough wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// What it is (for the log).
    pub what: &'static str,
    /// Where.
    pub path: PathBuf,
}

/// Runs the year-end supervision of `year` (judged at its end) and writes
/// its outputs into `dir`; documents are dated in the following January, as
/// KF Art.20 wants the annual report.
pub async fn run(
    config: &Config,
    store: &Store,
    year: i32,
    dir: &Path,
) -> anyhow::Result<Vec<Written>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let as_of = format!("{year}-12-31");
    let mut written = Vec::new();

    let path = dir.join(format!("metrics-{year}.txt"));
    let args = MetricsArgs {
        period: PeriodArgs {
            year,
            quarter: None,
            month: None,
            as_of: Some(as_of.clone()),
        },
        format: MetricsFormat::Table,
        timings: false,
    };
    run_metrics(config, store, &args, &mut create(&path)?).await?;
    written.push(Written {
        what: "metrics summary (breaches recorded as findings)",
        path,
    });

    let path = dir.join(format!("evaluation-{year}.txt"));
    let args = EvaluateArgs {
        year,
        as_of: Some(as_of.clone()),
        format: EvaluateFormat::Table,
        freeze: false,
        live: true,
        by: None,
        timings: false,
    };
    run_evaluate(config, store, &args, &mut create(&path)?).await?;
    written.push(Written {
        what: "evaluation: scores, grades and rankings",
        path,
    });

    let january = |day| NaiveDate::from_ymd_opt(year + 1, 1, day).expect("a January day");
    if let Some(department) = most_findings(config, store).await? {
        let path = dir.join(format!("notice-{department}-{year}-draft.pdf"));
        let args = NoticeArgs {
            department,
            year,
            working_days: None,
            output: draft_to(&path, january(6)),
        };
        run_notice(config, store, &args, &mut std::io::sink()).await?;
        written.push(Written {
            what: "draft rectification notice",
            path,
        });
    }

    let path = dir.join(format!("annual-report-{year}-draft.pdf"));
    let args = ReportArgs {
        command: ReportCommand::Annual(AnnualArgs {
            year,
            as_of: Some(as_of),
            signer: None,
            output: OutputArgs {
                draft: draft_to(&path, january(15)),
                ..OutputArgs::default()
            },
        }),
    };
    run_report(config, store, &args, &mut std::io::sink()).await?;
    written.push(Written {
        what: "draft annual sharing report",
        path,
    });
    Ok(written)
}

fn create(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(std::io::BufWriter::new(file))
}

fn draft_to(path: &Path, date: NaiveDate) -> DraftArgs {
    DraftArgs {
        date: Some(date),
        out: Some(path.to_path_buf()),
        ..DraftArgs::default()
    }
}

/// The department with the most recorded findings (ties: the smallest id),
/// leaving out the data authorities, who issue notices rather than receive
/// them.
async fn most_findings(config: &Config, store: &Store) -> anyhow::Result<Option<String>> {
    let org = Org::load(store, &config.profiles()?, &config.default_profile).await?;
    let counts = findings::count_per_department(store).await?;
    Ok(counts
        .into_iter()
        .filter(|(id, _)| org.departments.get(id).is_some_and(|d| !d.is_authority))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(id, _)| id))
}

/// Writes the list of files to `log`.
pub fn describe(written: &[Written], log: &mut dyn Write) -> std::io::Result<()> {
    for w in written {
        writeln!(log, "  {:<48} {}", w.what, w.path.display())?;
    }
    Ok(())
}
