//! Integration tests of the domain services against a real database
//! (SQLite by default, PostgreSQL with INZAGE_TEST_BACKEND=postgres).
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use inzage_core::ids::*;
use inzage_core::model::*;
use inzage_core::policy::DenyReason;
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::admin::{NewClient, NewStaff, OrgSettings};
use inzage_service::dossier::ReportFilter;
use inzage_service::jobs::{Runner, Tick};
use inzage_service::testing::TestDb;
use inzage_service::who_looked::{Subject, Verb, Who};
use inzage_service::writes::*;
use inzage_service::{Ctx, ServiceError, Services};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
        .single()
        .expect("time")
}

fn label(s: &str) -> Label {
    Label::parse("test", s).expect("label")
}

struct World {
    svc: Services,
    clock: FixedClock,
    org: OrganisationId,
    team_a: TeamId,
    caregiver: StaffId,
    other_team_caregiver: StaffId,
    admin: StaffId,
    client: ClientId,
    other_client: ClientId,
    _db: TestDb,
}

async fn world() -> World {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(t0());
    let svc = db.services(&clock);
    let cli = Ctx::system("cli");
    let org = svc
        .create_organisation(&cli, label("Zorg Test"), OrgSettings::default())
        .await
        .expect("org");
    let loc = svc
        .create_location(&cli, &org, label("De Linde"))
        .await
        .expect("loc");
    let team_a = svc
        .create_team(&cli, &loc, label("Team A"))
        .await
        .expect("team");
    let team_b = svc
        .create_team(&cli, &loc, label("Team B"))
        .await
        .expect("team");
    let staff = |email: &str, roles: Vec<Role>, teams: Vec<TeamId>| NewStaff {
        given_name: label("Sam"),
        name_prefix: None,
        family_name: label(email.split('@').next().unwrap_or("x")),
        email: Email::parse(email).expect("email"),
        mobile: None,
        roles,
        team_ids: teams,
    };
    let caregiver = svc
        .create_staff(
            &cli,
            &org,
            staff(
                "bakker@zorg.nl",
                vec![Role::Caregiver, Role::PrimaryCaregiver],
                vec![team_a.clone()],
            ),
        )
        .await
        .expect("staff");
    let other_team_caregiver = svc
        .create_staff(
            &cli,
            &org,
            staff(
                "visser@zorg.nl",
                vec![Role::Caregiver],
                vec![team_b.clone()],
            ),
        )
        .await
        .expect("staff");
    let admin = svc
        .create_staff(
            &cli,
            &org,
            staff("beheer@zorg.nl", vec![Role::FunctionalAdmin], vec![]),
        )
        .await
        .expect("staff");
    let new_client = |num: &str, team: &TeamId| NewClient {
        client_number: ClientNumber::parse(num).expect("num"),
        given_name: label("Test"),
        name_prefix: None,
        family_name: label("Client"),
        birth_date: BirthDate::parse("06-09-1990", t0().date_naive()).expect("bd"),
        street: None,
        house_number: None,
        postal_code: None,
        city: None,
        email: None,
        mobile: None,
        team_id: Some(team.clone()),
        primary_caregiver_id: None,
    };
    let start = NaiveDate::from_ymd_opt(2025, 1, 1);
    let client = svc
        .create_client(&cli, &org, new_client("C-1", &team_a), start)
        .await
        .expect("client");
    let other_client = svc
        .create_client(&cli, &org, new_client("C-2", &team_b), start)
        .await
        .expect("client");
    World {
        svc,
        clock,
        org,
        team_a,
        caregiver,
        other_team_caregiver,
        admin,
        client,
        other_client,
        _db: db,
    }
}

fn staff_ctx(id: &StaffId) -> Ctx {
    Ctx::new(Principal::Staff {
        staff_id: id.clone(),
    })
    .with_source("127.0.0.1")
}
fn client_ctx(id: &ClientId) -> Ctx {
    Ctx::new(Principal::Client {
        client_id: id.clone(),
    })
}
fn report(body: &str, visible: bool) -> NewReport {
    NewReport {
        category: label("Dagrapportage"),
        body: Text::parse("body", body, 20_000).expect("text"),
        visible_to_client: visible,
    }
}

#[tokio::test]
async fn migrations_apply_once_and_sqlite_is_durable() {
    let db = TestDb::empty().await;
    assert_eq!(
        db.db.migrate().await.expect("first"),
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    );
    assert_eq!(db.db.migrate().await.expect("second"), Vec::<i64>::new());
    assert_eq!(db.db.schema_version().await.expect("version"), 17);
    assert!(db.db.ping().await);
    if let Some((journal, synchronous, fks)) = db.db.sqlite_pragmas().await.expect("pragmas") {
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "synchronous=FULL");
        assert_eq!(fks, 1);
    }
}

