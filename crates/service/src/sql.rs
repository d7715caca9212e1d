//! The storage driver layer under ONE query path (ADR 0010).
//!
//! Every service query is written once, as portable SQL with `$n`
//! placeholders, through [`query`]: `query(SQL).bind(..).fetch_all(conn)`.
//! Underneath, two drivers run it:
//!
//! - **SQLite** (rusqlite, the embedded default) runs the statement
//!   *inline*, on the thread that polls the service call: a page view's
//!   statements cost no thread hand-over at all. Only a write
//!   transaction's `COMMIT` (the fsync) moves to the blocking pool, so a
//!   runtime worker never waits on the disk.
//! - **PostgreSQL** (sqlx's `postgres` driver) runs it over the network,
//!   asynchronously, as before.
//!
//! Values are what both engines store for us (ADR 0002): 64-bit integers,
//! text, bytes, reals, and typed NULLs (PostgreSQL must know a NULL's type).
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A storage error. Mapped to [`crate::ServiceError`] at the service edge.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no rows returned")]
    RowNotFound,
    /// The database cannot be reached (pool timeout, I/O, closed pool).
    #[error("{0}")]
    Unavailable(String),
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    #[error("database error: {0}")]
    Database(String),
    /// The disk (or the database's size limit) is full: nothing was
    /// written; writing works again when space returns.
    #[error("storage full: {0}")]
    Full(String),
    /// A column missing or of another type than asked for (a bug).
    #[error("column {0}: {1}")]
    Decode(String, String),
}

impl DbError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Unique(_))
    }
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, DbError::ForeignKey(_))
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::SqliteFailure(f, msg) => {
                let msg = msg.clone().unwrap_or_else(|| f.to_string());
                match f.extended_code {
                    ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                        DbError::Unique(msg)
                    }
                    ffi::SQLITE_CONSTRAINT_FOREIGNKEY => DbError::ForeignKey(msg),
                    _ if f.code == rusqlite::ErrorCode::DiskFull => DbError::Full(msg),
                    _ if f.code == rusqlite::ErrorCode::CannotOpen
                        || f.code == rusqlite::ErrorCode::SystemIoFailure =>
                    {
                        DbError::Unavailable(msg)
                    }
                    _ => DbError::Database(msg),
                }
            }
            _ => DbError::Database(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => DbError::RowNotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_)
            | sqlx::Error::Tls(_) => DbError::Unavailable(e.to_string()),
            // The server stopped or lost the connection (SQLSTATE class 08,
            // 57P01-57P03: shut down, crashed, starting up).
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")) =>
            {
                DbError::Unavailable(db.message().to_owned())
            }
            sqlx::Error::Database(db) if db.code().as_deref() == Some("53100") => {
                DbError::Full(db.message().to_owned())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                DbError::Unique(db.message().to_owned())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                DbError::ForeignKey(db.message().to_owned())
            }
            sqlx::Error::Database(db) => DbError::Database(db.message().to_owned()),
            other => DbError::Database(other.to_string()),
        }
    }
}

type R<T> = std::result::Result<T, DbError>;

/// The type of a value, so that a NULL can be typed for PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
    Bytes,
}

/// One bound argument or one column value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

/// What may be bound to a `$n` placeholder.
pub trait Bind {
    fn into_value(self) -> Value;
}

macro_rules! bind_via {
    ($t:ty, $kind:ident, |$v:ident| $e:expr) => {
        impl Bind for $t {
            fn into_value(self) -> Value {
                let $v = self;
                $e
            }
        }
        impl Bind for Option<$t> {
            fn into_value(self) -> Value {
                match self {
                    Some($v) => $e,
                    None => Value::Null(Kind::$kind),
                }
            }
        }
    };
}
bind_via!(i64, Int, |v| Value::Int(v));
bind_via!(i32, Int, |v| Value::Int(i64::from(v)));
bind_via!(u32, Int, |v| Value::Int(i64::from(v)));
bind_via!(f64, Real, |v| Value::Real(v));
bind_via!(String, Text, |v| Value::Text(v));
bind_via!(&String, Text, |v| Value::Text(v.clone()));
bind_via!(&str, Text, |v| Value::Text(v.to_owned()));
bind_via!(Vec<u8>, Bytes, |v| Value::Bytes(v));
bind_via!(&[u8], Bytes, |v| Value::Bytes(v.to_vec()));
bind_via!(&Vec<u8>, Bytes, |v| Value::Bytes(v.clone()));

