//! Separation of duties in staff administration (issue 13). Nobody changes
//! their own roles or teams in the web; every new power (a first care
//! role, the secretariat's role, the privacy officer's, the functional
//! admin's, or an admin with a dossier role; so also a new member with
//! one, and a dormant one switched on) needs a second functional admin
//! (four eyes) or the operator on the server. The rules are here; the
//! service records the request and its approval.
use super::{decide_administration, ActorFacts, Decision, DenyReason, StaffFacts};
use crate::ids::{OrganisationId, StaffId, TeamId};
use crate::model::Role;

/// A staff member's roles, teams and whether they may sign in, as they
/// would be after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffState {
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
    pub active: bool,
}

/// What a change of a staff member may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaffChange {
    /// Apply now, recorded with this role.
    Apply(String),
    /// Record it; a second functional admin applies it (or not).
    NeedsSecondAdmin(String),
    Deny(DenyReason),
}

/// Roles that open dossiers (every role that reads some part of a
/// client's dossier in its own teams).
pub fn opens_dossiers(role: Role) -> bool {
    role.is_care_role() || role == Role::Secretariat
}

/// A power whose grant needs four eyes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Power {
    /// A care role (begeleider, persoonlijk begeleider, behandelaar): the
    /// care content of dossiers. The admin chooses the address a member's
    /// account is invited at, so alone they could make a caregiver of
    /// themselves (a new member at their own address, a dormant one
    /// activated, or an approved secretary given a care role).
    CareContent,
    /// The secretariat's role: personal data and appointments of the
    /// teams' clients.
    Secretariat,
    /// The privacy officer's organisation-wide audit search.
    AuditSearch,
    /// The functional admin's role: an admin approves what another asks.
    Administration,
    /// A functional admin who also holds this dossier role: they could
    /// give themselves the teams to open.
    AdminWithDossierRole(Role),
}

/// The powers an active member holds; an inactive one holds none.
fn powers(s: &StaffState) -> Vec<Power> {
    if !s.active {
        return vec![];
    }
    let mut out = Vec::new();
    if s.roles.iter().any(|r| r.is_care_role()) {
        out.push(Power::CareContent);
    }
    if s.roles.contains(&Role::Secretariat) {
        out.push(Power::Secretariat);
    }
    if s.roles.contains(&Role::PrivacyOfficer) {
        out.push(Power::AuditSearch);
    }
    if s.roles.contains(&Role::FunctionalAdmin) {
        out.push(Power::Administration);
        for r in s.roles.iter().filter(|r| opens_dossiers(**r)) {
            out.push(Power::AdminWithDossierRole(*r));
        }
    }
    out
}

/// Whether `after` holds a power that `before` (the member as they are
/// now; `None` for a new member) did not. Team changes, and moving
/// between care roles, are no new power.
pub fn needs_four_eyes(before: Option<&StaffState>, after: &StaffState) -> bool {
    let had = before.map(powers).unwrap_or_default();
    powers(after).iter().any(|p| !had.contains(p))
}

/// A change of `target` (`None`: a new member of `org`) to `after`.
pub fn decide_staff_change(
    actor: &ActorFacts,
    org: &OrganisationId,
    target: Option<&StaffFacts>,
    after: &StaffState,
) -> StaffChange {
    let role = match decide_administration(actor, Some(org)) {
        Decision::Allow(scope) => scope.as_role,
        Decision::Deny(r) => return StaffChange::Deny(r),
    };
    let before = target.map(|t| StaffState {
        roles: t.roles.clone(),
        team_ids: t.team_ids.clone(),
        active: t.active,
    });
    match actor {
        // The operator on the server is the second pair of eyes itself.
        ActorFacts::System { .. } => StaffChange::Apply(role),
        ActorFacts::Staff(me) => {
            if let (Some(t), Some(b)) = (target, &before) {
                if t.staff_id == me.staff_id {
                    let same = |x: &[Role], y: &[Role]| {
                        x.len() == y.len() && x.iter().all(|r| y.contains(r))
                    };
                    let same_teams = b.team_ids.len() == after.team_ids.len()
                        && b.team_ids.iter().all(|t| after.team_ids.contains(t));
                    if !same(&b.roles, &after.roles) || !same_teams || !after.active {
                        return StaffChange::Deny(DenyReason::OwnRolesOrTeams);
                    }
                }
            }
            if needs_four_eyes(before.as_ref(), after) {
                StaffChange::NeedsSecondAdmin(role)
            } else {
                StaffChange::Apply(role)
            }
        }
        _ => StaffChange::Deny(DenyReason::RoleLacksPermission),
    }
}

