//! `dukao`: the command line of the supervision service.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use dukao::config::Config;
use dukao::demo::{self, DemoOptions, Scale, walkthrough};
use dukao::ingest::{self, ImportError, ImportOptions};
use dukao::store::Store;
use dukao::web::{self, AppState};

/// 督考 dukao — supervises how government departments share data: imports what
/// the data-sharing platform recorded, checks it against the regulations, and
/// serves the results.
#[derive(Parser)]
#[command(name = "dukao", version, about, long_about = None)]
struct Cli {
    /// The store: sqlite://PATH or postgres://USER@HOST:PORT/DB[?schema=NAME].
    /// Defaults to sqlite://data/dukao.db.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,

    /// Configuration file (default: ./dukao.toml when it exists).
    #[arg(long, global = true, env = "DUKAO_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a demo municipality, load it into a fresh embedded database and
    /// serve it (the quick start).
    Demo {
        /// How big a municipality.
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        /// Seed of the generator; the same seed gives the same data.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Load the data, print what was loaded, and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Listen address (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Import interchange files (a directory of <table>.csv|.ndjson|.parquet,
    /// or single files). All or nothing: any bad row rejects the whole run and
    /// every error is listed.
    Import {
        /// Directories or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a deterministic synthetic municipality in the interchange format.
    Generate {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Seed; the same seed and scale give byte-identical files.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// small (tests, demos), city (DESIGN.md's city), province (ten cities' worth).
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        /// The year the data covers.
        #[arg(long, default_value_t = 2025)]
        year: i32,
        /// File format.
        #[arg(long, value_enum, default_value = "csv")]
        format: demo::OutputFormat,
    },
    /// Run the HTTP service (JSON API, platform ingest).
    Serve {
        /// Listen address (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// List the items of one check (approvals, catalog, freshness, grants,
    /// corrections, open-applications) with status, due date and the article
    /// each rests on; the breaches are recorded as findings.
    Check(dukao::metrics::cli::CheckArgs),
    /// Print the per-department and per-jurisdiction summary of all checks:
    /// counts per status, on-time rates, findings per category.
    Metrics(dukao::metrics::cli::MetricsArgs),
    /// Score, grade and rank departments and counties for a year under the
    /// evaluation scheme; `--freeze` stores the official snapshot.
    Evaluate(dukao::evaluation::cli::EvaluateArgs),
    /// Draft (watermarked 草稿) or issue (--issue: numbered and archived) the
    /// rectification notice (整改通知书) to a department, from its open
    /// findings of the year.
    Notice(dukao::documents::cli::NoticeArgs),
    /// Draft or issue the circular (通报) on the departments that let the
    /// rectification deadline of a notice pass.
    Circular(dukao::documents::cli::CircularArgs),
    /// Reports: `report annual --year Y`, the annual sharing report with charts.
    Report(dukao::documents::cli::ReportArgs),
    /// List the archive of issued documents.
    Documents(dukao::documents::cli::DocumentsArgs),
    /// The audit trail of issued documents and frozen evaluations, or
    /// `--verify` to recompute its hash chain.
    Audit(dukao::audit::AuditArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// The official working-day calendar (holidays and make-up working days).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the due date (YYYY-MM-DD) of a deadline of N working days counted
    /// from an event: the event's day is not counted, day 1 is the next
    /// working day, the deadline is the end of day N (Asia/Shanghai).
    Deadline {
        /// The event: a date (2025-09-30) or an RFC 3339 time
        /// (2025-09-30T23:59:00+08:00; without offset, Asia/Shanghai).
        #[arg(long)]
        from: String,
        /// Working days allowed.
        #[arg(long)]
        working_days: u32,
        /// For a year without official calendar data, count weekends only and
        /// say so on standard error, instead of failing.
        #[arg(long)]
        provisional: bool,
    },
    /// Print `true` if the date is an official working day, else `false`.
    Workday {
        /// The date (YYYY-MM-DD).
        date: chrono::NaiveDate,
    },
    /// List the years covered and the State Council notice of each.
    Years,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    Ok(config)
}

fn set_bind(config: &mut Config, bind: &Option<String>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.bind = bind
            .parse()
            .with_context(|| format!("invalid listen address {bind:?}"))?;
    }
    Ok(())
}

/// Opens the store, runs a command that writes its answer to standard
/// output, and closes the store whatever the outcome; the command's answer
/// becomes the exit code through `$exit` (default: success).
macro_rules! on_store {
    ($config:expr, |$store:ident, $out:ident| $body:expr) => {
        on_store!($config, |$store, $out| $body, |()| ExitCode::SUCCESS)
    };
    ($config:expr, |$store:ident, $out:ident| $body:expr, $exit:expr) => {{
        let $store = Store::connect(&$config.database_url).await?;
        let mut stdout = std::io::stdout().lock();
        let $out: &mut dyn std::io::Write = &mut stdout;
        let result = $body.await;
        $store.close().await;
        result.map($exit)
    }};
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = load_config(&cli)?;
    match &cli.command {
        Command::Demo {
            scale,
            seed,
            no_serve,
            bind,
        } => {
            set_bind(&mut config, bind)?;
            run_demo(config, *scale, *seed, *no_serve).await
        }
        Command::Import { paths, json } => {
            let store = Store::connect(&config.database_url).await?;
            let sources = ingest::discover(paths)?;
            let options = ImportOptions {
                progress: true,
                origin: "cli".into(),
            };
            let result = ingest::import(&store, sources, &options).await;
            store.close().await;
            report_import(result, *json)
        }
        Command::Generate {
            out,
            seed,
            scale,
            year,
            format,
        } => {
            let options = DemoOptions {
                seed: *seed,
                scale: *scale,
                year: *year,
                format: *format,
            };
            let summary = generate(out, &options)?;
            for (table, rows) in &summary.tables {
                println!("{table:>17}  {rows:>12}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { bind } => {
            set_bind(&mut config, bind)?;
            let store = Store::connect(&config.database_url).await?;
            serve(store, config).await
        }
        Command::Calendar { command } => run_calendar(&config, command),
        Command::Check(args) => on_store!(config, |store, out| {
            dukao::metrics::cli::run_check(&config, &store, args, out)
        }),
        Command::Metrics(args) => on_store!(config, |store, out| {
            dukao::metrics::cli::run_metrics(&config, &store, args, out)
        }),
        Command::Evaluate(args) => on_store!(config, |store, out| {
            dukao::evaluation::cli::run_evaluate(&config, &store, args, out)
        }),
        Command::Notice(args) => on_store!(config, |store, out| {
            dukao::documents::cli::run_notice(&config, &store, args, out)
        }),
        Command::Circular(args) => on_store!(config, |store, out| {
            dukao::documents::cli::run_circular(&config, &store, args, out)
        }),
        Command::Report(args) => on_store!(config, |store, out| {
            dukao::documents::cli::run_report(&config, &store, args, out)
        }),
        Command::Documents(args) => on_store!(config, |store, out| {
            dukao::documents::cli::run_documents(&store, args, out)
        }),
        Command::Audit(args) => on_store!(
            config,
            |store, out| dukao::audit::run_audit(&store, args, out),
            |intact| if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        ),
        Command::Migrate => {
            let store = Store::connect(&config.database_url).await?;
            println!("migrated {}", dukao::store::redact(&config.database_url));
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_calendar(config: &Config, command: &CalendarCommand) -> anyhow::Result<ExitCode> {
    let calendar = config.calendar()?;
    match command {
        CalendarCommand::Deadline {
            from,
            working_days,
            provisional,
        } => {
            let date = match chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d") {
                Ok(date) => date,
                Err(_) => dukao::time::local_date(
                    dukao::time::parse_timestamp(from)
                        .map_err(|e| anyhow::anyhow!("--from {from:?}: {e}"))?,
                ),
            };
            if *provisional {
                let due = calendar.add_working_days_provisional(date, *working_days);
                if due.provisional {
                    eprintln!(
                        "warning: provisional result: no official calendar data for {:?}; weekends only were counted",
                        due.missing_years
                    );
                }
                println!("{}", due.value.format("%Y-%m-%d"));
            } else {
                let due = calendar.add_working_days(date, *working_days)?;
                println!("{}", due.format("%Y-%m-%d"));
            }
        }
        CalendarCommand::Workday { date } => {
            println!("{}", calendar.is_working_day(*date)?);
        }
        CalendarCommand::Years => {
            for year in calendar.years() {
                if let Some((title, number)) = calendar.notice(year) {
                    println!("{year}  {number}  {title}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn generate(out: &std::path::Path, options: &DemoOptions) -> anyhow::Result<demo::DemoSummary> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let summary = demo::generate(out, options, &mut |table, rows| {
        tracing::debug!(table, rows, "generated");
    })?;
    Ok(summary)
}

fn report_import(
    result: Result<ingest::ImportReport, ImportError>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for t in &report.tables {
                    println!("{:>17}  {:>12} rows", t.table.as_str(), t.rows);
                }
                let secs = report.elapsed.as_secs_f64();
                println!(
                    "imported {} rows in {:.1} s ({:.0} rows/s)",
                    report.rows,
                    secs,
                    report.rows as f64 / secs.max(1e-9)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Invalid { errors, total }) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"total": total, "errors": errors})
                    )?
                );
            } else {
                for e in &errors {
                    eprintln!("{e}");
                }
                if total as usize > errors.len() {
                    eprintln!("… and {} more", total as usize - errors.len());
                }
                eprintln!("{total} error(s); nothing was imported");
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

/// The quick start: a fresh embedded database with the demo municipality.
async fn run_demo(
    mut config: Config,
    scale: Scale,
    seed: u64,
    no_serve: bool,
) -> anyhow::Result<ExitCode> {
    let dir = PathBuf::from("data/demo");
    let files = dir.join(format!("{}-{seed}", scale.as_str()));
    let db = dir.join("dukao-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove old demo database {}", path.display()))?;
        }
    }
    eprintln!(
        "generating the {} demo municipality (seed {seed}) into {}",
        scale.as_str(),
        files.display()
    );
    let options = DemoOptions {
        seed,
        scale,
        ..DemoOptions::default()
    };
    generate(&files, &options)?;
    config.database_url = format!("sqlite://{}", db.display());
    let store = Store::connect(&config.database_url).await?;
    let sources = ingest::discover(std::slice::from_ref(&files))?;
    let import_options = ImportOptions {
        progress: true,
        origin: "demo".into(),
    };
    let code = report_import(
        ingest::import(&store, sources, &import_options).await,
        false,
    )?;
    if code != ExitCode::SUCCESS {
        store.close().await;
        return Ok(code);
    }
    // The bureau's year-end work on the demo, as files to open.
    let reports = PathBuf::from("reports/demo");
    eprintln!(
        "supervising {}: metrics, evaluation, draft documents into {}",
        options.year,
        reports.display()
    );
    let written = walkthrough::run(&config, &store, options.year, &reports).await;
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
    walkthrough::describe(&written, &mut std::io::stderr())?;
    if no_serve {
        store.close().await;
        return Ok(code);
    }
    eprintln!("demo database: {}", db.display());
    eprintln!(
        "open http://{}/api/v1/jurisdictions (Ctrl-C stops)",
        config.bind
    );
    serve(store, config).await
}

/// Serves until shutdown, then closes the store.
async fn serve(store: Store, config: Config) -> anyhow::Result<ExitCode> {
    let state = AppState {
        store: store.clone(),
        config: Arc::new(config),
    };
    web::serve(state).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
