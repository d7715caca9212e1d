//! The gate every dossier operation passes: load the facts, decide by the
//! policy, audit the outcome. A denial is committed (so it is recorded)
//! and returned as an error before any client data is read.
use crate::audit::{append, Event};
use crate::audited::ReadTicket;
use crate::db::{Conn, Tx};
use crate::error::{Result, ServiceError};
use crate::row::{b, d, i, od, os, ot, s, t};
use crate::{Ctx, Services};
use inzage_core::ids::ClientId;
use inzage_core::ids::{EpisodeId, OrganisationId, TeamId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal, Relation, Role};
use inzage_core::policy::{
    decide, Access, ActorFacts, Decision, EpisodeFacts, GrantFacts, ItemFacts, OrgRules, Scope,
    StaffFacts, SubjectFacts,
};
use std::sync::{Arc, Mutex};

pub(crate) async fn actor_facts(tx: &mut Conn, p: &Principal) -> Result<ActorFacts> {
    Ok(match p {
        Principal::Account { .. } | Principal::Anonymous => ActorFacts::NoDossierAccess,
        Principal::Client { client_id } => ActorFacts::Client {
            client_id: client_id.clone(),
        },
        Principal::System { component } => ActorFacts::System {
            component: component.clone(),
        },
        Principal::Integration {
            fhir_client_id,
            scopes,
        } => {
            let row = crate::sql::query(
                "SELECT organisation_id, disabled_at FROM fhir_client WHERE id = $1",
            )
            .bind(fhir_client_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Ok(ActorFacts::NoDossierAccess);
            };
            ActorFacts::Integration(inzage_core::policy::IntegrationFacts {
                fhir_client_id: fhir_client_id.clone(),
                organisation_id: OrganisationId::from_raw(s(&row, "organisation_id")?),
                active: os(&row, "disabled_at")?.is_none(),
                scopes: scopes.clone(),
            })
        }
        Principal::Staff { staff_id } => {
            let row =
                crate::sql::query("SELECT active, organisation_id FROM staff_member WHERE id = $1")
                    .bind(staff_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            // An unknown member may do nothing at all.
            let Some(row) = row else {
                return Ok(ActorFacts::NoDossierAccess);
            };
            let roles = crate::sql::query("SELECT role FROM staff_role WHERE staff_id = $1")
                .bind(staff_id.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .filter_map(|r| s(r, "role").ok().and_then(|c| Role::from_code(&c)))
                .collect();
            let team_ids =
                crate::sql::query("SELECT team_id FROM team_membership WHERE staff_id = $1")
                    .bind(staff_id.as_str())
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| s(r, "team_id").map(TeamId::from_raw))
                    .collect::<Result<Vec<_>>>()?;
            ActorFacts::Staff(StaffFacts {
                staff_id: staff_id.clone(),
                organisation_id: OrganisationId::from_raw(s(&row, "organisation_id")?),
                active: b(&row, "active")?,
                roles,
                team_ids,
            })
        }
        Principal::ContactPerson { contact_person_id } => {
            let rows = crate::sql::query(
                "SELECT g.client_id, g.parts, g.valid_from, g.valid_until, g.revoked_at, c.relation, c.represents_client \
                 FROM access_grant g JOIN contact_person c ON c.id = g.contact_person_id \
                 WHERE g.contact_person_id = $1",
            )
            .bind(contact_person_id.as_str())
            .fetch_all(&mut *tx)
            .await?;
            let mut grants = Vec::with_capacity(rows.len());
            for r in &rows {
                grants.push(GrantFacts {
                    client_id: ClientId::from_raw(s(r, "client_id")?),
                    relation: Relation::from_code(&s(r, "relation")?).unwrap_or(Relation::Other),
                    parts: parse_parts(&s(r, "parts")?),
                    valid_from: t(r, "valid_from")?,
                    valid_until: ot(r, "valid_until")?,
                    revoked_at: ot(r, "revoked_at")?,
                    represents: b(r, "represents_client")?,
                });
            }
            ActorFacts::ContactPerson { grants }
        }
    })
}

/// Facts loaded once per request and reused by that request's reads: a
/// page view needs the client's facts for the session check, the header
/// and the tile's gate, and loads them once instead of three times
/// (ADR 0010). Only a context made for one request carries a memo
/// ([`crate::accounts::SessionInfo`] → [`Ctx::with_facts`]); a plain
/// [`Ctx::new`] has none. An entry is used only while this process has
/// committed no write since it was loaded ([`crate::db::Db::write_generation`]),
/// and writes always decide on facts read inside their own transaction.
#[derive(Clone, Default)]
pub struct RequestFacts(Option<Arc<Mutex<Memo>>>);

#[derive(Default)]
struct Memo {
    generation: u64,
    actor: Option<(Principal, ActorFacts)>,
    subjects: Vec<(String, Option<Subject>)>,
}

impl std::fmt::Debug for RequestFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "RequestFacts(memo)"
        } else {
            "RequestFacts(none)"
        })
    }
}