#[tokio::test]
async fn client_sees_only_final_visible_reports_of_current_episode() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let visible = w
        .svc
        .create_report(&cg, &w.client, report("Goede dag gehad.", true))
        .await
        .expect("r1");
    let hidden = w
        .svc
        .create_report(&cg, &w.client, report("Intern overleg.", false))
        .await
        .expect("r2");
    let draft = w
        .svc
        .create_report(&cg, &w.client, report("Nog niet af.", true))
        .await
        .expect("r3");
    w.svc
        .finalise_report(&cg, &visible, 1)
        .await
        .expect("final");
    w.svc.finalise_report(&cg, &hidden, 1).await.expect("final");

    let me = client_ctx(&w.client);
    let page = w
        .svc
        .list_reports(
            &me,
            &w.client,
            ReportFilter {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .into_inner();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, visible);
    assert_eq!(page.items[0].author_name, "Sam bakker");
    assert_eq!(page.items[0].author_role, "caregiver");
    // Hidden and draft reports answer exactly like a missing id.
    for id in [&hidden, &draft] {
        assert!(matches!(
            w.svc.report(&me, id).await,
            Err(ServiceError::NotFound)
        ));
    }
    let missing = ReportId::from_raw("00000000-0000-4000-8000-000000000000");
    assert!(matches!(
        w.svc.report(&me, &missing).await,
        Err(ServiceError::NotFound)
    ));
    // Staff see all three.
    let staff_page = w
        .svc
        .list_reports(
            &cg,
            &w.client,
            ReportFilter {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .into_inner();
    assert_eq!(staff_page.total, 3);
    // Paging: the total is the same on every page, also past the end.
    for (page, items) in [(1, 2), (2, 1), (3, 0)] {
        let p = w
            .svc
            .list_reports(
                &cg,
                &w.client,
                ReportFilter {
                    page,
                    per_page: 2,
                    ..Default::default()
                },
            )
            .await
            .expect("page")
            .into_inner();
        assert_eq!((p.items.len(), p.total), (items, 3), "page {page}");
    }
}

#[tokio::test]
async fn guessing_another_clients_report_is_not_found_and_audited_as_denied() {
    let w = world().await;
    let other_cg = staff_ctx(&w.other_team_caregiver);
    let theirs = w
        .svc
        .create_report(&other_cg, &w.other_client, report("Van een ander.", true))
        .await
        .expect("r");
    w.svc
        .finalise_report(&other_cg, &theirs, 1)
        .await
        .expect("final");
    let me = client_ctx(&w.client);
    assert!(matches!(
        w.svc.report(&me, &theirs).await,
        Err(ServiceError::NotFound)
    ));
    // Staff of another team: the same.
    assert!(matches!(
        w.svc.report(&staff_ctx(&w.caregiver), &theirs).await,
        Err(ServiceError::NotFound)
    ));
    let log = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                client_id: Some(w.other_client.to_string()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    let denied: Vec<_> = log.iter().filter(|e| e.outcome == "denied").collect();
    assert_eq!(denied.len(), 2, "{log:#?}");
    assert!(denied
        .iter()
        .any(|e| e.actor_id == w.client.to_string()
            && e.reason.as_deref() == Some("not_own_dossier")));
    assert!(denied.iter().any(
        |e| e.actor_id == w.caregiver.to_string() && e.reason.as_deref() == Some("not_in_team")
    ));
}

/// Issue 16, item 1: on SQLite a write transaction holds the one write
/// lock, so an audit search over millions of events inside one held up
/// every other read's audit event (Rapportages p99 20x, `scripts/bench`
/// step S). The search reads in a snapshot; its own event still reaches
/// the trail, through the audit writer.
#[tokio::test]
async fn an_audit_search_takes_no_write_transaction_and_is_itself_recorded() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let q = || inzage_service::AuditQuery {
        limit: 20,
        ..Default::default()
    };
    let before = w.svc.write_generation();
    let first = w
        .svc
        .search_audit(&cli, q())
        .await
        .expect("audit")
        .into_inner();
    assert!(!first.is_empty());
    assert_eq!(
        w.svc.write_generation(),
        before,
        "the search committed a write transaction"
    );
    let second = w
        .svc
        .search_audit(&cli, q())
        .await
        .expect("audit")
        .into_inner();
    assert!(
        second
            .iter()
            .any(|e| e.data_kind == "audit_log" && e.action == "list" && e.actor_id == "cli"),
        "the first search is in the trail: {second:#?}"
    );
}

/// ADR 0025: the audit search reads the trail in slices, each in a
/// snapshot of its own (so a long search does not hold SQLite's
/// checkpoint back). Slices of two events give the same lines, newest
/// first, as one slice over everything, and the limit holds across them.
#[tokio::test]
async fn an_audit_search_in_small_slices_finds_what_one_slice_finds() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let q = |limit: i64| inzage_service::AuditQuery {
        limit,
        ..Default::default()
    };
    let whole = w
        .svc
        .clone()
        .with_settings(inzage_service::ServiceSettings {
            audit_search_slice: 1_000_000,
            ..w.svc.settings().clone()
        });
    let sliced = w
        .svc
        .clone()
        .with_settings(inzage_service::ServiceSettings {
            audit_search_slice: 2,
            ..w.svc.settings().clone()
        });
    let ids = |v: Vec<inzage_service::AuditLine>| v.into_iter().map(|l| l.seq).collect::<Vec<_>>();
    let one = ids(whole
        .search_audit(&cli, q(10_000))
        .await
        .expect("one")
        .into_inner());
    assert!(
        one.len() > 6,
        "enough events to need several slices: {}",
        one.len()
    );
    let many = ids(sliced
        .search_audit(&cli, q(10_000))
        .await
        .expect("many")
        .into_inner());
    // The first search's own event is newer than everything the second
    // reads as well; compare what both saw.
    let many: Vec<i64> = many.into_iter().filter(|s| one.contains(s)).collect();
    assert_eq!(many, one);
    assert!(one.windows(2).all(|p| p[0] > p[1]), "newest first");
    let five = ids(sliced
        .search_audit(&cli, q(5))
        .await
        .expect("five")
        .into_inner());
    assert_eq!(five.len(), 5, "the limit holds across slices");
    assert!(five.windows(2).all(|p| p[0] > p[1]));
}

#[tokio::test]
async fn functional_admin_reads_no_dossier_and_denial_is_reported() {
    let w = world().await;
    let r = w.svc.client_profile(&staff_ctx(&w.admin), &w.client).await;
    assert!(
        matches!(r, Err(ServiceError::Denied(DenyReason::NotInTeam))),
        "{r:?}"
    );
    // But settings are theirs to change.
    let settings = OrgSettings {
        grace_days_after_discharge: 14,
        ..OrgSettings::default()
    };
    w.svc
        .update_organisation_settings(&staff_ctx(&w.admin), &w.org, settings)
        .await
        .expect("settings");
    // And a caregiver may not.
    let r = w
        .svc
        .update_organisation_settings(&staff_ctx(&w.caregiver), &w.org, OrgSettings::default())
        .await;
    assert!(matches!(
        r,
        Err(ServiceError::Denied(DenyReason::RoleLacksPermission))
    ));
}

#[tokio::test]
async fn portal_access_follows_discharge_and_grace_days() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let me = client_ctx(&w.client);
    let today = local_date(w.clock.now_for_test());
    w.svc
        .end_episode(&cg, &w.client, today - Duration::days(10))
        .await
        .expect("discharge");
    assert!(w.svc.client_profile(&me, &w.client).await.is_ok());
    w.clock.advance(Duration::days(20));
    let r = w.svc.client_profile(&me, &w.client).await;
    assert!(
        matches!(r, Err(ServiceError::Denied(DenyReason::PortalAccessEnded))),
        "{r:?}"
    );
    // Staff keep their access to the record.
    assert!(w.svc.client_profile(&cg, &w.client).await.is_ok());
}

