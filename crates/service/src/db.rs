//! One storage path for SQLite and PostgreSQL: portable SQL with `$n`
//! placeholders written once (through [`crate::sql::query`]), one set of
//! migrations, two drivers underneath. See docs/decisions/0002-storage.md
//! and 0010-sqlite-inline.md.
use crate::error::ServiceError;
use crate::sql::{self, LitePool, LiteTarget, Pooled};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

#[derive(Clone, Debug)]
enum Pools {
    Sqlite {
        /// Connections for reads (side by side: WAL).
        read: LitePool,
        /// One connection for write transactions. SQLite has one writer at
        /// a time; queueing our writers here (async, in order) spares them
        /// SQLite's sleeping busy handler.
        write: LitePool,
    },
    Postgres(sqlx::PgPool),
}

#[derive(Clone, Debug)]
pub struct Db {
    pools: Pools,
    /// Counts the commits of write transactions in this process, except
    /// the audit appends of reads (ADR 0010: facts memoised per request
    /// stay valid only while it is unchanged).
    writes: Arc<AtomicU64>,
}

pub(crate) use crate::sql::Tx;

/// A connection, inside a transaction or not: what the fact loaders need.
pub(crate) type Conn = sql::Conn;

/// The migrations, in order. Never edit an applied one: add a new file.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/0002_accounts.sql"),
    ),
    (
        3,
        "staff_workspace",
        include_str!("../migrations/0003_staff_workspace.sql"),
    ),
    (
        4,
        "ordered_indexes",
        include_str!("../migrations/0004_ordered_indexes.sql"),
    ),
    (
        5,
        "account_consent",
        include_str!("../migrations/0005_account_consent.sql"),
    ),
    (
        6,
        "separation_of_duties",
        include_str!("../migrations/0006_separation_of_duties.sql"),
    ),
    (
        7,
        "client_registration",
        include_str!("../migrations/0007_client_registration.sql"),
    ),
    (
        8,
        "kept_forms",
        include_str!("../migrations/0008_kept_forms.sql"),
    ),
    (
        9,
        "other_apps",
        include_str!("../migrations/0009_other_apps.sql"),
    ),
    (
        10,
        "client_requests",
        include_str!("../migrations/0010_client_requests.sql"),
    ),
    (
        11,
        "team_questions",
        include_str!("../migrations/0011_team_questions.sql"),
    ),
    (
        12,
        "notifications",
        include_str!("../migrations/0012_notifications.sql"),
    ),
    (
        13,
        "afschrift",
        include_str!("../migrations/0013_afschrift.sql"),
    ),
    (
        14,
        "retention",
        include_str!("../migrations/0014_retention.sql"),
    ),
    (
        15,
        "fhir_clients",
        include_str!("../migrations/0015_fhir_clients.sql"),
    ),
    (
        16,
        "identity_providers",
        include_str!("../migrations/0016_identity_providers.sql"),
    ),
    (
        17,
        "passkeys",
        include_str!("../migrations/0017_passkeys.sql"),
    ),
];

