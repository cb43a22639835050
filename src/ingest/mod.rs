//! The importer: interchange files (CLI) or request bodies (HTTP) into the store.
//!
//! An import is all-or-nothing. Files are read in table dependency order on a
//! blocking thread that parses (polars) and validates each batch, and hands
//! valid rows through a bounded channel to the writer, which upserts them in
//! one transaction. Every error of the run is collected; if there is any, the
//! transaction is rolled back and the errors are returned, so the store is
//! exactly as before. The run itself is recorded in `import_runs` either way
//! ([`runs`]).
//!
//! Owns the writing of every interchange table (the platform's records are
//! never changed otherwise) and the `import_runs` table.

pub mod api;
pub mod cli;
pub mod error;
pub mod runs;
pub mod source;
pub mod validate;
mod write;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;

pub use error::{ErrorSink, ImportError, MAX_REPORTED_ERRORS, RowError};
use source::BatchReader;
pub use source::{Format, Input, Location};
use validate::{KnownIds, TableValidator, Value};

use crate::audit::{self, Change};
use crate::model::{ColumnKind, TableName};
use crate::store::{Backend, Store};
use crate::vocab::AuditAction;

/// One input of an import: which table, from where, in which format.
#[derive(Debug, Clone)]
pub struct ImportSource {
    /// The table the rows belong to.
    pub table: TableName,
    /// A name for messages (the file name).
    pub name: String,
    /// The format.
    pub format: Format,
    /// The bytes.
    pub input: Input,
}

impl ImportSource {
    /// A file named after its table: `grants.csv`, `access_log.parquet`.
    pub fn from_path(path: &Path) -> Result<ImportSource, ImportError> {
        let name = path.display().to_string();
        let format = Format::from_path(path).ok_or_else(|| {
            ImportError::Input(format!(
                "{name}: unknown file type; use .csv, .ndjson (or .jsonl) or .parquet"
            ))
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let table = TableName::parse(stem).ok_or_else(|| {
            ImportError::Input(format!(
                "{name}: the file must be named after its table, one of {}",
                TableName::ALL.map(|t| t.as_str()).join(", ")
            ))
        })?;
        Ok(ImportSource {
            table,
            name,
            format,
            input: Input::Path(path.to_path_buf()),
        })
    }

    /// A request body pushed over HTTP.
    pub fn from_body(table: TableName, format: Format, body: axum::body::Bytes) -> ImportSource {
        ImportSource {
            table,
            name: format!("{table} body"),
            format,
            input: Input::Bytes(body),
        }
    }
}

/// The sources under `paths`: each directory's interchange files (files of
/// other names are skipped) and each named file, in table dependency order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<ImportSource>, ImportError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| ImportError::Input(format!("{}: {e}", path.display())))?;
            let mut found = 0;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for file in files {
                if let Ok(source) = ImportSource::from_path(&file) {
                    sources.push(source);
                    found += 1;
                }
            }
            if found == 0 {
                return Err(ImportError::Input(format!(
                    "{}: no interchange files (<table>.csv, .ndjson or .parquet) in this directory",
                    path.display()
                )));
            }
        } else if path.exists() {
            sources.push(ImportSource::from_path(path)?);
        } else {
            return Err(ImportError::Input(format!(
                "{}: no such file or directory",
                path.display()
            )));
        }
    }
    sources.sort_by_key(|s| s.table);
    Ok(sources)
}

/// How to run an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Draw a progress bar on standard error (only shown on a terminal).
    pub progress: bool,
    /// Where the run came from, for `import_runs` (`cli`,
    /// `http:<table>:<token>`).
    pub origin: String,
    /// Who ran it, for the audit trail (a token's name, `cli`, `demo`).
    pub actor: String,
    /// The ids of the regulation profiles loaded: what `jurisdictions.profile`
    /// may name.
    pub profiles: Vec<String>,
}

impl Default for ImportOptions {
    /// No progress bar, origin `cli`, the shipped profiles.
    fn default() -> Self {
        ImportOptions {
            progress: false,
            origin: String::new(),
            actor: "cli".to_string(),
            profiles: crate::rules::Profiles::builtin()
                .ids()
                .map(String::from)
                .collect(),
        }
    }
}