impl Bind for &Option<String> {
    fn into_value(self) -> Value {
        self.as_deref().into_value()
    }
}
impl Bind for &Option<i64> {
    fn into_value(self) -> Value {
        (*self).into_value()
    }
}

/// A column value read back as a Rust value.
pub trait Decode: Sized {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str>;
}

impl Decode for String {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("not text"),
        }
    }
}
impl Decode for i64 {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("not an integer"),
        }
    }
}
impl Decode for f64 {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Real(f) => Ok(*f),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Ok(*i as f64),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("not a number"),
        }
    }
}
impl Decode for bool {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        i64::decode(v).map(|i| i != 0)
    }
}
impl Decode for Vec<u8> {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Null(_) => Err("unexpected NULL"),
            _ => Err("not bytes"),
        }
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Null(_) => Ok(None),
            other => T::decode(other).map(Some),
        }
    }
}

/// A column chosen by name or by position.
pub trait ColumnIndex {
    fn index_in(&self, row: &Row) -> R<usize>;
}
impl ColumnIndex for &str {
    fn index_in(&self, row: &Row) -> R<usize> {
        row.cols
            .iter()
            .position(|c| c == self)
            .ok_or_else(|| DbError::Decode((*self).to_owned(), "no such column".into()))
    }
}
impl ColumnIndex for usize {
    fn index_in(&self, row: &Row) -> R<usize> {
        if *self < row.vals.len() {
            Ok(*self)
        } else {
            Err(DbError::Decode(self.to_string(), "no such column".into()))
        }
    }
}

/// One result row: column names (shared by the rows of one result) and
/// values.
#[derive(Clone, Debug)]
pub struct Row {
    cols: Arc<[String]>,
    vals: Vec<Value>,
}

impl Row {
    pub fn try_get<T: Decode, I: ColumnIndex>(&self, col: I) -> R<T> {
        let i = col.index_in(self)?;
        T::decode(&self.vals[i]).map_err(|e| DbError::Decode(self.cols[i].clone(), e.into()))
    }

    /// Moves a text value out (no copy); the column reads as NULL after.
    pub fn take_text(&mut self, col: &str) -> R<Option<String>> {
        let i = col.index_in(self)?;
        match std::mem::replace(&mut self.vals[i], Value::Null(Kind::Text)) {
            Value::Text(s) => Ok(Some(s)),
            Value::Null(_) => Ok(None),
            other => {
                self.vals[i] = other;
                Err(DbError::Decode(self.cols[i].clone(), "not text".into()))
            }
        }
    }
}

/// What an `execute` did.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    rows: u64,
}
impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// A query being built: SQL text and its arguments.
#[must_use = "a query does nothing until it is executed or fetched"]
pub struct Query<'q> {
    sql: &'q str,
    args: Vec<Value>,
    lane: Lane,
}

/// Starts a query. `$1`, `$2` … name the arguments in bind order.
pub fn query(sql: &str) -> Query<'_> {
    Query {
        sql,
        args: Vec::new(),
        lane: Lane::Inline,
    }
}

tokio::task_local! {
    /// Set for work that may be slow as a whole (a job): every SQLite
    /// statement in it runs in the slow lane.
    static SLOW_LANE: bool;
}

/// Runs `fut` with every SQLite statement in the slow lane (ADR 0025): the
/// runtime moves its other tasks off the thread while a statement runs,
/// so a long job does not hold up requests.
pub async fn slow_lane<F: std::future::Future>(fut: F) -> F::Output {
    SLOW_LANE.scope(true, fut).await
}

fn in_slow_lane() -> bool {
    SLOW_LANE.try_with(|v| *v).unwrap_or(false)
}