#[tokio::test]
async fn contact_person_sees_granted_parts_until_revoked() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let (cp, grant) = w
        .svc
        .add_contact_person(
            &cg,
            &w.client,
            NewContactPerson {
                given_name: label("Mila"),
                name_prefix: Some(label("de")),
                family_name: label("Vries"),
                relation: Relation::Mentor,
                email: None,
                mobile: None,
            },
            NewGrant {
                parts: vec![DossierPart::ClientPlan, DossierPart::Appointments],
                valid_from: t0(),
                valid_until: None,
                consent_recorded_by: w.caregiver.clone(),
            },
        )
        .await
        .expect("contact");
    let ctx = Ctx::new(Principal::ContactPerson {
        contact_person_id: cp,
    });
    assert!(w.svc.list_plans(&ctx, &w.client).await.is_ok());
    assert!(w.svc.list_appointments(&ctx, &w.client).await.is_ok());
    let r = w
        .svc
        .list_reports(&ctx, &w.client, ReportFilter::default())
        .await;
    assert!(matches!(
        r,
        Err(ServiceError::Denied(DenyReason::PartNotGranted))
    ));
    let r = w.svc.list_plans(&ctx, &w.other_client).await;
    assert!(matches!(r, Err(ServiceError::Denied(DenyReason::NoGrant))));
    w.svc.revoke_grant(&cg, &grant).await.expect("revoke");
    let r = w.svc.list_plans(&ctx, &w.client).await;
    assert!(
        matches!(r, Err(ServiceError::Denied(DenyReason::GrantNotValid))),
        "{r:?}"
    );
    let net = w
        .svc
        .network(&cg, &w.client)
        .await
        .expect("network")
        .into_inner();
    assert_eq!(net[0].full_name, "Mila de Vries");
    assert!(net[0].grants[0].revoked_at.is_some());
}