impl ImportOptions {
    /// Options of a run started by `origin`, validating profile ids against
    /// `profiles`.
    pub fn new(origin: &str, profiles: &crate::rules::Profiles) -> ImportOptions {
        ImportOptions {
            progress: false,
            origin: origin.to_string(),
            actor: origin.to_string(),
            profiles: profiles.ids().map(String::from).collect(),
        }
    }
}

/// Rows imported into one table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableCount {
    /// The table.
    pub table: TableName,
    /// Rows read and stored.
    pub rows: u64,
}

/// What a landed import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    /// Rows per table, in import order.
    pub tables: Vec<TableCount>,
    /// Rows in all.
    pub rows: u64,
    /// Wall time.
    #[serde(serialize_with = "serialize_secs")]
    pub elapsed: Duration,
}

fn serialize_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

struct Rows {
    table: TableName,
    rows: Vec<Vec<Value>>,
}

/// Imports `sources` into `store`, all or nothing.
pub async fn import(
    store: &Store,
    sources: Vec<ImportSource>,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let started_at = crate::time::now_millis();
    let known = load_known_ids(store, &sources, options.profiles.clone()).await?;
    let progress = progress_bar(&sources, options.progress);

    let (tx_rows, mut rx_rows) = mpsc::channel::<Rows>(4);
    let bar = progress.clone();
    let producer =
        tokio::task::spawn_blocking(move || read_and_validate(sources, known, tx_rows, bar));

    let mut tx = store.begin().await?;
    if store.backend() == Backend::Sqlite {
        // A large run inserts into every grant's part of the access log at
        // once (the log is in time order): with the default 64 MiB page
        // cache the transaction's dirty pages spill to the WAL and are read
        // back again and again (measured on the city: ~27k rows/s). The
        // cache grows only as pages are touched, so small runs stay small.
        sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
            .execute(&mut *tx)
            .await?;
    }
    let mut write_error = None;
    while let Some(batch) = rx_rows.recv().await {
        if let Err(e) =
            write::upsert(&mut tx, store.backend(), batch.table.spec(), &batch.rows).await
        {
            write_error = Some(e);
            break;
        }
    }
    drop(rx_rows);
    let (errors, counts) = producer
        .await
        .map_err(|e| ImportError::Input(format!("the reader thread failed: {e}")))?;
    progress.finish_and_clear();
    let rows: u64 = counts.iter().map(|c| c.rows).sum();

    // Nothing lands: the transaction goes, the run is recorded as rejected.
    let reject = |tx: sqlx::Transaction<'static, sqlx::Any>, errors: u64, summary: String| async move {
        tx.rollback().await.ok();
        runs::record(store, options, started_at, rows, errors, false, &summary).await;
    };
    if let Some(e) = write_error {
        reject(tx, 0, format!("store error: {e}")).await;
        return Err(e.into());
    }
    if !errors.is_empty() {
        let (errors, total) = errors.into_parts();
        reject(tx, total, format!("{total} error(s); first: {}", errors[0])).await;
        return Err(ImportError::Invalid { errors, total });
    }
    let summary = counts
        .iter()
        .map(|c| format!("{}={}", c.table, c.rows))
        .collect::<Vec<_>>()
        .join(" ");
    let origin = if options.origin.is_empty() {
        "cli"
    } else {
        options.origin.as_str()
    };
    let change = Change {
        actor: &options.actor,
        action: AuditAction::DataImport,
        subject: format!("import:{origin}"),
        details: serde_json::json!({ "rows": rows, "tables": summary }),
    };
    if let Err(e) = audit::append(&mut tx, &change).await {
        reject(tx, 0, format!("audit: {e}")).await;
        return Err(e.into());
    }
    let cause = format!("import:{origin}");
    if let Err(e) = crate::results::version::bump(&mut tx, &cause, started_at).await {
        reject(tx, 0, format!("data version: {e}")).await;
        return Err(e.into());
    }
    tx.commit().await?;
    refresh_statistics(store, &counts).await;
    runs::record(store, options, started_at, rows, 0, true, &summary).await;
    Ok(ImportReport {
        tables: counts,
        rows,
        elapsed: started.elapsed(),
    })
}

/// Tables that received at least this many rows get fresh planner
/// statistics after the run.
const ANALYZE_THRESHOLD_ROWS: u64 = 10_000;