/// The newest schema version this build knows.
pub fn latest_migration() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, ServiceError> {
        let max = max_connections.max(1);
        if url.starts_with("sqlite:") {
            let target = LiteTarget::parse(url)
                .map_err(|e| ServiceError::Config(format!("database URL is not valid: {e}")))?;
            let read = LitePool::readers(
                LiteTarget {
                    cache_kib: crate::sql::READ_CACHE_KIB,
                    ..target.clone()
                },
                max,
            );
            let write = LitePool::new(target, 1);
            // Open the file now, so a bad path fails at start with its reason
            // (and the writer's connection switches the file to WAL first).
            write
                .warm()
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            read.warm()
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            return Ok(Self {
                pools: Pools::Sqlite { read, write },
                writes: Arc::default(),
            });
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ServiceError::Config(
                "database URL must start with sqlite:// or postgres://".into(),
            ));
        }
        use sqlx::ConnectOptions as _;
        use std::str::FromStr as _;
        let options = sqlx::postgres::PgConnectOptions::from_str(url)
            .map_err(|e| ServiceError::Config(format!("database URL is not valid: {e}")))?;
        // One direct attempt first, so an unreachable server gives its real
        // reason at once instead of a pool timeout.
        match tokio::time::timeout(Duration::from_secs(10), options.connect()).await {
            Err(_) => {
                return Err(ServiceError::Unavailable(
                    "timed out connecting to the database".into(),
                ))
            }
            Ok(Err(e)) => return Err(ServiceError::Unavailable(describe_connect_error(&e))),
            Ok(Ok(c)) => {
                use sqlx::Connection as _;
                let _ = c.close().await;
            }
        }
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| ServiceError::Unavailable(describe_connect_error(&e)))?;
        Ok(Self {
            pools: Pools::Postgres(pool),
            writes: Arc::default(),
        })
    }

    /// How many write transactions this process has committed (read-event
    /// appends excepted). Facts read while it stays the same are current as
    /// far as this process's own writes go.
    pub(crate) fn write_generation(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Database connections (in use, most allowed), for `/metrics`.
    pub fn pool_usage(&self) -> (usize, usize) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                let (r, rmax) = read.usage();
                let (w, wmax) = write.usage();
                (r + w, rmax + wmax)
            }
            Pools::Postgres(p) => {
                let size = p.size() as usize;
                (
                    size.saturating_sub(p.num_idle()),
                    p.options().get_max_connections() as usize,
                )
            }
        }
    }

    /// The SQLite database file (`None` on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.pools {
            Pools::Sqlite { read, .. } => Some(read.path().to_path_buf()),
            Pools::Postgres(_) => None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// A connection for one statement run on the database directly: on
    /// SQLite a statement that is not a `SELECT` goes to the writer's
    /// connection, so it queues with the other writers.
    pub(crate) async fn conn_for(&self, sql_text: &str) -> Result<sql::Conn, sql::DbError> {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                let head = sql_text.trim_start();
                let is_select = head
                    .get(..6)
                    .is_some_and(|h| h.eq_ignore_ascii_case("select"));
                if is_select {
                    read.acquire().await
                } else {
                    write.acquire().await
                }
            }
            Pools::Postgres(p) => Ok(sql::Conn::Pg(p.acquire().await?)),
        }
    }

    /// Starts a read-write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): every service transaction writes at least
    /// an audit event, and a deferred one could fail to upgrade.
    pub(crate) async fn begin(&self) -> Result<Tx, ServiceError> {
        Ok(self.begin_audit().await?.counting(&self.writes))
    }

    /// [`Db::begin`] for appending read events only: its commit changes no
    /// fact a decision rests on, so it does not count as a write.
    pub(crate) async fn begin_audit(&self) -> Result<Tx, ServiceError> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => {
                Tx::begin_lite(write.acquire().await?, "BEGIN IMMEDIATE", true)?
            }
            Pools::Postgres(p) => Tx::begin_pg(p).await?,
        })
    }

    /// Starts a transaction that only reads (one consistent snapshot, no
    /// write lock on SQLite). Nothing written in it may be committed.
    pub(crate) async fn begin_read(&self) -> Result<Tx, ServiceError> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => Tx::begin_lite(read.acquire().await?, "BEGIN", false)?,
            Pools::Postgres(p) => Tx::begin_pg(p).await?,
        })
    }

    /// A pooled connection for reads that need no snapshot.
    pub(crate) async fn acquire(&self) -> Result<Pooled, ServiceError> {
        Ok(Pooled(match &self.pools {
            Pools::Sqlite { read, .. } => read.acquire().await?,
            Pools::Postgres(p) => sql::Conn::Pg(p.acquire().await.map_err(sql::DbError::from)?),
        }))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sql::query("SELECT 1 AS one").fetch_one(self).await.is_ok()
    }

    /// SQLite's durability settings as seen by a pooled connection:
    /// (journal_mode, synchronous, foreign_keys). `None` on PostgreSQL.
    pub async fn sqlite_pragmas(&self) -> Result<Option<(String, i64, i64)>, ServiceError> {
        if self.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let mut c = self.acquire().await?;
        let j: String = sql::query("PRAGMA journal_mode")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        let s: i64 = sql::query("PRAGMA synchronous")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        let f: i64 = sql::query("PRAGMA foreign_keys")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        Ok(Some((j, s, f)))
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                read.close();
                write.close();
            }
            Pools::Postgres(p) => p.close().await,
        }
    }

    /// Applies every migration not yet applied, each in its own transaction.
    /// Safe when several processes start at once: the version row is
    /// inserted first, so a second process waits and then skips it.
    /// Returns the versions applied by this call.
    pub async fn migrate(&self) -> Result<Vec<i64>, ServiceError> {
        sql::query(
            "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, \
             name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(self)
        .await?;
        let mut applied = Vec::new();
        for (version, name, text) in MIGRATIONS {
            let checksum = hex::encode(Sha256::digest(text.as_bytes()));
            let existing = sql::query("SELECT checksum FROM schema_migration WHERE version = $1")
                .bind(*version)
                .fetch_optional(self)
                .await?;
            if let Some(row) = existing {
                let stored: String = row.try_get("checksum")?;
                if stored != checksum {
                    return Err(ServiceError::Config(format!(
                        "migration {version} ({name}) was changed after it was applied"
                    )));
                }
                continue;
            }
            let mut tx = self.begin().await?;
            let claimed = sql::query(
                "INSERT INTO schema_migration (version, name, checksum, applied_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING",
            )
            .bind(*version)
            .bind(*name)
            .bind(&checksum)
            .bind(inzage_core::types::ts(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() == 0 {
                // Another process applied it meanwhile.
                tx.rollback().await?;
                continue;
            }
            for stmt in split_statements(text) {
                sql::query(stmt.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        ServiceError::Internal(format!("migration {version} failed: {e}"))
                    })?;
            }
            tx.commit().await?;
            applied.push(*version);
        }
        crate::clients::fill_search_keys(self).await?;
        Ok(applied)
    }

    /// The latest migration version applied, 0 on an empty database.
    pub async fn schema_version(&self) -> Result<i64, ServiceError> {
        let row = sql::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migration")
            .fetch_one(self)
            .await?;
        Ok(row.try_get("v")?)
    }
}

/// Splits a migration file on lines holding only `;`.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        if line.trim() == ";" {
            push_stmt(&mut out, &mut cur);
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    push_stmt(&mut out, &mut cur);
    out
}

fn push_stmt(out: &mut Vec<String>, cur: &mut String) {
    let body: String = cur
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    if !body.trim().is_empty() {
        out.push(body);
    }
    cur.clear();
}

/// One line for an operator, without the password from the URL.
fn describe_connect_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => format!("cannot reach the database: {io}"),
        sqlx::Error::Database(db) => {
            format!("the database refused the connection: {}", db.message())
        }
        sqlx::Error::PoolTimedOut => "timed out connecting to the database".into(),
        other => format!("cannot open the database: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolon_lines_and_drops_comments() {
        let s = split_statements(
            "-- head\nCREATE TABLE a (x TEXT)\n;\n\n;\nCREATE TABLE b (y TEXT) -- tail\n",
        );
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("CREATE TABLE a"));
        assert!(s[1].contains("CREATE TABLE b"));
    }

    #[test]
    fn every_migration_statement_is_nonempty() {
        for (_, _, sql) in MIGRATIONS {
            let stmts = split_statements(sql);
            assert!(!stmts.is_empty());
            assert!(stmts.iter().all(|s| !s.trim().is_empty()));
        }
    }
}
