//! `inzage`: the one binary. See `inzage --help` and the README.
#![deny(unsafe_code)]
#![deny(clippy::unwrap_used)]

mod admin;
mod config;
mod demo;
mod pdf;

/// mimalloc instead of glibc's allocator: request tasks move between the
/// runtime's threads, and glibc's per-thread arenas then contend on locks
/// for every cross-thread free (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use config::Config;
use inzage_core::{Clock, SystemClock};
use inzage_service::db::Db;
use inzage_service::{ServiceError, Services};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit codes (also in the README).
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INVALID_INPUT: u8 = 3;
    pub const CONFLICT_OR_NOT_FOUND: u8 = 4;
    pub const UNAVAILABLE: u8 = 5;
    pub const DENIED: u8 = 6;
    pub const AUDIT_BROKEN: u8 = 7;
}

/// Every setting; kept in step with `config.rs` and the README.
const SETTINGS_HELP: &str = "\
Settings (inzage.toml key / environment variable, default):
  database_url        INZAGE_DATABASE_URL        sqlite in data_dir; or postgres://user@host:5432/db
  data_dir            INZAGE_DATA_DIR            ./data (SQLite file, document contents)
  bind                INZAGE_BIND                127.0.0.1:8080
  public_url          INZAGE_PUBLIC_URL          none; links in e-mails point here; required off loopback; https://... turns on HSTS
  db_max_connections  INZAGE_DB_MAX_CONNECTIONS  8
  run_jobs            INZAGE_RUN_JOBS            true (background jobs in serve)
  job_poll_seconds    INZAGE_JOB_POLL_SECONDS    5
  log_format          INZAGE_LOG_FORMAT          text (or json)
  log_level           INZAGE_LOG_LEVEL           info
  secure_cookies      INZAGE_SECURE_COOKIES      true (__Host- cookies; browsers accept them on http://localhost)
  smtp_host           INZAGE_SMTP_HOST           none: e-mail goes to data_dir/outbox as .eml files
  smtp_port           INZAGE_SMTP_PORT           587
  smtp_security       INZAGE_SMTP_SECURITY       starttls (or tls, none)
  smtp_username       INZAGE_SMTP_USERNAME       none
  smtp_password       INZAGE_SMTP_PASSWORD       none
  mail_from           INZAGE_MAIL_FROM           Inzage <noreply@inzage.invalid>
  sms_gateway_url     INZAGE_SMS_GATEWAY_URL     none: SMS goes to data_dir/outbox as .txt files
  sms_gateway_token   INZAGE_SMS_GATEWAY_TOKEN   none (sent as Authorization: Bearer)
  trusted_proxies     INZAGE_TRUSTED_PROXIES     none; addresses/CIDR of proxies whose forwarding header counts
  proxy_header        INZAGE_PROXY_HEADER        x-forwarded-for (or forwarded); the one header those proxies set
  host_organisations  INZAGE_HOST_ORGANISATIONS  none; host=organisation,...: the organisation a host name shows before sign-in
  audit_anchor_dir    INZAGE_AUDIT_ANCHOR_DIR    data_dir/audit-anchors (audit anchor; copy it off-host)
  audit_anchor_key    INZAGE_AUDIT_ANCHOR_KEY    none (signs audit anchors; environment only)
  metrics_token       INZAGE_METRICS_TOKEN       none: /metrics from loopback only; else Authorization: Bearer TOKEN
  fhir_token_minutes  INZAGE_FHIR_TOKEN_MINUTES  5 (life of a FHIR access token, 1 to 60)
  settings_key        INZAGE_SETTINGS_KEY        none (32 bytes, base64; seals the identity provider's client secret; environment only)
Configuration file: --config FILE or INZAGE_CONFIG, else ./inzage.toml when present.
Order: defaults < file < environment < command-line flags.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 conflict or not found,
  5 database unavailable or bad configuration, 6 not allowed, 7 audit trail broken.";

#[derive(Parser, Debug)]
#[command(
    name = "inzage",
    version,
    about = "Inzage: client portal and light ECD for Dutch care organisations",
    after_help = SETTINGS_HELP
)]
struct Cli {
    /// Configuration file (default: ./inzage.toml if present).
    #[arg(long, global = true, env = "INZAGE_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://… or postgres://… [env: INZAGE_DATABASE_URL]
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Data directory for the SQLite file and documents [env: INZAGE_DATA_DIR; default ./data]
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up; the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Start the HTTP server (migrates first, runs background jobs).
    Serve {
        /// Listen address [env: INZAGE_BIND; default 127.0.0.1:8080]
        #[arg(long)]
        bind: Option<String>,
        /// Do not run background jobs in this process.
        #[arg(long)]
        no_jobs: bool,
        /// Load the demo organisation first (idempotent).
        #[arg(long)]
        demo: bool,
        /// Development: show the outbox at /dev/outbox (only while e-mail and
        /// SMS both go to the outbox folder).
        #[arg(long)]
        dev_outbox: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo organisation (idempotent); with --clients, a dataset at scale.
    Demo(demo::DemoArgs),
    /// Set-up and scripting: organisations, locations, teams, staff, clients.
    #[command(subcommand)]
    Admin(admin::AdminCmd),
    /// The NEN 7513 audit trail.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Background jobs.
    #[command(subcommand)]
    Jobs(JobsCmd),
    /// Copy the whole installation (database snapshot, documents, audit
    /// anchors, manifest with checksums) into a new folder, while the
    /// server runs.
    Backup {
        /// A folder that does not exist yet, or is empty.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Fill an empty installation from a backup folder (refuses a
    /// non-empty database and a damaged backup).
    Restore {
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Check the hash chain, and the log against every anchor when
    /// anchors exist; report the first broken link (exit 7).
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Write the chain's head (sequence and hash), signed with
    /// `audit_anchor_key`, into `audit_anchor_dir`, outside the database.
    Anchor {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum JobsCmd {
    /// Run every due job now, then exit.
    Run {
        /// Run as if it were this instant (RFC 3339), for rehearsals and
        /// end-to-end tests of time-based jobs. Refused unless
        /// INZAGE_ALLOW_CLOCK_OVERRIDE=1: audit events get that time.
        #[arg(long, value_name = "INSTANT")]
        as_of: Option<String>,
    },
    /// Show how many jobs are queued, running, done, failed.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// An error for the operator: one line, and an exit code.
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> Self {
        let code = match &e {
            ServiceError::Invalid(_) => exit::INVALID_INPUT,
            ServiceError::NotFound
            | ServiceError::Conflict(_)
            | ServiceError::Taken(_)
            | ServiceError::Stale => exit::CONFLICT_OR_NOT_FOUND,
            ServiceError::Unavailable(_) | ServiceError::Config(_) | ServiceError::Full(_) => {
                exit::UNAVAILABLE
            }
            ServiceError::Denied(_) => exit::DENIED,
            ServiceError::Internal(_) => exit::INTERNAL,
        };
        CliError {
            code,
            message: e.to_string(),
        }
    }
}

impl From<inzage_core::types::FieldError> for CliError {
    fn from(e: inzage_core::types::FieldError) -> Self {
        CliError {
            code: exit::INVALID_INPUT,
            message: format!("invalid --{}: {}", e.field.replace('_', "-"), e.message),
        }
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    inzage_service::on_slow_thread_start(lower_this_threads_priority);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(m) => {
            eprintln!("inzage: {m}");
            return ExitCode::from(exit::USAGE);
        }
    };
    if let Some(u) = cli.database_url.clone() {
        config.database_url = Some(u);
    }
    if let Some(d) = cli.data_dir.clone() {
        config.data_dir = d;
    }
    init_tracing(&config);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("inzage: cannot start the runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("inzage: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

/// A background read's thread (ADR 0025: the privacy officer's search
/// over the whole trail) runs 10 nice steps below the process (at most
/// 19): on a machine whose cores are busy it then yields the CPU to page
/// views instead of taking a core from them. Linux keeps the nice value
/// per thread; elsewhere this does nothing.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority and setpriority on the calling thread's own id,
    // with plain integer arguments; errno is this thread's own. A failure
    // (refused, say) leaves the priority as it was and is harmless.
    #[allow(unsafe_code)]
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if now == -1 && *libc::__errno_location() != 0 {
            return;
        }
        libc::setpriority(libc::PRIO_PROCESS, tid, (now + 10).min(19));
    }
}

/// `inzage admin client list | head` should end quietly, as Unix tools do,
/// not panic on the closed pipe.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default at start-up,
    // before any threads exist. One of the project's two unsafe blocks.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

/// Where links in e-mails point: `public_url`, or else the address the
/// server listens on when that is this machine (development). On any other
/// address without `public_url` the links would point nowhere a recipient
/// can reach (0.0.0.0, or the wrong name): refused, naming the setting.
fn public_base_url(public_url: Option<&str>, bind: &str) -> Result<String, CliError> {
    if let Some(u) = public_url {
        return Ok(u.trim_end_matches('/').to_owned());
    }
    let loopback = match bind.parse::<std::net::SocketAddr>() {
        Ok(a) => a.ip().is_loopback(),
        Err(_) => bind
            .rsplit_once(':')
            .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost")),
    };
    if loopback {
        Ok(format!("http://{bind}"))
    } else {
        Err(CliError {
            code: exit::USAGE,
            message: format!(
                "configuration: public_url (INZAGE_PUBLIC_URL) is required when listening on {bind}: \
                 links in e-mails must point where the server is reachable, e.g. https://portaal.example.nl"
            ),
        })
    }
}

/// The data directory exists (SQLite keeps its file there).
fn ensure_data_dir(config: &Config, url: &str) -> Result<(), CliError> {
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| CliError {
            code: exit::UNAVAILABLE,
            message: format!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            ),
        })?;
    }
    Ok(())
}

/// `fhir_token_minutes`: 1 to 60 (SMART advises minutes, not hours).
fn fhir_token_lifetime(minutes: i64) -> Result<chrono::Duration, CliError> {
    if !(1..=60).contains(&minutes) {
        return Err(CliError {
            code: exit::USAGE,
            message: "configuration: fhir_token_minutes must be 1 to 60".into(),
        });
    }
    Ok(chrono::Duration::minutes(minutes))
}

async fn open(config: &Config) -> Result<Services, CliError> {
    open_with_clock(config, Arc::new(SystemClock)).await
}

async fn open_with_clock(config: &Config, clock: Arc<dyn Clock>) -> Result<Services, CliError> {
    let url = config.effective_database_url();
    ensure_data_dir(config, &url)?;
    let db = Db::connect(&url, config.db_max_connections).await?;
    db.migrate().await?;
    let settings = inzage_service::ServiceSettings {
        public_base_url: public_base_url(config.public_url.as_deref(), &config.bind)?,
        fhir_token_lifetime: fhir_token_lifetime(config.fhir_token_minutes)?,
        settings_key: config
            .settings_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(inzage_service::seal::SealKey::parse)
            .transpose()
            .map_err(|m| CliError {
                code: exit::USAGE,
                message: format!("configuration: {m}"),
            })?,
        ..inzage_service::ServiceSettings::default()
    };
    let delivery = config.delivery().map_err(|m| CliError {
        code: exit::USAGE,
        message: format!("configuration: {m}"),
    })?;
    Ok(Services::new(db, clock, &config.data_dir)
        .with_settings(settings)
        .with_transport(Arc::new(delivery)))
}

async fn run(cmd: Command, config: Config) -> Result<(), CliError> {
    if inzage_service::READS_UNAUDITED {
        if std::env::var("INZAGE_BENCH_UNAUDITED").as_deref() != Ok("1") {
            return Err(CliError {
                code: exit::UNAVAILABLE,
                message: "this is a benchmark-only build that writes no read events to the audit trail; it runs only with INZAGE_BENCH_UNAUDITED=1, and never on real data".into(),
            });
        }
        tracing::warn!("benchmark-only build: page views are NOT audited");
    }
    match cmd {
        Command::Migrate => {
            let url = config.effective_database_url();
            if url.starts_with("sqlite:") {
                let _ = std::fs::create_dir_all(&config.data_dir);
            }
            let db = Db::connect(&url, 1).await?;
            let applied = db.migrate().await?;
            let version = db.schema_version().await?;
            if applied.is_empty() {
                println!(
                    "schema is up to date (version {version}, {})",
                    db.backend().name()
                );
            } else {
                println!(
                    "applied migrations {applied:?}; schema version {version} ({})",
                    db.backend().name()
                );
            }
            Ok(())
        }
        Command::Serve {
            bind,
            no_jobs,
            demo,
            dev_outbox,
        } => {
            // `--bind` is where the server listens, and so where links go
            // when no public_url is set.
            let mut config = config;
            if let Some(b) = &bind {
                config.bind = b.clone();
            }
            let svc = open(&config).await?;
            if demo {
                demo::run(&svc, demo::DemoArgs::default()).await?;
            }
            serve(svc, &config, bind, !no_jobs && config.run_jobs, dev_outbox).await
        }
        Command::Demo(args) => demo::run(&open(&config).await?, args).await,
        Command::Admin(cmd) => admin::run(&open(&config).await?, cmd).await,
        Command::Backup { to, json } => {
            let svc = open(&config).await?;
            let url = config.effective_database_url();
            let anchor_dir = config.anchor_dir();
            let m = svc
                .backup(
                    &inzage_service::Ctx::system("cli"),
                    inzage_service::backup::BackupPlan {
                        to: &to,
                        database_url: &url,
                        anchor_dir: &anchor_dir,
                    },
                )
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
            } else {
                let rows: i64 = m.tables.values().sum();
                println!(
                    "backup written to {}: {} tables, {rows} rows, {} files, audit head at event {} ({})",
                    to.display(),
                    m.tables.len(),
                    m.files.len(),
                    m.audit_head.seq,
                    m.engine
                );
            }
            let lost = m.lost_documents();
            if lost > 0 {
                return Err(CliError {
                    code: exit::INTERNAL,
                    message: format!(
                        "{lost} document contents are missing or damaged in {}: the backup lists them under \"missing\"",
                        config.data_dir.join("blobs").display()
                    ),
                });
            }
            Ok(())
        }
        Command::Restore { from, json } => {
            let url = config.effective_database_url();
            ensure_data_dir(&config, &url)?;
            let anchor_dir = config.anchor_dir();
            let r = inzage_service::backup::restore(
                inzage_service::backup::RestorePlan {
                    from: &from,
                    database_url: &url,
                    data_dir: &config.data_dir,
                    anchor_dir: &anchor_dir,
                },
                Arc::new(SystemClock),
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                println!(
                    "restored the backup of {} ({} rows, audit trail intact to event {}); run `inzage audit verify` to check it against the anchors",
                    r.manifest.created_at,
                    r.manifest.tables.values().sum::<i64>(),
                    r.manifest.audit_head.seq
                );
            }
            if !r.manifest.missing.is_empty() {
                eprintln!(
                    "inzage: note: the backup lists {} contents that were missing when it was made (see \"missing\" in its manifest)",
                    r.manifest.missing.len()
                );
            }
            Ok(())
        }
        Command::Audit(AuditCmd::Anchor { json }) => {
            let svc = open(&config).await?;
            let key = config.anchor_key().ok_or_else(|| CliError {
                code: exit::UNAVAILABLE,
                message: "audit_anchor_key is not set (INZAGE_AUDIT_ANCHOR_KEY): anchors are signed with it".into(),
            })?;
            let dir = config.anchor_dir();
            let anchor = svc
                .write_audit_anchor(
                    &inzage_service::Ctx::system("cli"),
                    inzage_service::Anchors {
                        dir: &dir,
                        key: key.as_bytes(),
                    },
                )
                .await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&anchor).unwrap_or_default()
                );
            } else {
                println!(
                    "anchored event {} in {} (copy it off this machine)",
                    anchor.seq,
                    dir.display()
                );
            }
            Ok(())
        }
        Command::Audit(AuditCmd::Verify { json }) => {
            let svc = open(&config).await?;
            let dir = config.anchor_dir();
            let has_anchors = std::fs::read_dir(&dir).is_ok_and(|mut d| {
                d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("anchor-")))
            });
            let key = config.anchor_key();
            if has_anchors && key.is_none() {
                return Err(CliError {
                    code: exit::UNAVAILABLE,
                    message: format!(
                        "{} holds audit anchors, but audit_anchor_key is not set: they cannot be checked",
                        dir.display()
                    ),
                });
            }
            let anchors = key.as_deref().map(|k| inzage_service::Anchors {
                dir: &dir,
                key: k.as_bytes(),
            });
            let report = svc.verify_audit_chain(anchors).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.intact {
                let gaps = match report.sanctioned_gaps {
                    0 => String::new(),
                    n => {
                        format!(" and {n} events removed with destroyed dossiers (sanctioned gaps)")
                    }
                };
                match report.anchored_at_seq {
                    Some(seq) => println!(
                        "audit trail intact: {} events{gaps}; matches the anchor at event {seq}",
                        report.events
                    ),
                    None => println!(
                        "audit trail intact: {} events{gaps} (no anchor yet)",
                        report.events
                    ),
                }
            } else {
                println!(
                    "audit trail BROKEN at event {}: {}",
                    report.broken_at_seq.unwrap_or_default(),
                    report.problem.clone().unwrap_or_default()
                );
            }
            if report.intact {
                Ok(())
            } else {
                Err(CliError {
                    code: exit::AUDIT_BROKEN,
                    message: "audit trail verification failed".into(),
                })
            }
        }
        Command::Jobs(JobsCmd::Run { as_of }) => {
            let svc = match as_of {
                None => open(&config).await?,
                Some(at) => {
                    if std::env::var("INZAGE_ALLOW_CLOCK_OVERRIDE").as_deref() != Ok("1") {
                        return Err(CliError {
                            code: exit::USAGE,
                            message: "--as-of needs INZAGE_ALLOW_CLOCK_OVERRIDE=1 (tests and rehearsals only)".into(),
                        });
                    }
                    let at = chrono::DateTime::parse_from_rfc3339(&at)
                        .map_err(|_| CliError {
                            code: exit::USAGE,
                            message: "--as-of: not an RFC 3339 instant (2026-11-24T10:00:00Z)"
                                .into(),
                        })?
                        .with_timezone(&chrono::Utc);
                    open_with_clock(&config, Arc::new(inzage_core::FixedClock::new(at))).await?
                }
            };
            let ticks = inzage_service::jobs::Runner::new(svc, "cli")
                .run_until_idle()
                .await?;
            println!("ran {} job(s)", ticks.len());
            Ok(())
        }
        Command::Jobs(JobsCmd::Status { json }) => {
            let svc = open(&config).await?;
            let st = svc.job_stats().await?;
            if json {
                println!("{}", serde_json::to_string(&st).unwrap_or_default());
            } else {
                println!(
                    "queued {}  running {}  done {}  failed {}",
                    st.queued, st.running, st.done, st.failed
                );
            }
            Ok(())
        }
    }
}