/// Refreshes PostgreSQL's planner statistics of the tables a large run
/// filled: autovacuum would do it only later, and until then the metrics'
/// plans are blind (measured on the city: the grants check took 13.6 s before
/// ANALYZE and 7.4 s after). A failure is logged, never fatal: the data has
/// landed.
async fn refresh_statistics(store: &Store, counts: &[TableCount]) {
    if store.backend() != Backend::Postgres {
        return;
    }
    for c in counts.iter().filter(|c| c.rows >= ANALYZE_THRESHOLD_ROWS) {
        let sql = format!("ANALYZE {}", c.table.as_str());
        if let Err(e) = sqlx::query(&sql).execute(store.pool()).await {
            tracing::warn!(table = c.table.as_str(), error = %e, "ANALYZE failed");
        }
    }
}

/// SQLite page cache of an import's connection, in KiB (1 GiB).
const IMPORT_CACHE_KIB: u32 = 1 << 20;

/// The stored ids every source may refer to.
async fn load_known_ids(
    store: &Store,
    sources: &[ImportSource],
    profiles: Vec<String>,
) -> Result<KnownIds, ImportError> {
    let mut needed: HashSet<TableName> = HashSet::new();
    for source in sources {
        for column in source.table.spec().columns {
            if let ColumnKind::Ref(target) = column.kind {
                needed.insert(target);
            }
        }
    }
    let mut known = KnownIds::with_profiles(profiles);
    let mut needed: Vec<TableName> = needed.into_iter().collect();
    needed.sort();
    for table in needed {
        known.insert_all(table, store.ids(table).await?);
    }
    Ok(known)
}

/// The producer: reads every source in order, validates, sends valid rows
/// while the run is still clean, and returns all errors and row counts.
fn read_and_validate(
    sources: Vec<ImportSource>,
    mut known: KnownIds,
    rows_out: mpsc::Sender<Rows>,
    progress: ProgressBar,
) -> (ErrorSink, Vec<TableCount>) {
    let mut errors = ErrorSink::default();
    let mut counts: Vec<TableCount> = Vec::new();
    let mut writer_gone = false;
    let mut done_bytes = 0u64;
    for source in sources {
        progress.set_message(source.table.as_str());
        let mut validator = TableValidator::new(source.table, source.name.clone(), &mut known);
        let mut reader = match BatchReader::open(&source.input, source.format) {
            Ok(r) => r,
            Err(p) => {
                errors.push(p.into_error(&source.name));
                continue;
            }
        };
        let mut columns_ok = match reader.header() {
            Some(header) => validator.check_columns(header, true, &mut errors),
            None => true,
        };
        loop {
            let batch = match reader.next_batch() {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(p) => {
                    errors.push(p.into_error(&source.name));
                    break;
                }
            };
            if reader.header().is_none() {
                // NDJSON and Parquet learn their columns from each batch; an
                // NDJSON record may omit a key (its missing value is reported
                // by row), a Parquet file has one schema for all its rows.
                let names: Vec<String> = batch
                    .frame
                    .get_column_names()
                    .iter()
                    .map(|n| n.to_string())
                    .collect();
                let ndjson = source.format == Format::Ndjson;
                let ok = validator.check_columns(&names, !ndjson, &mut errors);
                columns_ok = ok || ndjson;
            }
            if !columns_ok {
                break;
            }
            for p in reader.problems.drain(..) {
                errors.push(p.into_error(&source.name));
            }
            let rows = validator.validate(&batch, &mut errors);
            if errors.is_empty() && !writer_gone && !rows.is_empty() {
                let msg = Rows {
                    table: source.table,
                    rows,
                };
                if rows_out.blocking_send(msg).is_err() {
                    // The writer failed; its error ends the run.
                    writer_gone = true;
                }
            }
            progress.set_position(done_bytes + reader.position());
        }
        for p in reader.problems.drain(..) {
            errors.push(p.into_error(&source.name));
        }
        done_bytes += reader.position();
        let rows = validator.finish(&mut errors);
        match counts.iter_mut().find(|c| c.table == source.table) {
            Some(c) => c.rows += rows,
            None => counts.push(TableCount {
                table: source.table,
                rows,
            }),
        }
        if writer_gone {
            break;
        }
    }
    (errors, counts)
}

fn progress_bar(sources: &[ImportSource], enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let total: u64 = sources
        .iter()
        .map(|s| match &s.input {
            Input::Path(p) if s.format != Format::Parquet => {
                std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
            }
            _ => 0,
        })
        .sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>17} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .expect("valid progress template")
        .progress_chars("=> "),
    );
    bar
}
