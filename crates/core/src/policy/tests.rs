//! The access rules as a table: principal x part x situation -> decision.
use super::*;
use crate::model::Principal;
use chrono::TimeZone;
use DossierPart::*;

fn id<T>(f: fn(String) -> T, n: u8) -> T {
    f(format!("00000000-0000-4000-8000-0000000000{n:02}"))
}
fn client(n: u8) -> ClientId {
    id(ClientId::from_raw, n)
}
fn team(n: u8) -> TeamId {
    id(TeamId::from_raw, n)
}
fn org(n: u8) -> OrganisationId {
    id(OrganisationId::from_raw, n)
}
fn ep() -> EpisodeId {
    id(EpisodeId::from_raw, 1)
}
fn now() -> DateTime<Utc> {
    // 22-11-2026 12:00 Amsterdam.
    Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0)
        .single()
        .unwrap_or_default()
}
fn day(offset: i64) -> NaiveDate {
    crate::types::local_date(now()) + Duration::days(offset)
}

#[derive(Clone, Copy, Debug)]
enum Situation {
    OpenEpisode,
    DischargedTenDaysAgo,
    DischargedFortyDaysAgo,
    DischargedExactlyGraceDaysAgo,
    WithoutEpisode,
    StoppedPortal,
    Minor,
}

fn subject(s: Situation) -> SubjectFacts {
    let mut f = SubjectFacts {
        client_id: client(1),
        organisation_id: org(1),
        team_id: Some(team(1)),
        birth_date: NaiveDate::from_ymd_opt(1990, 1, 1),
        current_episode: Some(EpisodeFacts {
            id: ep(),
            start: day(-400),
            end: None,
        }),
        portal_stopped: false,
    };
    let end = |d| {
        Some(EpisodeFacts {
            id: ep(),
            start: day(-400),
            end: Some(day(d)),
        })
    };
    match s {
        Situation::OpenEpisode => {}
        Situation::DischargedTenDaysAgo => f.current_episode = end(-10),
        Situation::DischargedFortyDaysAgo => f.current_episode = end(-40),
        Situation::DischargedExactlyGraceDaysAgo => f.current_episode = end(-30),
        Situation::WithoutEpisode => f.current_episode = None,
        Situation::StoppedPortal => f.portal_stopped = true,
        Situation::Minor => f.birth_date = NaiveDate::from_ymd_opt(2012, 5, 5),
    }
    f
}

fn grant(parts: &[DossierPart], until: Option<i64>, revoked: Option<i64>) -> GrantFacts {
    GrantFacts {
        client_id: client(1),
        relation: Relation::Mentor,
        parts: parts.to_vec(),
        valid_from: now() - Duration::days(5),
        valid_until: until.map(|h| now() + Duration::hours(h)),
        revoked_at: revoked.map(|h| now() + Duration::hours(h)),
        represents: false,
    }
}

fn staff_facts(roles: &[Role], teams: &[u8]) -> StaffFacts {
    StaffFacts {
        staff_id: id(StaffId::from_raw, 1),
        organisation_id: org(1),
        active: true,
        roles: roles.to_vec(),
        team_ids: teams.iter().map(|t| team(*t)).collect(),
    }
}
fn staff(roles: &[Role], teams: &[u8]) -> ActorFacts {
    ActorFacts::Staff(staff_facts(roles, teams))
}

use Access::{Read as R, Write as W};

/// Expected outcome: `Ok(role)` or `Err(reason)`.
type Expect = Result<&'static str, DenyReason>;

fn check(
    name: &str,
    actor: ActorFacts,
    s: Situation,
    part: DossierPart,
    access: Access,
    rules: &OrgRules,
    expect: Expect,
) {
    let got = decide(&actor, &subject(s), part, access, rules, now());
    match (&got, expect) {
        (Decision::Allow(scope), Ok(role)) => assert_eq!(scope.as_role, role, "{name}"),
        (Decision::Deny(r), Err(want)) => assert_eq!(*r, want, "{name}"),
        _ => panic!("{name}: got {got:?}, expected {expect:?}"),
    }
}

