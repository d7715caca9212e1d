//! "Mijn netwerk", by the client (issue 15, ADR 0020): an adult client who
//! manages their own affairs ends a contact person's access themselves
//! (that person's sessions end at once) and asks the team to give someone
//! access (a request of kind `network` in the team's queue, with the tiles
//! the client proposes: [`crate::requests`]). The rule is
//! [`policy::decide_client_network`]: adult, no legal representative,
//! curator or mentor with valid access, and the portal open to them.
use crate::access::{actor_facts, subject_facts, Attempt};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::{Ctx, Services};
use inzage_core::ids::{AccessGrantId, ClientId, ContactPersonId};
use inzage_core::model::{AuditAction, DossierPart};
use inzage_core::policy::{self, Access, Decision, DenyReason, Scope};
use inzage_core::types::ts;

/// Whether a contact person who represents the client (legal
/// representative, curator, mentor) has access that has not ended — now
/// or starting later (review: a representative whose access starts next
/// week still represents the client today).
async fn represented(tx: &mut Tx, client: &str, now: &str) -> Result<bool> {
    let codes: Vec<&str> = policy::REPRESENTING.iter().map(|r| r.code()).collect();
    let row = crate::sql::query(
        "SELECT 1 AS x FROM access_grant g JOIN contact_person cp ON cp.id = g.contact_person_id \
         WHERE g.client_id = $1 AND cp.relation IN ($3, $4, $5) AND g.revoked_at IS NULL \
         AND (g.valid_until IS NULL OR g.valid_until > $2) LIMIT 1",
    )
    .bind(client)
    .bind(now)
    .bind(codes.first().copied().unwrap_or_default())
    .bind(codes.get(1).copied().unwrap_or_default())
    .bind(codes.get(2).copied().unwrap_or_default())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

impl Services {
    /// The client-network rule for this actor and client, decided on facts
    /// read in `tx` (no audit event: the caller records the outcome).
    pub(crate) async fn decide_client_network_in(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        client: &str,
    ) -> Result<std::result::Result<Scope, DenyReason>> {
        let now = self.now();
        let actor = actor_facts(tx, &ctx.principal).await?;
        let Some(subject) = subject_facts(tx, client).await? else {
            return Err(ServiceError::NotFound);
        };
        let rep = represented(tx, client, &ts(now)).await?;
        Ok(
            match policy::decide_client_network(&actor, &subject.facts, rep, &subject.rules, now) {
                Decision::Allow(scope) => Ok(scope),
                Decision::Deny(reason) => Err(reason),
            },
        )
    }

    /// Whether the page shows the client the controls (end access, ask to
    /// add someone). Decided by the rule; not an audit event of its own
    /// (it shows nothing of the dossier), like the portal's header.
    pub async fn client_manages_network(&self, ctx: &Ctx, client: &ClientId) -> Result<bool> {
        let mut tx = self.db().begin_read().await?;
        let d = self
            .decide_client_network_in(&mut tx, ctx, client.as_str())
            .await?;
        tx.rollback().await?;
        Ok(d.is_ok())
    }

    /// The client ends a contact person's access to their dossier now:
    /// every grant of that person for this client that is still open. A
    /// contact person of another client answers `NotFound`; one without
    /// open access `Stale`. The contact person's sessions end at once.
    pub async fn client_ends_access(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        contact: &ContactPersonId,
    ) -> Result<()> {
        let a = Attempt {
            part: DossierPart::Network,
            access: Access::Write,
            action: AuditAction::Revoke,
            data_kind: DossierPart::Network.code(),
            data_id: Some(contact.as_str()),
            hide_denial: true,
        };
        let mut tx = self.db().begin().await?;
        let scope = match self
            .decide_client_network_in(&mut tx, ctx, client.as_str())
            .await?
        {
            Ok(scope) => scope,
            Err(reason) => {
                self.denied(&mut tx, ctx, Some(client.as_str()), &a, reason.code())
                    .await?;
                tx.commit().await?;
                return Err(ServiceError::Denied(reason));
            }
        };
        let owner = crate::sql::query("SELECT client_id FROM contact_person WHERE id = $1")
            .bind(contact.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if owner
            .map(|r| crate::row::s(&r, "client_id"))
            .transpose()?
            .as_deref()
            != Some(client.as_str())
        {
            self.denied(&mut tx, ctx, Some(client.as_str()), &a, "not_found")
                .await?;
            tx.commit().await?;
            return Err(ServiceError::NotFound);
        }
        let now = ts(self.now());
        let open = crate::sql::query(
            "SELECT id FROM access_grant WHERE contact_person_id = $1 AND client_id = $2 \
             AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > $3)",
        )
        .bind(contact.as_str())
        .bind(client.as_str())
        .bind(&now)
        .fetch_all(&mut *tx)
        .await?;
        if open.is_empty() {
            return Err(ServiceError::Stale);
        }
        // Each grant ends only if still open at the write (a colleague's
        // change in between ends it and opens another: then nothing is
        // written and the client sees the current state; review).
        for g in &open {
            let grant = AccessGrantId::from_raw(crate::row::s(g, "id")?);
            if !self.end_grant(&mut tx, ctx, &grant).await? {
                return Err(ServiceError::Stale);
            }
        }
        let still: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM access_grant WHERE contact_person_id = $1 AND client_id = $2 \
             AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > $3)",
        )
        .bind(contact.as_str())
        .bind(client.as_str())
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(ServiceError::from)
        .and_then(|r| crate::row::i(&r, "n"))?;
        if still != 0 {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