/// Runs a SQLite statement of a job without holding up the runtime: on a
/// multi-threaded runtime the worker hands its other tasks to another
/// thread first (`block_in_place`); elsewhere (a test's single-threaded
/// runtime, our own threads) it runs right here.
fn lite_slow<T>(f: impl FnOnce() -> T) -> T {
    if on_runtime_worker() {
        tokio::task::block_in_place(f)
    } else {
        f()
    }
}

fn on_runtime_worker() -> bool {
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    multi && !blocking_allowed()
}

/// What a background read's thread runs first: the binary lowers the
/// thread's scheduling priority there (`nice`; this crate holds no unsafe
/// code).
static SLOW_THREAD_START: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what every background read's thread runs before its statement
/// (ADR 0025): the binary gives those threads a lower scheduling
/// priority, so a search over the whole trail yields the CPU to page
/// views.
pub fn on_slow_thread_start(f: fn()) {
    let _ = SLOW_THREAD_START.set(f);
}

/// One background read at a time (ADR 0025, review): each holds a read
/// connection while it waits for the CPU, and several could leave page
/// views waiting for a connection. Taken before the connection.
static BACKGROUND_TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Waits for the turn to run background reads; hold it while they run.
pub(crate) async fn background_turn() -> R<tokio::sync::SemaphorePermit<'static>> {
    BACKGROUND_TURN
        .acquire()
        .await
        .map_err(|_| DbError::Unavailable("background reads stopped".into()))
}

/// Runs a statement marked `.background()` (a slice of the privacy
/// officer's search over the whole trail) on a thread of its own, started
/// for it, while the worker hands its other tasks on (`block_in_place`).
/// The thread may run at a lower priority ([`on_slow_thread_start`]); it
/// only ever reads on a read-only connection, so it holds no write lock
/// while it waits for the CPU. If no thread can be started, the statement
/// runs on the worker as a job's does (and that is logged).
fn lite_background_read<T: Send>(f: impl FnOnce() -> R<T> + Send) -> R<T> {
    if !on_runtime_worker() {
        return f();
    }
    tokio::task::block_in_place(|| {
        let mut slot = Some(f);
        let ran = std::thread::scope(|s| {
            let slot = &mut slot;
            let spawned = std::thread::Builder::new()
                .name("inzage-slow".into())
                .spawn_scoped(s, move || {
                    if let Some(start) = SLOW_THREAD_START.get() {
                        start();
                    }
                    slot.take().map(|f| f())
                });
            match spawned {
                // A panic on that thread is an error here, not a panic.
                Ok(h) => Some(h.join().unwrap_or_else(|_| {
                    Some(Err(DbError::Unavailable("a background read failed".into())))
                })),
                Err(e) => {
                    tracing::warn!(error = %e, "no thread for a background read: it runs on the worker");
                    None
                }
            }
        });
        ran.flatten()
            .or_else(|| slot.take().map(|f| f()))
            .unwrap_or_else(|| Err(DbError::Unavailable("no thread for a slow read".into())))
    })
}

/// Where a query runs: a connection (possibly in a transaction) or the
/// database (a pooled connection for just this statement).
pub enum On<'c> {
    Conn(&'c mut Conn),
    Db(&'c crate::db::Db),
}
impl<'c> From<&'c mut Conn> for On<'c> {
    fn from(c: &'c mut Conn) -> Self {
        On::Conn(c)
    }
}
impl<'c> From<&'c crate::db::Db> for On<'c> {
    fn from(d: &'c crate::db::Db) -> Self {
        On::Db(d)
    }
}

enum Want {
    Rows,
    Done,
}

impl<'q> Query<'q> {
    pub fn bind(mut self, v: impl Bind) -> Self {
        self.args.push(v.into_value());
        self
    }

    /// A statement that may take long ("Wie keek mee", the chain walk,
    /// `/metrics`): on SQLite the worker hands its other tasks on first
    /// (the slow lane, ADR 0025), at normal priority.
    pub fn slow(mut self) -> Self {
        self.lane = Lane::Job;
        self
    }

