//! The access rules, as one pure function: `decide(actor facts, subject
//! facts, request, organisation rules, now) -> Decision`. Deny by default:
//! every `Allow` below is an explicit rule; anything not listed is denied.
//!
//! The service layer loads the facts from storage, calls `decide`, writes
//! the audit event with the outcome, and only then touches the data, using
//! the returned [`Scope`] to filter items (episode, draft, hidden).
use crate::ids::{ClientId, EpisodeId, OrganisationId, StaffId, TeamId};
use crate::model::{DossierPart, Principal, Relation, Role};
use crate::smart::{Interaction, SmartScope};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

pub mod accounts;
pub mod staff_admin;

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
    /// The organisation whose dossier this is.
    pub organisation_id: OrganisationId,
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
    /// Staff marked this contact person as the client's legal
    /// representative (mentor, curator, …), with a reason (ADR 0022).
    pub represents: bool,
}

impl GrantFacts {
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none_or(|r| now < r)
            && self.valid_from <= now
            && self.valid_until.is_none_or(|u| now < u)
    }
}

/// What the rules need to know about a staff member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffFacts {
    pub staff_id: StaffId,
    pub organisation_id: OrganisationId,
    pub active: bool,
    pub roles: Vec<Role>,
    pub team_ids: Vec<TeamId>,
}

impl StaffFacts {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
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
    Staff(StaffFacts),
    System {
        component: String,
    },
    /// A registered system calling the FHIR API (issue 17).
    Integration(IntegrationFacts),
    /// Not a dossier actor (anonymous, or an account acting on itself).
    NoDossierAccess,
}

/// What the rules need to know about a system calling the FHIR API: its
/// organisation, whether an operator disabled it, and the scopes of the
/// token it used (already narrowed to the registered ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrationFacts {
    pub fhir_client_id: String,
    pub organisation_id: OrganisationId,
    pub active: bool,
    pub scopes: Vec<SmartScope>,
}

/// Which items of an allowed part the actor may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// `Some(id)`: only items of this episode; `None`: all episodes.
    pub only_episode: Option<EpisodeId>,
    pub include_drafts: bool,
    pub include_hidden: bool,
    /// Earlier versions of a corrected item, and the account details
    /// behind the network (staff see them; the portal shows the current
    /// version and "Mijn netwerk").
    pub include_history: bool,
    /// The role under which access was given, for the audit trail.
    pub as_role: String,
}

/// What the scope needs to know about one item of a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemFacts<'a> {
    pub episode_id: &'a str,
    pub is_final: bool,
    pub visible_to_client: bool,
    /// The latest version (a correction replaces the earlier one).
    pub is_current: bool,
}

