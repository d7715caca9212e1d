//! Group commit of read events (ADR 0008, ADR 0010). Every dossier read
//! records one audit event after its read transaction; appending each in
//! its own write transaction made the audit append the bottleneck (one
//! fsync each, one writer at a time).
//!
//! Readers hand their events to one writer thread of the process, which
//! writes everything queued in one transaction (one fsync), moves the
//! chain head once, and tells every waiter the outcome. A caller returns
//! only after its own event is committed, exactly as before; the chain
//! order is the order of the queue. The writer is an OS thread rather than
//! a Tokio task so that its turn does not wait behind the request tasks in
//! the runtime's queue: with SQLite its statements and its commit run
//! right there, and the batch cycle is the disk's, not the scheduler's.
use crate::audit::{append_all, Event};
use crate::db::Db;
use crate::error::{Result, ServiceError};
use crate::{Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::model::{AuditAction, AuditOutcome};
use tokio::sync::oneshot;

/// One read event, owned so it can wait in the queue.
pub(crate) struct ReadEvent {
    pub ctx: Ctx,
    pub at: DateTime<Utc>,
    pub role: String,
    pub client_id: Option<String>,
    pub data_kind: String,
    pub data_id: Option<String>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub reason: Option<String>,
}

type Waiter = (
    ReadEvent,
    oneshot::Sender<std::result::Result<(), BatchFailed>>,
    std::time::Instant,
);

/// Why a batch of read events was not written: every waiter gets it.
#[derive(Clone, Debug)]
pub(crate) struct BatchFailed {
    full: bool,
    message: String,
}

impl From<BatchFailed> for ServiceError {
    fn from(b: BatchFailed) -> Self {
        if b.full {
            ServiceError::Full(b.message)
        } else {
            ServiceError::Unavailable(b.message)
        }
    }
}

/// What `/metrics` shows of the audit writer (no content).
#[derive(Default, Debug)]
pub struct WriterStats {
    /// Events handed to the writer.
    pub queued: std::sync::atomic::AtomicU64,
    /// Events committed.
    pub written: std::sync::atomic::AtomicU64,
    /// Events whose batch failed (their readers got an error).
    pub failed: std::sync::atomic::AtomicU64,
    /// How long the oldest event of the last batch waited until its
    /// commit, in microseconds: the writer's lag.
    pub last_lag_us: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
pub(crate) struct GroupCommit {
    /// The writer thread's queue, started on first use.
    queue: std::sync::OnceLock<std::sync::mpsc::Sender<Waiter>>,
    pub(crate) stats: std::sync::Arc<WriterStats>,
}

/// The most events written in one transaction.
const MAX_BATCH: usize = 256;

/// At most one batch starts per this interval. Every commit makes SQLite
/// readers drop their page caches (and remap the file), so under load a
/// few larger batches beat many small ones: 2 ms took the Rapportages page
/// from 4.6k to 7.5k views per second (docs/performance.md). An event that
/// arrives after a quiet spell is written at once.
const PACE: std::time::Duration = std::time::Duration::from_millis(2);

impl GroupCommit {
    fn sender(&self, db: &Db) -> Result<&std::sync::mpsc::Sender<Waiter>> {
        if let Some(s) = self.queue.get() {
            return Ok(s);
        }
        let handle = tokio::runtime::Handle::current();
        let (tx, rx) = std::sync::mpsc::channel::<Waiter>();
        let db = db.clone();
        let stats = self.stats.clone();
        let started = std::thread::Builder::new()
            .name("inzage-audit".into())
            .spawn(move || writer(&handle, &db, &rx, &stats));
        if let Err(e) = started {
            return Err(ServiceError::Internal(format!("audit writer: {e}")));
        }
        // A racing first caller may have set it: its thread ends when its
        // (unused) sender is dropped here.
        Ok(self.queue.get_or_init(|| tx))
    }
}

/// The writer thread: waits for an event, takes whatever else is queued,
/// writes the batch, answers; ends when the services are dropped.
fn writer(
    handle: &tokio::runtime::Handle,
    db: &Db,
    rx: &std::sync::mpsc::Receiver<Waiter>,
    stats: &WriterStats,
) {
    use std::sync::atomic::Ordering::Relaxed;
    crate::sql::allow_blocking_here();
    let mut last_start: Option<std::time::Instant> = None;
    while let Ok(first) = rx.recv() {
        if let Some(wait) = last_start
            .map(|t| (t + PACE).saturating_duration_since(std::time::Instant::now()))
            .filter(|w| !w.is_zero())
        {
            std::thread::sleep(wait);
        }
        last_start = Some(std::time::Instant::now());
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        let result = handle
            .block_on(write_batch(db, &batch))
            .map_err(|e| BatchFailed {
                full: matches!(e, ServiceError::Full(_)),
                message: e.to_string(),
            });
        let n = batch.len() as u64;
        if result.is_ok() {
            stats.written.fetch_add(n, Relaxed);
        } else {
            stats.failed.fetch_add(n, Relaxed);
        }
        if let Some(oldest) = batch.first() {
            let lag = oldest.2.elapsed().as_micros();
            stats
                .last_lag_us
                .store(u64::try_from(lag).unwrap_or(u64::MAX), Relaxed);
        }
        for (_, waiter, _) in batch {
            let _ = waiter.send(result.clone());
        }
    }
}

impl Services {
    /// Appends a read event and returns once it is committed.
    pub(crate) async fn append_read_event(&self, ev: ReadEvent) -> Result<()> {
        // The benchmark-only build that measures what the audit costs
        // (scripts/bench); the binary refuses every command in it unasked.
        if cfg!(feature = "bench-unaudited") {
            drop(ev);
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        let gc = self.group_commit();
        gc.stats
            .queued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        gc.sender(self.db())?
            .send((ev, tx, std::time::Instant::now()))
            .map_err(|_| ServiceError::Unavailable("the audit writer stopped".into()))?;
        rx.await
            .map_err(|_| ServiceError::Unavailable("the audit event could not be written".into()))?
            .map_err(ServiceError::from)
    }
}

async fn write_batch(db: &Db, events: &[Waiter]) -> Result<()> {
    let mut tx = db.begin_audit().await?;
    let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
    append_all(
        &mut tx,
        events.iter().map(|(e, _, _)| {
            (
                &e.ctx,
                e.at,
                Event {
                    role: &e.role,
                    client_id: e.client_id.as_deref(),
                    data_kind: &e.data_kind,
                    data_id: e.data_id.as_deref(),
                    action: e.action,
                    outcome: e.outcome,
                    reason: e.reason.as_deref(),
                },
            )
        }),
        n,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