    /// A long read nobody waits for at once (a slice of the privacy
    /// officer's audit search): on SQLite on a thread of its own at a
    /// lower priority, on a read-only connection only (elsewhere as
    /// [`Query::slow`]). Take [`background_turn`] first.
    pub fn background(mut self) -> Self {
        self.lane = Lane::Background;
        self
    }

    pub async fn execute<'c>(self, on: impl Into<On<'c>>) -> R<Done> {
        match self.run(on.into(), Want::Done).await? {
            Out::Done(d) => Ok(d),
            Out::Rows(_) => Err(DbError::Database("expected no rows".into())),
        }
    }

    pub async fn fetch_all<'c>(self, on: impl Into<On<'c>>) -> R<Vec<Row>> {
        match self.run(on.into(), Want::Rows).await? {
            Out::Rows(r) => Ok(r),
            Out::Done(_) => Ok(Vec::new()),
        }
    }

    pub async fn fetch_optional<'c>(self, on: impl Into<On<'c>>) -> R<Option<Row>> {
        Ok(self.fetch_all(on).await?.into_iter().next())
    }

    pub async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> R<Row> {
        self.fetch_optional(on).await?.ok_or(DbError::RowNotFound)
    }

    async fn run(self, on: On<'_>, want: Want) -> R<Out> {
        // The SQL text only, never the arguments (they hold personal data).
        tracing::trace!(target: "inzage::sql", sql = self.sql);
        let lane = match self.lane {
            Lane::Inline if in_slow_lane() => Lane::Job,
            lane => lane,
        };
        match on {
            On::Conn(c) => c.run(self.sql, self.args, want, lane).await,
            On::Db(db) => {
                let mut c = db.conn_for(self.sql).await?;
                c.run(self.sql, self.args, want, lane).await
            }
        }
    }
}

/// Where a SQLite statement runs (ADR 0025).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lane {
    /// On the worker: every page's statements (no hand-over, no cost).
    Inline,
    /// A job's statement, or one marked `.slow()`: the worker hands its
    /// other tasks on first; normal priority.
    Job,
    /// A read marked `.background()`: on a thread of its own, at a lower
    /// priority where the binary set one.
    Background,
}

enum Out {
    Rows(Vec<Row>),
    Done(Done),
}

/// A connection from a pool, back to its pool when dropped.
pub enum Conn {
    Lite(LiteConn),
    Pg(sqlx::pool::PoolConnection<sqlx::Postgres>),
    PgTx(sqlx::Transaction<'static, sqlx::Postgres>),
    /// Left behind after a commit moved the connection out.
    Gone,
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Conn::Lite(_) => "Conn::Lite",
            Conn::Pg(_) => "Conn::Pg",
            Conn::PgTx(_) => "Conn::PgTx",
            Conn::Gone => "Conn::Gone",
        })
    }
}

impl Conn {
    async fn run(&mut self, sql: &str, args: Vec<Value>, want: Want, lane: Lane) -> R<Out> {
        match self {
            // Only a read-only connection (the read pool) waits for the
            // CPU at a lower priority: never one that may hold the write lock.
            Conn::Lite(l) if lane == Lane::Background && l.pool.shared.reader => {
                let c = l.get_mut()?;
                lite_background_read(move || lite_run(c, sql, &args, &want))
            }
            Conn::Lite(l) if lane == Lane::Background => {
                let c = l.get()?;
                lite_slow(|| lite_run(c, sql, &args, &want))
            }
            Conn::Lite(l) if lane == Lane::Job => {
                let c = l.get()?;
                lite_slow(|| lite_run(c, sql, &args, &want))
            }
            Conn::Lite(l) => lite_run(l.get()?, sql, &args, &want),
            Conn::Pg(c) => pg_run(c, sql, args, want).await,
            Conn::PgTx(t) => pg_run(t, sql, args, want).await,
            Conn::Gone => Err(DbError::Unavailable("connection already released".into())),
        }
    }
}

// ---------------------------------------------------------------- SQLite

