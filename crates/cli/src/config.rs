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
    /// `Secure` cookies with the `__Host-` prefix.
    pub secure_cookies: bool,
    /// SMTP server for e-mail; empty: e-mail goes to the outbox folder.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (587), `tls` (465) or `none` (local relay only).
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// From address of e-mail.
    pub mail_from: String,
    /// HTTP SMS gateway URL; empty: SMS goes to the outbox folder.
    pub sms_gateway_url: Option<String>,
    pub sms_gateway_token: Option<String>,
    /// Proxies (addresses or CIDR blocks, comma-separated) whose
    /// `Forwarded`/`X-Forwarded-For` headers name the client. Default none.
    pub trusted_proxies: String,
    /// The header those proxies name the client in: `x-forwarded-for`
    /// (default) or `forwarded`. Only that one is read.
    pub proxy_header: String,
    /// Which organisation a host name shows before sign-in:
    /// `host=organisation, host2=organisation2` (an organisation's id or
    /// registered name). Default none: the oldest organisation.
    pub host_organisations: String,
    /// Where `inzage audit anchor` writes its signed notes of the audit
    /// chain's head (default `data_dir/audit-anchors`; better: a mount of
    /// another machine, or copy them off).
    pub audit_anchor_dir: Option<PathBuf>,
    /// The key that signs the anchors (environment only; never commit it).
    pub audit_anchor_key: Option<String>,
    /// Bearer token for `/metrics` from elsewhere than this machine
    /// (environment only; none: loopback only).
    pub metrics_token: Option<String>,
    /// Minutes a FHIR access token (SMART Backend Services) lives.
    pub fhir_token_minutes: i64,
    /// Seals the secrets a functional admin enters (the identity
    /// provider's client secret): 32 bytes in base64 (environment only).
    pub settings_key: Option<String>,
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
            secure_cookies: true,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            mail_from: "Inzage <noreply@inzage.invalid>".into(),
            sms_gateway_url: None,
            sms_gateway_token: None,
            trusted_proxies: String::new(),
            proxy_header: "x-forwarded-for".into(),
            host_organisations: String::new(),
            audit_anchor_dir: None,
            audit_anchor_key: None,
            metrics_token: None,
            fhir_token_minutes: 5,
            settings_key: None,
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
            "secure_cookies",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "smtp_password",
            "mail_from",
            "sms_gateway_url",
            "sms_gateway_token",
            "trusted_proxies",
            "proxy_header",
            "host_organisations",
            "audit_anchor_dir",
            "audit_anchor_key",
            "metrics_token",
            "fhir_token_minutes",
            "settings_key",
        ]));
        fig.extract().map_err(|e| format!("configuration: {e}"))
    }

    /// The message transports in force: SMTP and/or the SMS gateway when
    /// configured, the outbox folder under data_dir for the rest.
    pub fn delivery(&self) -> Result<inzage_service::messages::Delivery, String> {
        use inzage_service::messages::*;
        let outbox = Outbox {
            dir: self.data_dir.join("outbox"),
            sender: Sender {
                from: self.mail_from.clone(),
            },
        };
        let email = match self
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            None => None,
            Some(host) => {
                let security = match self.smtp_security.as_str() {
                    "starttls" => SmtpSecurity::Starttls,
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    other => {
                        return Err(format!(
                            "smtp_security must be starttls, tls or none, not {other:?}"
                        ))
                    }
                };
                Some(
                    Smtp::new(&SmtpSettings {
                        host: host.to_owned(),
                        port: self.smtp_port,
                        security,
                        username: self.smtp_username.clone(),
                        password: self.smtp_password.clone(),
                        from: self.mail_from.clone(),
                    })
                    .map_err(|e| e.to_string())?,
                )
            }
        };
        let sms = match self
            .sms_gateway_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => None,
            Some(url) => Some(
                SmsGateway::new(url, self.sms_gateway_token.clone()).map_err(|e| e.to_string())?,
            ),
        };
        Ok(Delivery { email, sms, outbox })
    }

    /// Where the audit anchors are.
    pub fn anchor_dir(&self) -> PathBuf {
        self.audit_anchor_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-anchors"))
    }

    /// The anchors' key, if set (and not empty).
    pub fn anchor_key(&self) -> Option<String> {
        self.audit_anchor_key
            .clone()
            .filter(|k| !k.trim().is_empty())
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
