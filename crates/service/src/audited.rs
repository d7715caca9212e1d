//! An unaudited read does not compile (issue 13, ADR 0015).
//!
//! Every service method that answers with dossier data returns
//! [`Audited<T>`]. Its field is private to this module, and every way to
//! make one writes the audit event first and only then wraps the data:
//!
//! - [`ReadTicket::finish`]: the read gate's way (ADR 0008): the read's
//!   transaction ends, the allowed event is committed through the group
//!   commit, then the data is handed back;
//! - [`committed`]: a read that runs in a write transaction (the audit
//!   search, the operator's client list) appends its event there and
//!   commits before the data is handed back;
//! - [`recorded`]: a read outside the gate (a list decided by its own rule)
//!   records its event, then hands the data back.
//!
//! A method that forgets the audit has no value of its return type to give
//! back, so the build fails (E0308, "expected `Audited<…>`"); the web layer
//! gets dossier data only out of an `Audited`. Outside this crate an
//! `Audited` cannot be made at all:
//!
//! ```compile_fail
//! fn forged() -> inzage_service::Audited<u32> {
//!     inzage_service::Audited(5)
//! }
//! ```
//!
//! (The headers of the portal and of a staff client page are decided by
//! the rules but are not audit events of their own, ADR 0007 and 0009:
//! they return plain values and carry no dossier content beyond the name.)
use crate::audit::{append, Event};
use crate::db::Tx;
use crate::error::Result;
use crate::group_commit::ReadEvent;
use crate::{Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::model::{AuditAction, AuditOutcome};

/// Data whose read is recorded in the audit trail. Made only in this
/// module, after the event is durable.
#[derive(Debug)]
#[must_use]
pub struct Audited<T>(T);

impl<T> Audited<T> {
    /// The data, to render or send.
    pub fn into_inner(self) -> T {
        self.0
    }

    /// The same read's data in another shape (its event is recorded).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Audited<U> {
        Audited(f(self.0))
    }
}

impl<T> std::ops::Deref for Audited<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// What the gate hands a read that it allowed: the event to record when
/// the read is done. Finishing it is the only way to the data.
#[must_use = "a read is answered only through ReadTicket::finish, which records it"]
pub(crate) struct ReadTicket {
    services: Services,
    ctx: Ctx,
    role: String,
    client_id: String,
    data_kind: String,
    data_id: Option<String>,
    action: AuditAction,
}

impl ReadTicket {
    pub(crate) fn new(
        services: &Services,
        ctx: &Ctx,
        role: &str,
        client_id: &str,
        a: &crate::access::Attempt<'_>,
    ) -> Self {
        ReadTicket {
            services: services.clone(),
            ctx: ctx.clone(),
            role: role.to_owned(),
            client_id: client_id.to_owned(),
            data_kind: a.data_kind.to_owned(),
            data_id: a.data_id.map(str::to_owned),
            action: a.action,
        }
    }

    /// Names the item read (when the attempt did not).
    pub(crate) fn of(mut self, data_id: &str) -> Self {
        self.data_id = Some(data_id.to_owned());
        self
    }

    /// Ends the read: closes its transaction (no write lock is held while
    /// reading, ADR 0008), commits the allowed event, then hands the data
    /// back. If the event cannot be written, the caller gets an error and
    /// no data.
    pub(crate) async fn finish<T>(self, tx: Tx, data: T) -> Result<Audited<T>> {
        tx.rollback().await?;
        let at = self.services.now();
        self.services
            .append_read_event(ReadEvent {
                ctx: self.ctx,
                at,
                role: self.role,
                client_id: Some(self.client_id),
                data_kind: self.data_kind,
                data_id: self.data_id,
                action: self.action,
                outcome: AuditOutcome::Allowed,
                reason: None,
            })
            .await?;
        Ok(Audited(data))
    }
}

/// A read inside a write transaction: appends its event, commits, then
/// hands the data back.
pub(crate) async fn committed<T>(
    mut tx: Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    event: Event<'_>,
    data: T,
) -> Result<Audited<T>> {
    append(&mut tx, ctx, now, event).await?;
    tx.commit().await?;
    Ok(Audited(data))
}

/// A read decided outside the gate: records its events (group commit),
/// then hands the data back.
pub(crate) async fn recorded<T>(
    services: &Services,
    events: Vec<ReadEvent>,
    data: T,
) -> Result<Audited<T>> {
    for event in events {
        services.append_read_event(event).await?;
    }
    Ok(Audited(data))
}