#[test]
fn client_rules_table() {
    let rules = OrgRules::default();
    let me = || ActorFacts::Client {
        client_id: client(1),
    };
    let other = || ActorFacts::Client {
        client_id: client(2),
    };
    use DenyReason::*;
    use Situation::*;
    let table: Vec<(&str, ActorFacts, Situation, DossierPart, Access, Expect)> = vec![
        (
            "own reports, open episode",
            me(),
            OpenEpisode,
            Reports,
            R,
            Ok("client"),
        ),
        (
            "own plan, open episode",
            me(),
            OpenEpisode,
            ClientPlan,
            R,
            Ok("client"),
        ),
        (
            "own audit trail",
            me(),
            OpenEpisode,
            AuditTrail,
            R,
            Ok("client"),
        ),
        (
            "own documents, discharged 10 days",
            me(),
            DischargedTenDaysAgo,
            Documents,
            R,
            Ok("client"),
        ),
        (
            "discharged 40 days",
            me(),
            DischargedFortyDaysAgo,
            Reports,
            R,
            Err(PortalAccessEnded),
        ),
        (
            "discharged exactly 30 days",
            me(),
            DischargedExactlyGraceDaysAgo,
            Reports,
            R,
            Err(PortalAccessEnded),
        ),
        (
            "no episode",
            me(),
            WithoutEpisode,
            Reports,
            R,
            Err(NoEpisode),
        ),
        (
            "portal stopped",
            me(),
            StoppedPortal,
            Reports,
            R,
            Err(PortalStopped),
        ),
        (
            "write own report",
            me(),
            OpenEpisode,
            Reports,
            W,
            Err(ReadOnly),
        ),
        (
            "episodes part is staff-only",
            me(),
            OpenEpisode,
            Episodes,
            R,
            Err(PartNotAvailable),
        ),
        (
            "another client's dossier",
            other(),
            OpenEpisode,
            Reports,
            R,
            Err(NotOwnDossier),
        ),
        (
            "minor with min age 0",
            me(),
            Minor,
            Reports,
            R,
            Ok("client"),
        ),
    ];
    for (name, actor, s, part, access, expect) in table {
        check(name, actor, s, part, access, &rules, expect);
    }
}

#[test]
fn client_scope_is_current_episode_final_visible_only() {
    let d = decide(
        &ActorFacts::Client {
            client_id: client(1),
        },
        &subject(Situation::OpenEpisode),
        Reports,
        R,
        &OrgRules::default(),
        now(),
    );
    let Decision::Allow(scope) = d else {
        panic!("denied")
    };
    assert_eq!(scope.only_episode, Some(ep()));
    assert!(!scope.include_drafts);
    assert!(!scope.include_hidden);
}

#[test]
fn organisation_settings_change_the_rules() {
    let me = || ActorFacts::Client {
        client_id: client(1),
    };
    let adults = OrgRules {
        min_client_age: 18,
        ..OrgRules::default()
    };
    check(
        "minor, min age 18",
        me(),
        Situation::Minor,
        Reports,
        R,
        &adults,
        Err(DenyReason::BelowMinimumAge),
    );
    check(
        "adult, min age 18",
        me(),
        Situation::OpenEpisode,
        Reports,
        R,
        &adults,
        Ok("client"),
    );
    let later = OrgRules {
        eligibility_start_date: Some(day(-100)),
        ..OrgRules::default()
    };
    check(
        "episode before eligibility",
        me(),
        Situation::OpenEpisode,
        Reports,
        R,
        &later,
        Err(DenyReason::BeforeEligibilityStart),
    );
    let short = OrgRules {
        grace_days_after_discharge: 7,
        ..OrgRules::default()
    };
    check(
        "grace 7, discharged 10",
        me(),
        Situation::DischargedTenDaysAgo,
        Reports,
        R,
        &short,
        Err(DenyReason::PortalAccessEnded),
    );
}

#[test]
fn contact_person_rules_table() {
    let rules = OrgRules::default();
    let cp = |g: Vec<GrantFacts>| ActorFacts::ContactPerson { grants: g };
    use DenyReason::*;
    use Situation::*;
    let two = [ClientPlan, Appointments];
    let table: Vec<(&str, ActorFacts, Situation, DossierPart, Access, Expect)> = vec![
        (
            "granted part",
            cp(vec![grant(&two, None, None)]),
            OpenEpisode,
            ClientPlan,
            R,
            Ok("contact_person:mentor"),
        ),
        (
            "other granted part",
            cp(vec![grant(&two, None, None)]),
            OpenEpisode,
            Appointments,
            R,
            Ok("contact_person:mentor"),
        ),
        (
            "part not granted",
            cp(vec![grant(&two, None, None)]),
            OpenEpisode,
            Reports,
            R,
            Err(PartNotGranted),
        ),
        (
            "revoked grant",
            cp(vec![grant(&two, None, Some(-1))]),
            OpenEpisode,
            ClientPlan,
            R,
            Err(GrantNotValid),
        ),
        (
            "revocation in the future",
            cp(vec![grant(&two, None, Some(1))]),
            OpenEpisode,
            ClientPlan,
            R,
            Ok("contact_person:mentor"),
        ),
        (
            "expired grant",
            cp(vec![grant(&two, Some(-1), None)]),
            OpenEpisode,
            ClientPlan,
            R,
            Err(GrantNotValid),
        ),
        (
            "grant until later",
            cp(vec![grant(&two, Some(24), None)]),
            OpenEpisode,
            ClientPlan,
            R,
            Ok("contact_person:mentor"),
        ),
        (
            "no grant at all",
            cp(vec![]),
            OpenEpisode,
            ClientPlan,
            R,
            Err(NoGrant),
        ),
        (
            "write",
            cp(vec![grant(&two, None, None)]),
            OpenEpisode,
            ClientPlan,
            W,
            Err(ReadOnly),
        ),
        (
            "discharged after grace",
            cp(vec![grant(&two, None, None)]),
            DischargedFortyDaysAgo,
            ClientPlan,
            R,
            Err(PortalAccessEnded),
        ),
        (
            "client stopped own portal: contact keeps access",
            cp(vec![grant(&two, None, None)]),
            StoppedPortal,
            ClientPlan,
            R,
            Ok("contact_person:mentor"),
        ),
    ];
    for (name, actor, s, part, access, expect) in table {
        check(name, actor, s, part, access, &rules, expect);
    }
    // A grant for another client never opens this one.
    let mut g = grant(&two, None, None);
    g.client_id = client(2);
    check(
        "grant for other client",
        cp(vec![g]),
        OpenEpisode,
        ClientPlan,
        R,
        &rules,
        Err(NoGrant),
    );
}

