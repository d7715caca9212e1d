//! Links between an account that exists already and a new contact-person
//! row (ADR 0013). Staff never attach a row to somebody's account: the
//! invitation only asks, and the holder accepts or declines while signed
//! in, seeing which client and which tiles. Until then the row has no
//! account and opens nothing.
use crate::admin::full_name;
use crate::audit::{append, Event};
use crate::db::{Conn, Tx};
use crate::error::{Result, ServiceError};
use crate::row::{os, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::ids::{ClientId, ContactPersonId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal, Relation};
use inzage_core::policy::accounts::holder_only;
use inzage_core::types::ts;
use serde::Serialize;

/// A link waiting for the signed-in holder.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PendingLink {
    pub id: String,
    /// "Voornaam Achternaam" of the client whose dossier it is.
    pub client_name: String,
    pub organisation_name: String,
    pub relation: Relation,
    /// The tiles the client's consent covers now.
    pub parts: Vec<DossierPart>,
    pub requested_at: DateTime<Utc>,
}

/// Asks the holder of `account_id` to accept `cp` (an earlier question for
/// the same row is withdrawn). Part of the invitation's transaction.
pub(crate) async fn request_link(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    cp: &ContactPersonId,
    account_id: &str,
    asked_email: &str,
) -> Result<()> {
    withdraw_links(tx, now, cp.as_str()).await?;
    let (kind, who) = ctx.principal.audit_actor();
    crate::sql::query(
        "INSERT INTO account_link (id, contact_person_id, account_id, requested_by, requested_at, asked_email) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(cp.as_str())
    .bind(account_id)
    .bind(format!("{kind}:{who}"))
    .bind(ts(now))
    .bind(asked_email)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Withdraws every undecided link to an account (its address changed: a
/// link asked of the old address is not for whoever holds the new one).
pub(crate) async fn withdraw_links_to(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account: &str,
) -> Result<()> {
    crate::sql::query(
        "UPDATE account_link SET decided_at = $2, decision = 'withdrawn' \
         WHERE account_id = $1 AND decided_at IS NULL",
    )
    .bind(account)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Withdraws the undecided links of a row (its address changed, or it was
/// invited anew).
pub(crate) async fn withdraw_links(tx: &mut Tx, now: DateTime<Utc>, cp: &str) -> Result<u64> {
    Ok(crate::sql::query(
        "UPDATE account_link SET decided_at = $2, decision = 'withdrawn' \
         WHERE contact_person_id = $1 AND decided_at IS NULL",
    )
    .bind(cp)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Whether the account has a link waiting (it may then sign in to decide,
/// even when no dossier is open to it yet).
pub(crate) async fn has_pending_links(
    c: &mut Conn,
    account_id: &str,
    asked_since: DateTime<Utc>,
) -> Result<bool> {
    Ok(crate::sql::query(&format!(
        "SELECT 1 AS x FROM account_link l JOIN contact_person cp ON cp.id = l.contact_person_id \
         JOIN account a ON a.id = l.account_id WHERE {WAITING} LIMIT 1"
    ))
    .bind(account_id)
    .bind(ts(asked_since))
    .fetch_optional(&mut *c)
    .await?
    .is_some())
}

/// A link that waits for the holder of account `$1`, asked at or after
/// `$2`, of the address the account still has, for a row with no account.
const WAITING: &str = "l.account_id = $1 AND l.decided_at IS NULL AND l.requested_at >= $2 \
     AND cp.account_id IS NULL AND l.asked_email = a.email";

/// The context of an event about a link: the contact person the client
/// named, acting for the client, so "Wie keek mee" names them.
fn link_ctx(cp: &str, client: &str, source: Option<&str>) -> Ctx {
    let mut c = Ctx::new(Principal::ContactPerson {
        contact_person_id: ContactPersonId::from_raw(cp.to_owned()),
    });
    c.on_behalf_of = Some(client.to_owned());
    c.source_addr = source.map(str::to_owned);
    c
}

impl Services {
    /// The links waiting for the signed-in holder, with the client's name
    /// and the tiles granted. Showing them is a read of each client's
    /// dossier (their name), audited as the contact person they named.
    pub async fn pending_links(
        &self,
        session_token: &str,
        source: Option<&str>,
    ) -> Result<crate::Audited<Vec<PendingLink>>> {
        let info = self.active_session(session_token).await?;
        let now = self.now();
        let mut conn = self.db().acquire().await?;
        let rows = crate::sql::query(&format!(
            "SELECT l.id, l.requested_at, cp.id AS cp_id, cp.relation, c.id AS client_id, c.given_name, \
             c.name_prefix, c.family_name, o.name AS org_name FROM account_link l \
             JOIN account a ON a.id = l.account_id \
             JOIN contact_person cp ON cp.id = l.contact_person_id JOIN client c ON c.id = cp.client_id \
             JOIN organisation o ON o.id = c.organisation_id WHERE {WAITING} ORDER BY l.requested_at"
        ))
        .bind(&info.account_id)
        .bind(ts(now - self.settings().invite_valid))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut events = Vec::new();
        for r in &rows {
            let cp = s(r, "cp_id")?;
            let facts = crate::access::actor_facts(
                &mut conn,
                &Principal::ContactPerson {
                    contact_person_id: ContactPersonId::from_raw(cp.clone()),
                },
            )
            .await?;
            let mut parts: Vec<DossierPart> = match facts {
                inzage_core::policy::ActorFacts::ContactPerson { grants } => grants
                    .iter()
                    .filter(|g| g.is_valid_at(now))
                    .flat_map(|g| g.parts.iter().copied())
                    .collect(),
                _ => vec![],
            };
            if parts.is_empty() {
                // Consent ended meanwhile: nothing to accept.
                continue;
            }
            parts.sort();
            parts.dedup();
            let client = s(r, "client_id")?;
            events.push((cp, client, s(r, "id")?));
            out.push(PendingLink {
                id: s(r, "id")?,
                client_name: full_name(
                    &s(r, "given_name")?,
                    os(r, "name_prefix")?.as_deref(),
                    &s(r, "family_name")?,
                ),
                organisation_name: s(r, "org_name")?,
                relation: Relation::from_code(&s(r, "relation")?).unwrap_or(Relation::Other),
                parts,
                requested_at: t(r, "requested_at")?,
            });
        }
        drop(conn);
        let events = events
            .into_iter()
            .map(|(cp, client, link)| crate::group_commit::ReadEvent {
                ctx: link_ctx(&cp, &client, source),
                at: now,
                role: "contact_person".into(),
                client_id: Some(client),
                data_kind: "account_link".into(),
                data_id: Some(link),
                action: AuditAction::Read,
                outcome: AuditOutcome::Allowed,
                reason: None,
            })
            .collect();
        crate::audited::recorded(self, events, out).await
    }

    /// The holder accepts or declines a link. Accepting attaches the row to
    /// the account and gives the row the account's own e-mail address and
    /// mobile number (the holder's details, not what staff typed). A link
    /// that is not the holder's answers `NotFound`, audited.
    pub async fn decide_link(
        &self,
        session_token: &str,
        link_id: &str,
        accept: bool,
        source: Option<&str>,
    ) -> Result<ClientId> {
        let info = self.active_session(session_token).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(&format!(
            "SELECT l.account_id, l.contact_person_id, cp.client_id, a.email, a.mobile \
             FROM account_link l JOIN contact_person cp ON cp.id = l.contact_person_id \
             JOIN account a ON a.id = l.account_id WHERE l.id = $3 AND {WAITING}"
        ))
        .bind(&info.account_id)
        .bind(ts(now - self.settings().invite_valid))
        .bind(link_id)
        .fetch_optional(&mut *tx)
        .await?;
        let mine = r
            .as_ref()
            .is_some_and(|r| s(r, "account_id").is_ok_and(|a| holder_only(&info.account_id, &a)));
        let (Some(r), true) = (r, mine) else {
            // Not the holder's, or no longer waiting (decided, withdrawn,
            // expired, or the account's address changed since).
            let mut ctx = Ctx::new(Principal::Account {
                account_id: info.account_id.clone(),
            });
            ctx.source_addr = source.map(str::to_owned);
            append(
                &mut tx,
                &ctx,
                now,
                Event {
                    role: "-",
                    client_id: None,
                    data_kind: "account_link",
                    data_id: None,
                    action: AuditAction::Update,
                    outcome: AuditOutcome::Denied,
                    reason: Some("not_waiting_for_holder"),
                },
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::NotFound);
        };
        let cp = s(&r, "contact_person_id")?;
        let client = s(&r, "client_id")?;
        // The decision first: a link withdrawn at this moment stays withdrawn.
        let decided = crate::sql::query(
            "UPDATE account_link SET decided_at = $2, decision = $3 WHERE id = $1 AND decided_at IS NULL",
        )
        .bind(link_id)
        .bind(ts(now))
        .bind(if accept { "accepted" } else { "declined" })
        .execute(&mut *tx)
        .await?;
        if decided.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        if accept {
            // The client's consent must still hold.
            let facts = crate::access::actor_facts(
                &mut tx,
                &Principal::ContactPerson {
                    contact_person_id: ContactPersonId::from_raw(cp.clone()),
                },
            )
            .await?;
            let consent = matches!(&facts, inzage_core::policy::ActorFacts::ContactPerson { grants }
                if grants.iter().any(|g| g.is_valid_at(now)));
            if !consent {
                return Err(ServiceError::Stale);
            }
            let done = crate::sql::query(
                "UPDATE contact_person SET account_id = $2, email = $3, mobile = $4 WHERE id = $1 AND account_id IS NULL",
            )
            .bind(&cp)
            .bind(&info.account_id)
            .bind(s(&r, "email")?)
            .bind(os(&r, "mobile")?)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(ServiceError::Stale);
            }
        }
        append(
            &mut tx,
            &link_ctx(&cp, &client, source),
            now,
            Event {
                role: "contact_person",
                client_id: Some(&client),
                data_kind: "account_link",
                data_id: Some(link_id),
                action: AuditAction::Update,
                outcome: AuditOutcome::Allowed,
                reason: Some(if accept { "accepted" } else { "declined" }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ClientId::from_raw(client))
    }
}