impl RequestFacts {
    /// A memo for one request.
    pub(crate) fn for_request() -> Self {
        Self(Some(Arc::default()))
    }

    /// A memo as a request would have it, for tests.
    #[cfg(feature = "testing")]
    pub fn for_tests() -> Self {
        Self::for_request()
    }

    fn lock(&self) -> Option<std::sync::MutexGuard<'_, Memo>> {
        self.0
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The actor's facts, from the memo when still current.
    pub(crate) async fn actor(
        &self,
        db: &crate::db::Db,
        c: &mut Conn,
        p: &Principal,
    ) -> Result<ActorFacts> {
        let generation = db.write_generation();
        if let Some(m) = self.lock() {
            if m.generation == generation {
                if let Some((q, f)) = &m.actor {
                    if q == p {
                        return Ok(f.clone());
                    }
                }
            }
        }
        let facts = actor_facts(c, p).await?;
        if let Some(mut m) = self.lock() {
            m.refresh(generation);
            m.actor = Some((p.clone(), facts.clone()));
        }
        Ok(facts)
    }

    /// Remembers a subject's facts (`None`: no such client), loaded here or
    /// with another statement (the session lookup brings a client's own);
    /// `generation` is the write generation read before they were loaded.
    pub(crate) fn remember_subject(
        &self,
        generation: u64,
        client_id: &str,
        facts: Option<Subject>,
    ) {
        if let Some(mut m) = self.lock() {
            m.refresh(generation);
            m.subjects.retain(|(id, _)| id != client_id);
            m.subjects.push((client_id.to_owned(), facts));
        }
    }

    /// The subject's facts, from the memo when still current.
    pub(crate) async fn subject(
        &self,
        db: &crate::db::Db,
        c: &mut Conn,
        client_id: &str,
    ) -> Result<Option<Subject>> {
        let generation = db.write_generation();
        if let Some(m) = self.lock() {
            if m.generation == generation {
                if let Some((_, f)) = m.subjects.iter().find(|(id, _)| id == client_id) {
                    return Ok(f.clone());
                }
            }
        }
        let facts = subject_facts(c, client_id).await?;
        self.remember_subject(generation, client_id, facts.clone());
        Ok(facts)
    }
}

impl Memo {
    /// Forgets everything loaded before a write (`generation` read before
    /// the new facts were loaded).
    fn refresh(&mut self, generation: u64) {
        if self.generation != generation {
            self.generation = generation;
            self.actor = None;
            self.subjects.clear();
        }
    }
}

pub(crate) fn parse_parts(raw: &str) -> Vec<DossierPart> {
    raw.split(',')
        .filter_map(|p| DossierPart::from_code(p.trim()))
        .collect()
}