impl Scope {
    fn portal(episode: EpisodeId, as_role: String) -> Self {
        Scope {
            only_episode: Some(episode),
            include_drafts: false,
            include_hidden: false,
            include_history: false,
            as_role,
        }
    }
    fn everything(as_role: String) -> Self {
        Scope {
            only_episode: None,
            include_drafts: true,
            include_hidden: true,
            include_history: true,
            as_role,
        }
    }
    /// No dossier items at all (a list of names, an administration).
    fn none(as_role: String) -> Self {
        Scope {
            only_episode: None,
            include_drafts: false,
            include_hidden: false,
            include_history: false,
            as_role,
        }
    }
    /// Whether one item lies inside this scope: its episode, draft or
    /// final, hidden or visible, current or an earlier version.
    pub fn admits(&self, item: &ItemFacts<'_>) -> bool {
        self.only_episode
            .as_ref()
            .is_none_or(|e| e.as_str() == item.episode_id)
            && (self.include_drafts || item.is_final)
            && (self.include_hidden || item.visible_to_client)
            && (self.include_history || item.is_current)
    }
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
    /// Administration of, or a dossier in, another organisation than the
    /// actor's own.
    OtherOrganisation,
    /// Only the author may edit or finalise their own draft by hand.
    NotAuthor,
    /// Only a staff member can be recorded as the author of an item.
    AuthorMustBeStaff,
    /// Only an operator command on the server may do this.
    OperatorOnly,
    /// Nobody changes their own roles or teams in the web.
    OwnRolesOrTeams,
    /// The second functional admin must be someone else than the one who
    /// asked and the one it is about.
    SameAdmin,
    /// Managing one's own network is for adults (issue 15).
    NotAdult,
    /// A legal representative, curator or mentor manages this client's
    /// network with the team (issue 15).
    Represented,
    /// Only a contact person marked as the client's legal representative
    /// asks for an afschrift (issue 15).
    NotRepresentative,
    /// A system whose registration an operator disabled (issue 17).
    IntegrationDisabled,
    /// The token's scopes do not allow this interaction (issue 17).
    ScopeLacksPermission,
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
            DenyReason::NotAuthor => "not_author",
            DenyReason::AuthorMustBeStaff => "author_must_be_staff",
            DenyReason::OperatorOnly => "operator_only",
            DenyReason::OwnRolesOrTeams => "own_roles_or_teams",
            DenyReason::SameAdmin => "same_admin",
            DenyReason::NotAdult => "not_adult",
            DenyReason::Represented => "represented",
            DenyReason::NotRepresentative => "not_representative",
            DenyReason::IntegrationDisabled => "integration_disabled",
            DenyReason::ScopeLacksPermission => "scope_lacks_permission",
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
    DossierPart::Questions,
    DossierPart::Network,
    DossierPart::AuditTrail,
];

/// What a client writes in their own dossier: their requests (a
/// correction, an addition). Everything else of the dossier is read-only
/// to them.
pub const CLIENT_VOICE: &[DossierPart] = &[DossierPart::Requests, DossierPart::Questions];

/// What a contact person writes, when granted that tile: their own
/// questions to the team (issue 15).
pub const CONTACT_VOICE: &[DossierPart] = &[DossierPart::Questions];