fn lite_run(c: &rusqlite::Connection, sql: &str, args: &[Value], want: &Want) -> R<Out> {
    let mut stmt = c.prepare_cached(sql)?;
    for idx in 1..=stmt.parameter_count() {
        // `$3` names the third argument, wherever and however often it
        // appears; SQLite numbers parameters by first appearance.
        let pos = match stmt.parameter_name(idx) {
            Some(name) => name
                .strip_prefix('$')
                .or_else(|| name.strip_prefix('?'))
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| DbError::Database(format!("unsupported parameter {name}")))?,
            None => idx,
        };
        let v = args
            .get(pos.wrapping_sub(1))
            .ok_or_else(|| DbError::Database(format!("no argument for parameter {pos}")))?;
        stmt.raw_bind_parameter(idx, v)?;
    }
    let cols: Arc<[String]> = match want {
        Want::Rows => stmt
            .column_names()
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        Want::Done => Arc::from(Vec::new()),
    };
    let n = cols.len();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if let Want::Rows = want {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(lite_value(r.get_ref(i)?)?);
            }
            out.push(Row {
                cols: cols.clone(),
                vals,
            });
        }
    }
    drop(rows);
    Ok(match want {
        Want::Rows => Out::Rows(out),
        Want::Done => Out::Done(Done { rows: c.changes() }),
    })
}

thread_local! {
    static BLOCKING_OK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as one of our own (not a runtime worker): a
/// commit may wait for the disk right here instead of on the blocking pool.
pub(crate) fn allow_blocking_here() {
    BLOCKING_OK.with(|b| b.set(true));
}

fn blocking_allowed() -> bool {
    BLOCKING_OK.with(std::cell::Cell::get)
}

/// Runs a statement without arguments or rows (BEGIN, COMMIT, ROLLBACK)
/// from the connection's statement cache.
fn lite_exec(c: &rusqlite::Connection, sql: &str) -> R<()> {
    c.prepare_cached(sql)?.raw_execute()?;
    Ok(())
}

fn lite_value(v: rusqlite::types::ValueRef<'_>) -> R<Value> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => Value::Null(Kind::Text),
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|_| DbError::Decode("?".into(), "text is not UTF-8".into()))?
                .to_owned(),
        ),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    })
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

/// How a SQLite database file is opened.
#[derive(Clone, Debug)]
pub(crate) struct LiteTarget {
    pub path: PathBuf,
    pub create: bool,
    pub read_only: bool,
    /// The page cache of each connection, in KiB.
    pub cache_kib: u32,
}

/// The writer's page cache: 16 MiB.
pub(crate) const WRITE_CACHE_KIB: u32 = 16 * 1024;
/// Each reader's page cache: 2 MiB (SQLite's default). Readers read the
/// file through the memory map, which the kernel caches once for all of
/// them; a reader's own cache holds only what the map cannot serve (pages
/// still in the WAL, temporary b-trees). At 64 MiB per connection, eight
/// readers and the writer held 505 MB of heap after an audit search over
/// two million events, and 156 MB at 8 MiB per reader (P6 in
/// docs/performance.md: `serve` stays under 100 MB).
pub(crate) const READ_CACHE_KIB: u32 = 2 * 1024;

impl LiteTarget {
    /// `sqlite://PATH[?mode=rwc|rw|ro]` or `sqlite:PATH`.
    pub fn parse(url: &str) -> R<Self> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| DbError::Database("not a sqlite URL".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut t = LiteTarget {
            path: PathBuf::from(path),
            create: false,
            read_only: false,
            cache_kib: WRITE_CACHE_KIB,
        };
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            match kv {
                "mode=rwc" => t.create = true,
                "mode=rw" => {}
                "mode=ro" => t.read_only = true,
                other => {
                    return Err(DbError::Database(format!(
                        "unsupported SQLite URL option {other}"
                    )))
                }
            }
        }
        if path.is_empty() || path == ":memory:" {
            return Err(DbError::Database(
                "a SQLite URL needs a file path (in-memory databases are not supported)".into(),
            ));
        }
        Ok(t)
    }

    fn open(&self) -> R<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        if self.read_only {
            flags |= OpenFlags::SQLITE_OPEN_READ_ONLY;
        } else {
            flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
            if self.create {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            }
        }
        let c = rusqlite::Connection::open_with_flags(&self.path, flags).map_err(|e| {
            DbError::Unavailable(format!(
                "cannot open the SQLite database {}: {e}",
                self.path.display()
            ))
        })?;
        // WAL for concurrent readers; FULL so a committed write survives a
        // power cut; foreign keys on; the page cache of this kind of
        // connection (`cache_kib`; SQLite's default is 2 MiB); a writer
        // from another process is waited for; up to 1 GiB of the file read
        // through a memory map (no copy per page; docs/performance.md).
        c.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
             PRAGMA cache_size = -{}; PRAGMA mmap_size = 1073741824;",
            self.cache_kib
        ))?;
        c.set_prepared_statement_cache_capacity(256);
        Ok(c)
    }
}