#[test]
fn staff_rules_table() {
    let rules = OrgRules::default();
    use DenyReason::*;
    use Role::*;
    use Situation::*;
    let table: Vec<(&str, ActorFacts, Situation, DossierPart, Access, Expect)> = vec![
        (
            "caregiver reads own team",
            staff(&[Caregiver], &[1]),
            OpenEpisode,
            Reports,
            R,
            Ok("caregiver"),
        ),
        (
            "caregiver writes report",
            staff(&[Caregiver], &[1]),
            OpenEpisode,
            Reports,
            W,
            Ok("caregiver"),
        ),
        (
            "caregiver other team",
            staff(&[Caregiver], &[2]),
            OpenEpisode,
            Reports,
            R,
            Err(NotInTeam),
        ),
        (
            "caregiver reads after grace (staff keep access)",
            staff(&[Caregiver], &[1]),
            DischargedFortyDaysAgo,
            Reports,
            R,
            Ok("caregiver"),
        ),
        (
            "caregiver cannot change portal access",
            staff(&[Caregiver], &[1]),
            OpenEpisode,
            Network,
            W,
            Err(RoleLacksPermission),
        ),
        (
            "primary caregiver changes portal access",
            staff(&[PrimaryCaregiver], &[1]),
            OpenEpisode,
            Network,
            W,
            Ok("primary_caregiver"),
        ),
        (
            "practitioner ends episode",
            staff(&[Practitioner], &[1]),
            OpenEpisode,
            Episodes,
            W,
            Ok("practitioner"),
        ),
        (
            "secretariat edits profile",
            staff(&[Secretariat], &[1]),
            OpenEpisode,
            Profile,
            W,
            Ok("secretariat"),
        ),
        (
            "secretariat reads no reports",
            staff(&[Secretariat], &[1]),
            OpenEpisode,
            Reports,
            R,
            Err(RoleLacksPermission),
        ),
        (
            "functional admin reads no dossier",
            staff(&[FunctionalAdmin], &[1]),
            OpenEpisode,
            Reports,
            R,
            Err(RoleLacksPermission),
        ),
        (
            "functional admin outside team",
            staff(&[FunctionalAdmin], &[]),
            OpenEpisode,
            Profile,
            R,
            Err(NotInTeam),
        ),
        (
            "admin who is also caregiver in team",
            staff(&[FunctionalAdmin, Caregiver], &[1]),
            OpenEpisode,
            Reports,
            R,
            Ok("caregiver"),
        ),
        (
            "privacy officer has no dossier access",
            staff(&[PrivacyOfficer], &[1]),
            OpenEpisode,
            Reports,
            R,
            Err(RoleLacksPermission),
        ),
        (
            "staff do not read the client's audit view",
            staff(&[PrimaryCaregiver], &[1]),
            OpenEpisode,
            AuditTrail,
            R,
            Err(RoleLacksPermission),
        ),
        (
            "no roles",
            staff(&[], &[1]),
            OpenEpisode,
            Profile,
            R,
            Err(RoleLacksPermission),
        ),
    ];
    for (name, actor, s, part, access, expect) in table {
        check(name, actor, s, part, access, &rules, expect);
    }
    let inactive = ActorFacts::Staff(StaffFacts {
        active: false,
        ..staff_facts(&[Role::Caregiver], &[1])
    });
    check(
        "inactive staff",
        inactive,
        OpenEpisode,
        Reports,
        R,
        &rules,
        Err(StaffInactive),
    );
    // Client without team: no staff can reach it through team membership.
    let mut s = subject(OpenEpisode);
    s.team_id = None;
    assert_eq!(
        decide(&staff(&[Caregiver], &[1]), &s, Reports, R, &rules, now()),
        Decision::Deny(NotInTeam)
    );
}

