//! Staff administration: members, their roles and teams, and the four-eyes
//! approval of new powers (issue 13). The rules are in
//! `inzage_core::policy::staff_admin`: nobody changes their own roles or
//! teams in the web; every new power (a first care role, the
//! secretariat's, the privacy officer's, the functional admin's) waits for
//! a second functional admin, or comes from the operator on the server.
//! Everything is audited. Changes of one member are serialised by a lock
//! on the member's row (PostgreSQL; SQLite writes one at a time anyway).
use crate::access::actor_facts;
use crate::admin::{check_teams, fk_or, full_name, opt, NewStaff, StaffMember, StaffUpdate};
use crate::audit::{append, deny_and_commit, Event};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{b, os, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Utc};
use inzage_core::ids::{OrganisationId, StaffId, TeamId};
use inzage_core::model::{AuditAction, AuditOutcome, Role};
use inzage_core::policy::staff_admin::{
    decide_staff_change, decide_staff_change_approval, StaffChange, StaffState,
};
use inzage_core::policy::{decide_administration, ActorFacts, Decision, DenyReason};
use inzage_core::types::{ts, MobileNumber};
use serde::Serialize;

/// What became of a change of a staff member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffUpdateOutcome {
    Applied,
    /// Recorded; a second functional admin applies it (or not).
    AwaitingApproval,
}

impl StaffUpdateOutcome {
    fn of(four_eyes: bool) -> Self {
        if four_eyes {
            Self::AwaitingApproval
        } else {
            Self::Applied
        }
    }
}

/// A change of a staff member that waits for a second functional admin.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PendingStaffChange {
    pub id: String,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
    pub active: bool,
    pub requested_by: StaffId,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    /// The member's work e-mail address: where their account is invited.
    /// The approver checks it belongs to the person named.
    pub staff_email: String,
    /// The viewer may approve or reject it (the policy's answer: a second
    /// functional admin, not the one who asked nor the one it is about).
    pub can_decide: bool,
}

fn join_roles(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn parse_roles(raw: &str) -> Vec<Role> {
    raw.split(',').filter_map(Role::from_code).collect()
}

fn parse_teams(raw: &str) -> Vec<TeamId> {
    raw.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| TeamId::from_raw(t.to_owned()))
        .collect()
}

