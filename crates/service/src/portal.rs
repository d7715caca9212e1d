//! The portal's frame for clients and contact persons: whose dossier is
//! open, which tiles may be opened, the contact person's dossier chooser
//! and the introduction tour flag.
//!
//! The header (name + tiles) passes the same rule as every read, but is not
//! an audit event of its own: it shows no dossier content, only the access
//! relationship the viewer already has. Each tile's read is audited by its
//! own service method, and choosing a dossier is audited (ADR 0007).
use crate::accounts::SessionInfo;
use crate::admin::full_name;
use crate::audit::{append, Event};
use crate::error::{Result, ServiceError};
use crate::row::{os, s};
use crate::{Ctx, Services};
use chrono::NaiveDate;
use inzage_core::ids::{ClientId, ContactPersonId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal, Relation};
use inzage_core::policy::{decide, Access, DenyReason};
use serde::Serialize;

/// The tiles of the portal, in the order the seed shows them: the parts a
/// client sees of their own dossier.
pub const TILES: &[DossierPart] = inzage_core::policy::CLIENT_PARTS;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DossierHeader {
    pub client_id: ClientId,
    /// "Voornaam Achternaam" of the client whose dossier this is.
    pub client_name: String,
    /// The tiles this viewer may open, in [`TILES`] order.
    pub parts: Vec<DossierPart>,
    /// The viewer is the client (not a contact person).
    pub viewer_is_client: bool,
    /// The care ended: the dossier can be read until this (local) day.
    pub readable_until: Option<NaiveDate>,
    pub organisation_name: String,
    pub servicedesk_email: Option<String>,
    pub servicedesk_phone: Option<String>,
}

/// A dossier a contact person can open.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DossierChoice {
    pub contact_person_id: ContactPersonId,
    pub client_name: String,
    pub relation: Relation,
    pub active: bool,
}

