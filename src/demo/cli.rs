//! `dukao demo` (the quick start) and `dukao generate` (the synthetic
//! municipality as interchange files).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::{DemoOptions, DemoSummary, OutputFormat, Scale, walkthrough};
use crate::config::Config;
use crate::ingest::{self, ImportOptions};
use crate::org::Org;
use crate::store::Store;

/// `dukao demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// How big a municipality.
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// Seed of the generator; the same seed gives the same data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Load the data, write the year-end files and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Listen address (default 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<String>,
}

/// `dukao generate`.
#[derive(clap::Args, Debug, Clone)]
pub struct GenerateArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed; the same seed and scale give byte-identical files.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// small (tests, demos), city (DESIGN.md's city), province (ten cities' worth).
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// The year the data covers in full (the year before it is generated too).
    #[arg(long, default_value_t = 2025)]
    pub year: i32,
    /// File format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: OutputFormat,
}

/// Runs `dukao generate`.
pub fn run_generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let options = DemoOptions {
        seed: args.seed,
        scale: args.scale,
        year: args.year,
        format: args.format,
    };
    let summary = generate(&args.out, &options)?;
    for (table, rows) in &summary.tables {
        println!("{table:>17}  {rows:>12}");
    }
    Ok(ExitCode::SUCCESS)
}

fn generate(out: &Path, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let summary = super::generate(out, options, &mut |table, rows| {
        tracing::debug!(table, rows, "generated");
    })?;
    Ok(summary)
}

/// The quick start: a fresh embedded database with the demo municipality,
/// the bureau's year-end work on it as files, one user per role (their
/// passwords printed once), then the service.
pub async fn run_demo(mut config: Config, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    crate::web::set_bind(&mut config, args.bind.as_deref())?;
    let dir = PathBuf::from("data/demo");
    let files = dir.join(format!("{}-{}", args.scale.as_str(), args.seed));
    let db = dir.join("dukao-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove old demo database {}", path.display()))?;
        }
    }
    eprintln!(
        "generating the {} demo municipality (seed {}) into {}",
        args.scale.as_str(),
        args.seed,
        files.display()
    );
    let options = DemoOptions {
        seed: args.seed,
        scale: args.scale,
        ..DemoOptions::default()
    };
    generate(&files, &options)?;
    config.database_url = format!("sqlite://{}", db.display());
    // The demo's archive is its own and starts empty with its database (the
    // notice its inspector issues is numbered and archived as a real one).
    let archive = dir.join("archive");
    if archive.exists() {
        std::fs::remove_dir_all(&archive)
            .with_context(|| format!("cannot remove the old demo archive {}", archive.display()))?;
    }
    config.archive_dir = archive;
    let store = Store::connect(&config.database_url).await?;
    let outcome = load_and_supervise(&config, &store, &files, options.year).await;
    let code = match outcome {
        Ok(code) => code,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
    if code != ExitCode::SUCCESS || args.no_serve {
        store.close().await;
        return Ok(code);
    }
    eprintln!("demo database: {}", db.display());
    eprintln!(
        "the dashboard: http://{}/ — sign in as a user above (总览 /overview, 督办 /work, \
         整改案件 /cases, 公文 /documents; the API: POST /api/v1/session); Ctrl-C stops",
        config.bind
    );
    crate::web::serve_until_shutdown(store, config, crate::web::Scheduling::On).await
}

/// Runs the clock once, as `dukao serve` does at start (what fell due,
/// missed ones by each job's policy), and prints the ledger: the last and
/// next run of every job.
async fn start_the_clock(config: &Config, store: &Store) -> anyhow::Result<()> {
    use crate::jobs::{self, Runner};
    let clock = crate::time::Clock::system();
    let runner = Runner::new(
        store.clone(),
        std::sync::Arc::new(config.clone()),
        clock.clone(),
        &Runner::replica_name(),
    );
    eprintln!("running the scheduled jobs due now (the ledger decides what ran already)");
    for (job, result) in runner.tick_all().await {
        if let Err(e) = result {
            eprintln!("  {job}: {e}");
        }
    }
    let status = jobs::status(store, config, clock.now()).await?;
    eprintln!("scheduled jobs — last and next run (`dukao jobs list`):");
    jobs::cli::write_table(&status, &mut std::io::stderr())?;
    Ok(())
}

/// Imports the generated files, writes the year-end supervision of `year`
/// to `reports/demo` and creates the demo users.
async fn load_and_supervise(
    config: &Config,
    store: &Store,
    files: &Path,
    year: i32,
) -> anyhow::Result<ExitCode> {
    let sources = ingest::discover(&[files.to_path_buf()])?;
    let options = ImportOptions {
        progress: true,
        ..ImportOptions::new("demo", &config.profiles()?)
    };
    let code = ingest::cli::report(ingest::import(store, sources, &options).await, false)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let reports = PathBuf::from("reports/demo");
    eprintln!(
        "supervising {year}: metrics, evaluation, draft documents into {}",
        reports.display()
    );
    let org = Org::load(store, &config.profiles()?, &config.default_profile).await?;
    // Before the year-end work, so that its evaluation counts the earlier
    // case's missed deadline.
    let earlier = super::cases::open_earlier(config, store, &org, year).await?;
    let written = walkthrough::run(config, store, year, &reports).await?;
    walkthrough::describe(&written, &mut std::io::stderr())?;
    let users = super::people::create(store, &org).await?;
    let earlier: Vec<_> = earlier.into_iter().collect();
    let today = super::cases::open(config, store, &org, year, &earlier).await?;
    start_the_clock(config, store).await?;
    super::cases::describe(&[earlier, today].concat(), &mut std::io::stderr())?;
    super::people::describe(&users, &org, &mut std::io::stderr())?;
    Ok(code)
}
