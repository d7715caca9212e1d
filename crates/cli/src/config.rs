//! Configuration: built-in defaults, then `inzage.toml` (or `--config`),
//! then `INZAGE_*` environment variables, then command-line flags.
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`. Empty: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Where the SQLite file and document contents live.
    pub data_dir: PathBuf,
    /// Address `inzage serve` listens on.
    pub bind: String,
    /// Public URL (https://… adds HSTS).
    pub public_url: Option<String>,
    /// Pool size per process.
    pub db_max_connections: u32,
    /// Run background jobs in `serve`.
    pub run_jobs: bool,
    /// Seconds between job polls when idle.
    pub job_poll_seconds: u64,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// tracing filter, e.g. `info` or `inzage=debug`.
    pub log_level: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            data_dir: PathBuf::from("./data"),
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            db_max_connections: 8,
            run_jobs: true,
            job_poll_seconds: 5,
            log_format: "text".into(),
            log_level: "info".into(),
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Self, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    return Err(format!("configuration file {} does not exist", f.display()));
                }
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("inzage.toml")),
        }
        fig = fig.merge(Env::prefixed("INZAGE_").only(&[
            "database_url",
            "data_dir",
            "bind",
            "public_url",
            "db_max_connections",
            "run_jobs",
            "job_poll_seconds",
            "log_format",
            "log_level",
        ]));
        fig.extract().map_err(|e| format!("configuration: {e}"))
    }

    /// The database URL in force: the configured one, or SQLite in data_dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_owned(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("inzage.db").display()
            ),
        }
    }
}
