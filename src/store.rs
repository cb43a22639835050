//! The store: one sqlx pool over SQLite (embedded default) or PostgreSQL.
//!
//! Both backends are reached through sqlx's `Any` driver with one set of SQL:
//! `$N` placeholders (SQLite accepts them too), `INSERT … ON CONFLICT … DO
//! UPDATE` upserts, instants as BIGINT milliseconds. Schemas differ only where
//! the dialects do, so migrations live in one folder per backend.

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor, Row};

use crate::model::TableName;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Embedded SQLite (WAL mode).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Why the store could not be opened or queried.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend.
    #[error(
        "unsupported DATABASE_URL {0:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB[?schema=NAME]"
    )]
    UnsupportedUrl(String),
    /// The directory of an SQLite file could not be created.
    #[error("cannot create directory {path} for the SQLite store: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A schema name that is not a plain identifier.
    #[error("invalid PostgreSQL schema name {0:?}: use letters, digits and underscores")]
    InvalidSchema(String),
    /// Connecting failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL without credentials.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Migrations failed.
    #[error("migrating the store failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A connection pool to the store, migrated to the current schema.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the store named by `url` and applies pending migrations.
    ///
    /// `sqlite://PATH` creates the file (and its directory) if needed and turns
    /// on WAL mode and foreign keys. `postgres://…?schema=NAME` keeps every
    /// table in schema NAME (created if missing), so several cities — or
    /// parallel tests — can share one database.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect_unmigrated(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the store without touching its schema (administration, tests).
    pub async fn connect_unmigrated(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url, schema) = normalise_url(url)?;
        let mut options = AnyPoolOptions::new();
        match backend {
            Backend::Sqlite => {
                options = options.max_connections(8).after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                        Ok(())
                    })
                });
            }
            Backend::Postgres => {
                options = options.max_connections(16);
                if let Some(schema) = schema.clone() {
                    let set = format!("SET search_path TO {schema}");
                    options = options.after_connect(move |conn, _| {
                        let set = set.clone();
                        Box::pin(async move {
                            conn.execute(set.as_str()).await?;
                            Ok(())
                        })
                    });
                }
            }
        }
        // Bulk upserts are long by design: no per-statement logging.
        let connect_options = AnyConnectOptions::from_str(&url)
            .map_err(|source| StoreError::Connect {
                url: redact(&url),
                source,
            })?
            .disable_statement_logging();
        if let Some(schema) = &schema {
            // The schema must exist before a pooled connection selects it.
            let mut conn = sqlx::AnyConnection::connect_with(&connect_options).await?;
            conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                .await?;
        }
        let pool = options
            .connect_with(connect_options)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(&url),
                source,
            })?;
        Ok(Store { pool, backend })
    }

    /// Applies pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that writes. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`): a deferred transaction that reads first
    /// and writes later fails at once with "database is locked" when another
    /// connection wrote meanwhile (WAL cannot upgrade its snapshot), where
    /// an immediate one waits its turn under `busy_timeout`. PostgreSQL
    /// begins as usual.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Answers once the store does (`SELECT 1`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Number of rows in a table.
    pub async fn count(&self, table: TableName) -> Result<i64, StoreError> {
        let row = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Row counts of every interchange table, in dependency order.
    pub async fn counts(&self) -> Result<Vec<(TableName, i64)>, StoreError> {
        let mut out = Vec::with_capacity(TableName::ALL.len());
        for table in TableName::ALL {
            out.push((table, self.count(table).await?));
        }
        Ok(out)
    }

    /// The ids present in a table that has an `id` column.
    pub async fn ids(&self, table: TableName) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query(&format!("SELECT id FROM {table}"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
            .collect()
    }
}

/// `n` numbered bind placeholders from `$first`: `$3, $4, $5` (an `IN (…)`
/// list; both backends number them so).
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a boolean column whichever way the backend returns it (PostgreSQL
/// BOOLEAN, SQLite INTEGER 0/1).
pub fn get_bool(row: &AnyRow, column: &str) -> Result<Option<bool>, sqlx::Error> {
    match row.try_get::<Option<bool>, _>(column) {
        Ok(v) => Ok(v),
        Err(_) => Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v != 0)),
    }
}

/// Splits a store URL into backend, driver URL and (PostgreSQL) schema.
fn normalise_url(url: &str) -> Result<(Backend, String, Option<String>), StoreError> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path != ":memory:" {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let query = if query.contains("mode=") {
            query.to_string()
        } else if query.is_empty() {
            "mode=rwc".to_string()
        } else {
            format!("{query}&mode=rwc")
        };
        return Ok((Backend::Sqlite, format!("sqlite://{path}?{query}"), None));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut schema = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.strip_prefix("schema=") {
                Some(name) => {
                    if name.is_empty()
                        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        || name.starts_with(|c: char| c.is_ascii_digit())
                    {
                        return Err(StoreError::InvalidSchema(name.to_string()));
                    }
                    schema = Some(name.to_string());
                }
                None => kept.push(pair),
            }
        }
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Ok((Backend::Postgres, url, schema));
    }
    Err(StoreError::UnsupportedUrl(url.to_string()))
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let (b, u, s) =
            normalise_url("postgres://u@h:5432/test?schema=t_1&sslmode=disable").unwrap();
        assert_eq!(b, Backend::Postgres);
        assert_eq!(u, "postgres://u@h:5432/test?sslmode=disable");
        assert_eq!(s.as_deref(), Some("t_1"));
        assert!(matches!(
            normalise_url("postgres://h/db?schema=a;drop"),
            Err(StoreError::InvalidSchema(_))
        ));
        assert!(matches!(
            normalise_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