async fn serve(
    svc: Services,
    config: &Config,
    bind: Option<String>,
    jobs: bool,
    dev_outbox: bool,
) -> Result<(), CliError> {
    let bind = bind.unwrap_or_else(|| config.bind.clone());
    let trusted_proxies = inzage_web::client_addr::ProxyHeader::parse(&config.proxy_header)
        .and_then(|header| {
            inzage_web::client_addr::TrustedProxies::parse(&config.trusted_proxies)
                .map(|p| p.with_header(header))
        })
        .map_err(|message| CliError {
            code: exit::UNAVAILABLE,
            message,
        })?;
    let host_organisations = inzage_web::face::HostOrganisations::parse(&config.host_organisations)
        .map_err(|message| CliError {
            code: exit::USAGE,
            message: format!("configuration: {message}"),
        })?;
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| CliError {
            code: exit::UNAVAILABLE,
            message: format!("cannot listen on {bind}: {e}"),
        })?;
    let tls = config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    if tls && trusted_proxies.is_empty() {
        // Behind the TLS proxy every client would share its address: one
        // guesser would slow (and a flood refuse) everybody.
        tracing::warn!(
            "public_url is https but trusted_proxies is empty: if a proxy is in front, name it (INZAGE_TRUSTED_PROXIES), or every client shares its address for the audit trail and the sign-in limits"
        );
    }
    let outbox_only = config.smtp_host.is_none() && config.sms_gateway_url.is_none();
    if dev_outbox && !outbox_only {
        tracing::warn!("--dev-outbox ignored: a real e-mail or SMS transport is configured");
    }
    // The outbox page shows every sign-in code: only for this machine.
    let loopback = listener
        .local_addr()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(false);
    if dev_outbox && !loopback {
        return Err(CliError {
            code: exit::USAGE,
            message: format!(
                "--dev-outbox shows sign-in codes and is only for a loopback address (127.0.0.1, ::1), not {bind}"
            ),
        });
    }
    let app = inzage_web::router(
        svc.clone(),
        inzage_web::WebConfig {
            tls,
            secure_cookies: config.secure_cookies,
            dev_outbox: (dev_outbox && outbox_only).then(|| config.data_dir.join("outbox")),
            trusted_proxies,
            host_organisations,
            metrics_token: config.metrics_token.clone(),
        },
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let runner = if jobs {
        let r = inzage_service::jobs::Runner::new(svc.clone(), "serve");
        Some(tokio::spawn(r.run_forever(
            std::time::Duration::from_secs(config.job_poll_seconds.max(1)),
            stop_rx,
        )))
    } else {
        None
    };
    tracing::info!(bind = %bind, backend = svc.db().backend().name(), jobs, "inzage is listening");
    if config.smtp_host.is_none() || config.sms_gateway_url.is_none() {
        tracing::info!(
            outbox = %config.data_dir.join("outbox").display(),
            email = if config.smtp_host.is_some() { "smtp" } else { "outbox" },
            sms = if config.sms_gateway_url.is_some() { "gateway" } else { "outbox" },
            "messages without a configured transport are written to the outbox folder"
        );
    }
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    // Requests are finished; now let a running job finish, then stop.
    let _ = stop_tx.send(true);
    if let Some(r) = runner {
        let _ = r.await;
    }
    svc.db().close().await;
    tracing::info!("inzage stopped");
    served.map_err(|e| CliError {
        code: exit::INTERNAL,
        message: format!("server error: {e}"),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing running requests and jobs");
}

#[cfg(test)]
mod tests {
    use super::public_base_url;

    /// The nice value of the calling thread, from /proc (field 19 of its
    /// stat line, after the command name in parentheses).
    #[cfg(target_os = "linux")]
    fn nice_of_this_thread() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("stat");
        let rest = &stat[stat.rfind(')').expect("name") + 2..];
        rest.split(' ')
            .nth(16)
            .expect("nice")
            .parse()
            .expect("number")
    }

    /// ADR 0025: a background read's thread runs 10 nice steps lower;
    /// only that thread.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_slow_reads_thread_runs_at_a_lower_priority_and_only_that_thread() {
        let before = nice_of_this_thread();
        let lowered = std::thread::spawn(|| {
            super::lower_this_threads_priority();
            nice_of_this_thread()
        })
        .join()
        .expect("thread");
        assert_eq!(lowered, (before + 10).min(19));
        assert_eq!(
            nice_of_this_thread(),
            before,
            "the caller's priority changed"
        );
    }

    #[test]
    fn links_point_where_the_server_listens_or_the_start_is_refused() {
        assert_eq!(
            public_base_url(None, "127.0.0.1:9123").ok().as_deref(),
            Some("http://127.0.0.1:9123")
        );
        assert_eq!(
            public_base_url(None, "[::1]:8080").ok().as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(
            public_base_url(None, "localhost:8080").ok().as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(
            public_base_url(Some("https://portaal.example.nl/"), "0.0.0.0:8080")
                .ok()
                .as_deref(),
            Some("https://portaal.example.nl")
        );
        for bind in ["0.0.0.0:8080", "192.168.1.5:8080", "portaal:8080"] {
            let e = public_base_url(None, bind).expect_err("refused");
            assert_eq!(e.code, super::exit::USAGE);
            assert!(e.message.contains("public_url"), "{}", e.message);
        }
    }
}