/// A small pool of SQLite connections: a semaphore for the count, idle
/// connections kept for reuse (with their prepared statements).
#[derive(Clone)]
pub(crate) struct LitePool {
    shared: Arc<LiteShared>,
}

struct LiteShared {
    target: LiteTarget,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
    max: usize,
    /// The readers' pool (statements that start with SELECT): never the
    /// connection that holds the write lock.
    reader: bool,
}

impl fmt::Debug for LitePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LitePool({})", self.shared.target.path.display())
    }
}

impl LitePool {
    pub fn new(target: LiteTarget, max: u32) -> Self {
        Self::with_role(target, max, false)
    }

    /// The pool of reading connections.
    pub fn readers(target: LiteTarget, max: u32) -> Self {
        Self::with_role(target, max, true)
    }

    fn with_role(target: LiteTarget, max: u32, reader: bool) -> Self {
        Self {
            shared: Arc::new(LiteShared {
                target,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max.max(1) as usize)),
                max: max.max(1) as usize,
                reader,
            }),
        }
    }

    /// (connections in use, most allowed).
    pub fn usage(&self) -> (usize, usize) {
        let max = self.shared.max;
        (
            max.saturating_sub(self.shared.permits.available_permits()),
            max,
        )
    }

    /// Opens one connection at once (so a bad path fails early).
    pub fn warm(&self) -> R<()> {
        let c = self.shared.target.open()?;
        self.idle().push(c);
        Ok(())
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<rusqlite::Connection>> {
        self.shared.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub async fn acquire(&self) -> R<Conn> {
        let permit = tokio::time::timeout(
            Duration::from_secs(10),
            self.shared.permits.clone().acquire_owned(),
        )
        .await
        .map_err(|_| DbError::Unavailable("timed out waiting for a database connection".into()))?
        .map_err(|_| DbError::Unavailable("the database is closed".into()))?;
        let reused = self.idle().pop();
        let conn = match reused {
            Some(c) => c,
            None => self.shared.target.open()?,
        };
        Ok(Conn::Lite(LiteConn {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        }))
    }

    pub fn close(&self) {
        self.shared.permits.close();
        self.idle().clear();
    }

    /// The database file this pool opens.
    pub fn path(&self) -> &std::path::Path {
        &self.shared.target.path
    }
}

/// A pooled SQLite connection.
pub struct LiteConn {
    conn: Option<rusqlite::Connection>,
    pool: LitePool,
    _permit: OwnedSemaphorePermit,
}

impl LiteConn {
    fn get(&self) -> R<&rusqlite::Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| DbError::Unavailable("connection lost".into()))
    }

    fn get_mut(&mut self) -> R<&mut rusqlite::Connection> {
        self.conn
            .as_mut()
            .ok_or_else(|| DbError::Unavailable("connection lost".into()))
    }
}

impl Drop for LiteConn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if !c.is_autocommit() {
                // A transaction left open (an error path): never hand it on.
                if c.execute_batch("ROLLBACK").is_err() {
                    return;
                }
            }
            if !self.pool.shared.permits.is_closed() {
                self.pool.idle().push(c);
            }
        }
    }
}

// ---------------------------------------------------------------- PostgreSQL