/// What one staff role may do with a client of the member's own team.
/// This table is the whole of staff permission; see docs/decisions/0003.
pub fn role_allows(role: Role, part: DossierPart, access: Access) -> bool {
    use Access::*;
    use DossierPart::*;
    match role {
        Role::Caregiver => match access {
            Read => part != AuditTrail,
            Write => matches!(
                part,
                Reports | ClientPlan | Appointments | Documents | Questions
            ),
        },
        Role::Practitioner => match access {
            Read => part != AuditTrail,
            Write => matches!(
                part,
                Reports | ClientPlan | Appointments | Documents | Episodes | Questions
            ),
        },
        Role::PrimaryCaregiver => match access {
            Read => part != AuditTrail,
            // Requests are the client's own words: staff decide on them by
            // writing the part a request is about, never write them.
            Write => !matches!(part, AuditTrail | Requests),
        },
        // Requests: the secretariat reads them (it answers those about
        // personal data); the decision on one is a write of the part it
        // is about, so content stays with the care roles.
        Role::Secretariat => match access {
            Read => matches!(part, Profile | Appointments | Network | Episodes | Requests),
            Write => matches!(part, Profile | Appointments | Network | Episodes),
        },
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

/// The organisation's eligibility rules, for everyone who reads through
/// the portal (the client and their contact persons alike): the setting
/// says which dossiers are in the portal at all. An organisation where
/// parents of minors should read sets no minimum age.
pub fn eligible(
    subject: &SubjectFacts,
    rules: &OrgRules,
    today: NaiveDate,
) -> Result<(), DenyReason> {
    if rules.min_client_age > 0 {
        let old_enough = subject
            .birth_date
            .and_then(|b| today.years_since(b))
            .is_some_and(|age| age >= rules.min_client_age);
        if !old_enough {
            return Err(DenyReason::BelowMinimumAge);
        }
    }
    if let (Some(start), Some(ep)) = (rules.eligibility_start_date, &subject.current_episode) {
        if ep.start < start {
            return Err(DenyReason::BeforeEligibilityStart);
        }
    }
    Ok(())
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
            let voice = CLIENT_VOICE.contains(&part);
            if access == Access::Write && !voice {
                return Decision::Deny(DenyReason::ReadOnly);
            }
            if !CLIENT_PARTS.contains(&part) && !voice {
                return Decision::Deny(DenyReason::PartNotAvailable);
            }
            if subject.portal_stopped {
                return Decision::Deny(DenyReason::PortalStopped);
            }
            let episode = match portal_window(subject, rules, today) {
                Ok(e) => e,
                Err(r) => return Decision::Deny(r),
            };
            if let Err(r) = eligible(subject, rules, today) {
                return Decision::Deny(r);
            }
            Decision::Allow(Scope::portal(episode, "client".into()))
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
            if access == Access::Write && !CONTACT_VOICE.contains(&part) {
                return Decision::Deny(DenyReason::ReadOnly);
            }
            if !CLIENT_PARTS.contains(&part) {
                return Decision::Deny(DenyReason::PartNotAvailable);
            }
            let episode = match portal_window(subject, rules, today) {
                Ok(e) => e,
                Err(r) => return Decision::Deny(r),
            };
            if let Err(r) = eligible(subject, rules, today) {
                return Decision::Deny(r);
            }
            Decision::Allow(Scope::portal(
                episode,
                format!("contact_person:{}", grant.relation.code()),
            ))
        }
        ActorFacts::Staff(staff) => {
            if !staff.active {
                return Decision::Deny(DenyReason::StaffInactive);
            }
            if staff.organisation_id != subject.organisation_id {
                return Decision::Deny(DenyReason::OtherOrganisation);
            }
            let in_team = subject
                .team_id
                .as_ref()
                .is_some_and(|t| staff.team_ids.contains(t));
            if !in_team {
                return Decision::Deny(DenyReason::NotInTeam);
            }
            match staff.roles.iter().find(|r| role_allows(**r, part, access)) {
                Some(role) => Decision::Allow(Scope::everything(role.code().into())),
                None => Decision::Deny(DenyReason::RoleLacksPermission),
            }
        }
        ActorFacts::NoDossierAccess => Decision::Deny(DenyReason::NotSignedIn),
        ActorFacts::Integration(i) => {
            if !i.active {
                return Decision::Deny(DenyReason::IntegrationDisabled);
            }
            if i.organisation_id != subject.organisation_id {
                return Decision::Deny(DenyReason::OtherOrganisation);
            }
            if !i.scopes.iter().any(|s| s.covers(part, access)) {
                return Decision::Deny(DenyReason::ScopeLacksPermission);
            }
            Decision::Allow(Scope::everything("integration".into()))
        }
        ActorFacts::System { component } => {
            if system_allows(component, part, access) {
                Decision::Allow(Scope::everything(format!("system:{component}")))
            } else {
                Decision::Deny(DenyReason::SystemComponentNotAllowed)
            }
        }
    }
}

/// Whether a system may make this FHIR interaction on this resource type
/// at all, before any dossier is touched: its registration is active and a
/// scope of its token names the type and the interaction. Which dossier it
/// reaches is decided by [`decide`] (its own organisation only).
pub fn decide_fhir_interaction(
    actor: &ActorFacts,
    resource_type: &str,
    interaction: Interaction,
) -> Result<OrganisationId, DenyReason> {
    match actor {
        ActorFacts::Integration(i) if !i.active => Err(DenyReason::IntegrationDisabled),
        ActorFacts::Integration(i) => {
            let may = |x: Interaction| i.scopes.iter().any(|s| s.allows(resource_type, x));
            // A search answers with the resources it finds: it needs read
            // too (a search-only token would learn counts, nothing else).
            let allowed =
                may(interaction) && (interaction != Interaction::Search || may(Interaction::Read));
            if allowed {
                Ok(i.organisation_id.clone())
            } else {
                Err(DenyReason::ScopeLacksPermission)
            }
        }
        _ => Err(DenyReason::NotSignedIn),
    }
}