#[tokio::test]
async fn correction_is_a_new_version_and_nothing_is_overwritten() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let v1 = w
        .svc
        .create_report(&cg, &w.client, report("Eerste tekst.", true))
        .await
        .expect("r");
    w.svc.finalise_report(&cg, &v1, 1).await.expect("final");
    let v2 = w
        .svc
        .correct_report(&cg, &v1, report("Verbeterde tekst.", true))
        .await
        .expect("correct");
    // Correcting the old version again is refused.
    assert!(matches!(
        w.svc.correct_report(&cg, &v1, report("x", true)).await,
        Err(ServiceError::Stale)
    ));
    let me = client_ctx(&w.client);
    let page = w
        .svc
        .list_reports(
            &me,
            &w.client,
            ReportFilter {
                page: 1,
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .into_inner();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, v2);
    assert!(page.items[0].corrected);
    assert_eq!(page.items[0].body, "Verbeterde tekst.");
    // The client cannot open the old version; staff see the history.
    assert!(matches!(
        w.svc.report(&me, &v1).await,
        Err(ServiceError::NotFound)
    ));
    let hist = w
        .svc
        .report_history(&cg, &page.items[0].series_id)
        .await
        .expect("history")
        .into_inner();
    assert_eq!(
        hist.iter().map(|r| r.body.as_str()).collect::<Vec<_>>(),
        vec!["Eerste tekst.", "Verbeterde tekst."]
    );
}

#[tokio::test]
async fn drafts_become_final_after_the_period_keeping_the_author() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let id = w
        .svc
        .create_report(&cg, &w.client, report("Automatisch definitief.", true))
        .await
        .expect("r");
    let runner = Runner::new(w.svc.clone(), "test");
    w.clock.advance(Duration::hours(23) + Duration::minutes(59));
    assert_eq!(runner.run_once().await.expect("tick"), Tick::Idle);
    let me = client_ctx(&w.client);
    assert!(matches!(
        w.svc.report(&me, &id).await,
        Err(ServiceError::NotFound)
    ));
    w.clock.advance(Duration::minutes(1));
    assert!(matches!(
        runner.run_once().await.expect("tick"),
        Tick::Done { .. }
    ));
    let r = w
        .svc
        .report(&me, &id)
        .await
        .expect("visible now")
        .into_inner();
    assert_eq!(r.status, DocStatus::Final);
    assert_eq!(r.author_id, w.caregiver);
    assert_eq!(r.author_name, "Sam bakker");
    assert_eq!(
        r.finalised_by.as_deref(),
        Some("system:job:finalise_reports")
    );
    let log = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                client_id: Some(w.client.to_string()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    assert!(log.iter().any(|e| e.action == "finalise"
        && e.actor_kind == "system"
        && e.actor_id == "job:finalise_reports"));
}

#[tokio::test]
async fn a_longer_period_set_later_reschedules_the_job() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    let id = w
        .svc
        .create_report(&cg, &w.client, report("Later.", true))
        .await
        .expect("r");
    let s = OrgSettings {
        finalise_after_hours: 48,
        ..OrgSettings::default()
    };
    w.svc
        .update_organisation_settings(&Ctx::system("cli"), &w.org, s)
        .await
        .expect("settings");
    w.clock.advance(Duration::hours(25));
    let runner = Runner::new(w.svc.clone(), "test");
    assert!(matches!(
        runner.run_once().await.expect("tick"),
        Tick::Rescheduled { .. }
    ));
    assert!(w.svc.report(&client_ctx(&w.client), &id).await.is_err());
    w.clock.advance(Duration::hours(24));
    assert!(matches!(
        runner.run_once().await.expect("tick"),
        Tick::Done { .. }
    ));
    assert!(w.svc.report(&client_ctx(&w.client), &id).await.is_ok());
}

#[tokio::test]
async fn two_runners_never_run_one_job_twice() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    for n in 0..40 {
        w.svc
            .create_report(&cg, &w.client, report(&format!("Rapport {n}"), true))
            .await
            .expect("r");
    }
    w.clock.advance(Duration::hours(25));
    // A second pool, as a second `inzage serve` process would have.
    let db2 = w._db.second_pool().await;
    let svc2 = Services::new(db2, std::sync::Arc::new(w.clock.clone()), w._db.dir.path());
    let r1 = Runner::new(w.svc.clone(), "one");
    let r2 = Runner::new(svc2, "two");
    let (a, b) = tokio::join!(r1.run_until_idle(), r2.run_until_idle());
    let (a, b) = (a.expect("r1"), b.expect("r2"));
    let done = |ts: &Vec<Tick>| ts.iter().filter(|t| matches!(t, Tick::Done { .. })).count();
    assert_eq!(
        done(&a) + done(&b),
        40,
        "each job exactly once: {} + {}",
        done(&a),
        done(&b)
    );
    let stats = w.svc.job_stats().await.expect("stats");
    assert_eq!((stats.done, stats.queued, stats.running), (40, 0, 0));
    let mut ids: Vec<String> = a
        .iter()
        .chain(b.iter())
        .filter_map(|t| match t {
            Tick::Done { job_id, .. } => Some(job_id.clone()),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
}

#[tokio::test]
async fn audit_verify_passes_clean_and_finds_a_changed_row() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    for _ in 0..3 {
        w.svc
            .client_profile(&cg, &w.client)
            .await
            .expect("read")
            .into_inner();
    }
    let clean = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(clean.intact, "{clean:?}");
    assert!(clean.events >= 10);
    w._db
        .exec_raw("UPDATE audit_event SET actor_id = 'someone-else' WHERE seq = 4")
        .await;
    let broken = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(!broken.intact);
    assert_eq!(broken.broken_at_seq, Some(4));
    // Rewritten consistently (every hash recomputed), the chain alone
    // looks intact again: that is why anchors exist (`inzage audit anchor`,
    // crates/cli/tests/cli.rs::audit_anchor_detects_a_rewritten_log).
    w._db.forge_audit_chain(4, "read").await;
    assert!(w.svc.verify_audit_chain(None).await.expect("verify").intact);
}

