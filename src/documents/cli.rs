//! The command line of the documents:
//!
//! - `dukao notice --department ID --year Y [--out FILE]`: a draft only; a
//!   rectification notice is issued as a step of its case
//!   ([`crate::cases`]), which holds its findings and runs its deadline
//! - `dukao circular --year Y [--jurisdiction ID] [--except DEPT]… [--out FILE] [--issue]`
//! - `dukao report annual --year Y [--out FILE] [--issue]`
//! - `dukao documents [--kind K] [--year Y]`: the archive.
//!
//! Without `--issue` (or for a notice) a draft is written (no number, watermarked 草稿) to
//! `--out` or `KIND-SUBJECT-YEAR-draft.pdf`; with `--issue` the document is
//! numbered, archived (see [`super::archive`]) and also copied to `--out`
//! when given. `--timings` prints the wall time of each stage.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::annual::{self, AnnualRequest};
use super::archive::{self, IssueOptions};
use super::circular::{self, CircularRequest};
use super::notice::{self, NoticeRequest};
use super::{Engine, Prepared, today};
use crate::access::Reach;
use crate::config::Config;
use crate::store::Store;
use crate::vocab::DocumentKind;

/// Options shared by every document command.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftArgs {
    /// 成文日期, YYYY-MM-DD (default: today, Asia/Shanghai).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// A further 抄送机关 (repeatable).
    #[arg(long = "cc")]
    pub cc: Vec<String>,
    /// Where to write the PDF (a draft by default; with --issue, a copy of
    /// the archived document).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the wall time of each stage to standard error.
    #[arg(long)]
    pub timings: bool,
}

/// Options of a document the command line may also issue (a circular, the
/// annual report).
#[derive(clap::Args, Debug, Clone, PartialEq, Eq, Default)]
pub struct OutputArgs {
    /// Date, copies, output, timings.
    #[command(flatten)]
    pub draft: DraftArgs,
    /// Number, archive and record the document instead of drafting it.
    #[arg(long)]
    pub issue: bool,
    /// With --issue: the archive id of the issued document this one corrects
    /// and replaces.
    #[arg(long, requires = "issue")]
    pub replaces: Option<i64>,
}

/// `dukao notice`: the draft of a rectification notice (整改通知书) to one
/// department, from its open findings of the year. There is no `--issue`:
/// a notice is issued as a step of its case (the 整改案件 page, or
/// `POST /api/v1/cases/{id}/notice`), which names its findings, starts its
/// deadline and follows it to the end.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct NoticeArgs {
    /// The department (platform id).
    #[arg(long)]
    pub department: String,
    /// The year of the findings.
    #[arg(long)]
    pub year: i32,
    /// Working days allowed for the rectification (default: the governing
    /// profile's).
    #[arg(long)]
    pub working_days: Option<u32>,
    /// Date, copies, output.
    #[command(flatten)]
    pub output: DraftArgs,
}

/// `dukao circular`: the circular (通报) on the departments that let the
/// rectification deadline of a notice pass.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct CircularArgs {
    /// The year of the notices.
    #[arg(long)]
    pub year: i32,
    /// The issuing jurisdiction (default: the city).
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// A department that did rectify in time: left out (repeatable).
    #[arg(long)]
    pub except: Vec<String>,
    /// Date, copies, output, issuing.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `dukao report`: reports.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct ReportArgs {
    /// Which report.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// The reports.
#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum ReportCommand {
    /// The annual sharing report (年度政务数据共享情况报告) of a year, with
    /// charts, to the city government (due in January, KF Art.20).
    Annual(AnnualArgs),
}