async fn pg_run(c: &mut sqlx::PgConnection, sql: &str, args: Vec<Value>, want: Want) -> R<Out> {
    use sqlx::Row as _;
    let mut q = sqlx::query::<sqlx::Postgres>(sql);
    for v in args {
        q = match v {
            Value::Null(Kind::Int) => q.bind(None::<i64>),
            Value::Null(Kind::Real) => q.bind(None::<f64>),
            Value::Null(Kind::Text) => q.bind(None::<String>),
            Value::Null(Kind::Bytes) => q.bind(None::<Vec<u8>>),
            Value::Int(i) => q.bind(i),
            Value::Real(f) => q.bind(f),
            Value::Text(s) => q.bind(s),
            Value::Bytes(b) => q.bind(b),
        };
    }
    match want {
        Want::Done => {
            let r = q.execute(&mut *c).await?;
            Ok(Out::Done(Done {
                rows: r.rows_affected(),
            }))
        }
        Want::Rows => {
            let rows = q.fetch_all(&mut *c).await?;
            let Some(first) = rows.first() else {
                return Ok(Out::Rows(Vec::new()));
            };
            use sqlx::Column as _;
            let cols: Arc<[String]> = first
                .columns()
                .iter()
                .map(|c| c.name().to_owned())
                .collect();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let mut vals = Vec::with_capacity(cols.len());
                for (i, col) in r.columns().iter().enumerate() {
                    vals.push(pg_value(r, i, col)?);
                }
                out.push(Row {
                    cols: cols.clone(),
                    vals,
                });
            }
            Ok(Out::Rows(out))
        }
    }
}

fn pg_value(r: &sqlx::postgres::PgRow, i: usize, col: &sqlx::postgres::PgColumn) -> R<Value> {
    use sqlx::{Column as _, Row as _, TypeInfo as _};
    let ty = col.type_info().name();
    let bad = |e: sqlx::Error| DbError::Decode(col.name().to_owned(), e.to_string());
    Ok(match ty {
        "INT8" => r
            .try_get::<Option<i64>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Int), Value::Int),
        "INT4" => r
            .try_get::<Option<i32>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Int), |v| Value::Int(i64::from(v))),
        "INT2" => r
            .try_get::<Option<i16>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Int), |v| Value::Int(i64::from(v))),
        "BOOL" => r
            .try_get::<Option<bool>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Int), |v| Value::Int(i64::from(v))),
        "FLOAT8" => r
            .try_get::<Option<f64>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Real), Value::Real),
        "FLOAT4" => r
            .try_get::<Option<f32>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Real), |v| Value::Real(f64::from(v))),
        "BYTEA" => r
            .try_get::<Option<Vec<u8>>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Bytes), Value::Bytes),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => r
            .try_get::<Option<String>, _>(i)
            .map_err(bad)?
            .map_or(Value::Null(Kind::Text), Value::Text),
        "VOID" => Value::Null(Kind::Text),
        other => {
            return Err(DbError::Decode(
                col.name().to_owned(),
                format!("unsupported column type {other} (cast it in the SQL)"),
            ))
        }
    })
}

// ---------------------------------------------------------------- transactions

/// A transaction. Dropped without [`Tx::commit`], it rolls back (SQLite:
/// the pooled connection's drop; PostgreSQL: sqlx's `Transaction`).
pub struct Tx {
    conn: Conn,
    /// A SQLite write transaction: its commit waits for the disk.
    durable_commit: bool,
    /// Bumped when this transaction commits (see [`crate::db::Db::write_generation`]).
    generation: Option<Arc<std::sync::atomic::AtomicU64>>,
}

impl fmt::Debug for Tx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tx({:?})", self.conn)
    }
}

impl Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}
impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

impl Tx {
    /// Starts a SQLite transaction on `conn` with `begin` (`BEGIN` or
    /// `BEGIN IMMEDIATE`).
    pub(crate) fn begin_lite(conn: Conn, begin: &str, durable_commit: bool) -> R<Tx> {
        let Conn::Lite(l) = &conn else {
            return Err(DbError::Database("not a SQLite connection".into()));
        };
        lite_exec(l.get()?, begin)?;
        Ok(Tx {
            conn,
            durable_commit,
            generation: None,
        })
    }

    /// Counts this transaction's commit in `g`.
    pub(crate) fn counting(mut self, g: &Arc<std::sync::atomic::AtomicU64>) -> Self {
        self.generation = Some(g.clone());
        self
    }