#[test]
fn staff_scope_sees_drafts_hidden_and_all_episodes() {
    let d = decide(
        &staff(&[Role::Caregiver], &[1]),
        &subject(Situation::OpenEpisode),
        Reports,
        R,
        &OrgRules::default(),
        now(),
    );
    let Decision::Allow(scope) = d else {
        panic!("denied")
    };
    assert_eq!(scope.only_episode, None);
    assert!(scope.include_drafts && scope.include_hidden);
}

#[test]
fn system_components_are_listed_explicitly() {
    let rules = OrgRules::default();
    let sys = |c: &str| ActorFacts::System {
        component: c.into(),
    };
    check(
        "finaliser writes reports",
        sys("job:finalise_reports"),
        Situation::OpenEpisode,
        Reports,
        W,
        &rules,
        Ok("system:job:finalise_reports"),
    );
    check(
        "finaliser reads no documents",
        sys("job:finalise_reports"),
        Situation::OpenEpisode,
        Documents,
        R,
        &rules,
        Err(DenyReason::SystemComponentNotAllowed),
    );
    check(
        "unknown component",
        sys("job:other"),
        Situation::OpenEpisode,
        Profile,
        R,
        &rules,
        Err(DenyReason::SystemComponentNotAllowed),
    );
    check(
        "cli",
        sys("cli"),
        Situation::OpenEpisode,
        Profile,
        W,
        &rules,
        Ok("system:cli"),
    );
    check(
        "auto-invite job may invite",
        sys("job:auto_invite"),
        Situation::OpenEpisode,
        Network,
        W,
        &rules,
        Ok("system:job:auto_invite"),
    );
    check(
        "auto-invite job reads nothing",
        sys("job:auto_invite"),
        Situation::OpenEpisode,
        Reports,
        R,
        &rules,
        Err(DenyReason::SystemComponentNotAllowed),
    );
}

#[test]
fn audit_search_and_administration() {
    assert_eq!(
        decide_audit_search(&staff(&[Role::PrivacyOfficer], &[])),
        Ok(("privacy_officer".into(), AuditReach::Organisation(org(1))))
    );
    assert!(decide_audit_search(&staff(&[Role::FunctionalAdmin, Role::Caregiver], &[1])).is_err());
    assert!(decide_audit_search(&ActorFacts::Client {
        client_id: client(1)
    })
    .is_err());
    assert_eq!(
        decide_audit_search(&ActorFacts::System {
            component: "cli".into()
        }),
        Ok(("system:cli".into(), AuditReach::Everything))
    );
    // Unnamed sign-in attempts: the operator always; a privacy officer
    // only when theirs is the installation's one organisation.
    let po = AuditReach::Organisation(org(1));
    assert!(sees_unnamed_sign_ins(&AuditReach::Everything, 3));
    assert!(sees_unnamed_sign_ins(&po, 1));
    assert!(!sees_unnamed_sign_ins(&po, 2));
    let admin = staff(&[Role::FunctionalAdmin], &[]);
    assert!(decide_administration(&admin, Some(&org(1))).is_allowed());
    assert_eq!(
        decide_administration(&admin, Some(&org(2))),
        Decision::Deny(DenyReason::OtherOrganisation)
    );
    assert_eq!(
        decide_administration(&admin, None),
        Decision::Deny(DenyReason::OtherOrganisation),
        "a new organisation is the operator's"
    );
    assert!(decide_administration(
        &ActorFacts::System {
            component: "cli".into()
        },
        None
    )
    .is_allowed());
    assert!(
        !decide_administration(&staff(&[Role::PrimaryCaregiver], &[1]), Some(&org(1))).is_allowed()
    );
    assert!(!decide_administration(
        &ActorFacts::System {
            component: "job:finalise_reports".into()
        },
        Some(&org(1))
    )
    .is_allowed());
}

#[test]
fn staff_of_another_organisation_are_refused_even_with_a_matching_team() {
    let mut other = staff_facts(&[Role::PrimaryCaregiver], &[1]);
    other.organisation_id = org(2);
    check(
        "team id shared by accident",
        ActorFacts::Staff(other),
        Situation::OpenEpisode,
        Reports,
        R,
        &OrgRules::default(),
        Err(DenyReason::OtherOrganisation),
    );
}

#[test]
fn contact_persons_follow_the_eligibility_rules_too() {
    let cp = || ActorFacts::ContactPerson {
        grants: vec![grant(&[Reports], None, None)],
    };
    let adults = OrgRules {
        min_client_age: 18,
        ..OrgRules::default()
    };
    check(
        "mentor of a minor, min age 18",
        cp(),
        Situation::Minor,
        Reports,
        R,
        &adults,
        Err(DenyReason::BelowMinimumAge),
    );
    let later = OrgRules {
        eligibility_start_date: Some(day(-100)),
        ..OrgRules::default()
    };
    check(
        "mentor, episode before eligibility",
        cp(),
        Situation::OpenEpisode,
        Reports,
        R,
        &later,
        Err(DenyReason::BeforeEligibilityStart),
    );
    check(
        "mentor of a minor, no minimum age",
        cp(),
        Situation::Minor,
        Reports,
        R,
        &OrgRules::default(),
        Ok("contact_person:mentor"),
    );
}