#[tokio::test]
async fn audit_verify_finds_a_removed_last_event() {
    let w = world().await;
    w._db
        .exec_raw("DELETE FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event)")
        .await;
    let r = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(!r.intact);
    assert!(r.problem.unwrap_or_default().contains("head"));
}

#[tokio::test]
async fn staff_in_team_writes_and_duplicates_are_clear_conflicts() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let dup = NewClient {
        client_number: ClientNumber::parse("C-1").expect("n"),
        given_name: label("A"),
        name_prefix: None,
        family_name: label("B"),
        birth_date: BirthDate::parse("01-01-2000", t0().date_naive()).expect("bd"),
        street: None,
        house_number: None,
        postal_code: None,
        city: None,
        email: None,
        mobile: None,
        team_id: Some(w.team_a.clone()),
        primary_caregiver_id: None,
    };
    let r = w.svc.create_client(&cli, &w.org, dup, None).await;
    assert!(
        matches!(&r, Err(ServiceError::Taken("client_number"))),
        "{r:?}"
    );
}

#[tokio::test]
async fn who_looked_groups_repeats_per_day_and_hides_denied_attempts() {
    let w = world().await;
    let cg = staff_ctx(&w.caregiver);
    for _ in 0..3 {
        w.svc
            .client_profile(&cg, &w.client)
            .await
            .expect("read")
            .into_inner();
    }
    let me = client_ctx(&w.client);
    w.svc
        .list_reports(
            &me,
            &w.client,
            ReportFilter {
                page: 1,
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .into_inner();
    // Another client's guess is denied and must not appear (nor their name).
    let other = client_ctx(&w.other_client);
    assert!(w.svc.client_profile(&other, &w.client).await.is_err());
    let today = local_date(w.clock.now_for_test());
    let lines = w
        .svc
        .who_looked(&me, &w.client, today, today)
        .await
        .expect("who looked")
        .into_inner();
    let staff_line = lines
        .iter()
        .find(|l| matches!(&l.who, Who::Staff { name, .. } if name.starts_with("Sam")))
        .expect("staff line");
    assert_eq!(
        (staff_line.subject, staff_line.verb, staff_line.count),
        (Subject::Part(DossierPart::Profile), Verb::Viewed, 3)
    );
    assert!(
        lines.iter().any(|l| l.who == Who::Yourself
            && l.subject == Subject::Part(DossierPart::Reports)
            && l.verb == Verb::Viewed
            && l.count == 1),
        "{lines:?}"
    );
    // The other client's denied read would show up as an unknown viewer.
    assert!(
        lines
            .iter()
            .all(|l| l.who != Who::System || l.verb != Verb::Viewed),
        "no other client: {lines:?}"
    );
    // Yesterday is empty.
    let yesterday = today - Duration::days(1);
    assert!(w
        .svc
        .who_looked(&me, &w.client, yesterday, yesterday)
        .await
        .expect("who")
        .into_inner()
        .is_empty());
    // A caregiver cannot open the client's own view.
    assert!(w
        .svc
        .who_looked(&cg, &w.client, today, today)
        .await
        .is_err());
}

#[tokio::test]
async fn many_concurrent_reads_share_a_small_pool_and_each_is_audited() {
    // A read closes its transaction before it records its event, so it
    // never holds two pooled connections: 24 reads at once on a pool of 4
    // (8 on PostgreSQL) all finish, allowed and denied alike.
    let w = world().await;
    let me = client_ctx(&w.client);
    let other = client_ctx(&w.other_client);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let svc = w.svc.clone();
        let ctx = if i % 3 == 0 {
            other.clone()
        } else {
            me.clone()
        };
        let client = w.client.clone();
        tasks.push(tokio::spawn(async move {
            svc.client_profile(&ctx, &client).await.is_ok()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if t.await.expect("task") {
            allowed += 1;
        }
    }
    assert_eq!(
        allowed, 16,
        "the client's own reads succeed, the others' are refused"
    );
    let count = |actor: &ClientId, outcome: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'profile' AND actor_id = '{actor}' \
             AND outcome = '{outcome}'"
        )
    };
    assert_eq!(w._db.scalar(&count(&w.client, "allowed")).await, 16);
    assert_eq!(w._db.scalar(&count(&w.other_client, "denied")).await, 8);
    // Written in groups, the chain is still whole and gap-free.
    let report = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(report.intact, "{report:?}");
}

#[tokio::test]
async fn my_clients_lists_the_own_teams_clients_own_first_and_searches() {
    let w = world().await;
    let cli = Ctx::system("cli");
    // A second client in team A whose persoonlijk begeleider is the caregiver.
    let mut mine = NewClient {
        client_number: ClientNumber::parse("C-3").expect("num"),
        given_name: label("Zara"),
        name_prefix: Some(label("van")),
        family_name: label("Zanten"),
        birth_date: BirthDate::parse("01-02-1980", t0().date_naive()).expect("bd"),
        street: None,
        house_number: None,
        postal_code: None,
        city: None,
        email: None,
        mobile: None,
        team_id: Some(w.team_a.clone()),
        primary_caregiver_id: None,
    };
    mine.primary_caregiver_id = Some(w.caregiver.clone());
    let zara = w
        .svc
        .create_client(&cli, &w.org, mine, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    let cg = staff_ctx(&w.caregiver);
    let list = w.svc.my_clients(&cg, "").await.expect("list").into_inner();
    let ids: Vec<_> = list.iter().map(|c| c.id.clone()).collect();
    // Own client first (although Z sorts last), then the team; not team B.
    assert_eq!(ids, vec![zara.clone(), w.client.clone()]);
    assert!(list[0].mine && !list[1].mine);
    assert_eq!(list[0].name, "Zanten, Zara van");
    // Search by part of a name, by client number, case-insensitive;
    // wildcards typed by the user are plain characters.
    let by = |q: &'static str| {
        let svc = w.svc.clone();
        let cg = cg.clone();
        async move {
            svc.my_clients(&cg, q)
                .await
                .expect("search")
                .into_inner()
                .into_iter()
                .map(|c| c.client_number)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by("zant").await, vec!["C-3"]);
    assert_eq!(by("c-1").await, vec!["C-1"]);
    // Every word must match, in any order, accents and case folded.
    assert_eq!(by("Zara van").await, vec!["C-3"]);
    assert_eq!(by("ZÄRA ZÁNTEN").await, vec!["C-3"]);
    assert_eq!(by("Zara Visser").await, Vec::<String>::new());
    assert_eq!(by("zara zanten").await, vec!["C-3"]);
    assert_eq!(by("%").await, Vec::<String>::new());
    // The other team's caregiver sees only their own team.
    let other = w
        .svc
        .my_clients(&staff_ctx(&w.other_team_caregiver), "")
        .await
        .expect("other")
        .into_inner();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].id, w.other_client);
    // A functional administrator has no client list, and the refusal is audited.
    let r = w.svc.my_clients(&staff_ctx(&w.admin), "").await;
    assert!(matches!(r, Err(ServiceError::Denied(_))), "{r:?}");
    let denied = w
        ._db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'client_list' AND outcome = 'denied' \
             AND actor_id = '{}'",
            w.admin
        ))
        .await;
    assert_eq!(denied, 1);
    let listed = w
        ._db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'client_list' AND outcome = 'allowed' \
             AND actor_id = '{}'",
            w.caregiver
        ))
        .await;
    assert_eq!(listed, 8, "one event per list");
}