/// Whether an answer may name the contact persons it mentions (the agent
/// of an AuditEvent: who looked at the dossier). A person or staff member
/// who sees the trail sees the names, as the client does in "Wie keek
/// mee"; a system only when a scope of its token reads RelatedPerson, not
/// through the AuditEvent scope alone (ADR 0027).
pub fn may_name_contact_persons(principal: &Principal) -> bool {
    match principal {
        Principal::Integration { scopes, .. } => scopes
            .iter()
            .any(|s| s.allows("RelatedPerson", Interaction::Read)),
        _ => true,
    }
}

/// What a privacy officer's audit search may reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditReach {
    /// The events about this organisation's clients, staff and accounts
    /// (and see [`sees_unnamed_sign_ins`]).
    Organisation(OrganisationId),
    /// Everything (the operator on the server).
    Everything,
}

/// Organisation-wide audit search (not one client's dossier): privacy
/// officers, within their own organisation, and the operator command.
pub fn decide_audit_search(actor: &ActorFacts) -> Result<(String, AuditReach), DenyReason> {
    match actor {
        ActorFacts::Staff(s) if !s.active => Err(DenyReason::StaffInactive),
        ActorFacts::Staff(s) if s.has(Role::PrivacyOfficer) => Ok((
            Role::PrivacyOfficer.code().to_owned(),
            AuditReach::Organisation(s.organisation_id.clone()),
        )),
        ActorFacts::System { component } if component == "cli" => {
            Ok(("system:cli".to_owned(), AuditReach::Everything))
        }
        ActorFacts::System { .. } => Err(DenyReason::SystemComponentNotAllowed),
        _ => Err(DenyReason::RoleLacksPermission),
    }
}

/// Whether an audit search with `reach` shows the sign-in attempts nobody
/// can be named for (an address without an account), in an installation
/// of `organisations`. They belong to the installation: the operator sees
/// them; with one organisation its privacy officer does too (nothing in
/// them points outside it). With several, a privacy officer who saw them
/// could try an address and learn, from whether an unnamed attempt
/// appeared, that another organisation has an account for it.
pub fn sees_unnamed_sign_ins(reach: &AuditReach, organisations: u64) -> bool {
    match reach {
        AuditReach::Everything => true,
        AuditReach::Organisation(_) => organisations == 1,
    }
}