#[test]
fn the_scope_admits_items_by_episode_status_visibility_and_version() {
    let portal = match decide(
        &ActorFacts::Client {
            client_id: client(1),
        },
        &subject(Situation::OpenEpisode),
        Reports,
        R,
        &OrgRules::default(),
        now(),
    ) {
        Decision::Allow(s) => s,
        d => panic!("{d:?}"),
    };
    let staff_scope = match decide(
        &staff(&[Role::Caregiver], &[1]),
        &subject(Situation::OpenEpisode),
        Reports,
        R,
        &OrgRules::default(),
        now(),
    ) {
        Decision::Allow(s) => s,
        d => panic!("{d:?}"),
    };
    let ep1 = ep().to_string();
    let item = |episode_id: &str, is_final, visible_to_client, is_current| ItemFacts {
        episode_id: episode_id.to_owned().leak(),
        is_final,
        visible_to_client,
        is_current,
    };
    let table = [
        (
            item(&ep1, true, true, true),
            true,
            "final, visible, current",
        ),
        (item(&ep1, false, true, true), false, "draft"),
        (item(&ep1, true, false, true), false, "hidden"),
        (item(&ep1, true, true, false), false, "an earlier version"),
        (
            item("other-episode", true, true, true),
            false,
            "an earlier episode",
        ),
    ];
    for (it, portal_sees, name) in table {
        assert_eq!(portal.admits(&it), portal_sees, "portal: {name}");
        assert!(staff_scope.admits(&it), "staff: {name}");
    }
}

#[test]
fn drafts_authorship_and_operator_actions() {
    let author = id(StaffId::from_raw, 1);
    let someone = id(StaffId::from_raw, 2);
    let me = Principal::Staff {
        staff_id: author.clone(),
    };
    let cli = Principal::system("cli");
    let job = Principal::system("job:finalise_reports");
    assert_eq!(decide_draft(&me, &author, DraftAction::Edit), Ok(()));
    assert_eq!(
        decide_draft(&me, &someone, DraftAction::Edit),
        Err(DenyReason::NotAuthor)
    );
    assert_eq!(
        decide_draft(&me, &someone, DraftAction::Finalise),
        Err(DenyReason::NotAuthor)
    );
    assert_eq!(decide_draft(&cli, &someone, DraftAction::Finalise), Ok(()));
    assert_eq!(
        decide_draft(&cli, &someone, DraftAction::Edit),
        Err(DenyReason::NotAuthor)
    );
    assert_eq!(
        decide_draft(&job, &someone, DraftAction::Finalise),
        Err(DenyReason::NotAuthor),
        "the job finalises through its own rule, after the period"
    );
    assert_eq!(
        decide_draft(&Principal::Anonymous, &someone, DraftAction::Edit),
        Err(DenyReason::NotAuthor)
    );
    assert_eq!(decide_authorship(&me), Ok(author));
    assert_eq!(decide_authorship(&cli), Err(DenyReason::AuthorMustBeStaff));
    for a in [
        OperatorAction::Import,
        OperatorAction::ProvisionAccount,
        OperatorAction::ListAllClients,
        OperatorAction::AnchorAudit,
    ] {
        assert!(decide_operator(&cli, a).is_allowed());
        assert!(decide_operator(&Principal::system("demo"), a).is_allowed());
        assert_eq!(
            decide_operator(&me, a),
            Decision::Deny(DenyReason::OperatorOnly)
        );
        assert_eq!(
            decide_operator(&job, a),
            Decision::Deny(DenyReason::OperatorOnly)
        );
    }
}

#[test]
fn client_registration_is_for_administration_and_profile_writers_of_the_team() {
    let t1 = team(1);
    assert!(
        decide_client_registration(&staff(&[Role::FunctionalAdmin], &[]), &org(1), Some(&t1))
            .is_allowed()
    );
    assert!(
        decide_client_registration(&staff(&[Role::Secretariat], &[1]), &org(1), Some(&t1))
            .is_allowed()
    );
    assert_eq!(
        decide_client_registration(&staff(&[Role::Secretariat], &[2]), &org(1), Some(&t1)),
        Decision::Deny(DenyReason::NotInTeam)
    );
    assert_eq!(
        decide_client_registration(&staff(&[Role::Caregiver], &[1]), &org(1), Some(&t1)),
        Decision::Deny(DenyReason::RoleLacksPermission)
    );
    assert_eq!(
        decide_client_registration(&staff(&[Role::Secretariat], &[1]), &org(2), Some(&t1)),
        Decision::Deny(DenyReason::OtherOrganisation)
    );
}

