//! Portal access as staff manage it (persoonlijk begeleider, secretariaat):
//! the client's portal status, the contact persons with their grants and
//! account status, and stopping or restarting the client's own access at
//! their request. Reading it is a Network read, changing it a Network
//! write; both pass the gate and are audited.
use crate::access::{parse_parts, Attempt};
use crate::admin::full_name;
use crate::error::{Result, ServiceError};
use crate::row::{os, ot, s, t};
use crate::{Audited, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::ids::{AccessGrantId, ClientId, ContactPersonId};
use inzage_core::model::{AuditAction, DossierPart, Principal, Relation};
use inzage_core::policy::Access;
use inzage_core::types::ts;
use serde::Serialize;

/// Where an account stands in the portal.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub enum AccountState {
    /// Never invited.
    NotInvited,
    /// Invited (last invitation at), no password set yet.
    Invited { at: Option<DateTime<Utc>> },
    /// Password set; last sign-in if any.
    Active { last_login: Option<DateTime<Utc>> },
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AccessStatus {
    pub state: AccountState,
    /// Staff asked to change the e-mail address or mobile number of the
    /// account in use; its holder has not confirmed yet (asked at).
    pub change_waiting: Option<DateTime<Utc>>,
    /// Signing in is paused after failed attempts, until this instant.
    pub paused_until: Option<DateTime<Utc>>,
    pub email: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GrantDetail {
    pub id: AccessGrantId,
    pub parts: Vec<DossierPart>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The staff member who recorded the client's consent, and when.
    pub consent_by: String,
    pub consent_at: DateTime<Utc>,
    /// Valid now.
    pub active: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ContactAccess {
    pub id: ContactPersonId,
    pub full_name: String,
    pub relation: Relation,
    pub access: AccessStatus,
    pub grants: Vec<GrantDetail>,
    /// Marked as the client's legal representative (ADR 0022): who
    /// marked it, when, and why.
    pub represents: Option<Representation>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Representation {
    pub set_by: String,
    pub set_at: DateTime<Utc>,
    pub reason: String,
}

/// The relations that can be marked as legal representative.
pub const REPRESENTING_RELATIONS: [Relation; 3] = [
    Relation::Mentor,
    Relation::Curator,
    Relation::LegalRepresentative,
];

/// The most a reason for a representative may say.
pub const REPRESENTS_REASON_MAX: usize = 500;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PortalAccess {
    pub client: AccessStatus,
    /// The client asked to stop their own portal access.
    pub portal_stopped: bool,
    pub contacts: Vec<ContactAccess>,
}

/// The status of a row (`r` has [`ACCOUNT_STATUS`], the row's own
/// `row_invited_at`, `email` and `mobile`). A row invited without an
/// account of its own (its address has its holder's account, ADR 0013)
/// shows "invited" like any other.
fn status_of(r: &crate::sql::Row, has_account: bool, now: DateTime<Utc>) -> Result<AccessStatus> {
    let row_invited = ot(r, "row_invited_at")?;
    let (email, mobile) = (os(r, "email")?, os(r, "mobile")?);
    if !has_account {
        return Ok(AccessStatus {
            state: match row_invited {
                Some(at) => AccountState::Invited { at: Some(at) },
                None => AccountState::NotInvited,
            },
            change_waiting: None,
            paused_until: None,
            email,
            mobile,
        });
    }
    let in_use = os(r, "password_set_at")?.is_some();
    let state = if in_use {
        AccountState::Active {
            last_login: ot(r, "last_login_at")?,
        }
    } else {
        AccountState::Invited {
            at: row_invited.or(ot(r, "invited_at")?),
        }
    };
    let change_waiting = match (ot(r, "change_at")?, ot(r, "change_until")?) {
        (Some(at), Some(until)) if until > now => Some(at),
        _ => None,
    };
    Ok(AccessStatus {
        state,
        change_waiting,
        // Only an account in use can be paused in a way that matters (and
        // showing it for a new one would tell a failed guess on an address
        // apart from one that has no account here).
        paused_until: ot(r, "paused_until")?.filter(|p| in_use && *p > now),
        email,
        mobile,
    })
}

const ACCOUNT_STATUS: &str = "a.password_set_at, a.last_login_at, a.paused_until, \
     (SELECT MAX(k.created_at) FROM account_token k WHERE k.account_id = a.id AND k.purpose = 'invite') AS invited_at, \
     (SELECT MAX(x.requested_at) FROM identifier_change x WHERE x.account_id = a.id AND x.origin = 'staff' \
       AND x.decided_at IS NULL) AS change_at, \
     (SELECT MAX(x.expires_at) FROM identifier_change x WHERE x.account_id = a.id AND x.origin = 'staff' \
       AND x.decided_at IS NULL) AS change_until";

impl Services {
    /// The client's portal status and their contact persons, for staff.
    pub async fn portal_access(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<PortalAccess>> {
        let a = Attempt {
            part: DossierPart::Network,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: "portal_access",
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        if !scope.include_history {
            // Account details are for staff; clients see "Mijn netwerk".
            return self.out_of_scope(tx, ctx, client.as_str(), &a).await;
        }
        let now = self.now();
        let c = crate::sql::query(&format!(
            "SELECT c.email, c.mobile, c.portal_stopped, c.invited_at AS row_invited_at, a.id AS account_id, \
             {ACCOUNT_STATUS} FROM client c LEFT JOIN account a ON a.kind = 'client' AND a.subject_id = c.id \
             WHERE c.id = $1"
        ))
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let client_status = status_of(&c, os(&c, "account_id")?.is_some(), now)?;
        let people = crate::sql::query(&format!(
            "SELECT cp.id, cp.given_name, cp.name_prefix, cp.family_name, cp.relation, cp.email, cp.mobile, \
             cp.account_id, cp.invited_at AS row_invited_at, cp.represents_client, cp.represents_set_at, \
             cp.represents_reason, rm.given_name AS r_given, rm.name_prefix AS r_prefix, rm.family_name AS r_family, \
             {ACCOUNT_STATUS} FROM contact_person cp LEFT JOIN account a ON a.id = cp.account_id \
             LEFT JOIN staff_member rm ON rm.id = cp.represents_set_by \
             WHERE cp.client_id = $1 ORDER BY cp.family_name, cp.given_name, cp.id"
        ))
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let grants = crate::sql::query(
            "SELECT g.id, g.contact_person_id, g.parts, g.valid_from, g.valid_until, g.revoked_at, \
             g.consent_recorded_at, m.given_name, m.name_prefix, m.family_name FROM access_grant g \
             JOIN staff_member m ON m.id = g.consent_recorded_by WHERE g.client_id = $1 ORDER BY g.valid_from, g.id",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut contacts = Vec::with_capacity(people.len());
        for p in &people {
            let pid = s(p, "id")?;
            let has_account = os(p, "account_id")?.is_some();
            let access = status_of(p, has_account, now)?;
            let mut gs = Vec::new();
            for g in grants
                .iter()
                .filter(|g| s(g, "contact_person_id").ok().as_deref() == Some(pid.as_str()))
            {
                let valid_from = t(g, "valid_from")?;
                let valid_until = ot(g, "valid_until")?;
                let revoked_at = ot(g, "revoked_at")?;
                gs.push(GrantDetail {
                    id: AccessGrantId::from_raw(s(g, "id")?),
                    parts: parse_parts(&s(g, "parts")?),
                    active: revoked_at.is_none_or(|r| now < r)
                        && valid_from <= now
                        && valid_until.is_none_or(|u| now < u),
                    valid_from,
                    valid_until,
                    revoked_at,
                    consent_by: full_name(
                        &s(g, "given_name")?,
                        os(g, "name_prefix")?.as_deref(),
                        &s(g, "family_name")?,
                    ),
                    consent_at: t(g, "consent_recorded_at")?,
                });
            }
            contacts.push(ContactAccess {
                id: ContactPersonId::from_raw(pid),
                full_name: full_name(
                    &s(p, "given_name")?,
                    os(p, "name_prefix")?.as_deref(),
                    &s(p, "family_name")?,
                ),
                relation: Relation::from_code(&s(p, "relation")?).unwrap_or(Relation::Other),
                access,
                grants: gs,
                represents: match (
                    crate::row::b(p, "represents_client")?,
                    ot(p, "represents_set_at")?,
                ) {
                    (true, Some(set_at)) => Some(Representation {
                        set_by: os(p, "r_given")?
                            .map(|g| {
                                full_name(
                                    &g,
                                    os(p, "r_prefix").ok().flatten().as_deref(),
                                    &os(p, "r_family").ok().flatten().unwrap_or_default(),
                                )
                            })
                            .unwrap_or_default(),
                        set_at,
                        reason: os(p, "represents_reason")?.unwrap_or_default(),
                    }),
                    _ => None,
                },
            });
        }
        let portal_stopped = crate::row::b(&c, "portal_stopped")?;
        ticket
            .finish(
                tx,
                PortalAccess {
                    client: client_status,
                    portal_stopped,
                    contacts,
                },
            )
            .await
    }

    /// Marks a contact person as the client's legal representative (or
    /// clears the mark), with a reason: a Network write, audited. The
    /// mark lets them ask for an afschrift (ADR 0022).
    pub async fn set_representative(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        contact: &ContactPersonId,
        represents: bool,
        reason: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if represents && reason.is_empty() {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "represents_reason",
                "is required",
            )));
        }
        if reason.chars().count() > REPRESENTS_REASON_MAX {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "represents_reason",
                format!("is longer than {REPRESENTS_REASON_MAX} characters"),
            )));
        }
        let a = Attempt {
            part: DossierPart::Network,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: if represents {
                "representative_on"
            } else {
                "representative_off"
            },
            data_id: Some(contact.as_str()),
            hide_denial: true,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let Principal::Staff { staff_id } = &ctx.principal else {
            return Err(ServiceError::Denied(
                inzage_core::policy::DenyReason::AuthorMustBeStaff,
            ));
        };
        // A legal representative is a mentor, a curator or a legal
        // representative by relation; family or a partner is not.
        if represents {
            let relation = crate::sql::query(
                "SELECT relation FROM contact_person WHERE id = $1 AND client_id = $2",
            )
            .bind(contact.as_str())
            .bind(client.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| s(&r, "relation"))
            .transpose()?;
            if let Some(rel) = relation.as_deref().and_then(Relation::from_code) {
                if !REPRESENTING_RELATIONS.contains(&rel) {
                    return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                        "represents_relation",
                        "only a mentor, curator or legal representative",
                    )));
                }
            }
        }
        let changed = crate::sql::query(
            "UPDATE contact_person SET represents_client = $1, represents_set_by = $2, represents_set_at = $3, \
             represents_reason = $4 WHERE id = $5 AND client_id = $6",
        )
        .bind(i64::from(represents))
        .bind(staff_id.as_str())
        .bind(ts(self.now()))
        .bind(if represents { Some(reason) } else { None })
        .bind(contact.as_str())
        .bind(client.as_str())
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            drop(tx);
            return self.no_such_item(ctx, &a).await;
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops the client's own portal access at their request ("wil je niet
    /// meer meelezen"), or starts it again. A stopped client's open
    /// sessions end at their next request (the session check applies the
    /// same rule). Contact persons are not affected: their grants are
    /// managed one by one.
    pub async fn set_portal_stopped(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        stopped: bool,
    ) -> Result<()> {
        let a = Attempt {
            part: DossierPart::Network,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: if stopped {
                "portal_stop"
            } else {
                "portal_restart"
            },
            data_id: None,
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let changed = crate::sql::query(
            "UPDATE client SET portal_stopped = $2 WHERE id = $1 AND portal_stopped <> $2",
        )
        .bind(client.as_str())
        .bind(i64::from(stopped))
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        if stopped {
            // End the client's sessions now, not only at the next request.
            crate::sql::query(
                "UPDATE auth_session SET ended_at = $2, end_reason = 'portal_stopped' WHERE ended_at IS NULL \
                 AND account_id IN (SELECT id FROM account WHERE kind = 'client' AND subject_id = $1)",
            )
            .bind(client.as_str())
            .bind(ts(self.now()))
            .execute(&mut *tx)
            .await?;
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Services {
    /// The account row behind the client (`who` = None) or one of their
    /// contact persons, checked to belong to `client`: (table row id,
    /// account id, language, old e-mail, old mobile).
    pub(crate) async fn access_subject(
        &self,
        tx: &mut crate::db::Tx,
        client: &ClientId,
        who: Option<&ContactPersonId>,
    ) -> Result<(
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    )> {
        let r = match who {
            None => crate::sql::query(
                "SELECT c.email, c.mobile, a.id AS account_id, a.language FROM client c \
                 LEFT JOIN account a ON a.kind = 'client' AND a.subject_id = c.id WHERE c.id = $1",
            )
            .bind(client.as_str())
            .fetch_optional(&mut **tx)
            .await?,
            Some(cp) => crate::sql::query(
                "SELECT cp.email, cp.mobile, a.id AS account_id, a.language FROM contact_person cp \
                 LEFT JOIN account a ON a.id = cp.account_id WHERE cp.id = $1 AND cp.client_id = $2",
            )
            .bind(cp.as_str())
            .bind(client.as_str())
            .fetch_optional(&mut **tx)
            .await?,
        };
        let r = r.ok_or(ServiceError::NotFound)?;
        Ok((
            os(&r, "account_id")?,
            os(&r, "language")?,
            os(&r, "email")?,
            os(&r, "mobile")?,
        ))
    }

    /// Ends a sign-in pause (after too many wrong attempts) early, for the
    /// client or one of their contact persons.
    pub async fn end_pause(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        who: Option<&ContactPersonId>,
    ) -> Result<()> {
        let a = Attempt {
            part: DossierPart::Network,
            access: Access::Write,
            action: AuditAction::Update,
            data_kind: "sign_in_pause",
            data_id: who.map(ContactPersonId::as_str),
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let (account, ..) = self.access_subject(&mut tx, client, who).await?;
        let Some(account) = account else {
            return Err(ServiceError::Stale);
        };
        let done = crate::sql::query(
            "UPDATE account SET paused_until = NULL, failed_attempts = 0 WHERE id = $1 AND paused_until IS NOT NULL",
        )
        .bind(&account)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
