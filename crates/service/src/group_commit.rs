//! Group commit of read events (ADR 0008). Every dossier read records one
//! audit event after its read transaction; appending each in its own write
//! transaction made the audit append the bottleneck (one fsync each, one
//! writer at a time). Readers that arrive while a batch is being written
//! queue their events; the next one to get the leader lock writes all
//! queued events in one transaction (one fsync) and tells every waiter the
//! outcome. A caller returns only after its own event is committed, exactly
//! as before; the chain order stays the database's (the chain head row is
//! locked per append).
use crate::audit::{append, Event};
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

type Waiter = (ReadEvent, oneshot::Sender<std::result::Result<(), String>>);

#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: std::sync::Mutex<Vec<Waiter>>,
    leader: tokio::sync::Mutex<()>,
}

/// The most events written in one transaction.
const MAX_BATCH: usize = 256;

impl Services {
    /// Appends a read event and returns once it is committed.
    pub(crate) async fn append_read_event(&self, ev: ReadEvent) -> Result<()> {
        let gc = self.group_commit();
        let (tx, mut rx) = oneshot::channel();
        gc.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((ev, tx));
        loop {
            let _leader = gc.leader.lock().await;
            // A previous leader may have written ours already.
            match rx.try_recv() {
                Ok(r) => return r.map_err(ServiceError::Unavailable),
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(ServiceError::Unavailable(
                        "the audit event could not be written".into(),
                    ))
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<Waiter> = {
                let mut q = gc.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect()
            };
            if batch.is_empty() {
                // Ours is in a batch that another leader is finishing.
                drop(_leader);
                return rx
                    .await
                    .map_err(|_| {
                        ServiceError::Unavailable("the audit event could not be written".into())
                    })?
                    .map_err(ServiceError::Unavailable);
            }
            // Written in a task of its own, so a dropped request cannot
            // leave a batch half-told.
            let svc = self.clone();
            let written = tokio::spawn(async move {
                let result = svc
                    .write_batch(batch.iter().map(|(e, _)| e))
                    .await
                    .map_err(|e| e.to_string());
                for (_, waiter) in batch {
                    let _ = waiter.send(result.clone());
                }
            })
            .await;
            if written.is_err() {
                return Err(ServiceError::Internal("audit writer stopped".into()));
            }
            // Ours was in that batch, or waits for the next one.
        }
    }

    async fn write_batch<'a>(&self, events: impl Iterator<Item = &'a ReadEvent>) -> Result<()> {
        let mut tx = self.db().begin().await?;
        for e in events {
            append(
                &mut tx,
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
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