#[test]
fn every_role_part_access_combination_is_decided_by_the_table() {
    // Deny by default: an unassigned role/part pair never allows.
    for role in Role::ALL {
        for part in DossierPart::ALL {
            for access in [R, W] {
                let d = decide(
                    &staff(&[*role], &[1]),
                    &subject(Situation::OpenEpisode),
                    *part,
                    access,
                    &OrgRules::default(),
                    now(),
                );
                assert_eq!(
                    d.is_allowed(),
                    role_allows(*role, *part, access),
                    "{role:?} {part:?} {access:?}"
                );
            }
        }
    }
}

#[test]
fn the_team_client_list_is_for_care_roles_and_the_secretariat() {
    let cases: &[(&[Role], bool, &str)] = &[
        (&[Role::Caregiver], true, "caregiver"),
        (&[Role::PrimaryCaregiver], true, "primary_caregiver"),
        (&[Role::Practitioner], true, "practitioner"),
        (&[Role::Secretariat], true, "secretariat"),
        (&[Role::FunctionalAdmin], false, ""),
        (&[Role::PrivacyOfficer], false, ""),
        (
            &[Role::FunctionalAdmin, Role::Secretariat],
            true,
            "secretariat",
        ),
        (&[], false, ""),
    ];
    for (roles, allowed, as_role) in cases {
        match decide_team_client_list(&staff(roles, &[1])) {
            Decision::Allow(scope) => {
                assert!(allowed, "{roles:?}");
                assert_eq!(scope.as_role, *as_role);
            }
            Decision::Deny(_) => assert!(!allowed, "{roles:?}"),
        }
    }
    let inactive = ActorFacts::Staff(StaffFacts {
        active: false,
        ..staff_facts(&[Role::Caregiver], &[1])
    });
    assert!(!decide_team_client_list(&inactive).is_allowed());
    assert!(!decide_team_client_list(&ActorFacts::Client {
        client_id: ClientId::from_raw("c")
    })
    .is_allowed());
    assert!(!decide_team_client_list(&ActorFacts::System {
        component: "cli".into()
    })
    .is_allowed());
}

#[test]
fn only_the_client_writes_requests_and_the_team_reads_them() {
    let rules = OrgRules::default();
    let me = || ActorFacts::Client {
        client_id: client(1),
    };
    use DenyReason::*;
    use Situation::*;
    let everything: Vec<DossierPart> = DossierPart::ALL.to_vec();
    let table: Vec<(&str, ActorFacts, Situation, DossierPart, Access, Expect)> = vec![
        ("client asks", me(), OpenEpisode, Requests, W, Ok("client")),
        (
            "client reads own",
            me(),
            OpenEpisode,
            Requests,
            R,
            Ok("client"),
        ),
        (
            "client of another dossier",
            ActorFacts::Client {
                client_id: client(2),
            },
            OpenEpisode,
            Requests,
            W,
            Err(NotOwnDossier),
        ),
        (
            "client after the grace days",
            me(),
            DischargedFortyDaysAgo,
            Requests,
            W,
            Err(PortalAccessEnded),
        ),
        (
            "client still read-only for reports",
            me(),
            OpenEpisode,
            DossierPart::Reports,
            W,
            Err(ReadOnly),
        ),
        (
            "contact person even with every part granted",
            ActorFacts::ContactPerson {
                grants: vec![grant(&everything, None, None)],
            },
            OpenEpisode,
            Requests,
            W,
            Err(ReadOnly),
        ),
        (
            "secretariat reads",
            staff(&[Role::Secretariat], &[1]),
            OpenEpisode,
            Requests,
            R,
            Ok("secretariat"),
        ),
        (
            "caregiver reads",
            staff(&[Role::Caregiver], &[1]),
            OpenEpisode,
            Requests,
            R,
            Ok("caregiver"),
        ),
        (
            "no staff role writes a request",
            staff(
                &[
                    Role::PrimaryCaregiver,
                    Role::Practitioner,
                    Role::Secretariat,
                ],
                &[1],
            ),
            OpenEpisode,
            Requests,
            W,
            Err(RoleLacksPermission),
        ),
        (
            "functional admin reads none",
            staff(&[Role::FunctionalAdmin], &[1]),
            OpenEpisode,
            Requests,
            R,
            Err(RoleLacksPermission),
        ),
    ];
    for (name, actor, sit, part, access, expect) in table {
        check(name, actor, sit, part, access, &rules, expect);
    }
}

