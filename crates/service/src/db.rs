//! One storage path for SQLite and PostgreSQL: sqlx's `Any` driver, portable
//! SQL with `$n` placeholders (both drivers accept them), and one set of
//! migrations. See docs/decisions/0002-storage.md.
use crate::error::ServiceError;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Row, Transaction};
use std::str::FromStr;
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
pub struct Db {
    pool: AnyPool,
    /// SQLite only: one connection for write transactions. SQLite has one
    /// writer at a time; queueing our writers here (async, in order) spares
    /// them SQLite's sleeping busy handler. PostgreSQL writes use `pool`.
    writer: Option<AnyPool>,
    backend: Backend,
}

pub type Tx = Transaction<'static, Any>;

/// A connection, inside a transaction or not: what the fact loaders need.
pub(crate) type Conn = sqlx::AnyConnection;

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
];

async fn build_pool(
    options: AnyConnectOptions,
    max: u32,
    backend: Backend,
) -> Result<AnyPool, ServiceError> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL for concurrent readers; FULL so a committed
                    // write survives a power cut; foreign keys on.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // 64 MiB page cache per connection (default is 2 MiB).
                    conn.execute("PRAGMA cache_size = -65536").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| ServiceError::Unavailable(describe_connect_error(&e)))
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, ServiceError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(ServiceError::Config(
                "database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| ServiceError::Config(format!("database URL is not valid: {e}")))?;
        // One direct attempt first, so an unreachable server gives its real
        // reason at once instead of a pool timeout.
        let probe = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::AnyConnection::connect_with(&options),
        )
        .await;
        match probe {
            Err(_) => {
                return Err(ServiceError::Unavailable(
                    "timed out connecting to the database".into(),
                ))
            }
            Ok(Err(e)) => return Err(ServiceError::Unavailable(describe_connect_error(&e))),
            Ok(Ok(c)) => {
                let _ = c.close().await;
            }
        }
        let pool = build_pool(options.clone(), max_connections.max(1), backend).await?;
        let writer = match backend {
            Backend::Sqlite => Some(build_pool(options, 1, backend).await?),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a read-write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): every service transaction writes at least
    /// an audit event, and a deferred one could fail to upgrade.
    pub(crate) async fn begin(&self) -> Result<Tx, ServiceError> {
        let tx = match (&self.writer, self.backend) {
            (Some(w), Backend::Sqlite) => w.begin_with("BEGIN IMMEDIATE").await,
            (_, Backend::Sqlite) => self.pool.begin_with("BEGIN IMMEDIATE").await,
            (_, Backend::Postgres) => self.pool.begin().await,
        };
        tx.map_err(ServiceError::from)
    }

    /// Starts a transaction that only reads (one consistent snapshot, no
    /// write lock on SQLite). Nothing written in it may be committed.
    pub(crate) async fn begin_read(&self) -> Result<Tx, ServiceError> {
        self.pool.begin().await.map_err(ServiceError::from)
    }

    /// A pooled connection for reads that need no snapshot.
    pub(crate) async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<Any>, ServiceError> {
        self.pool.acquire().await.map_err(ServiceError::from)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        match self.pool.acquire().await {
            Ok(mut c) => c.ping().await.is_ok(),
            Err(_) => false,
        }
    }

    /// SQLite's durability settings as seen by a pooled connection:
    /// (journal_mode, synchronous, foreign_keys). `None` on PostgreSQL.
    pub async fn sqlite_pragmas(&self) -> Result<Option<(String, i64, i64)>, ServiceError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mut c = self.pool.acquire().await?;
        let j: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        let s: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        let f: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut *c)
            .await?
            .try_get(0)?;
        Ok(Some((j, s, f)))
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(w) = &self.writer {
            w.close().await;
        }
    }

    /// Applies every migration not yet applied, each in its own transaction.
    /// Safe when several processes start at once: the version row is
    /// inserted first, so a second process waits and then skips it.
    /// Returns the versions applied by this call.
    pub async fn migrate(&self) -> Result<Vec<i64>, ServiceError> {
        self.pool
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, \
                 name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )
            .await?;
        let mut applied = Vec::new();
        for (version, name, sql) in MIGRATIONS {
            let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
            let existing = sqlx::query("SELECT checksum FROM schema_migration WHERE version = $1")
                .bind(*version)
                .fetch_optional(&self.pool)
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
            let claimed = sqlx::query(
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
            for stmt in split_statements(sql) {
                tx.execute(stmt.as_str()).await.map_err(|e| {
                    ServiceError::Internal(format!("migration {version} failed: {e}"))
                })?;
            }
            tx.commit().await?;
            applied.push(*version);
        }
        Ok(applied)
    }

    /// The latest migration version applied, 0 on an empty database.
    pub async fn schema_version(&self) -> Result<i64, ServiceError> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migration")
            .fetch_one(&self.pool)
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