/// "Mijn cliënten": listing the clients of one's own teams (names, client
/// numbers, birth dates; no dossier content). Any role that may read a
/// client's details in its own team may: the care roles and the
/// secretariat.
pub fn decide_team_client_list(actor: &ActorFacts) -> Decision {
    match actor {
        ActorFacts::Staff(s) if !s.active => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::Staff(s) => match s
            .roles
            .iter()
            .find(|r| role_allows(**r, DossierPart::Profile, Access::Read))
        {
            Some(r) => Decision::Allow(Scope::none(r.code().to_owned())),
            None => Decision::Deny(DenyReason::RoleLacksPermission),
        },
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Which of a client's requests a staff member answers (and so sees in
/// the queue): those about a part one of their roles may write. Personal
/// data go to the secretariat (and the persoonlijk begeleider), content to
/// the care roles. The decision on one request passes [`decide`] for that
/// part and that client.
pub fn requests_answered_by(staff: &StaffFacts) -> Vec<DossierPart> {
    if !staff.active {
        return Vec::new();
    }
    [
        DossierPart::Profile,
        DossierPart::Reports,
        DossierPart::ClientPlan,
        DossierPart::Network,
    ]
    .into_iter()
    .filter(|p| {
        staff
            .roles
            .iter()
            .any(|r| role_allows(*r, *p, Access::Write))
    })
    .collect()
}

/// The age from which a client manages their own network.
pub const NETWORK_ADULT_AGE: u32 = 18;

/// Relations that represent a client: with one of them (valid access), the
/// client's network is managed with the team, not by the client alone.
pub const REPRESENTING: &[Relation] = &[
    Relation::LegalRepresentative,
    Relation::Curator,
    Relation::Mentor,
];

/// "Mijn netwerk, by the client" (issue 15): an adult client who manages
/// their own affairs ends a contact person's access themselves and asks
/// the team to add someone. `represented`: a contact person with a
/// [`REPRESENTING`] relation has valid access to this dossier. The client
/// must be able to read their network in the portal now ([`decide`]).
pub fn decide_client_network(
    actor: &ActorFacts,
    subject: &SubjectFacts,
    represented: bool,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> Decision {
    let ActorFacts::Client { .. } = actor else {
        return Decision::Deny(DenyReason::RoleLacksPermission);
    };
    let scope = match decide(
        actor,
        subject,
        DossierPart::Network,
        Access::Read,
        rules,
        now,
    ) {
        Decision::Allow(scope) => scope,
        deny => return deny,
    };
    let today = crate::types::local_date(now);
    let adult = subject
        .birth_date
        .and_then(|b| today.years_since(b))
        .is_some_and(|age| age >= NETWORK_ADULT_AGE);
    if !adult {
        return Decision::Deny(DenyReason::NotAdult);
    }
    if represented {
        return Decision::Deny(DenyReason::Represented);
    }
    Decision::Allow(scope)
}

/// The parts an afschrift holds, each only when its reader may read it.
pub const AFSCHRIFT_PARTS: [DossierPart; 9] = [
    DossierPart::Profile,
    DossierPart::ClientPlan,
    DossierPart::Reports,
    DossierPart::Appointments,
    DossierPart::Documents,
    DossierPart::Network,
    DossierPart::Requests,
    DossierPart::Questions,
    DossierPart::AuditTrail,
];

/// Who may ask for an afschrift, a full copy of the dossier (ADR 0022;
/// Wabvpz 15d/15e, AVG 15 and 20): the client while their portal is open
/// to them, and a contact person whom staff marked as the client's legal
/// representative, with a valid grant. Either gets what they may read:
/// each part of [`AFSCHRIFT_PARTS`] is decided by [`decide`] when the copy
/// is made.
pub fn decide_afschrift(
    actor: &ActorFacts,
    subject: &SubjectFacts,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> Decision {
    let first_readable = || {
        let mut last = Decision::Deny(DenyReason::NoGrant);
        for part in AFSCHRIFT_PARTS {
            match decide(actor, subject, part, Access::Read, rules, now) {
                Decision::Allow(scope) => return Decision::Allow(scope),
                deny => last = deny,
            }
        }
        last
    };
    match actor {
        ActorFacts::Client { .. } => {
            match decide(
                actor,
                subject,
                DossierPart::Profile,
                Access::Read,
                rules,
                now,
            ) {
                Decision::Allow(scope) => Decision::Allow(scope),
                deny => deny,
            }
        }
        ActorFacts::ContactPerson { grants } => {
            let represents = grants
                .iter()
                .any(|g| g.client_id == subject.client_id && g.represents && g.is_valid_at(now));
            if !represents {
                return Decision::Deny(DenyReason::NotRepresentative);
            }
            first_readable()
        }
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Who may open a question to the team in their own name: the client and
/// a contact person (whether they may for this dossier is [`decide`]'s
/// `Questions`/`Write`). Staff answer questions; they do not open them.
pub fn decide_question_asker(actor: &Principal) -> Result<(), DenyReason> {
    match actor {
        Principal::Client { .. } | Principal::ContactPerson { .. } => Ok(()),
        _ => Err(DenyReason::RoleLacksPermission),
    }
}

/// Who may mark a question done: a staff member (the team), never the
/// asker or a job. Write access to `Questions` is decided first.
pub fn decide_question_close(actor: &Principal) -> Result<(), DenyReason> {
    match actor {
        Principal::Staff { .. } => Ok(()),
        _ => Err(DenyReason::RoleLacksPermission),
    }
}

/// Managing an organisation's settings and accounts (not dossier
/// content): a functional admin of that organisation, or the operator on
/// the server. `org` is the organisation the change is in; `None` (a new
/// organisation) is for operators only.
pub fn decide_administration(actor: &ActorFacts, org: Option<&OrganisationId>) -> Decision {
    match actor {
        ActorFacts::Staff(s) if !s.active => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::Staff(s) if s.has(Role::FunctionalAdmin) => {
            if org == Some(&s.organisation_id) {
                Decision::Allow(Scope::none(Role::FunctionalAdmin.code().into()))
            } else {
                Decision::Deny(DenyReason::OtherOrganisation)
            }
        }
        ActorFacts::System { component } if component == "cli" || component == "demo" => {
            Decision::Allow(Scope::none(format!("system:{component}")))
        }
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Destroying a dossier past its retention term (WGBO, ADR 0024): an
/// active functional admin of the client's organisation, who confirms it
/// with a reason. Not the operator: the record names a person who is
/// answerable for it.
pub fn decide_destruction(actor: &ActorFacts, org: &OrganisationId) -> Decision {
    match actor {
        ActorFacts::Staff(s) if !s.active => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::Staff(s) if s.has(Role::FunctionalAdmin) => {
            if *org == s.organisation_id {
                Decision::Allow(Scope::none(Role::FunctionalAdmin.code().into()))
            } else {
                Decision::Deny(DenyReason::OtherOrganisation)
            }
        }
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Registering a client in `org`, in `team`: administration of that
/// organisation, or a member of that team whose role may write profiles.
pub fn decide_client_registration(
    actor: &ActorFacts,
    org: &OrganisationId,
    team: Option<&TeamId>,
) -> Decision {
    if let d @ Decision::Allow(_) = decide_administration(actor, Some(org)) {
        return d;
    }
    match actor {
        ActorFacts::Staff(s) if !s.active => Decision::Deny(DenyReason::StaffInactive),
        ActorFacts::Staff(s) if s.organisation_id != *org => {
            Decision::Deny(DenyReason::OtherOrganisation)
        }
        ActorFacts::Staff(s) => {
            if !team.is_some_and(|t| s.team_ids.contains(t)) {
                return Decision::Deny(DenyReason::NotInTeam);
            }
            match s
                .roles
                .iter()
                .find(|r| role_allows(**r, DossierPart::Profile, Access::Write))
            {
                Some(r) => Decision::Allow(Scope::none(r.code().to_owned())),
                None => Decision::Deny(DenyReason::RoleLacksPermission),
            }
        }
        // The organisation's own ECD registers its clients (FHIR Patient
        // create), in no team until staff place them.
        ActorFacts::Integration(i) if !i.active => Decision::Deny(DenyReason::IntegrationDisabled),
        ActorFacts::Integration(i) if i.organisation_id != *org => {
            Decision::Deny(DenyReason::OtherOrganisation)
        }
        ActorFacts::Integration(i) => {
            if i.scopes
                .iter()
                .any(|s| s.covers(DossierPart::Profile, Access::Write))
            {
                Decision::Allow(Scope::none("integration".into()))
            } else {
                Decision::Deny(DenyReason::ScopeLacksPermission)
            }
        }
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// Who sees the version history of a client's registration (who changed
/// the name, address, team … and from what): staff who may read the
/// client's personal data. The history is the staff's record of their own
/// administration; the client and contact persons see the current values
/// only (and "Wie keek mee" for who looked).
pub fn decide_registration_history(
    actor: &ActorFacts,
    subject: &SubjectFacts,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> Decision {
    match actor {
        ActorFacts::Staff(_) => decide(
            actor,
            subject,
            DossierPart::Profile,
            Access::Read,
            rules,
            now,
        ),
        ActorFacts::System { .. } => Decision::Deny(DenyReason::SystemComponentNotAllowed),
        _ => Decision::Deny(DenyReason::RoleLacksPermission),
    }
}

/// What an actor does to a draft beyond writing the part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftAction {
    /// Change the text of a draft.
    Edit,
    /// "Definitief maken" by hand (the job does it after the period).
    Finalise,
}

/// Only the author edits or finalises their own draft by hand; the
/// operator may finalise (not edit) on the server. Write access to the
/// part is decided first, by [`decide`]; this rule needs only who acts.
pub fn decide_draft(
    actor: &Principal,
    author: &StaffId,
    action: DraftAction,
) -> Result<(), DenyReason> {
    match actor {
        Principal::Staff { staff_id } if staff_id == author => Ok(()),
        Principal::System { component }
            if action == DraftAction::Finalise && (component == "cli" || component == "demo") =>
        {
            Ok(())
        }
        _ => Err(DenyReason::NotAuthor),
    }
}

/// Who is recorded as the author of what a connected system pushes (a
/// document or a plan from the organisation's ECD): the staff member it
/// names, who must be an active member of the system's own organisation
/// and may write that part of this client's dossier themselves (in the
/// client's team, in a role that writes it: a privacy officer or a
/// functional admin is never an author; second review of issue 17). The
/// system itself is never an author; it is recorded as the actor.
pub fn decide_integration_author(
    actor: &ActorFacts,
    author: Option<&StaffFacts>,
    subject: &SubjectFacts,
    part: DossierPart,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> Result<StaffId, DenyReason> {
    let ActorFacts::Integration(i) = actor else {
        return Err(DenyReason::AuthorMustBeStaff);
    };
    match author {
        Some(a) if a.organisation_id != i.organisation_id => Err(DenyReason::OtherOrganisation),
        Some(a) if !a.active => Err(DenyReason::StaffInactive),
        Some(a) => {
            match decide(
                &ActorFacts::Staff(a.clone()),
                subject,
                part,
                Access::Write,
                rules,
                now,
            ) {
                Decision::Allow(_) => Ok(a.staff_id.clone()),
                Decision::Deny(r) => Err(r),
            }
        }
        None => Err(DenyReason::AuthorMustBeStaff),
    }
}

/// Who is recorded as the author of a new report, plan version or upload:
/// a staff member, never a job or a command.
pub fn decide_authorship(actor: &Principal) -> Result<StaffId, DenyReason> {
    match actor {
        Principal::Staff { staff_id } => Ok(staff_id.clone()),
        _ => Err(DenyReason::AuthorMustBeStaff),
    }
}

/// What only the operator on the server may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorAction {
    /// Bulk import of dossiers with their own authors and times.
    Import,
    /// An account with a known password and no mail (demo, set-up).
    ProvisionAccount,
    /// Every client of an organisation (`inzage admin client list`).
    ListAllClients,
    /// A signed note of the audit chain's head (`inzage audit anchor`).
    AnchorAudit,
    /// A copy of the whole installation (`inzage backup`).
    Backup,
    /// Register a system for the FHIR API, with the scopes it may ask for
    /// (`inzage admin fhir-client create`): not a functional admin's, who
    /// has no dossier access to hand on (review of issue 17).
    RegisterSystem,
}

pub fn decide_operator(actor: &Principal, action: OperatorAction) -> Decision {
    match (actor, action) {
        (Principal::System { component }, _) if component == "cli" || component == "demo" => {
            Decision::Allow(Scope::none(format!("system:{component}")))
        }
        _ => Decision::Deny(DenyReason::OperatorOnly),
    }
}

#[cfg(test)]
mod tests;
