//! The access rules, as one pure function: `decide(actor facts, subject
//! facts, request, organisation rules, now) -> Decision`. Deny by default:
//! every `Allow` below is an explicit rule; anything not listed is denied.
//!
//! The service layer loads the facts from storage, calls `decide`, writes
//! the audit event with the outcome, and only then touches the data, using
//! the returned [`Scope`] to filter items (episode, draft, hidden).
use crate::ids::{ClientId, EpisodeId, TeamId};
use crate::model::{DossierPart, Relation, Role};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

pub mod accounts;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

/// The organisation settings the rules depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgRules {
    pub grace_days_after_discharge: i64,
    pub min_client_age: u32,
    pub eligibility_start_date: Option<NaiveDate>,
}

impl Default for OrgRules {
    fn default() -> Self {
        Self {
            grace_days_after_discharge: 30,
            min_client_age: 0,
            eligibility_start_date: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpisodeFacts {
    pub id: EpisodeId,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// What the rules need to know about the client whose dossier is touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectFacts {
    pub client_id: ClientId,
    pub team_id: Option<TeamId>,
    pub birth_date: Option<NaiveDate>,
    /// The latest episode by start date (open, or the most recently ended).
    pub current_episode: Option<EpisodeFacts>,
    /// The client asked to stop their own portal access.
    pub portal_stopped: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantFacts {
    pub client_id: ClientId,
    pub relation: Relation,
    pub parts: Vec<DossierPart>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl GrantFacts {
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none_or(|r| now < r)
            && self.valid_from <= now
            && self.valid_until.is_none_or(|u| now < u)
    }
}

/// What the rules need to know about the actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorFacts {
    Client {
        client_id: ClientId,
    },
    ContactPerson {
        grants: Vec<GrantFacts>,
    },
    Staff {
        active: bool,
        roles: Vec<Role>,
        team_ids: Vec<TeamId>,
    },
    System {
        component: String,
    },
    /// Not a dossier actor (anonymous, or an account acting on itself).
    NoDossierAccess,
}

/// Which items of an allowed part the actor may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// `Some(id)`: only items of this episode; `None`: all episodes.
    pub only_episode: Option<EpisodeId>,
    pub include_drafts: bool,
    pub include_hidden: bool,
    /// The role under which access was given, for the audit trail.
    pub as_role: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    NotOwnDossier,
    ReadOnly,
    PartNotAvailable,
    PortalStopped,
    NoEpisode,
    PortalAccessEnded,
    BelowMinimumAge,
    BeforeEligibilityStart,
    NoGrant,
    GrantNotValid,
    PartNotGranted,
    StaffInactive,
    NotInTeam,
    RoleLacksPermission,
    SystemComponentNotAllowed,
    NotSignedIn,
    /// Administration of another organisation than the admin's own.
    OtherOrganisation,
}

impl DenyReason {
    pub fn code(self) -> &'static str {
        match self {
            DenyReason::NotOwnDossier => "not_own_dossier",
            DenyReason::ReadOnly => "read_only",
            DenyReason::PartNotAvailable => "part_not_available",
            DenyReason::PortalStopped => "portal_stopped",
            DenyReason::NoEpisode => "no_episode",
            DenyReason::PortalAccessEnded => "portal_access_ended",
            DenyReason::BelowMinimumAge => "below_minimum_age",
            DenyReason::BeforeEligibilityStart => "before_eligibility_start",
            DenyReason::NoGrant => "no_grant",
            DenyReason::GrantNotValid => "grant_not_valid",
            DenyReason::PartNotGranted => "part_not_granted",
            DenyReason::StaffInactive => "staff_inactive",
            DenyReason::NotInTeam => "not_in_team",
            DenyReason::RoleLacksPermission => "role_lacks_permission",
            DenyReason::SystemComponentNotAllowed => "system_component_not_allowed",
            DenyReason::NotSignedIn => "not_signed_in",
            DenyReason::OtherOrganisation => "other_organisation",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Scope),
    Deny(DenyReason),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// Parts a client sees of their own dossier, in the portal's tile order.
pub const CLIENT_PARTS: &[DossierPart] = &[
    DossierPart::Profile,
    DossierPart::ClientPlan,
    DossierPart::Reports,
    DossierPart::Appointments,
    DossierPart::Documents,
    DossierPart::Network,
    DossierPart::AuditTrail,
];

/// What one staff role may do with a client of the member's own team.
/// This table is the whole of staff permission; see docs/decisions/0003.
pub fn role_allows(role: Role, part: DossierPart, access: Access) -> bool {
    use Access::*;
    use DossierPart::*;
    match role {
        Role::Caregiver => match access {
            Read => part != AuditTrail,
            Write => matches!(part, Reports | ClientPlan | Appointments | Documents),
        },
        Role::Practitioner => match access {
            Read => part != AuditTrail,
            Write => matches!(
                part,
                Reports | ClientPlan | Appointments | Documents | Episodes
            ),
        },
        Role::PrimaryCaregiver => match access {
            Read => part != AuditTrail,
            Write => part != AuditTrail,
        },
        Role::Secretariat => matches!(part, Profile | Appointments | Network | Episodes),
        // Settings and accounts only: no dossier content.
        Role::FunctionalAdmin => false,
        // Organisation-wide audit search, handled by `decide_audit_search`.
        Role::PrivacyOfficer => false,
    }
}

/// System components and what they may do. Anything else is denied.
fn system_allows(component: &str, part: DossierPart, access: Access) -> bool {
    match component {
        // Operator commands on the server itself (`inzage admin`, `inzage demo`).
        "cli" | "demo" => true,
        // The job that makes draft reports final after the organisation's period.
        "job:finalise_reports" => part == DossierPart::Reports && access == Access::Write,
        // Automatic invitations: portal access is part of the network.
        "job:auto_invite" => part == DossierPart::Network && access == Access::Write,
        _ => false,
    }
}

/// Portal validity shared by clients and contact persons: the dossier is
/// open in the portal during the episode and for the grace days after it.
fn portal_window(
    subject: &SubjectFacts,
    rules: &OrgRules,
    today: NaiveDate,
) -> Result<EpisodeId, DenyReason> {
    let Some(ep) = &subject.current_episode else {
        return Err(DenyReason::NoEpisode);
    };
    if let Some(end) = ep.end {
        let last_day = end + Duration::days(rules.grace_days_after_discharge);
        // "ended less than grace days ago": on day end+grace access is over.
        if today >= last_day {
            return Err(DenyReason::PortalAccessEnded);
        }
    }
    if ep.start > today {
        return Err(DenyReason::NoEpisode);
    }
    Ok(ep.id.clone())
}

/// Decides one request. `today` is the current date in Europe/Amsterdam.
pub fn decide(
    actor: &ActorFacts,
    subject: &SubjectFacts,
    part: DossierPart,
    access: Access,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> Decision {
    let today = crate::types::local_date(now);
    match actor {
        ActorFacts::Client { client_id } => {
            if *client_id != subject.client_id {
                return Decision::Deny(DenyReason::NotOwnDossier);
            }
            if access == Access::Write {
                return Decision::Deny(DenyReason::ReadOnly);
            }
            if !CLIENT_PARTS.contains(&part) {
                return Decision::Deny(DenyReason::PartNotAvailable);
            }
            if subject.portal_stopped {
                return Decision::Deny(DenyReason::PortalStopped);
            }
            let episode = match portal_window(subject, rules, today) {
                Ok(e) => e,
                Err(r) => return Decision::Deny(r),
            };
            if rules.min_client_age > 0 {
                let old_enough = subject
                    .birth_date
                    .and_then(|b| today.years_since(b))
                    .is_some_and(|age| age >= rules.min_client_age);
                if !old_enough {
                    return Decision::Deny(DenyReason::BelowMinimumAge);
                }
            }
            if let (Some(start), Some(ep)) =
                (rules.eligibility_start_date, &subject.current_episode)
            {
                if ep.start < start {
                    return Decision::Deny(DenyReason::BeforeEligibilityStart);
                }
            }
            Decision::Allow(Scope {
                only_episode: Some(episode),
                include_drafts: false,
                include_hidden: false,
                as_role: "client".into(),
            })
        }
        ActorFacts::ContactPerson { grants } => {
            let for_client: Vec<&GrantFacts> = grants
                .iter()
                .filter(|g| g.client_id == subject.client_id)
                .collect();
            if for_client.is_empty() {
                return Decision::Deny(DenyReason::NoGrant);
            }
            let valid: Vec<&&GrantFacts> =
                for_client.iter().filter(|g| g.is_valid_at(now)).collect();
            let Some(grant) = valid.iter().find(|g| g.parts.contains(&part)) else {
                return Decision::Deny(if valid.is_empty() {
                    DenyReason::GrantNotValid
                } else {
                    DenyReason::PartNotGranted
                });
            };
            if access == Access::Write {
                return Decision::Deny(DenyReason::ReadOnly);
            }
            if !CLIENT_PARTS.contains(&part) {
                return Decision::Deny(DenyReason::PartNotAvailable);
            }
            let episode = match portal_window(subject, rules, today) {
                Ok(e) => e,
                Err(r) => return Decision::Deny(r),
            };
            Decision::Allow(Scope {
                only_episode: Some(episode),
                include_drafts: false,
                include_hidden: false,
                as_role: format!("contact_person:{}", grant.relation.code()),
            })
        }
        ActorFacts::Staff {
            active,
            roles,
            team_ids,
        } => {
            if !active {
                return Decision::Deny(DenyReason::StaffInactive);
            }
            let in_team = subject
                .team_id
                .as_ref()
                .is_some_and(|t| team_ids.contains(t));
            if !in_team {
                return Decision::Deny(DenyReason::NotInTeam);
            }
            match roles.iter().find(|r| role_allows(**r, part, access)) {
                Some(role) => Decision::Allow(Scope {
                    only_episode: None,
                    include_drafts: true,
                    include_hidden: true,
                    as_role: role.code().into(),
                }),
                None => Decision::Deny(DenyReason::RoleLacksPermission),
            }
        }
        ActorFacts::NoDossierAccess => Decision::Deny(DenyReason::NotSignedIn),
        ActorFacts::System { component } => {
            if system_allows(component, part, access) {
                Decision::Allow(Scope {
                    only_episode: None,
                    include_drafts: true,
                    include_hidden: true,
                    as_role: format!("system:{component}"),
                })
            } else {
                Decision::Deny(DenyReason::SystemComponentNotAllowed)
            }
        }
    }
}

/// Organisation-wide audit search (not one client's dossier): privacy
/// officers, and operator commands.
pub fn decide_audit_search(actor: &ActorFacts) -> Decision {
    let allow = |role: &str| {
        Decision::Allow(Scope {
            only_episode: None,
            include_drafts: false,
            include_hidden: false,
            as_role: role.to_owned(),
        })
    };
    match actor {
        ActorFacts::Staff {
            active: true,
            roles,
            ..
        } if roles.contains(&Role::PrivacyOfficer) => allow(Role::PrivacyOfficer.code()),
        ActorFacts::System { component } if component == "cli" => allow("system:cli"),
        ActorFacts::Staff { active: false, .. } => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// "Mijn cliënten": listing the clients of one's own teams (names, client
/// numbers, birth dates; no dossier content). Any role that may read a
/// client's details in its own team may: the care roles and the
/// secretariat.
pub fn decide_team_client_list(actor: &ActorFacts) -> Decision {
    match actor {
        ActorFacts::Staff { active: false, .. } => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::Staff { roles, .. } => match roles
            .iter()
            .find(|r| role_allows(**r, DossierPart::Profile, Access::Read))
        {
            Some(r) => Decision::Allow(Scope {
                only_episode: None,
                include_drafts: false,
                include_hidden: false,
                as_role: r.code().to_owned(),
            }),
            None => Decision::Deny(DenyReason::RoleLacksPermission),
        },
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Managing organisation settings and accounts (not dossier content).
pub fn decide_administration(actor: &ActorFacts) -> Decision {
    match actor {
        ActorFacts::Staff {
            active: true,
            roles,
            ..
        } if roles.contains(&Role::FunctionalAdmin) => Decision::Allow(Scope {
            only_episode: None,
            include_drafts: false,
            include_hidden: false,
            as_role: Role::FunctionalAdmin.code().into(),
        }),
        ActorFacts::System { component } if component == "cli" || component == "demo" => {
            Decision::Allow(Scope {
                only_episode: None,
                include_drafts: false,
                include_hidden: false,
                as_role: format!("system:{component}"),
            })
        }
        ActorFacts::Staff { active: false, .. } => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

#[cfg(test)]
mod tests;