pub(crate) fn join_parts(parts: &[DossierPart]) -> String {
    parts.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

/// What one statement tells about a client: the facts and rules the
/// decision needs, and the names the portal's header shows.
#[derive(Clone, Debug)]
pub(crate) struct Subject {
    pub facts: SubjectFacts,
    pub rules: OrgRules,
    pub names: SubjectNames,
}

/// The client's and the organisation's names and servicedesk contacts.
#[derive(Clone, Debug)]
pub(crate) struct SubjectNames {
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub organisation_name: String,
    pub servicedesk_email: Option<String>,
    pub servicedesk_phone: Option<String>,
}

/// The columns of a client's [`Subject`], for a statement that joins
/// [`SUBJECT_JOINS`] on a client table aliased `c`.
pub(crate) const SUBJECT_COLUMNS: &str =
    "c.id AS sub_id, c.organisation_id AS sub_org, c.team_id AS sub_team_id, \
     c.birth_date AS sub_birth_date, c.portal_stopped AS sub_portal_stopped, \
     so.grace_days_after_discharge AS sub_grace_days, so.min_client_age AS sub_min_age, \
     so.eligibility_start_date AS sub_eligible_from, \
     e.id AS ep_id, e.start_date AS ep_start, e.end_date AS ep_end, \
     c.given_name AS sub_given, c.name_prefix AS sub_prefix, c.family_name AS sub_family, \
     so.name AS sub_org_name, so.servicedesk_email AS sub_sd_email, \
     so.servicedesk_phone AS sub_sd_phone";

/// The client's organisation and its latest care episode.
pub(crate) const SUBJECT_JOINS: &str = "LEFT JOIN organisation so ON so.id = c.organisation_id \
     LEFT JOIN episode e ON e.id = (SELECT x.id FROM episode x WHERE x.client_id = c.id \
       ORDER BY x.start_date DESC, x.created_at DESC LIMIT 1)";

/// The subject's facts and its organisation's rules; `None` if no such client.
pub(crate) async fn subject_facts(tx: &mut Conn, client_id: &str) -> Result<Option<Subject>> {
    // One statement: the client, its organisation's rules and its latest
    // care episode (this runs on every dossier request).
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {SUBJECT_COLUMNS} FROM client c {SUBJECT_JOINS} WHERE c.id = $1")
    });
    let row = crate::sql::query(&SQL)
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
    match row {
        Some(row) => subject_from_row(&row),
        None => Ok(None),
    }
}

/// The [`SUBJECT_COLUMNS`] of a row; `None` when the row has no client
/// (an outer join that found none).
pub(crate) fn subject_from_row(row: &crate::sql::Row) -> Result<Option<Subject>> {
    let Some(client_id) = os(row, "sub_id")? else {
        return Ok(None);
    };
    let current_episode = match os(row, "ep_id")? {
        None => None,
        Some(id) => Some(EpisodeFacts {
            id: EpisodeId::from_raw(id),
            start: d(row, "ep_start")?,
            end: od(row, "ep_end")?,
        }),
    };
    let facts = SubjectFacts {
        client_id: ClientId::from_raw(client_id),
        organisation_id: OrganisationId::from_raw(s(row, "sub_org")?),
        team_id: os(row, "sub_team_id")?.map(TeamId::from_raw),
        birth_date: od(row, "sub_birth_date")?,
        current_episode,
        portal_stopped: b(row, "sub_portal_stopped")?,
    };
    let rules = OrgRules {
        grace_days_after_discharge: i(row, "sub_grace_days")?,
        min_client_age: u32::try_from(i(row, "sub_min_age")?).unwrap_or(0),
        eligibility_start_date: od(row, "sub_eligible_from")?,
    };
    let names = SubjectNames {
        given_name: s(row, "sub_given")?,
        name_prefix: os(row, "sub_prefix")?,
        family_name: s(row, "sub_family")?,
        organisation_name: s(row, "sub_org_name")?,
        servicedesk_email: os(row, "sub_sd_email")?,
        servicedesk_phone: os(row, "sub_sd_phone")?,
    };
    Ok(Some(Subject {
        facts,
        rules,
        names,
    }))
}

/// What is being attempted, for the gate and the audit event.
pub(crate) struct Attempt<'a> {
    pub part: DossierPart,
    pub access: Access,
    pub action: AuditAction,
    pub data_kind: &'a str,
    pub data_id: Option<&'a str>,
    /// Answer a denial with `NotFound` (item reads: do not reveal existence).
    pub hide_denial: bool,
}

impl Services {
    /// Opens a write transaction and decides. On allow, returns the open
    /// transaction and scope; the caller does its work, then calls
    /// [`Services::allowed`] and commits. On deny, records and commits the
    /// denial and returns the error. Reads pass [`Services::gate_read`].
    pub(crate) async fn gate(
        &self,
        ctx: &Ctx,
        client_id: &str,
        a: &Attempt<'_>,
    ) -> Result<(Tx, Scope)> {
        if a.access == Access::Read {
            return Err(ServiceError::Internal(
                "a read passes gate_read (its answer must be audited)".into(),
            ));
        }
        let mut tx = self.db().begin().await?;
        let scope = self.decide_in(&mut tx, ctx, client_id, a).await?;
        match scope {
            Ok(scope) => Ok((tx, scope)),
            Err(err) => {
                tx.commit().await?;
                Err(err)
            }
        }
    }

