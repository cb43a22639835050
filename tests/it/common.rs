//! Shared test fixtures: a fresh store per test on each backend, demo data.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use dukao::demo::{self, DemoOptions, Scale};
use dukao::ingest::{self, ImportOptions};
use dukao::model::TableName;
use dukao::store::Store;
use sqlx::Row;

/// Environment variable naming the PostgreSQL server for tests
/// (e.g. `postgres://postgres@127.0.0.1:5432/test`). Without it the
/// PostgreSQL variant of each test reports itself skipped — except under CI
/// (`CI=true`), where it fails.
pub const POSTGRES_ENV: &str = "DUKAO_TEST_POSTGRES_URL";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the tests run under CI (`CI=true`, as CI services set it): a
/// missing PostgreSQL is then a failure, never a skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// A store of its own for one test; removed when the test ends cleanly.
pub struct TestStore {
    pub store: Store,
    pub backend: Backend,
    /// Its URL (a second pool on the same store: another replica).
    pub url: String,
    _dir: tempfile::TempDir,
    schema: Option<(String, String)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

impl TestStore {
    /// A fresh store, or `None` for PostgreSQL when no server is configured.
    pub async fn new(backend: Backend) -> Option<TestStore> {
        let dir = tempfile::tempdir().unwrap();
        let (url, schema) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/dukao.db", dir.path().display()), None),
            Backend::Postgres => {
                let base = match std::env::var(POSTGRES_ENV) {
                    Ok(url) if !url.is_empty() => url,
                    _ if under_ci() => panic!(
                        "CI=true but {POSTGRES_ENV} is not set: under CI every store test \
                         must run on PostgreSQL too (.ci/run sets it)"
                    ),
                    _ => {
                        eprintln!("skipped: set {POSTGRES_ENV} to run the PostgreSQL variant");
                        return None;
                    }
                };
                let schema = unique("t");
                let sep = if base.contains('?') { '&' } else { '?' };
                (format!("{base}{sep}schema={schema}"), Some((base, schema)))
            }
        };
        let store = Store::connect(&url).await.expect("test store opens");
        Some(TestStore {
            store,
            backend,
            url,
            _dir: dir,
            schema,
        })
    }

    /// Closes the store and drops a PostgreSQL test schema.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((base, schema)) = self.schema {
            let admin = Store::connect_unmigrated(&base).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(admin.pool())
                .await
                .unwrap();
            admin.close().await;
        }
    }
}

/// Runs one async test body on SQLite and (when configured) PostgreSQL:
/// `both_backends!(name, body)` where `body(TestStore)` is an async fn.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let ts = $crate::common::TestStore::new($crate::common::Backend::Sqlite)
                    .await
                    .unwrap();
                $body(&ts).await;
                ts.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(ts) =
                    $crate::common::TestStore::new($crate::common::Backend::Postgres).await
                {
                    $body(&ts).await;
                    ts.cleanup().await;
                }
            }
        }
    };
}

/// The small demo municipality as CSV (generated once per test binary).
pub fn demo_csv() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| generate(demo::OutputFormat::Csv))
}

/// The small demo municipality as NDJSON.
pub fn demo_ndjson() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| generate(demo::OutputFormat::Ndjson))
}

fn generate(format: demo::OutputFormat) -> PathBuf {
    let dir = std::env::temp_dir().join(unique("dukao-demo"));
    std::fs::create_dir_all(&dir).unwrap();
    let options = DemoOptions {
        seed: 7,
        scale: Scale::Small,
        year: 2025,
        format,
    };
    demo::generate(&dir, &options, &mut |_, _| {}).expect("demo generates");
    dir
}

/// Imports a directory, panicking with the errors if it does not land.
pub async fn import_dir(store: &Store, dir: &Path) -> ingest::ImportReport {
    let sources = ingest::discover(&[dir.to_path_buf()]).unwrap();
    match ingest::import(store, sources, &ImportOptions::default()).await {
        Ok(report) => report,
        Err(ingest::ImportError::Invalid { errors, total }) => {
            panic!(
                "{total} errors, first: {:#?}",
                &errors[..errors.len().min(5)]
            )
        }
        Err(e) => panic!("import failed: {e}"),
    }
}

/// A fingerprint of everything stored in the interchange tables: every row of
/// every table, ordered by key, hashed.
pub async fn fingerprint(store: &Store) -> Vec<(TableName, i64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    for table in TableName::ALL {
        let spec = table.spec();
        let columns: Vec<String> = spec
            .columns
            .iter()
            .map(|c| match c.kind.storage() {
                dukao::model::StorageType::Text => format!("COALESCE({}, '')", c.name),
                dukao::model::StorageType::Integer => {
                    format!("CAST(COALESCE({}, -1) AS TEXT)", c.name)
                }
                dukao::model::StorageType::Bool => format!(
                    "CASE WHEN {0} IS NULL THEN 'n' WHEN {0} THEN 't' ELSE 'f' END",
                    c.name
                ),
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            table,
            spec.key.join(", ")
        );
        let rows = sqlx::query(&sql).fetch_all(store.pool()).await.unwrap();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for row in &rows {
            for i in 0..spec.columns.len() {
                row.try_get::<String, _>(i).unwrap().hash(&mut hasher);
            }
        }
        out.push((table, rows.len() as i64, hasher.finish()));
    }
    out
}
