//! `dukao import PATH…`: interchange files into the store, all or nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{ImportError, ImportOptions, ImportReport};
use crate::config::Config;
use crate::store::Store;

/// `dukao import`.
#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// Directories or files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `dukao import`: exit code 2 on bad input.
pub async fn run_import(config: &Config, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let profiles = config.profiles()?;
    let store = Store::connect(&config.database_url).await?;
    let sources = super::discover(&args.paths)?;
    let options = ImportOptions {
        progress: true,
        ..ImportOptions::new("cli", &profiles)
    };
    let result = super::import(&store, sources, &options).await;
    store.close().await;
    report(result, args.json)
}

/// Prints what an import did (or every error of a rejected one) and gives
/// the exit code: success, or 2 when the input was rejected.
pub fn report(result: Result<ImportReport, ImportError>, json: bool) -> anyhow::Result<ExitCode> {
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
        Err(e @ (ImportError::Input(_) | ImportError::Store(_) | ImportError::Audit(_))) => {
            Err(e.into())
        }
    }
}