    /// Opens a read transaction (a snapshot, no write lock) and decides.
    /// On allow: the transaction, the scope, and the ticket whose
    /// [`ReadTicket::finish`] records the read and is the only way to hand
    /// its data back ([`crate::Audited`]). On deny: the denial is recorded
    /// and the error returned.
    pub(crate) async fn gate_read(
        &self,
        ctx: &Ctx,
        client_id: &str,
        a: &Attempt<'_>,
    ) -> Result<(Tx, Scope, ReadTicket)> {
        let mut tx = self.db().begin_read().await?;
        match self.decide_only(&mut tx, client_id, ctx, a).await? {
            Ok(scope) => {
                let ticket = ReadTicket::new(self, ctx, &scope.as_role, client_id, a);
                Ok((tx, scope, ticket))
            }
            Err((client, reason, err)) => {
                tx.rollback().await?;
                self.record_read(
                    ctx,
                    a,
                    client.as_deref(),
                    AuditOutcome::Denied,
                    "-",
                    Some(reason),
                )
                .await?;
                Err(err)
            }
        }
    }

    /// [`Services::gate_read`] for one item of `table`: finds the client it
    /// belongs to (an unknown id is audited and answers `NotFound`).
    /// Returns (client id, tx, scope, ticket).
    pub(crate) async fn gate_item_read(
        &self,
        ctx: &Ctx,
        table: &'static str,
        id: &str,
        a: &Attempt<'_>,
    ) -> Result<(String, Tx, Scope, ReadTicket)> {
        let Some(client) = self.owner_of(table, id).await? else {
            return self.no_such_item(ctx, a).await;
        };
        let (tx, scope, ticket) = self.gate_read(ctx, &client, a).await?;
        Ok((client, tx, scope, ticket))
    }

    /// [`Services::gate`] for one item of `table`: finds the client it
    /// belongs to (an unknown id is audited and answers `NotFound`), then
    /// opens the gate for that client. Returns (client id, tx, scope).
    pub(crate) async fn gate_item(
        &self,
        ctx: &Ctx,
        table: &'static str,
        id: &str,
        a: &Attempt<'_>,
    ) -> Result<(String, Tx, Scope)> {
        let Some(client) = self.owner_of(table, id).await? else {
            return self.no_such_item(ctx, a).await;
        };
        let (tx, scope) = self.gate(ctx, &client, a).await?;
        Ok((client, tx, scope))
    }

    /// Decides inside an open transaction; a denial is appended to `tx`
    /// (the caller must commit it) and returned as `Ok(Err(..))`.
    pub(crate) async fn decide_in(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        client_id: &str,
        a: &Attempt<'_>,
    ) -> Result<std::result::Result<Scope, ServiceError>> {
        match self.decide_only(tx, client_id, ctx, a).await? {
            Ok(scope) => Ok(Ok(scope)),
            Err((client, reason, err)) => {
                self.denied(tx, ctx, client.as_deref(), a, reason).await?;
                Ok(Err(err))
            }
        }
    }

    /// The decision alone: the scope, or (client for the audit event,
    /// reason code, the error to answer).
    #[allow(clippy::type_complexity)]
    pub(crate) async fn decide_only(
        &self,
        tx: &mut Tx,
        client_id: &str,
        ctx: &Ctx,
        a: &Attempt<'_>,
    ) -> Result<std::result::Result<Scope, (Option<String>, &'static str, ServiceError)>> {
        let now = self.now();
        // Reads may use the request's memo; writes decide on facts read in
        // their own transaction.
        let none = RequestFacts::default();
        let memo = if a.access == Access::Read {
            &ctx.facts
        } else {
            &none
        };
        let actor = memo.actor(self.db(), tx, &ctx.principal).await?;
        let Some(crate::access::Subject {
            facts: subject,
            rules,
            ..
        }) = memo.subject(self.db(), tx, client_id).await?
        else {
            return Ok(Err((None, "not_found", ServiceError::NotFound)));
        };
        Ok(
            match decide(&actor, &subject, a.part, a.access, &rules, now) {
                Decision::Allow(scope) => Ok(scope),
                Decision::Deny(reason) => Err((
                    Some(client_id.to_owned()),
                    reason.code(),
                    if a.hide_denial {
                        ServiceError::NotFound
                    } else {
                        ServiceError::Denied(reason)
                    },
                )),
            },
        )
    }