/// A second functional admin of `org` approves (or rejects) a change that
/// `requested_by` asked for `target`: someone else than both.
pub fn decide_staff_change_approval(
    actor: &ActorFacts,
    org: &OrganisationId,
    requested_by: &StaffId,
    target: Option<&StaffId>,
) -> Decision {
    let d = decide_administration(actor, Some(org));
    match (&d, actor) {
        (Decision::Allow(_), ActorFacts::Staff(me))
            if me.staff_id == *requested_by || Some(&me.staff_id) == target =>
        {
            Decision::Deny(DenyReason::SameAdmin)
        }
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    fn org(n: u8) -> OrganisationId {
        OrganisationId::from_raw(format!("org-{n}"))
    }
    fn sid(n: u8) -> StaffId {
        StaffId::from_raw(format!("staff-{n}"))
    }
    fn team(n: u8) -> TeamId {
        TeamId::from_raw(format!("team-{n}"))
    }
    fn member(n: u8, roles: &[Role], teams: &[u8]) -> StaffFacts {
        StaffFacts {
            staff_id: sid(n),
            organisation_id: org(1),
            active: true,
            roles: roles.to_vec(),
            team_ids: teams.iter().map(|t| team(*t)).collect(),
        }
    }
    fn state(roles: &[Role], teams: &[u8]) -> StaffState {
        StaffState {
            roles: roles.to_vec(),
            team_ids: teams.iter().map(|t| team(*t)).collect(),
            active: true,
        }
    }
    fn admin(n: u8) -> ActorFacts {
        ActorFacts::Staff(member(n, &[FunctionalAdmin], &[]))
    }

    #[test]
    fn nobody_changes_their_own_roles_or_teams() {
        let me = member(1, &[FunctionalAdmin], &[]);
        let actor = ActorFacts::Staff(me.clone());
        let cases = [
            (
                state(&[FunctionalAdmin, PrimaryCaregiver], &[]),
                "own care role",
            ),
            (
                state(&[FunctionalAdmin, PrivacyOfficer], &[]),
                "own privacy role",
            ),
            (state(&[FunctionalAdmin], &[1]), "own team"),
            (state(&[Caregiver], &[]), "own admin role away"),
            (
                StaffState {
                    active: false,
                    ..state(&[FunctionalAdmin], &[])
                },
                "deactivate self",
            ),
        ];
        for (after, name) in cases {
            assert_eq!(
                decide_staff_change(&actor, &org(1), Some(&me), &after),
                StaffChange::Deny(DenyReason::OwnRolesOrTeams),
                "{name}"
            );
        }
        // Saving oneself unchanged is no change of roles or teams.
        assert_eq!(
            decide_staff_change(&actor, &org(1), Some(&me), &state(&[FunctionalAdmin], &[])),
            StaffChange::Apply("functional_admin".into())
        );
    }

    #[test]
    fn privileged_combinations_need_a_second_admin() {
        let actor = admin(1);
        let table: Vec<(StaffFacts, StaffState, bool, &str)> = vec![
            (
                member(2, &[Caregiver], &[1]),
                state(&[Caregiver], &[1, 2]),
                false,
                "a team more",
            ),
            (
                member(2, &[Caregiver], &[1]),
                state(&[PrimaryCaregiver], &[1]),
                false,
                "another care role",
            ),
            (
                member(2, &[Caregiver], &[1]),
                state(&[Caregiver, PrivacyOfficer], &[1]),
                true,
                "privacy officer",
            ),
            (
                member(2, &[FunctionalAdmin], &[]),
                state(&[FunctionalAdmin, Caregiver], &[1]),
                true,
                "care role to an admin",
            ),
            (
                member(2, &[FunctionalAdmin], &[]),
                state(&[FunctionalAdmin, Secretariat], &[1]),
                true,
                "secretariat to an admin",
            ),
            (
                member(2, &[Caregiver], &[1]),
                state(&[Caregiver, FunctionalAdmin], &[1]),
                true,
                "admin to a caregiver",
            ),
            (
                member(2, &[FunctionalAdmin, Caregiver], &[1]),
                state(&[FunctionalAdmin, Caregiver], &[1, 2]),
                false,
                "approved before; a team more",
            ),
            (
                member(2, &[FunctionalAdmin, Caregiver], &[1]),
                state(&[FunctionalAdmin, Caregiver, Practitioner], &[1]),
                true,
                "a second dossier role to an admin",
            ),
            (
                member(2, &[PrivacyOfficer], &[]),
                state(&[], &[]),
                false,
                "taking a role away",
            ),
        ];
        for (target, after, four_eyes, name) in table {
            let got = decide_staff_change(&actor, &org(1), Some(&target), &after);
            let want = if four_eyes {
                StaffChange::NeedsSecondAdmin("functional_admin".into())
            } else {
                StaffChange::Apply("functional_admin".into())
            };
            assert_eq!(got, want, "{name}");
        }
        // Making an inactive member active again is a grant too: a
        // privacy officer, or a caregiver (created inactive at an address
        // the admin chose, then switched on).
        for roles in [&[PrivacyOfficer][..], &[Caregiver]] {
            let mut dormant = member(2, roles, &[1]);
            dormant.active = false;
            assert_eq!(
                decide_staff_change(&actor, &org(1), Some(&dormant), &state(roles, &[1])),
                StaffChange::NeedsSecondAdmin("functional_admin".into()),
                "dormant {roles:?}"
            );
        }
        // A care role for an approved secretary: the care content is new.
        assert_eq!(
            decide_staff_change(
                &actor,
                &org(1),
                Some(&member(2, &[Secretariat], &[1])),
                &state(&[Secretariat, PrimaryCaregiver], &[1])
            ),
            StaffChange::NeedsSecondAdmin("functional_admin".into())
        );
        // A first dossier role for a member without one, likewise.
        assert_eq!(
            decide_staff_change(
                &actor,
                &org(1),
                Some(&member(2, &[PrivacyOfficer], &[])),
                &state(&[PrivacyOfficer, Caregiver], &[1])
            ),
            StaffChange::NeedsSecondAdmin("functional_admin".into())
        );
        // A new member without any power starts at once.
        assert_eq!(
            decide_staff_change(&actor, &org(1), None, &state(&[], &[])),
            StaffChange::Apply("functional_admin".into())
        );
        // A new member with such a role, or any role that opens dossiers
        // (the admin chooses where the invitation goes), likewise.
        for roles in [
            &[PrivacyOfficer][..],
            &[FunctionalAdmin],
            &[Caregiver],
            &[Secretariat],
        ] {
            assert_eq!(
                decide_staff_change(&actor, &org(1), None, &state(roles, &[1])),
                StaffChange::NeedsSecondAdmin("functional_admin".into()),
                "new {roles:?}"
            );
        }
        // The operator on the server applies at once.
        let cli = ActorFacts::System {
            component: "cli".into(),
        };
        assert_eq!(
            decide_staff_change(&cli, &org(1), None, &state(&[PrivacyOfficer], &[])),
            StaffChange::Apply("system:cli".into())
        );
    }

    #[test]
    fn only_admins_of_the_organisation_change_staff() {
        let target = member(2, &[Caregiver], &[1]);
        let after = state(&[Caregiver], &[1]);
        assert_eq!(
            decide_staff_change(&admin(1), &org(2), Some(&target), &after),
            StaffChange::Deny(DenyReason::OtherOrganisation)
        );
        let pb = ActorFacts::Staff(member(3, &[PrimaryCaregiver], &[1]));
        assert_eq!(
            decide_staff_change(&pb, &org(1), Some(&target), &after),
            StaffChange::Deny(DenyReason::RoleLacksPermission)
        );
    }

    #[test]
    fn the_second_admin_is_someone_else() {
        // Admin 1 asked to change member 2.
        assert!(
            decide_staff_change_approval(&admin(3), &org(1), &sid(1), Some(&sid(2))).is_allowed()
        );
        assert_eq!(
            decide_staff_change_approval(&admin(1), &org(1), &sid(1), Some(&sid(2))),
            Decision::Deny(DenyReason::SameAdmin)
        );
        assert_eq!(
            decide_staff_change_approval(&admin(2), &org(1), &sid(1), Some(&sid(2))),
            Decision::Deny(DenyReason::SameAdmin),
            "not the one it is about"
        );
        let mut other_org = member(3, &[FunctionalAdmin], &[]);
        other_org.organisation_id = org(2);
        assert_eq!(
            decide_staff_change_approval(
                &ActorFacts::Staff(other_org),
                &org(1),
                &sid(1),
                Some(&sid(2))
            ),
            Decision::Deny(DenyReason::OtherOrganisation)
        );
    }
}