/// The authorization matrix of the staff workspace: every staff role x a
/// client of their own team / of another team x every read and write a
/// client page offers -> allowed or denied, as written out here (the
/// expectation is this table, not the policy code). A denial carries no
/// data (it is an error value) and is audited.
#[tokio::test]
async fn staff_authorization_matrix() {
    let w = world().await;
    let cli = Ctx::system("cli");
    const ACTIONS: [&str; 14] = [
        "header",
        "profile",
        "plans",
        "reports",
        "appointments",
        "documents",
        "network",
        "portal_access",
        "write_report",
        "add_contact",
        "stop_portal",
        "plan_appointment",
        "end_episode",
        "upload_document",
    ];
    // 1 = allowed for a client of the member's own team.
    #[rustfmt::skip]
    let table: [(Role, [u8; 14]); 6] = [
        (Role::Caregiver,        [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1]),
        (Role::PrimaryCaregiver, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (Role::Practitioner,     [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1]),
        (Role::Secretariat,      [1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0]),
        (Role::FunctionalAdmin,  [0; 14]),
        (Role::PrivacyOfficer,   [0; 14]),
    ];
    let mut day = 0;
    for (n, (role, row)) in table.iter().enumerate() {
        let member = w
            .svc
            .create_staff(
                &cli,
                &w.org,
                NewStaff {
                    given_name: label("Rol"),
                    name_prefix: None,
                    family_name: label(role.code()),
                    email: Email::parse(&format!("rol{n}@zorg.nl")).expect("email"),
                    mobile: None,
                    roles: vec![*role],
                    team_ids: vec![w.team_a.clone()],
                },
            )
            .await
            .expect("staff");
        let ctx = staff_ctx(&member);
        for (client, own) in [(&w.client, true), (&w.other_client, false)] {
            for (i, action) in ACTIONS.iter().enumerate() {
                let denied_before = denied_count(&w.svc, client).await;
                let outcome: Result<(), ServiceError> = match *action {
                    "header" => w.svc.staff_client_header(&ctx, client).await.map(drop),
                    "profile" => w.svc.client_profile(&ctx, client).await.map(drop),
                    "plans" => w.svc.list_plans(&ctx, client).await.map(drop),
                    "reports" => w
                        .svc
                        .list_reports(
                            &ctx,
                            client,
                            ReportFilter {
                                page: 1,
                                per_page: 5,
                                ..Default::default()
                            },
                        )
                        .await
                        .map(drop),
                    "appointments" => w.svc.list_appointments(&ctx, client).await.map(drop),
                    "documents" => w.svc.list_documents(&ctx, client).await.map(drop),
                    "network" => w.svc.network(&ctx, client).await.map(drop),
                    "portal_access" => w.svc.portal_access(&ctx, client).await.map(drop),
                    "write_report" => w
                        .svc
                        .create_report(&ctx, client, report("Matrix.", true))
                        .await
                        .map(drop),
                    "add_contact" => w
                        .svc
                        .add_contact_person(
                            &ctx,
                            client,
                            NewContactPerson {
                                given_name: label("Co"),
                                name_prefix: None,
                                family_name: label("Persoon"),
                                relation: Relation::Family,
                                email: None,
                                mobile: None,
                            },
                            NewGrant {
                                parts: vec![DossierPart::Appointments],
                                valid_from: t0(),
                                valid_until: None,
                                consent_recorded_by: member.clone(),
                            },
                        )
                        .await
                        .map(drop),
                    "stop_portal" => {
                        let r = w.svc.set_portal_stopped(&ctx, client, true).await;
                        if r.is_ok() {
                            w.svc
                                .set_portal_stopped(&ctx, client, false)
                                .await
                                .expect("restart");
                        }
                        r
                    }
                    "plan_appointment" => w
                        .svc
                        .create_appointment(
                            &ctx,
                            client,
                            inzage_service::care::NewAppointment {
                                starts_at: t0() + Duration::days(1),
                                ends_at: t0() + Duration::days(1) + Duration::minutes(30),
                                practitioner: member.clone(),
                                place: label("Kamer 1"),
                                description: Text::parse("d", "Gesprek", 100).expect("text"),
                            },
                        )
                        .await
                        .map(drop),
                    "end_episode" => {
                        // Each discharge a day after the last re-admission.
                        day += 2;
                        let end = t0().date_naive() + Duration::days(day);
                        let r = w.svc.end_episode(&ctx, client, end).await.map(drop);
                        if r.is_ok() {
                            w.svc
                                .start_episode(&cli, client, end + Duration::days(1))
                                .await
                                .expect("restart");
                        }
                        r
                    }
                    "upload_document" => {
                        let mut up = w.svc.begin_upload(1 << 20).await.expect("upload");
                        up.write(b"%PDF-1.4\n%%EOF\n").await.expect("write");
                        w.svc
                            .upload_document(
                                &ctx,
                                client,
                                inzage_service::care::NewDocument {
                                    title: label("Verslag"),
                                    doc_type: label("Verslag"),
                                    doc_date: t0().date_naive(),
                                    visible_to_client: true,
                                    content: up.finish().await.expect("finish"),
                                },
                            )
                            .await
                            .map(drop)
                    }
                    other => panic!("unknown action {other}"),
                };
                let expected = own && row[i] == 1;
                match (&outcome, expected) {
                    (Ok(()), true) => {}
                    (Err(ServiceError::Denied(_)), false) => {
                        assert!(
                            denied_count(&w.svc, client).await > denied_before,
                            "{role:?} {action} own={own}: denial audited"
                        );
                    }
                    _ => panic!(
                        "{role:?} {action} own={own}: expected allowed={expected}, got {outcome:?}"
                    ),
                }
            }
        }
    }
}

async fn denied_count(svc: &Services, client: &ClientId) -> usize {
    svc.search_audit(
        &Ctx::system("cli"),
        inzage_service::AuditQuery {
            client_id: Some(client.to_string()),
            actor_id: None,
            limit: 10_000,
            ..Default::default()
        },
    )
    .await
    .expect("audit")
    .into_inner()
    .iter()
    .filter(|e| e.outcome == "denied")
    .count()
}

/// The per-request facts memo (ADR 0010): a request's reads reuse the
/// client's facts, and any write this process commits makes them stale.
#[tokio::test]
async fn request_facts_are_reused_until_a_write() {
    let w = world().await;
    let client = Ctx::new(Principal::Client {
        client_id: w.client.clone(),
    });
    let new_request = || {
        client
            .clone()
            .with_facts(&inzage_service::RequestFacts::for_tests())
    };
    let request = new_request();
    w.svc
        .client_profile(&request, &w.client)
        .await
        .expect("first read loads the facts")
        .into_inner();

    // A change outside any service write (a tampering operator) is not
    // seen by this request's memo, but by a fresh context at once: the memo
    // really serves the facts.
    w._db.exec_raw("UPDATE client SET portal_stopped = 1").await;
    assert!(w.svc.client_profile(&request, &w.client).await.is_ok());
    assert!(w.svc.client_profile(&client, &w.client).await.is_err());
    w._db.exec_raw("UPDATE client SET portal_stopped = 0").await;

    // A service write (here: staff stop the client's portal) makes every
    // memoised fact stale: the same request is refused at once.
    let request = new_request();
    w.svc
        .client_profile(&request, &w.client)
        .await
        .expect("allowed before the stop")
        .into_inner();
    w.svc
        .set_portal_stopped(&staff_ctx(&w.caregiver), &w.client, true)
        .await
        .expect("stop");
    let after = w.svc.client_profile(&request, &w.client).await;
    assert!(
        matches!(after, Err(ServiceError::Denied(_) | ServiceError::NotFound)),
        "{after:?}"
    );
}

#[tokio::test]
async fn with_one_organisation_its_privacy_officer_sees_unnamed_sign_in_attempts() {
    let w = world().await;
    let po = w
        .svc
        .create_staff(
            &Ctx::system("cli"),
            &w.org,
            NewStaff {
                given_name: label("Pim"),
                name_prefix: None,
                family_name: label("Privacy"),
                email: Email::parse("privacy@zorg.nl").expect("email"),
                mobile: None,
                roles: vec![Role::PrivacyOfficer],
                team_ids: vec![],
            },
        )
        .await
        .expect("privacy officer");
    w.svc
        .login(
            "onbekend@example.nl",
            "geraden",
            false,
            None,
            Some("192.0.2.55"),
        )
        .await
        .expect("login");
    let search = |ctx: Ctx| {
        let svc = w.svc.clone();
        async move {
            svc.search_audit(
                &ctx,
                inzage_service::AuditQuery {
                    limit: 100,
                    action: Some("login".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("search")
            .into_inner()
            .into_iter()
            .filter(|l| l.actor_kind == "anonymous")
            .count()
        }
    };
    // The installation's one organisation: nothing in the attempt points
    // outside it, so its privacy officer sees it.
    assert_eq!(search(staff_ctx(&po)).await, 1);
    // A second organisation arrives: from now on only the operator does.
    w.svc
        .create_organisation(&Ctx::system("cli"), label("Ander"), OrgSettings::default())
        .await
        .expect("second organisation");
    assert_eq!(search(staff_ctx(&po)).await, 0);
    assert_eq!(search(Ctx::system("cli")).await, 1);
}

/// ADR 0025: a statement in the slow lane does not hold up the runtime.
/// Two long SQLite statements run on a runtime of two workers; a short
/// task started after them finishes before either when they are in the
/// slow lane, and only after one of them when they are not (each occupies
/// a worker). Ordering, not timing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_statement_in_the_slow_lane_does_not_hold_up_other_tasks() {
    if inzage_service::testing::backend_is_postgres() {
        return; // PostgreSQL statements never run on a runtime worker.
    }
    let db = std::sync::Arc::new(TestDb::migrated().await);
    // A SELECT, so each runs on a reader connection of its own.
    const LONG: &str = "SELECT COUNT(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT x FROM c)";
    for slow in [false, true] {
        let order = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let mut long = Vec::new();
        for _ in 0..2 {
            let (db, order, started) = (db.clone(), order.clone(), started_tx.clone());
            long.push(tokio::spawn(async move {
                started.send(()).expect("started");
                let n = if slow {
                    db.scalar_slow(LONG).await
                } else {
                    db.scalar(LONG).await
                };
                assert_eq!(n, 3_000_000);
                order.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            }));
        }
        started_rx.recv().expect("one");
        started_rx.recv().expect("two");
        // Give both a moment to enter SQLite (yield, not sleep: ordering
        // below does not depend on it).
        for _ in 0..100 {
            std::thread::yield_now();
        }
        let o = order.clone();
        let short =
            tokio::spawn(async move { o.fetch_add(1, std::sync::atomic::Ordering::SeqCst) })
                .await
                .expect("short");
        let mut finished = Vec::new();
        for l in long {
            finished.push(l.await.expect("long"));
        }
        if slow {
            assert_eq!(short, 0, "the short task went first: {finished:?}");
        } else {
            assert!(short >= 1, "without the slow lane it waited: {finished:?}");
        }
    }
}