    /// A PostgreSQL transaction from the pool.
    pub(crate) async fn begin_pg(pool: &sqlx::PgPool) -> R<Tx> {
        Ok(Tx {
            conn: Conn::PgTx(pool.begin().await?),
            durable_commit: true,
            generation: None,
        })
    }

    pub async fn commit(mut self) -> R<()> {
        // Counted before and after: facts loaded while the commit is under
        // way (old or new) are stale by the time it has finished; counted
        // even when the commit failed, as its outcome is unknown.
        let bump = |g: &Option<Arc<std::sync::atomic::AtomicU64>>| {
            if let Some(g) = g {
                g.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        };
        bump(&self.generation);
        let done = self.commit_inner().await;
        bump(&self.generation);
        done
    }

    async fn commit_inner(&mut self) -> R<()> {
        match std::mem::replace(&mut self.conn, Conn::Gone) {
            Conn::PgTx(t) => Ok(t.commit().await?),
            Conn::Lite(l) if self.durable_commit && blocking_allowed() => {
                // A thread of our own (the audit writer): wait right here.
                lite_exec(l.get()?, "COMMIT")
            }
            Conn::Lite(mut l) if self.durable_commit => {
                // The fsync happens here: on the blocking pool, so the
                // runtime's workers go on serving meanwhile.
                let c = l
                    .conn
                    .take()
                    .ok_or_else(|| DbError::Unavailable("connection lost".into()))?;
                let (c, r) = tokio::task::spawn_blocking(move || {
                    let r = lite_exec(&c, "COMMIT");
                    (c, r)
                })
                .await
                .map_err(|_| DbError::Unavailable("commit did not finish".into()))?;
                l.conn = Some(c);
                r?;
                drop(l);
                Ok(())
            }
            Conn::Lite(l) => {
                lite_exec(l.get()?, "COMMIT")?;
                Ok(())
            }
            Conn::Pg(_) | Conn::Gone => Err(DbError::Unavailable("no open transaction".into())),
        }
    }

    pub async fn rollback(mut self) -> R<()> {
        match std::mem::replace(&mut self.conn, Conn::Gone) {
            Conn::PgTx(t) => Ok(t.rollback().await?),
            Conn::Lite(l) => {
                lite_exec(l.get()?, "ROLLBACK")?;
                Ok(())
            }
            Conn::Pg(_) | Conn::Gone => Ok(()),
        }
    }
}

/// A pooled connection outside any transaction.
pub struct Pooled(pub(crate) Conn);

impl Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}
impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_parse() {
        let t = LiteTarget::parse("sqlite:///tmp/x.db?mode=rwc").expect("url");
        assert_eq!(t.path, PathBuf::from("/tmp/x.db"));
        assert!(t.create && !t.read_only);
        assert!(LiteTarget::parse("sqlite::memory:").is_err());
        assert!(LiteTarget::parse("sqlite:///tmp/x.db?cache=shared").is_err());
    }

    #[test]
    fn dollar_placeholders_bind_by_number_not_by_appearance() {
        let c = rusqlite::Connection::open_in_memory().expect("db");
        let out = lite_run(
            &c,
            "SELECT $2 AS b, $1 AS a, $2 AS b2",
            &[Value::Text("one".into()), Value::Int(2)],
            &Want::Rows,
        )
        .expect("run");
        let Out::Rows(rows) = out else {
            panic!("rows expected")
        };
        assert_eq!(rows[0].try_get::<i64, _>("b").expect("b"), 2);
        assert_eq!(rows[0].try_get::<String, _>("a").expect("a"), "one");
        assert_eq!(rows[0].try_get::<i64, _>(2).expect("b2"), 2);
        assert!(rows[0].try_get::<String, _>("b").is_err());
        assert!(rows[0].try_get::<String, _>("nope").is_err());
    }

    #[test]
    fn typed_nulls() {
        assert_eq!(None::<i64>.into_value(), Value::Null(Kind::Int));
        assert_eq!(None::<&str>.into_value(), Value::Null(Kind::Text));
    }
}