#[test]
fn questions_are_asked_by_the_client_and_a_contact_person_with_the_tile_and_answered_by_care_roles()
{
    let rules = OrgRules::default();
    use DenyReason::*;
    use Situation::*;
    let me = || ActorFacts::Client {
        client_id: client(1),
    };
    let table: Vec<(&str, ActorFacts, Situation, DossierPart, Access, Expect)> = vec![
        ("client asks", me(), OpenEpisode, Questions, W, Ok("client")),
        (
            "client reads",
            me(),
            OpenEpisode,
            Questions,
            R,
            Ok("client"),
        ),
        (
            "contact person with the tile asks",
            ActorFacts::ContactPerson {
                grants: vec![grant(&[Questions], None, None)],
            },
            OpenEpisode,
            Questions,
            W,
            Ok("contact_person:mentor"),
        ),
        (
            "contact person without the tile",
            ActorFacts::ContactPerson {
                grants: vec![grant(&[Reports], None, None)],
            },
            OpenEpisode,
            Questions,
            W,
            Err(PartNotGranted),
        ),
        (
            "contact person with the tile still reads reports only",
            ActorFacts::ContactPerson {
                grants: vec![grant(&[Questions, Reports], None, None)],
            },
            OpenEpisode,
            Reports,
            W,
            Err(ReadOnly),
        ),
        (
            "after the grace days",
            me(),
            DischargedFortyDaysAgo,
            Questions,
            W,
            Err(PortalAccessEnded),
        ),
        (
            "caregiver answers",
            staff(&[Role::Caregiver], &[1]),
            OpenEpisode,
            Questions,
            W,
            Ok("caregiver"),
        ),
        (
            "secretariat does not read them",
            staff(&[Role::Secretariat], &[1]),
            OpenEpisode,
            Questions,
            R,
            Err(RoleLacksPermission),
        ),
        (
            "another team",
            staff(&[Role::Caregiver], &[2]),
            OpenEpisode,
            Questions,
            R,
            Err(NotInTeam),
        ),
    ];
    for (name, actor, sit, part, access, expect) in table {
        check(name, actor, sit, part, access, &rules, expect);
    }
}

#[test]
fn an_adult_client_without_a_representative_manages_their_own_network() {
    let rules = OrgRules::default();
    let me = ActorFacts::Client {
        client_id: client(1),
    };
    let d = |actor: &ActorFacts, s: Situation, represented: bool| {
        decide_client_network(actor, &subject(s), represented, &rules, now())
    };
    assert!(d(&me, Situation::OpenEpisode, false).is_allowed());
    assert_eq!(
        d(&me, Situation::OpenEpisode, true),
        Decision::Deny(DenyReason::Represented)
    );
    assert_eq!(
        d(&me, Situation::Minor, false),
        Decision::Deny(DenyReason::NotAdult)
    );
    assert_eq!(
        d(&me, Situation::DischargedFortyDaysAgo, false),
        Decision::Deny(DenyReason::PortalAccessEnded)
    );
    let other = ActorFacts::Client {
        client_id: client(2),
    };
    assert_eq!(
        d(&other, Situation::OpenEpisode, false),
        Decision::Deny(DenyReason::NotOwnDossier)
    );
    let cp = ActorFacts::ContactPerson {
        grants: vec![grant(DossierPart::ALL, None, None)],
    };
    assert_eq!(
        d(&cp, Situation::OpenEpisode, false),
        Decision::Deny(DenyReason::RoleLacksPermission)
    );
    assert_eq!(
        d(
            &staff(&[Role::PrimaryCaregiver], &[1]),
            Situation::OpenEpisode,
            false
        ),
        Decision::Deny(DenyReason::RoleLacksPermission)
    );
}

#[test]
fn the_client_and_a_legal_representative_ask_for_an_afschrift() {
    let rules = OrgRules::default();
    let d = |actor: &ActorFacts, s: Situation| decide_afschrift(actor, &subject(s), &rules, now());
    let me = ActorFacts::Client {
        client_id: client(1),
    };
    assert!(d(&me, Situation::OpenEpisode).is_allowed());
    assert_eq!(
        d(&me, Situation::DischargedFortyDaysAgo),
        Decision::Deny(DenyReason::PortalAccessEnded)
    );
    let other = ActorFacts::Client {
        client_id: client(2),
    };
    assert_eq!(
        d(&other, Situation::OpenEpisode),
        Decision::Deny(DenyReason::NotOwnDossier)
    );
    // A contact person: only when marked as the legal representative, and
    // only while the grant is valid.
    let plain = ActorFacts::ContactPerson {
        grants: vec![grant(&[DossierPart::Reports], None, None)],
    };
    assert_eq!(
        d(&plain, Situation::OpenEpisode),
        Decision::Deny(DenyReason::NotRepresentative)
    );
    let rep = |g: GrantFacts| ActorFacts::ContactPerson {
        grants: vec![GrantFacts {
            represents: true,
            ..g
        }],
    };
    assert!(d(
        &rep(grant(&[DossierPart::Reports], None, None)),
        Situation::OpenEpisode
    )
    .is_allowed());
    assert_eq!(
        d(
            &rep(grant(&[DossierPart::Reports], None, Some(-1))),
            Situation::OpenEpisode
        ),
        Decision::Deny(DenyReason::NotRepresentative),
        "revoked"
    );
    let staff = staff(&[Role::PrimaryCaregiver], &[1]);
    assert_eq!(
        d(&staff, Situation::OpenEpisode),
        Decision::Deny(DenyReason::RoleLacksPermission)
    );
}