/// Locks the member's row until the transaction ends, so that two changes
/// of one member (or a change and an approval) do not both decide on the
/// same old state (PostgreSQL; on SQLite the write transaction does it).
async fn lock_member(tx: &mut Tx, staff: &StaffId) -> Result<()> {
    crate::sql::query("UPDATE staff_member SET active = active WHERE id = $1")
        .bind(staff.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a request for the member that waits for approval as superseded:
/// it was asked against a state that is about to change.
async fn supersede_pending(tx: &mut Tx, staff: &StaffId, now: &str) -> Result<()> {
    crate::sql::query(
        "UPDATE staff_change_request SET decided_at = $2, decision = 'superseded' \
         WHERE staff_id = $1 AND decided_at IS NULL",
    )
    .bind(staff.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a member's roles, teams and active flag (the whole state). A
/// request for the member that waits for approval was asked against the
/// state before this one: it is superseded, never applied on top later.
async fn write_state(tx: &mut Tx, staff: &StaffId, st: &StaffState, now: &str) -> Result<()> {
    supersede_pending(tx, staff, now).await?;
    if !st.active || !st.roles.contains(&Role::FunctionalAdmin) {
        // Someone who is no longer an admin no longer asks for anything:
        // their waiting requests cannot be approved after they left
        // (recorded as superseded).
        crate::sql::query(
            "UPDATE staff_change_request SET decided_at = $2, decision = 'superseded' \
             WHERE requested_by = $1 AND decided_at IS NULL",
        )
        .bind(staff.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    crate::sql::query("UPDATE staff_member SET active = $2 WHERE id = $1")
        .bind(staff.as_str())
        .bind(i64::from(st.active))
        .execute(&mut **tx)
        .await?;
    crate::sql::query("DELETE FROM staff_role WHERE staff_id = $1")
        .bind(staff.as_str())
        .execute(&mut **tx)
        .await?;
    for role in &st.roles {
        crate::sql::query(
            "INSERT INTO staff_role (staff_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(staff.as_str())
        .bind(role.code())
        .execute(&mut **tx)
        .await?;
    }
    crate::sql::query("DELETE FROM team_membership WHERE staff_id = $1")
        .bind(staff.as_str())
        .execute(&mut **tx)
        .await?;
    for team in &st.team_ids {
        crate::sql::query("INSERT INTO team_membership (team_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(team.as_str())
            .bind(staff.as_str())
            .execute(&mut **tx)
            .await
            .map_err(|e| fk_or(e, "team does not exist", "already a member"))?;
    }
    if !st.active {
        // A deactivated member is signed out everywhere now.
        crate::sql::query(
            "UPDATE auth_session SET ended_at = $2, end_reason = 'staff_deactivated' WHERE ended_at IS NULL \
             AND account_id IN (SELECT id FROM account WHERE kind = 'staff' AND subject_id = $1)",
        )
        .bind(staff.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The policy's answer as (role, four eyes needed), or the refusal.
fn split(c: StaffChange) -> std::result::Result<(String, bool), DenyReason> {
    match c {
        StaffChange::Apply(r) => Ok((r, false)),
        StaffChange::NeedsSecondAdmin(r) => Ok((r, true)),
        StaffChange::Deny(reason) => Err(reason),
    }
}

fn staff_event<'a>(
    role: &'a str,
    staff: &'a str,
    action: AuditAction,
    reason: Option<&'a str>,
) -> Event<'a> {
    Event {
        role,
        client_id: None,
        data_kind: "staff_member",
        data_id: Some(staff),
        action,
        outcome: AuditOutcome::Allowed,
        reason,
    }
}

impl Services {
    /// Records a change for a second admin (an earlier one for the same
    /// member that nobody decided on is superseded).
    async fn request_approval(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        org: &OrganisationId,
        staff: &StaffId,
        after: &StaffState,
        now: &str,
    ) -> Result<()> {
        let Some(me) = (match &ctx.principal {
            inzage_core::model::Principal::Staff { staff_id } => Some(staff_id),
            _ => None,
        }) else {
            return Err(ServiceError::Internal(
                "approval asked by a non-member".into(),
            ));
        };
        supersede_pending(tx, staff, now).await?;
        crate::sql::query(
            "INSERT INTO staff_change_request (id, organisation_id, staff_id, roles, team_ids, active, requested_by, \
             requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(org.as_str())
        .bind(staff.as_str())
        .bind(join_roles(&after.roles))
        .bind(
            after
                .team_ids
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(i64::from(after.active))
        .bind(me.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn create_staff(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        new: NewStaff,
    ) -> Result<StaffId> {
        Ok(self.add_staff_member(ctx, org, new).await?.0)
    }

    /// Creates a staff member; with a privileged role (or any role that
    /// opens dossiers, asked for by a functional admin) the member starts
    /// inactive and waits for a second admin.
    pub async fn add_staff_member(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        new: NewStaff,
    ) -> Result<(StaffId, StaffUpdateOutcome)> {
        let mut tx = self.db().begin().await?;
        let now = self.now();
        let nows = ts(now);
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        let after = StaffState {
            roles: new.roles.clone(),
            team_ids: new.team_ids.clone(),
            active: true,
        };
        let (role, four_eyes) = match split(decide_staff_change(&actor, org, None, &after)) {
            Ok(decided) => decided,
            Err(reason) => {
                return deny_and_commit(
                    tx,
                    ctx,
                    now,
                    None,
                    "staff_member",
                    AuditAction::Create,
                    reason,
                )
                .await
            }
        };
        check_teams(&mut tx, org.as_str(), &new.team_ids).await?;
        let id = StaffId::from_raw(new_id());
        crate::sql::query(
            "INSERT INTO staff_member (id, organisation_id, given_name, name_prefix, family_name, email, \
             mobile, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
        )
        .bind(id.as_str())
        .bind(org.as_str())
        .bind(new.given_name.as_str())
        .bind(opt(&new.name_prefix))
        .bind(new.family_name.as_str())
        .bind(new.email.as_str())
        .bind(new.mobile.as_ref().map(MobileNumber::as_str))
        .bind(&nows)
        .execute(&mut *tx)
        .await
        .map_err(|e| fk_or(e, "organisation does not exist", "a staff member with this e-mail exists"))?;
        // A new member with a privileged role starts inactive, with the
        // roles and teams asked for: the second admin's yes activates them.
        let now_state = StaffState {
            active: !four_eyes,
            ..after.clone()
        };
        write_state(&mut tx, &id, &now_state, &nows).await?;
        if four_eyes {
            self.request_approval(&mut tx, ctx, org, &id, &after, &nows)
                .await?;
        }
        append(
            &mut tx,
            ctx,
            now,
            staff_event(
                &role,
                id.as_str(),
                AuditAction::Create,
                four_eyes.then_some("awaiting_approval"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((id, StaffUpdateOutcome::of(four_eyes)))
    }

    /// Sets a staff member's roles, teams and active flag, or records the
    /// change for a second admin when the policy says so.
    pub async fn update_staff(
        &self,
        ctx: &Ctx,
        staff: &StaffId,
        upd: StaffUpdate,
    ) -> Result<StaffUpdateOutcome> {
        let mut tx = self.db().begin().await?;
        let now = self.now();
        let nows = ts(now);
        lock_member(&mut tx, staff).await?;
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        let ActorFacts::Staff(target) = actor_facts(
            &mut tx,
            &inzage_core::model::Principal::Staff {
                staff_id: staff.clone(),
            },
        )
        .await?
        else {
            return Err(ServiceError::NotFound);
        };
        let after = StaffState {
            roles: upd.roles,
            team_ids: upd.team_ids,
            active: upd.active,
        };
        let org = target.organisation_id.clone();
        let (role, four_eyes) =
            match split(decide_staff_change(&actor, &org, Some(&target), &after)) {
                Ok(decided) => decided,
                Err(reason) => {
                    return deny_and_commit(
                        tx,
                        ctx,
                        now,
                        None,
                        "staff_member",
                        AuditAction::Update,
                        reason,
                    )
                    .await
                }
            };
        check_teams(&mut tx, org.as_str(), &after.team_ids).await?;
        if four_eyes {
            self.request_approval(&mut tx, ctx, &org, staff, &after, &nows)
                .await?;
        } else {
            write_state(&mut tx, staff, &after, &nows).await?;
        }
        append(
            &mut tx,
            ctx,
            now,
            staff_event(
                &role,
                staff.as_str(),
                AuditAction::Update,
                four_eyes.then_some("awaiting_approval"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(StaffUpdateOutcome::of(four_eyes))
    }

    /// A second functional admin approves (applies) or rejects a recorded
    /// change. The one who asked, and the one it is about, cannot.
    pub async fn decide_staff_request(
        &self,
        ctx: &Ctx,
        request: &str,
        approve: bool,
    ) -> Result<()> {
        let mut tx = self.db().begin().await?;
        let now = self.now();
        let nows = ts(now);
        let r = crate::sql::query(
            "SELECT organisation_id, staff_id, roles, team_ids, active, requested_by, decided_at \
             FROM staff_change_request WHERE id = $1",
        )
        .bind(request)
        .fetch_optional(&mut *tx)
        .await?;
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        let Some(r) = r else {
            // Unknown: answer like another organisation's, audited.
            let reason = match decide_administration(&actor, None) {
                Decision::Deny(r) => r,
                Decision::Allow(_) => DenyReason::OtherOrganisation,
            };
            let _: Result<()> = deny_and_commit(
                tx,
                ctx,
                now,
                None,
                "staff_change_request",
                AuditAction::Update,
                reason,
            )
            .await;
            return Err(ServiceError::NotFound);
        };
        let org = OrganisationId::from_raw(s(&r, "organisation_id")?);
        let staff = StaffId::from_raw(s(&r, "staff_id")?);
        lock_member(&mut tx, &staff).await?;
        let requested_by = StaffId::from_raw(s(&r, "requested_by")?);
        let role = match decide_staff_change_approval(&actor, &org, &requested_by, Some(&staff)) {
            Decision::Allow(scope) => scope.as_role,
            Decision::Deny(DenyReason::OtherOrganisation) => {
                let _: Result<()> = deny_and_commit(
                    tx,
                    ctx,
                    now,
                    None,
                    "staff_change_request",
                    AuditAction::Update,
                    DenyReason::OtherOrganisation,
                )
                .await;
                return Err(ServiceError::NotFound);
            }
            Decision::Deny(reason) => {
                return deny_and_commit(
                    tx,
                    ctx,
                    now,
                    None,
                    "staff_change_request",
                    AuditAction::Update,
                    reason,
                )
                .await
            }
        };
        if os(&r, "decided_at")?.is_some() {
            return Err(ServiceError::Stale);
        }
        let decided = crate::sql::query(
            "UPDATE staff_change_request SET decided_at = $2, decided_by = $3, decision = $4 \
             WHERE id = $1 AND decided_at IS NULL",
        )
        .bind(request)
        .bind(&nows)
        .bind(match &ctx.principal {
            inzage_core::model::Principal::Staff { staff_id } => Some(staff_id.to_string()),
            _ => None,
        })
        .bind(if approve { "approved" } else { "rejected" })
        .execute(&mut *tx)
        .await?;
        if decided.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        if approve {
            let after = StaffState {
                roles: parse_roles(&s(&r, "roles")?),
                team_ids: parse_teams(&s(&r, "team_ids")?),
                active: b(&r, "active")?,
            };
            check_teams(&mut tx, org.as_str(), &after.team_ids).await?;
            write_state(&mut tx, &staff, &after, &nows).await?;
        }
        append(
            &mut tx,
            ctx,
            now,
            staff_event(
                &role,
                staff.as_str(),
                AuditAction::Update,
                Some(if approve { "approved" } else { "rejected" }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The changes of `org`'s staff that wait for a second admin (part of
    /// the administration overview, which is audited).
    pub(crate) async fn pending_staff_changes(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
    ) -> Result<Vec<PendingStaffChange>> {
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let rows = crate::sql::query(
            "SELECT x.id, x.staff_id, x.roles, x.team_ids, x.active, x.requested_by, x.requested_at, \
             m.given_name, m.name_prefix, m.family_name, m.email, q.given_name AS q_given, q.name_prefix AS q_prefix, \
             q.family_name AS q_family FROM staff_change_request x JOIN staff_member m ON m.id = x.staff_id \
             JOIN staff_member q ON q.id = x.requested_by \
             WHERE x.organisation_id = $1 AND x.decided_at IS NULL ORDER BY x.requested_at",
        )
        .bind(org.as_str())
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let staff_id = StaffId::from_raw(s(r, "staff_id")?);
                let requested_by = StaffId::from_raw(s(r, "requested_by")?);
                Ok(PendingStaffChange {
                    id: s(r, "id")?,
                    can_decide: decide_staff_change_approval(
                        &actor,
                        org,
                        &requested_by,
                        Some(&staff_id),
                    )
                    .is_allowed(),
                    staff_id,
                    staff_name: full_name(
                        &s(r, "given_name")?,
                        os(r, "name_prefix")?.as_deref(),
                        &s(r, "family_name")?,
                    ),
                    roles: parse_roles(&s(r, "roles")?),
                    team_ids: parse_teams(&s(r, "team_ids")?),
                    active: b(r, "active")?,
                    requested_by,
                    staff_email: s(r, "email")?,
                    requested_by_name: full_name(
                        &s(r, "q_given")?,
                        os(r, "q_prefix")?.as_deref(),
                        &s(r, "q_family")?,
                    ),
                    requested_at: t(r, "requested_at")?,
                })
            })
            .collect()
    }

    /// The staff of an organisation, for administration (the operator's
    /// `inzage admin staff list`, the demo): the administration rule
    /// decides, and the list (contact details) is audited.
    pub async fn list_staff(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
    ) -> Result<crate::Audited<Vec<StaffMember>>> {
        let target = org.to_string();
        let read = self.administer_read(ctx, &target, "staff_list").await?;
        let staff = self.staff_of(org).await?;
        Ok(read.map(|()| staff))
    }

    /// The staff of an organisation (callers have passed the rule).
    pub(crate) async fn staff_of(&self, org: &OrganisationId) -> Result<Vec<StaffMember>> {
        let rows = crate::sql::query(
            "SELECT id, given_name, name_prefix, family_name, email, mobile, active FROM staff_member \
             WHERE organisation_id = $1 ORDER BY family_name, given_name",
        )
        .bind(org.as_str())
        .fetch_all(self.db())
        .await?;
        let roles = crate::sql::query(
            "SELECT r.staff_id, r.role FROM staff_role r JOIN staff_member m ON m.id = r.staff_id \
             WHERE m.organisation_id = $1 ORDER BY r.role",
        )
        .bind(org.as_str())
        .fetch_all(self.db())
        .await?;
        let teams = crate::sql::query(
            "SELECT t.staff_id, t.team_id FROM team_membership t JOIN staff_member m ON m.id = t.staff_id \
             WHERE m.organisation_id = $1",
        )
        .bind(org.as_str())
        .fetch_all(self.db())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = s(r, "id")?;
            out.push(StaffMember {
                roles: roles
                    .iter()
                    .filter(|x| s(x, "staff_id").ok().as_deref() == Some(id.as_str()))
                    .filter_map(|x| s(x, "role").ok().and_then(|c| Role::from_code(&c)))
                    .collect(),
                team_ids: teams
                    .iter()
                    .filter(|x| s(x, "staff_id").ok().as_deref() == Some(id.as_str()))
                    .filter_map(|x| s(x, "team_id").ok().map(TeamId::from_raw))
                    .collect(),
                id: StaffId::from_raw(id),
                given_name: s(r, "given_name")?,
                name_prefix: os(r, "name_prefix")?,
                family_name: s(r, "family_name")?,
                email: s(r, "email")?,
                mobile: os(r, "mobile")?,
                active: b(r, "active")?,
            });
        }
        Ok(out)
    }
}