impl Services {
    /// Whose dossier the signed-in client or contact person looks at, and
    /// which tiles they may open. Denied (and audited) when no tile is open
    /// to them any more.
    pub async fn dossier_header(&self, ctx: &Ctx) -> Result<DossierHeader> {
        // Plain reads on one connection: no snapshot needed for a header.
        let mut tx = self.db().acquire().await?;
        let client_id = match &ctx.principal {
            Principal::Client { client_id } => client_id.to_string(),
            Principal::ContactPerson { contact_person_id } => {
                let row = crate::sql::query("SELECT client_id FROM contact_person WHERE id = $1")
                    .bind(contact_person_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                match row {
                    Some(r) => s(&r, "client_id")?,
                    None => return Err(ServiceError::NotFound),
                }
            }
            _ => return Err(ServiceError::Denied(DenyReason::NoGrant)),
        };
        let now = self.now();
        let actor = ctx.facts.actor(self.db(), &mut tx, &ctx.principal).await?;
        let Some(crate::access::Subject {
            facts: subject,
            rules,
            names,
        }) = ctx.facts.subject(self.db(), &mut tx, &client_id).await?
        else {
            return Err(ServiceError::NotFound);
        };
        drop(tx);
        let parts: Vec<DossierPart> = TILES
            .iter()
            .copied()
            .filter(|p| decide(&actor, &subject, *p, Access::Read, &rules, now).is_allowed())
            .collect();
        if parts.is_empty() {
            return Err(ServiceError::Denied(DenyReason::NoGrant));
        }
        let readable_until = subject
            .current_episode
            .as_ref()
            .and_then(|e| e.end)
            // The last day access works: on end + grace it is over (policy).
            .map(|end| end + chrono::Duration::days(rules.grace_days_after_discharge - 1));
        Ok(DossierHeader {
            client_id: ClientId::from_raw(client_id),
            client_name: full_name(
                &names.given_name,
                names.name_prefix.as_deref(),
                &names.family_name,
            ),
            parts,
            viewer_is_client: matches!(ctx.principal, Principal::Client { .. }),
            readable_until,
            organisation_name: names.organisation_name,
            servicedesk_email: names.servicedesk_email,
            servicedesk_phone: names.servicedesk_phone,
        })
    }

    /// The dossiers a signed-in contact person can open now.
    pub async fn my_dossiers(&self, session_token: &str) -> Result<Vec<DossierChoice>> {
        let info = self.active_session(session_token).await?;
        let active = match &info.principal {
            Some(Principal::ContactPerson { contact_person_id }) => {
                Some(contact_person_id.to_string())
            }
            _ => None,
        };
        let mut tx = self.db().acquire().await?;
        let open = self.openable_dossiers(&mut tx, &info.account_id).await?;
        let mut out = Vec::with_capacity(open.len());
        for (cp, client) in open {
            let r = crate::sql::query(
                "SELECT c.given_name, c.name_prefix, c.family_name, p.relation \
                 FROM contact_person p JOIN client c ON c.id = p.client_id WHERE p.id = $1",
            )
            .bind(cp.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let _ = client;
            out.push(DossierChoice {
                active: active.as_deref() == Some(cp.as_str()),
                contact_person_id: cp,
                client_name: full_name(
                    &s(&r, "given_name")?,
                    os(&r, "name_prefix")?.as_deref(),
                    &s(&r, "family_name")?,
                ),
                relation: Relation::from_code(&s(&r, "relation")?).unwrap_or(Relation::Other),
            });
        }
        drop(tx);
        out.sort_by(|a, b| a.client_name.cmp(&b.client_name));
        Ok(out)
    }

    /// How many dossiers the signed-in contact person of `info` can open
    /// now (the frame offers "Ander dossier kiezen" when more than one).
    /// `info` comes from [`Services::session`] of this request.
    pub async fn open_dossier_count(&self, info: &SessionInfo) -> Result<usize> {
        let mut conn = self.db().acquire().await?;
        Ok(self
            .openable_dossiers(&mut conn, &info.account_id)
            .await?
            .len())
    }

    /// A contact person opens one of their dossiers in this session. An id
    /// that is not one of theirs (or no longer open) answers `NotFound`.
    /// Audited as opening the client's dossier.
    pub async fn choose_dossier(
        &self,
        session_token: &str,
        contact_person_id: &str,
        source: Option<&str>,
    ) -> Result<()> {
        let info = self.active_session(session_token).await?;
        let mut tx = self.db().begin().await?;
        let open = self.openable_dossiers(&mut tx, &info.account_id).await?;
        let Some((cp, client)) = open
            .into_iter()
            .find(|(cp, _)| cp.as_str() == contact_person_id)
        else {
            tx.rollback().await?;
            return Err(ServiceError::NotFound);
        };
        crate::sql::query(
            "UPDATE auth_session SET active_contact_person_id = $1 WHERE id_hash = $2 AND ended_at IS NULL",
        )
        .bind(cp.as_str())
        .bind(crate::accounts::sha(session_token))
        .execute(&mut *tx)
        .await?;
        let mut ctx = Ctx::new(Principal::ContactPerson {
            contact_person_id: cp.clone(),
        });
        ctx.source_addr = source.map(str::to_owned);
        ctx.on_behalf_of = Some(client.to_string());
        append(
            &mut tx,
            &ctx,
            self.now(),
            Event {
                role: "contact_person",
                client_id: Some(client.as_str()),
                data_kind: "dossier",
                data_id: None,
                action: AuditAction::Read,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers that the account has finished (or closed) the
    /// introduction tour, or starts it again (`done = false`).
    pub async fn set_tour_done(&self, session_token: &str, done: bool) -> Result<()> {
        let info = self.active_session(session_token).await?;
        crate::sql::query("UPDATE account SET tour_done = $1 WHERE id = $2")
            .bind(i64::from(done))
            .bind(&info.account_id)
            .execute(self.db())
            .await?;
        Ok(())
    }
}