#[test]
fn only_a_functional_admin_of_the_organisation_destroys_a_dossier() {
    let allowed =
        |a: &ActorFacts, o: &OrganisationId| matches!(decide_destruction(a, o), Decision::Allow(_));
    assert!(allowed(&staff(&[Role::FunctionalAdmin], &[]), &org(1)));
    assert!(matches!(
        decide_destruction(&staff(&[Role::FunctionalAdmin], &[]), &org(2)),
        Decision::Deny(DenyReason::OtherOrganisation)
    ));
    let mut inactive = staff_facts(&[Role::FunctionalAdmin], &[]);
    inactive.active = false;
    assert!(!allowed(&ActorFacts::Staff(inactive), &org(1)));
    for r in [
        Role::PrivacyOfficer,
        Role::Secretariat,
        Role::PrimaryCaregiver,
    ] {
        assert!(!allowed(&staff(&[r], &[1]), &org(1)), "{r:?}");
    }
    // Not the operator: the record names a person answerable for it.
    assert!(!allowed(
        &ActorFacts::System {
            component: "cli".into()
        },
        &org(1)
    ));
}

#[test]
fn a_system_names_as_author_only_staff_who_may_write_that_part_themselves() {
    use crate::smart::SmartScope;
    let system = ActorFacts::Integration(IntegrationFacts {
        fhir_client_id: "ecd".into(),
        organisation_id: org(1),
        active: true,
        scopes: SmartScope::parse_list("system/DocumentReference.cu").unwrap_or_default(),
    });
    let s = subject(Situation::OpenEpisode);
    let rules = OrgRules::default();
    let author = |roles: &[Role], teams: &[u8]| staff_facts(roles, teams);
    let named = |a: Option<&StaffFacts>, part| {
        decide_integration_author(&system, a, &s, part, &rules, now())
    };
    // A caregiver of the client's team writes documents and plans.
    let cg = author(&[Role::Caregiver], &[1]);
    assert!(named(Some(&cg), DossierPart::Documents).is_ok());
    assert!(named(Some(&cg), DossierPart::ClientPlan).is_ok());
    // Not of the team, not a role that writes it, not active, not ours.
    assert_eq!(
        named(
            Some(&author(&[Role::Caregiver], &[2])),
            DossierPart::Documents
        ),
        Err(DenyReason::NotInTeam)
    );
    for role in [
        Role::PrivacyOfficer,
        Role::FunctionalAdmin,
        Role::Secretariat,
    ] {
        assert_eq!(
            named(Some(&author(&[role], &[1])), DossierPart::Documents),
            Err(DenyReason::RoleLacksPermission),
            "{role:?}"
        );
    }
    let mut gone = cg.clone();
    gone.active = false;
    assert_eq!(
        named(Some(&gone), DossierPart::Documents),
        Err(DenyReason::StaffInactive)
    );
    let mut elsewhere = cg.clone();
    elsewhere.organisation_id = org(2);
    assert_eq!(
        named(Some(&elsewhere), DossierPart::Documents),
        Err(DenyReason::OtherOrganisation)
    );
    assert_eq!(
        named(None, DossierPart::Documents),
        Err(DenyReason::AuthorMustBeStaff)
    );
    // Only a system names an author this way.
    assert_eq!(
        decide_integration_author(
            &staff(&[Role::Caregiver], &[1]),
            Some(&cg),
            &s,
            DossierPart::Documents,
            &rules,
            now()
        ),
        Err(DenyReason::AuthorMustBeStaff)
    );
}

#[test]
fn a_system_names_contact_persons_only_with_a_relatedperson_read_scope() {
    let with = |scopes: &str| Principal::Integration {
        fhir_client_id: "ecd".into(),
        scopes: SmartScope::parse_list(scopes).unwrap_or_default(),
    };
    assert!(!may_name_contact_persons(&with("system/AuditEvent.rs")));
    assert!(!may_name_contact_persons(&with(
        "system/AuditEvent.rs system/Patient.rs system/RelatedPerson.c"
    )));
    assert!(may_name_contact_persons(&with(
        "system/AuditEvent.rs system/RelatedPerson.rs"
    )));
    assert!(may_name_contact_persons(&with("system/*.rs")));
    assert!(may_name_contact_persons(&Principal::Client {
        client_id: ClientId::from_raw("c")
    }));
}
