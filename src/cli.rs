//! The command line: one [`Command`] per subcommand, each defined and run
//! by the module that owns it (its arguments and its `run_*` live in that
//! module's `cli`), dispatched here by one exhaustive `match`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::store::Store;

/// 督考 dukao — supervises how government departments share data: imports what
/// the data-sharing platform recorded, checks it against the regulations, and
/// serves the results.
#[derive(Parser)]
#[command(name = "dukao", version, about, long_about = None)]
pub struct Cli {
    /// The store: sqlite://PATH or postgres://USER@HOST:PORT/DB[?schema=NAME].
    /// Defaults to sqlite://data/dukao.db.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Configuration file (default: ./dukao.toml when it exists).
    #[arg(long, global = true, env = "DUKAO_CONFIG")]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Generate a demo municipality, load it into a fresh embedded database,
    /// do the year-end supervision of it and serve it (the quick start).
    Demo(crate::demo::cli::DemoArgs),
    /// Import interchange files (a directory of <table>.csv|.ndjson|.parquet,
    /// or single files). All or nothing: any bad row rejects the whole run and
    /// every error is listed.
    Import(crate::ingest::cli::ImportArgs),
    /// Write a deterministic synthetic municipality in the interchange format.
    Generate(crate::demo::cli::GenerateArgs),
    /// Run the HTTP service (JSON API, platform ingest).
    Serve(crate::web::ServeArgs),
    /// List the items of one check (approvals, catalog, freshness, grants,
    /// corrections, open-applications) with status, due date and the article
    /// each rests on; the breaches are recorded as findings.
    Check(crate::metrics::cli::CheckArgs),
    /// Print the per-department and per-jurisdiction summary of all checks:
    /// counts per status, on-time rates, findings per category.
    Metrics(crate::metrics::cli::MetricsArgs),
    /// Score, grade and rank departments and counties for a year under the
    /// evaluation scheme; `--freeze` stores the official snapshot.
    Evaluate(crate::evaluation::cli::EvaluateArgs),
    /// Draft (watermarked 草稿) or issue (--issue: numbered and archived) the
    /// rectification notice (整改通知书) to a department, from its open
    /// findings of the year.
    Notice(crate::documents::cli::NoticeArgs),
    /// Draft or issue the circular (通报) on the departments that let the
    /// rectification deadline of a notice pass.
    Circular(crate::documents::cli::CircularArgs),
    /// Reports: `report annual --year Y`, the annual sharing report with charts.
    Report(crate::documents::cli::ReportArgs),
    /// List the archive of issued documents.
    Documents(crate::documents::cli::DocumentsArgs),
    /// The audit trail of issued documents and frozen evaluations, or
    /// `--verify` to recompute its hash chain.
    Audit(crate::audit::AuditArgs),
    /// The regulation profiles loaded (shipped and the bureau's own), each
    /// checked against its regulation's text.
    Profiles(crate::rules::cli::ProfilesArgs),
    /// The people who sign in: `user add|list|disable|passwd` (audited).
    User {
        /// Which change.
        #[command(subcommand)]
        command: crate::people::cli::UserCommand,
    },
    /// The API tokens programs present: `token add|list|revoke` (audited;
    /// a secret is shown once).
    Token {
        /// Which change.
        #[command(subcommand)]
        command: crate::people::cli::TokenCommand,
    },
    /// The scheduled jobs: `jobs list` (schedule, last and next run),
    /// `jobs run NAME [--period P] [--again]` (through the ledger).
    Jobs {
        /// Which question.
        #[command(subcommand)]
        command: crate::jobs::cli::JobsCommand,
    },
    /// Stored results: `results compute --year Y [--as-of T]` judges a
    /// period and stores what the API and the pages read.
    Results {
        /// Which action.
        #[command(subcommand)]
        command: crate::results::cli::ResultsCommand,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// The official working-day calendar (holidays and make-up working days).
    Calendar {
        /// Which question.
        #[command(subcommand)]
        command: crate::calendar::cli::CalendarCommand,
    },
}

/// Opens the store, runs a command that writes its answer to standard
/// output, and closes the store whatever the outcome.
async fn on_store<T, F>(
    config: &Config,
    run: impl FnOnce(Store, Box<dyn std::io::Write>) -> F,
) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let store = Store::connect(&config.database_url).await?;
    let out: Box<dyn std::io::Write> = Box::new(std::io::stdout().lock());
    let result = run(store.clone(), out).await;
    store.close().await;
    result
}

/// Runs a parsed command line; the exit code says how it ended.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut owned = Config::load(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        owned.database_url = url.clone();
    }
    let config = &owned;
    let ok = |()| ExitCode::SUCCESS;
    match cli.command {
        Command::Demo(args) => crate::demo::cli::run_demo(owned.clone(), &args).await,
        Command::Import(args) => crate::ingest::cli::run_import(config, &args).await,
        Command::Generate(args) => crate::demo::cli::run_generate(&args),
        Command::Serve(args) => crate::web::run_serve(owned.clone(), &args).await,
        Command::Check(args) => on_store(config, |store, mut out| async move {
            crate::metrics::cli::run_check(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Metrics(args) => on_store(config, |store, mut out| async move {
            crate::metrics::cli::run_metrics(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Evaluate(args) => on_store(config, |store, mut out| async move {
            crate::evaluation::cli::run_evaluate(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Notice(args) => on_store(config, |store, mut out| async move {
            crate::documents::cli::run_notice(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Circular(args) => on_store(config, |store, mut out| async move {
            crate::documents::cli::run_circular(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Report(args) => on_store(config, |store, mut out| async move {
            crate::documents::cli::run_report(config, &store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Documents(args) => on_store(config, |store, mut out| async move {
            crate::documents::cli::run_documents(&store, &args, &mut out).await
        })
        .await
        .map(ok),
        Command::Audit(args) => on_store(config, |store, mut out| async move {
            crate::audit::run_audit(&store, &args, &mut out).await
        })
        .await
        .map(|intact| {
            if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        Command::Profiles(args) => {
            crate::rules::cli::run_profiles(config, &args, &mut std::io::stdout().lock())
        }
        Command::User { command } => on_store(config, |store, mut out| async move {
            let mut input = std::io::stdin().lock();
            crate::people::cli::run_user(config, &store, &command, &mut input, &mut out).await
        })
        .await
        .map(ok),
        Command::Token { command } => on_store(config, |store, mut out| async move {
            crate::people::cli::run_token(config, &store, &command, &mut out).await
        })
        .await
        .map(ok),
        Command::Jobs { command } => on_store(config, |store, mut out| async move {
            crate::jobs::cli::run_jobs(config, &store, &command, &mut out).await
        })
        .await
        .map(ok),
        Command::Results { command } => on_store(config, |store, mut out| async move {
            crate::results::cli::run_results(config, &store, &command, &mut out).await
        })
        .await
        .map(ok),
        Command::Migrate => {
            let store = Store::connect(&config.database_url).await?;
            println!("migrated {}", crate::store::redact(&config.database_url));
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar { command } => crate::calendar::cli::run_calendar(config, &command),
    }
}
