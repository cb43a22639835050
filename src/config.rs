//! Service configuration: `dukao.toml`, overridden by the environment.
//!
//! Precedence, lowest first: built-in defaults, the config file (the one named
//! by `--config`, else `./dukao.toml` when it exists), environment variables,
//! command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::people::session::SessionPolicy;

/// The embedded default store.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/dukao.db";
/// The default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value is malformed.
    #[error("config value {key} = {value:?}: {message}")]
    Value {
        /// Which setting.
        key: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        message: String,
    },
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which store: `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// Listen address of `dukao serve`.
    pub bind: SocketAddr,
    /// Regulation profile for jurisdictions that name none.
    pub default_profile: String,
    /// How long sign-in sessions live and how many failed sign-ins are
    /// tolerated (`[session]`).
    pub session: SessionPolicy,
    /// Mark the session cookie `Secure` (served over TLS, directly or
    /// behind a proxy). Default false: the embedded default serves plain
    /// HTTP on 127.0.0.1.
    pub secure_cookies: bool,
    /// A calendar override file for years the built-in data lacks.
    pub calendar_overrides: Option<PathBuf>,
    /// A folder of regulation profiles (`<id>.toml`, each with its
    /// regulation's text beside it): a file whose id is a shipped one
    /// replaces it, any other adds a profile. Read at every run. `None`: the
    /// five shipped profiles.
    pub profiles: Option<PathBuf>,
    /// Evaluation schemes: a `.toml` scheme file, or a folder of them (one
    /// per version, each valid from its `from_year`). Read at every
    /// evaluation, so a changed weight needs no rebuild. `None`: the
    /// built-in default scheme.
    pub evaluation_schemes: Option<PathBuf>,
    /// Where issued documents are archived (PDF files; their records are in
    /// the store). Default `reports`.
    pub archive_dir: PathBuf,
    /// When stored results "as of now" are refreshed (`[results]`).
    pub results: crate::results::ResultsPolicy,
    /// The scheduled jobs' settings (`[jobs.<name>]`).
    pub jobs: crate::jobs::JobsConfig,
    /// Where the file came from, if any.
    pub source: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    default_profile: Option<String>,
    calendar_overrides: Option<PathBuf>,
    profiles: Option<PathBuf>,
    evaluation_schemes: Option<PathBuf>,
    archive_dir: Option<PathBuf>,
    #[serde(default)]
    session: SessionSection,
    #[serde(default)]
    results: ResultsSection,
    /// `[jobs.<name>]`, by job name.
    #[serde(default)]
    jobs: std::collections::BTreeMap<String, JobSection>,
    /// Recognised only to say where tokens went (`dukao token add`).
    ingest: Option<toml::Value>,
    /// Recognised only to say where operators went (`dukao user add`).
    operators: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionSection {
    idle_minutes: Option<u64>,
    max_age_hours: Option<u64>,
    max_failures: Option<u32>,
    failure_window_minutes: Option<u64>,
    secure_cookie: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultsSection {
    refresh_after_minutes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobSection {
    enabled: Option<bool>,
    cron: Option<String>,
    missed: Option<crate::vocab::MissedPolicy>,
    cap: Option<u32>,
    january_day: Option<u32>,
}

/// What replaced the configured tokens and operators.
const MOVED_TO_STORE: &str = "tokens and operators live in the store now: create platform \
     tokens with `dukao token add NAME --role platform --tables …` and people with \
     `dukao user add`";

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.to_string(),
            bind: DEFAULT_BIND.parse().expect("valid default bind address"),
            default_profile: "jincheng".to_string(),
            session: SessionPolicy::default(),
            secure_cookies: false,
            calendar_overrides: None,
            profiles: None,
            evaluation_schemes: None,
            archive_dir: PathBuf::from("reports"),
            results: crate::results::ResultsPolicy::default(),
            jobs: crate::jobs::JobsConfig::default(),
            source: None,
        }
    }
}

impl Config {
    /// Loads the configuration: the named file (which must exist), else
    /// `./dukao.toml` if present, then the environment (`DATABASE_URL`,
    /// `DUKAO_BIND`, `DUKAO_DEFAULT_PROFILE`, `DUKAO_CALENDAR_OVERRIDES`, `DUKAO_PROFILES`,
    /// `DUKAO_EVALUATION_SCHEMES`, `DUKAO_ARCHIVE_DIR`, `DUKAO_SECURE_COOKIES`). The
    /// retired `DUKAO_INGEST_TOKENS` and `DUKAO_OPERATORS` are errors that
    /// say where tokens went.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match file {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("dukao.toml")).filter(|p| p.exists()),
        };
        let mut config = match &path {
            Some(p) => Config::from_file(p)?,
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// Reads a config file over the defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })??;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    fn from_toml(text: &str) -> Result<Result<Config, ConfigError>, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut config = Config::default();
        if let Some(url) = file.database_url {
            config.database_url = url;
        }
        if let Some(bind) = file.bind {
            match parse_bind(&bind) {
                Ok(addr) => config.bind = addr,
                Err(e) => return Ok(Err(e)),
            }
        }
        if let Some(p) = file.default_profile {
            config.default_profile = p;
        }
        if file.ingest.is_some() || file.operators.is_some() {
            let key = if file.ingest.is_some() {
                "ingest"
            } else {
                "operators"
            };
            return Ok(Err(ConfigError::Value {
                key,
                value: "…".into(),
                message: MOVED_TO_STORE.into(),
            }));
        }
        let minutes = |m: u64| std::time::Duration::from_secs(m * 60);
        let section = file.session;
        if let Some(m) = section.idle_minutes {
            config.session.idle = minutes(m);
        }
        if let Some(h) = section.max_age_hours {
            config.session.max_age = minutes(h * 60);
        }
        if let Some(n) = section.max_failures {
            config.session.max_failures = n;
        }
        if let Some(m) = section.failure_window_minutes {
            config.session.failure_window = minutes(m);
        }
        if let Some(secure) = section.secure_cookie {
            config.secure_cookies = secure;
        }
        config.calendar_overrides = file.calendar_overrides;
        config.profiles = file.profiles;
        config.evaluation_schemes = file.evaluation_schemes;
        if let Some(dir) = file.archive_dir {
            config.archive_dir = dir;
        }
        if let Some(m) = file.results.refresh_after_minutes {
            config.results.refresh_after_minutes = m;
        }
        for (name, section) in file.jobs {
            let job: crate::vocab::JobName = match name.parse() {
                Ok(job) => job,
                Err(e) => {
                    return Ok(Err(ConfigError::Value {
                        key: "jobs",
                        value: name,
                        message: e.to_string(),
                    }));
                }
            };
            let settings = config.jobs.get_mut(job);
            if let Some(on) = section.enabled {
                settings.enabled = on;
            }
            if let Some(cron) = section.cron {
                settings.cron = cron;
            }
            if let Some(missed) = section.missed {
                settings.missed = missed;
            }
            if let Some(cap) = section.cap {
                settings.cap = cap;
            }
            settings.january_day = section.january_day.or(settings.january_day);
            if let Err(e) = settings.validate(job) {
                return Ok(Err(ConfigError::Value {
                    key: "jobs",
                    value: name,
                    message: e.to_string(),
                }));
            }
        }
        Ok(Ok(config))
    }

    /// Applies environment overrides, read through `get` (testable).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(url) = get("DATABASE_URL").filter(|s| !s.is_empty()) {
            self.database_url = url;
        }
        if let Some(bind) = get("DUKAO_BIND").filter(|s| !s.is_empty()) {
            self.bind = parse_bind(&bind)?;
        }
        if let Some(p) = get("DUKAO_DEFAULT_PROFILE").filter(|s| !s.is_empty()) {
            self.default_profile = p;
        }
        if let Some(path) = get("DUKAO_CALENDAR_OVERRIDES").filter(|s| !s.is_empty()) {
            self.calendar_overrides = Some(PathBuf::from(path));
        }
        if let Some(path) = get("DUKAO_PROFILES").filter(|s| !s.is_empty()) {
            self.profiles = Some(PathBuf::from(path));
        }
        if let Some(path) = get("DUKAO_EVALUATION_SCHEMES").filter(|s| !s.is_empty()) {
            self.evaluation_schemes = Some(PathBuf::from(path));
        }
        if let Some(dir) = get("DUKAO_ARCHIVE_DIR").filter(|s| !s.is_empty()) {
            self.archive_dir = PathBuf::from(dir);
        }
        for key in ["DUKAO_INGEST_TOKENS", "DUKAO_OPERATORS"] {
            if get(key).is_some_and(|v| !v.is_empty()) {
                return Err(ConfigError::Value {
                    key,
                    value: "…".into(),
                    message: MOVED_TO_STORE.into(),
                });
            }
        }
        if let Some(secure) = get("DUKAO_SECURE_COOKIES").filter(|s| !s.is_empty()) {
            self.secure_cookies = match secure.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(ConfigError::Value {
                        key: "DUKAO_SECURE_COOKIES",
                        value: secure,
                        message: "use true or false".into(),
                    });
                }
            };
        }
        Ok(())
    }
}

impl Config {
    /// The working-day calendar: the built-in data plus the override file, if
    /// one is configured.
    pub fn calendar(&self) -> Result<crate::calendar::Calendar, crate::calendar::CalendarError> {
        let builtin = crate::calendar::Calendar::builtin();
        match &self.calendar_overrides {
            Some(path) => builtin.with_overrides(path),
            None => Ok(builtin.clone()),
        }
    }
}

impl Config {
    /// The regulation profiles: the shipped ones plus the configured folder,
    /// validated (every quote against its regulation's text).
    pub fn profiles(&self) -> Result<crate::rules::Profiles, crate::rules::RulesError> {
        match &self.profiles {
            Some(dir) => crate::rules::Profiles::load_dir(dir),
            None => Ok(crate::rules::Profiles::builtin().clone()),
        }
    }
}

fn parse_bind(value: &str) -> Result<SocketAddr, ConfigError> {
    value
        .parse()
        .map_err(|e: std::net::AddrParseError| ConfigError::Value {
            key: "bind",
            value: value.to_string(),
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let mut config = Config::from_toml(
            "database_url = \"sqlite://x.db\"\nbind = \"0.0.0.0:9000\"\n[session]\nidle_minutes = 10\nsecure_cookie = true\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.database_url, "sqlite://x.db");
        assert_eq!(config.session.idle, std::time::Duration::from_secs(600));
        assert_eq!(config.session.max_failures, 5);
        assert!(config.secure_cookies);
        config
            .apply_env(|k| match k {
                "DATABASE_URL" => Some("postgres://h/db".into()),
                "DUKAO_SECURE_COOKIES" => Some("false".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.database_url, "postgres://h/db");
        assert!(!config.secure_cookies);
        assert_eq!(config.bind.port(), 9000);
    }

    #[test]
    fn configured_tokens_are_refused_with_where_they_went() {
        for file in [
            "[ingest]\ntokens = [\"a\"]\n",
            "[[operators]]\nname = \"王明\"\ntoken = \"t\"\n",
        ] {
            match Config::from_toml(file) {
                Ok(Err(e @ ConfigError::Value { .. })) => {
                    assert!(e.to_string().contains("dukao token add"), "{e}");
                    assert!(!e.to_string().contains("\"t\""), "{e}");
                }
                other => panic!("{file}: {other:?}"),
            }
        }
        let mut config = Config::default();
        let err = config
            .apply_env(|k| (k == "DUKAO_OPERATORS").then(|| "张三=secret".into()))
            .unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn jobs_and_results_are_configured_per_job() {
        use crate::vocab::{JobName, MissedPolicy};
        let config = Config::from_toml(
            "[results]\nrefresh_after_minutes = 15\n\
             [jobs.daily-scan]\ncron = \"0 0 4 * * *\"\nmissed = \"all\"\ncap = 3\n\
             [jobs.annual-report]\njanuary_day = 8\n\
             [jobs.calendar-watch]\nenabled = false\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.results.refresh_after_minutes, 15);
        let scan = config.jobs.get(JobName::DailyScan);
        assert_eq!(
            (scan.cron.as_str(), scan.missed, scan.cap),
            ("0 0 4 * * *", MissedPolicy::All, 3)
        );
        assert_eq!(config.jobs.get(JobName::AnnualReport).january_day, Some(8));
        assert!(!config.jobs.get(JobName::CalendarWatch).enabled);
        assert!(config.jobs.get(JobName::Quarterly).enabled);
        for bad in [
            "[jobs.nightly]\nenabled = true\n",
            "[jobs.daily-scan]\ncron = \"at dawn\"\n",
            "[jobs.daily-scan]\njanuary_day = 8\n",
            "[jobs.daily-scan]\nmissed = \"sometimes\"\n",
        ] {
            let refused = match Config::from_toml(bad) {
                Err(_) | Ok(Err(_)) => true,
                Ok(Ok(_)) => false,
            };
            assert!(refused, "{bad}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        assert!(Config::from_toml("databse_url = \"x\"").is_err());
        assert!(matches!(
            Config::from_toml("bind = \"nowhere\""),
            Ok(Err(ConfigError::Value { key: "bind", .. }))
        ));
    }
}