    /// Records a read attempt on its own, after the read's transaction has
    /// ended: the caller returns data only after this succeeded, so no read
    /// leaves the service unrecorded, and a read never holds the write lock
    /// (or a second pooled connection) while it queries (ADR 0008).
    pub(crate) async fn record_read(
        &self,
        ctx: &Ctx,
        a: &Attempt<'_>,
        client_id: Option<&str>,
        outcome: AuditOutcome,
        role: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        self.append_read_event(self.read_event(ctx, a, client_id, outcome, role, reason))
            .await
    }

    /// The event of a read attempt, to record.
    pub(crate) fn read_event(
        &self,
        ctx: &Ctx,
        a: &Attempt<'_>,
        client_id: Option<&str>,
        outcome: AuditOutcome,
        role: &str,
        reason: Option<&str>,
    ) -> crate::group_commit::ReadEvent {
        crate::group_commit::ReadEvent {
            ctx: ctx.clone(),
            at: self.now(),
            role: role.to_owned(),
            client_id: client_id.map(str::to_owned),
            data_kind: a.data_kind.to_owned(),
            data_id: a.data_id.map(str::to_owned),
            action: a.action,
            outcome,
            reason: reason.map(str::to_owned),
        }
    }

    pub(crate) async fn denied(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        client_id: Option<&str>,
        a: &Attempt<'_>,
        reason: &str,
    ) -> Result<()> {
        append(
            tx,
            ctx,
            self.now(),
            Event {
                role: "-",
                client_id,
                data_kind: a.data_kind,
                data_id: a.data_id,
                action: a.action,
                outcome: AuditOutcome::Denied,
                reason: Some(reason),
            },
        )
        .await
    }

    /// Ends a write guarded by a revision (ADR 0009): exactly one changed
    /// row records the allowed event and commits; anything else means the
    /// item changed since the caller read it, and nothing is written (the
    /// transaction rolls back when dropped).
    pub(crate) async fn commit_guarded(
        &self,
        mut tx: Tx,
        changed: u64,
        ctx: &Ctx,
        scope: &Scope,
        client_id: &str,
        a: &Attempt<'_>,
    ) -> Result<()> {
        if changed != 1 {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, scope, client_id, a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn allowed(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        scope: &Scope,
        client_id: &str,
        a: &Attempt<'_>,
        data_id: Option<&str>,
    ) -> Result<()> {
        append(
            tx,
            ctx,
            self.now(),
            Event {
                role: &scope.as_role,
                client_id: Some(client_id),
                data_kind: a.data_kind,
                data_id: data_id.or(a.data_id),
                action: a.action,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
        )
        .await
    }

    /// An item exists but lies outside the actor's scope (draft, hidden,
    /// other episode): record the denial, commit, answer `NotFound`.
    pub(crate) async fn out_of_scope<T>(
        &self,
        mut tx: Tx,
        ctx: &Ctx,
        client_id: &str,
        a: &Attempt<'_>,
    ) -> Result<T> {
        if a.access == Access::Read {
            tx.rollback().await?;
            self.record_read(
                ctx,
                a,
                Some(client_id),
                AuditOutcome::Denied,
                "-",
                Some("out_of_scope"),
            )
            .await?;
        } else {
            self.denied(&mut tx, ctx, Some(client_id), a, "out_of_scope")
                .await?;
            tx.commit().await?;
        }
        Err(ServiceError::NotFound)
    }

    /// An item id that does not exist: record the attempt, answer `NotFound`.
    pub(crate) async fn no_such_item<T>(&self, ctx: &Ctx, a: &Attempt<'_>) -> Result<T> {
        if a.access == Access::Read {
            self.record_read(ctx, a, None, AuditOutcome::Denied, "-", Some("not_found"))
                .await?;
            return Err(ServiceError::NotFound);
        }
        let mut tx = self.db().begin().await?;
        self.denied(&mut tx, ctx, None, a, "not_found").await?;
        tx.commit().await?;
        Err(ServiceError::NotFound)
    }
}

/// Whether an item with these properties is inside `scope` (the policy
/// decides: [`Scope::admits`]).
pub(crate) fn in_scope(
    scope: &Scope,
    episode_id: &str,
    is_final: bool,
    visible: bool,
    is_current: bool,
) -> bool {
    scope.admits(&ItemFacts {
        episode_id,
        is_final,
        visible_to_client: visible,
        is_current,
    })
}