/// `dukao report annual`.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct AnnualArgs {
    /// The year reported on.
    #[arg(long)]
    pub year: i32,
    /// Judge the year as of this instant (RFC 3339 or a date meaning its
    /// end; default: the end of the year).
    #[arg(long)]
    pub as_of: Option<String>,
    /// 签发人 printed beside the 发文字号.
    #[arg(long)]
    pub signer: Option<String>,
    /// Date, copies, output, issuing.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `dukao documents`: the archive of issued documents.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct DocumentsArgs {
    /// Only this kind.
    #[arg(long, value_enum)]
    pub kind: Option<DocumentKind>,
    /// Only numbers of this year.
    #[arg(long)]
    pub year: Option<i32>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dukao notice`.
pub async fn run_notice(
    config: &Config,
    store: &Store,
    args: &NoticeArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let request = NoticeRequest {
        findings: None,
        department_id: args.department.clone(),
        year: args.year,
        date: args.output.date.unwrap_or_else(today),
        working_days: args.working_days,
        cc: args.output.cc.clone(),
        replaces: None,
    };
    let started = Instant::now();
    let prepared = notice::prepare(store, config, &request).await?;
    let output = OutputArgs {
        draft: args.output.clone(),
        ..OutputArgs::default()
    };
    finish(config, store, prepared, &output, started, out).await
}

/// Runs `dukao circular`.
pub async fn run_circular(
    config: &Config,
    store: &Store,
    args: &CircularArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let request = CircularRequest {
        notices: None,
        followed: Default::default(),
        year: args.year,
        jurisdiction_id: args.jurisdiction.clone(),
        date: args.output.draft.date.unwrap_or_else(today),
        except: args.except.clone(),
        cc: args.output.draft.cc.clone(),
    };
    let started = Instant::now();
    let prepared = circular::prepare(store, config, &request).await?;
    finish(config, store, prepared, &args.output, started, out).await
}

/// Runs `dukao report …`.
pub async fn run_report(
    config: &Config,
    store: &Store,
    args: &ReportArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let ReportCommand::Annual(a) = &args.command;
    let request = AnnualRequest {
        year: a.year,
        date: a.output.draft.date.unwrap_or_else(today),
        as_of: match a.as_of.as_deref() {
            Some(t) => Some(crate::metrics::parse_as_of(Some(t))?),
            None => None,
        },
        signer: a.signer.clone(),
        cc: a.output.draft.cc.clone(),
    };
    let started = Instant::now();
    let prepared = annual::prepare(store, config, &request).await?;
    finish(config, store, prepared, &a.output, started, out).await
}

/// Runs `dukao documents`.
pub async fn run_documents(
    store: &Store,
    args: &DocumentsArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let docs = archive::list(store, args.kind, args.year, &Reach::City).await?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &docs)?;
        writeln!(out)?;
    } else {
        for d in &docs {
            let replaced = d
                .replaced_by
                .map(|r| format!("  (replaced by {r})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:>5}  {:<8}  {:<18}  {}  {}  {}{replaced}",
                d.id, d.kind, d.number, d.issued_on, d.addressee, d.path
            )?;
        }
    }
    Ok(())
}

/// Renders the draft or issues, writes the file, reports.
async fn finish(
    config: &Config,
    store: &Store,
    prepared: Prepared,
    output: &OutputArgs,
    started: Instant,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let prepare_time = started.elapsed();
    let t = Instant::now();
    let engine = Engine::shared()?;
    let engine_time = t.elapsed();
    let t = Instant::now();
    if output.issue {
        let options = IssueOptions {
            archive_dir: config.archive_dir.clone(),
            issued_by: std::env::var("USER").unwrap_or_else(|_| "cli".into()),
            replaces: output.replaces,
            now_ms: crate::time::now_millis(),
        };
        let (doc, pdf) = archive::issue(store, engine, &prepared, &options).await?;
        let issue_time = t.elapsed();
        if let Some(path) = &output.draft.out {
            write(path, &pdf)?;
        }
        writeln!(
            out,
            "issued {} ({}), archive id {}",
            doc.number,
            prepared.kind.chinese(),
            doc.id
        )?;
        writeln!(out, "  {}  sha256 {}", doc.path, doc.sha256)?;
        if let Some(path) = &output.draft.out {
            writeln!(out, "  copied to {}", path.display())?;
        }
        timings(
            output.draft.timings,
            &[
                ("prepare", prepare_time),
                ("engine", engine_time),
                ("number + render + archive", issue_time),
            ],
        )?;
    } else {
        let kind = prepared.kind;
        let pdf = prepared.render_draft(engine).await?;
        let render_time = t.elapsed();
        let path = output.draft.out.clone().unwrap_or_else(|| {
            PathBuf::from(format!(
                "{}-{}-{}-draft.pdf",
                kind,
                prepared.subject_id.replace(['/', '\\'], "_"),
                prepared.data_year
            ))
        });
        write(&path, &pdf)?;
        writeln!(
            out,
            "draft {} ({}) written to {} ({} bytes)",
            kind.chinese(),
            prepared.title,
            path.display(),
            pdf.len()
        )?;
        timings(
            output.draft.timings,
            &[
                ("prepare", prepare_time),
                ("engine", engine_time),
                ("render", render_time),
            ],
        )?;
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn timings(on: bool, stages: &[(&str, std::time::Duration)]) -> anyhow::Result<()> {
    if on {
        let mut err = std::io::stderr().lock();
        for (stage, d) in stages {
            writeln!(err, "{stage:<28} {:>8.3} s", d.as_secs_f64())?;
        }
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
        Notice(NoticeArgs),
        Circular(CircularArgs),
        Report(ReportArgs),
        Documents(DocumentsArgs),
    }

    #[test]
    fn arguments_parse() {
        let cli = Cli::try_parse_from([
            "dukao",
            "notice",
            "--department",
            "DEP-1",
            "--year",
            "2025",
            "--out",
            "n.pdf",
            "--cc",
            "甲",
            "--cc",
            "乙",
            "--date",
            "2026-01-06",
        ])
        .unwrap();
        let Command::Notice(n) = cli.command else {
            panic!()
        };
        assert_eq!(n.department, "DEP-1");
        assert_eq!(n.output.cc, ["甲", "乙"]);
        assert_eq!(n.output.date, NaiveDate::from_ymd_opt(2026, 1, 6));
        assert!(
            Cli::try_parse_from([
                "dukao",
                "notice",
                "--department",
                "DEP-1",
                "--year",
                "2025",
                "--issue"
            ])
            .is_err(),
            "a notice is issued through its case"
        );
        let cli = Cli::try_parse_from(["dukao", "report", "annual", "--year", "2025", "--timings"])
            .unwrap();
        let Command::Report(r) = cli.command else {
            panic!()
        };
        let ReportCommand::Annual(a) = r.command;
        assert!(a.output.draft.timings && !a.output.issue);
        assert!(
            Cli::try_parse_from(["dukao", "circular", "--year", "2025", "--replaces", "3"])
                .is_err(),
            "--replaces needs --issue"
        );
        let cli = Cli::try_parse_from(["dukao", "documents", "--kind", "notice"]).unwrap();
        let Command::Documents(d) = cli.command else {
            panic!()
        };
        assert_eq!(d.kind, Some(DocumentKind::Notice));
        let cli = Cli::try_parse_from([
            "dukao", "circular", "--year", "2025", "--except", "D1", "--except", "D2",
        ])
        .unwrap();
        let Command::Circular(c) = cli.command else {
            panic!()
        };
        assert_eq!(c.except, ["D1", "D2"]);
    }
}
