//! The world of the security suite and the matrices: two organisations in
//! one installation, with every kind of principal.
use chrono::{NaiveDate, TimeZone, Utc};
use inzage_core::ids::*;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::{NewStaff, OrgSettings};
use inzage_service::testing::TestDb;
use inzage_service::writes::*;
use inzage_service::{Ctx, Services};
use inzage_web::{router, WebConfig};
use std::collections::BTreeMap;

use super::{outbox_texts, sign_in, Browser};

pub const PASSWORD: &str = "paarse olifant danst";

pub fn label(s: &str) -> Label {
    Label::parse("test", s).expect("label")
}

/// Two organisations in one installation. Zorg: team A (Anna, persoonlijk
/// begeleider; client Aisha with her own account and her mentor Vera),
/// team B (Bob, persoonlijk begeleider; client Bram). Ander: team X (Olga,
/// persoonlijk begeleider; client Otto).
pub struct World {
    pub db: TestDb,
    pub svc: Services,
    pub pacer: std::sync::Arc<inzage_service::pacing::RecordingPacer>,
    pub clock: FixedClock,
    pub aisha: ClientId,
    pub bram: ClientId,
    pub otto: ClientId,
    pub vera: ContactPersonId,
    pub zorg: OrganisationId,
    pub team_a: TeamId,
    pub anna: StaffId,
}

pub async fn staff(
    svc: &Services,
    org: &OrganisationId,
    name: &str,
    (email, mobile): (&str, &str),
    roles: Vec<Role>,
    teams: Vec<TeamId>,
) -> StaffId {
    let cli = Ctx::system("cli");
    let id = svc
        .create_staff(
            &cli,
            org,
            NewStaff {
                given_name: label(name),
                name_prefix: None,
                family_name: label("Test"),
                email: Email::parse(email).expect("email"),
                mobile: Some(MobileNumber::parse(mobile).expect("mobile")),
                roles,
                team_ids: teams,
            },
        )
        .await
        .expect("staff");
    svc.provision_account(&cli, InviteTarget::Staff(id.clone()), PASSWORD)
        .await
        .expect("account");
    id
}

pub async fn client(
    svc: &Services,
    org: &OrganisationId,
    number: &str,
    name: &str,
    (email, mobile): (&str, &str),
    team: &TeamId,
) -> ClientId {
    let cli = Ctx::system("cli");
    let mut c = inzage_service::testing::client(number, Some(email), Some(mobile), team);
    c.given_name = label(name);
    let id = svc
        .create_client(&cli, org, c, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    svc.provision_account(&cli, InviteTarget::Client(id.clone()), PASSWORD)
        .await
        .expect("client account");
    id
}

pub async fn world() -> World {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let (svc, pacer) = db.services_with_pacer(&clock);
    let cli = Ctx::system("cli");
    let settings = OrgSettings {
        staff_sms_allowed: true,
        ..OrgSettings::default()
    };
    let (zorg, team_a) =
        inzage_service::testing::organisation(&svc, "Zorg", settings.clone()).await;
    let oost = svc
        .create_location(&cli, &zorg, label("Oost"))
        .await
        .expect("location");
    let team_b = svc
        .create_team(&cli, &oost, label("Team B"))
        .await
        .expect("team");
    let (ander, team_x) = inzage_service::testing::organisation(&svc, "Ander", settings).await;
    let anna = staff(
        &svc,
        &zorg,
        "Anna",
        ("anna@zorg.nl", "0611111111"),
        vec![Role::PrimaryCaregiver],
        vec![team_a.clone()],
    )
    .await;
    staff(
        &svc,
        &zorg,
        "Bob",
        ("bob@zorg.nl", "0622222222"),
        vec![Role::PrimaryCaregiver],
        vec![team_b.clone()],
    )
    .await;
    staff(
        &svc,
        &ander,
        "Olga",
        ("olga@ander.nl", "0633333333"),
        vec![Role::PrimaryCaregiver],
        vec![team_x.clone()],
    )
    .await;
    staff(
        &svc,
        &zorg,
        "Pieter",
        ("pieter@zorg.nl", "0655555551"),
        vec![Role::PrivacyOfficer],
        vec![],
    )
    .await;
    staff(
        &svc,
        &ander,
        "Paula",
        ("paula@ander.nl", "0655555552"),
        vec![Role::PrivacyOfficer],
        vec![],
    )
    .await;
    for (name, email, mobile) in [
        ("Ria", "ria@zorg.nl", "0644444441"),
        ("Fred", "fred@zorg.nl", "0644444442"),
        ("Gert", "gert@zorg.nl", "0644444443"),
    ] {
        staff(
            &svc,
            &zorg,
            name,
            (email, mobile),
            vec![Role::FunctionalAdmin],
            vec![],
        )
        .await;
    }
    let aisha = client(
        &svc,
        &zorg,
        "C-1",
        "Aisha",
        ("aisha@example.nl", "0612345601"),
        &team_a,
    )
    .await;
    let bram = client(
        &svc,
        &zorg,
        "C-2",
        "Bram",
        ("bram@example.nl", "0612345602"),
        &team_b,
    )
    .await;
    let otto = client(
        &svc,
        &ander,
        "X-1",
        "Otto",
        ("otto@example.nl", "0612345603"),
        &team_x,
    )
    .await;
    let (vera, _) = svc
        .add_contact_person(
            &cli,
            &aisha,
            NewContactPerson {
                given_name: label("Vera"),
                name_prefix: None,
                family_name: label("Mentor"),
                relation: Relation::Mentor,
                email: Some(Email::parse("vera@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612340001").expect("m")),
            },
            NewGrant {
                parts: vec![DossierPart::Reports, DossierPart::Profile],
                valid_from: clock.now_for_test() - chrono::Duration::days(1),
                valid_until: None,
                consent_recorded_by: anna.clone(),
            },
        )
        .await
        .expect("vera");
    svc.provision_account(&cli, InviteTarget::ContactPerson(vera.clone()), PASSWORD)
        .await
        .expect("vera's account");
    World {
        db,
        svc,
        pacer,
        clock,
        aisha,
        bram,
        otto,
        vera,
        zorg,
        team_a,
        anna,
    }
}

impl World {
    pub fn browser(&self) -> Browser {
        Browser {
            app: router(self.svc.clone(), WebConfig::default()),
            jar: BTreeMap::new(),
        }
    }
    pub fn outbox(&self) -> std::path::PathBuf {
        self.db.dir.path().join("outbox")
    }
    pub async fn signed_in(&self, email: &str) -> Browser {
        let mut b = self.browser();
        let to = sign_in(&mut b, &self.svc, &self.outbox(), email, PASSWORD).await;
        assert!(to.is_some(), "signed in as {email}");
        b
    }
    pub async fn deliver(&self) -> Vec<String> {
        inzage_service::jobs::Runner::new(self.svc.clone(), "t")
            .run_until_idle()
            .await
            .expect("jobs");
        outbox_texts(&self.outbox())
    }
}

/// The ids the authorization matrix puts into the routes' paths.
pub struct Items {
    pub plan: String,
    pub section: String,
    pub draft_plan: String,
    pub draft_section: String,
    pub report: String,
    pub draft_report: String,
    pub appointment: String,
    pub document: String,
    pub document_to_remove: String,
    pub revoked_grant: String,
    pub staff_request: String,
    pub link: String,
    pub staff_member: String,
    /// Aisha's addition to her personal data (issue 15).
    pub dossier_request: String,
    /// Aisha's question to her team (issue 15).
    pub question: String,
    /// Aisha's afschrift, made (issue 15).
    pub afschrift: String,
    /// Dora, in team A, whose care ended in 2005: her dossier is past its
    /// retention term (issue 16).
    pub due_client: String,
}

/// Adds a client of `team` whose only episode ended on 2005-06-30 (more
/// than twenty years before the worlds' clock), listed as due.
pub async fn long_discharged_client(w: &World, team: &TeamId, number: &str) -> ClientId {
    let id = svc_client(&w.svc, &w.zorg, number, team).await;
    discharged_on(w, &id, "2005-06-30").await;
    w.svc.review_retention().await.expect("review");
    id
}

/// Moves a client's whole dossier into the past: care from 2001 until
/// `end` (yyyy-mm-dd), every record and change written that day.
pub async fn discharged_on(w: &World, id: &ClientId, end: &str) {
    let at = format!("{end}T12:00:00.000000Z");
    w.db.exec_raw(&format!(
        "UPDATE episode SET start_date = '2001-02-01', end_date = '{end}' WHERE client_id = '{id}'"
    ))
    .await;
    for (table, cols) in [
        ("report", "created_at = '{at}', updated_at = '{at}'"),
        ("document", "created_at = '{at}'"),
        ("plan_version", "created_at = '{at}'"),
        (
            "appointment",
            "created_at = '{at}', updated_at = '{at}', starts_at = '{at}', ends_at = '{at}'",
        ),
        ("client_change", "changed_at = '{at}'"),
        ("dossier_request", "asked_at = '{at}'"),
        ("team_question", "asked_at = '{at}'"),
    ] {
        w.db.exec_raw(&format!(
            "UPDATE {table} SET {} WHERE client_id = '{id}'",
            cols.replace("{at}", &at)
        ))
        .await;
    }
}

async fn svc_client(svc: &Services, org: &OrganisationId, number: &str, team: &TeamId) -> ClientId {
    let cli = Ctx::system("cli");
    let mut c = inzage_service::testing::client(number, None, None, team);
    c.given_name = label("Dora");
    svc.create_client(&cli, org, c, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client")
}

/// [`world`] with what the matrix needs besides: a secretariat member
/// (Kees) and a contact person without the tiles the routes need (Wim,
/// appointments only) in team A, and one of each item in Aisha's dossier.
pub async fn matrix_world() -> (World, Items) {
    use inzage_service::writes::{AppointmentImport, DocumentImport, PlanImport, ReportImport};
    let w = world().await;
    let cli = Ctx::system("cli");
    staff(
        &w.svc,
        &w.zorg,
        "Kees",
        ("kees@zorg.nl", "0666666661"),
        vec![Role::Secretariat],
        vec![w.team_a.clone()],
    )
    .await;
    let now = w.clock.now_for_test();
    let grant = |parts: Vec<DossierPart>| NewGrant {
        parts,
        valid_from: now - chrono::Duration::days(1),
        valid_until: None,
        consent_recorded_by: w.anna.clone(),
    };
    let person = |given: &str, email: &str, mobile: &str| NewContactPerson {
        given_name: label(given),
        name_prefix: None,
        family_name: label("Test"),
        relation: Relation::Family,
        email: Some(Email::parse(email).expect("e")),
        mobile: Some(MobileNumber::parse(mobile).expect("m")),
    };
    let (wim, _) = w
        .svc
        .add_contact_person(
            &cli,
            &w.aisha,
            person("Wim", "wim@example.nl", "0612340002"),
            grant(vec![DossierPart::Appointments]),
        )
        .await
        .expect("wim");
    w.svc
        .provision_account(&cli, InviteTarget::ContactPerson(wim), PASSWORD)
        .await
        .expect("wim's account");
    let (_, old) = w
        .svc
        .add_contact_person(
            &cli,
            &w.aisha,
            person("Oud", "oud@example.nl", "0612340003"),
            grant(vec![DossierPart::Reports]),
        )
        .await
        .expect("old");
    w.svc.revoke_grant(&cli, &old).await.expect("revoke");
    let day = w.clock.now_for_test().date_naive();
    let pdf = |title: &str| DocumentImport {
        title: title.into(),
        doc_type: "Brief".into(),
        doc_date: day,
        content_type: "application/pdf".into(),
        bytes: format!("%PDF-1.4\n% {title}\n%%EOF\n").into_bytes(),
        visible_to_client: true,
        uploaded_by: w.anna.clone(),
    };
    w.svc
        .import_dossier(
            &cli,
            &w.aisha,
            DossierImport {
                plans: vec![PlanImport {
                    plan_date: day - chrono::Duration::days(30),
                    status: DocStatus::Final,
                    created_by: w.anna.clone(),
                    sections: vec![("Wonen".into(), "Zelf koken".into(), "Elke dinsdag".into())],
                }],
                reports: vec![ReportImport {
                    author: w.anna.clone(),
                    author_role: Role::PrimaryCaregiver,
                    category: "Dagrapportage".into(),
                    body: "Goede dag.".into(),
                    status: DocStatus::Final,
                    visible_to_client: true,
                    created_at: now - chrono::Duration::days(2),
                }],
                appointments: vec![AppointmentImport {
                    starts_at: now + chrono::Duration::days(3),
                    ends_at: now + chrono::Duration::days(3) + chrono::Duration::hours(1),
                    practitioner: w.anna.clone(),
                    place: "Kantoor".into(),
                    description: "Gesprek".into(),
                    status: AppointmentStatus::Planned,
                }],
                documents: vec![pdf("Brief"), pdf("Oude brief")],
            },
        )
        .await
        .expect("import");
    let anna = Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let draft_report = w
        .svc
        .create_report(
            &anna,
            &w.aisha,
            NewReport {
                category: label("Dagrapportage"),
                body: Text::parse("body", "Concept.", 20_000).expect("text"),
                visible_to_client: true,
            },
        )
        .await
        .expect("draft");
    let draft_plan = w
        .svc
        .new_plan_version(&anna, &w.aisha, day)
        .await
        .expect("draft plan");
    // Fred asks to make Gert privacy officer: waits for a second admin.
    let fred: String =
        w.db.text("SELECT id FROM staff_member WHERE email = 'fred@zorg.nl'")
            .await;
    let gert = StaffId::from_raw(
        w.db.text("SELECT id FROM staff_member WHERE email = 'gert@zorg.nl'")
            .await,
    );
    w.svc
        .update_staff(
            &Ctx::new(Principal::Staff {
                staff_id: StaffId::from_raw(fred),
            }),
            &gert,
            inzage_service::admin::StaffUpdate {
                roles: vec![Role::FunctionalAdmin, Role::PrivacyOfficer],
                team_ids: vec![],
                active: true,
            },
        )
        .await
        .expect("request");
    // Bob (team B) asks Vera to look along in Bram's dossier.
    let (bram_row, _) = w
        .svc
        .add_contact_person(
            &cli,
            &w.bram,
            person("Vera", "vera@example.nl", "0612340001"),
            grant(vec![DossierPart::Reports]),
        )
        .await
        .expect("bram's vera");
    w.svc
        .invite(&cli, InviteTarget::ContactPerson(bram_row))
        .await
        .expect("link");
    let q = |sql: String| {
        let db = &w.db;
        async move { db.text(&sql).await }
    };
    let a = w.aisha.to_string();
    let aisha_account =
        w.db.text("SELECT id FROM account WHERE email = 'aisha@example.nl'")
            .await;
    let afschrift = w
        .svc
        .ask_afschrift(
            &Ctx::new(Principal::Client {
                client_id: w.aisha.clone(),
            }),
            &aisha_account,
            &w.aisha,
        )
        .await
        .expect("afschrift");
    w.deliver().await;
    let due_client = long_discharged_client(&w, &w.team_a, "C-9")
        .await
        .to_string();
    let items = Items {
        due_client,
        afschrift,
        plan: q(format!(
            "SELECT id FROM plan_version WHERE client_id = '{a}' AND status = 'final'"
        ))
        .await,
        section: q(format!(
            "SELECT s.id FROM plan_section s JOIN plan_version p ON p.id = s.plan_version_id \
             WHERE p.client_id = '{a}' AND p.status = 'final'"
        ))
        .await,
        draft_plan: draft_plan.to_string(),
        draft_section: q(format!(
            "SELECT id FROM plan_section WHERE plan_version_id = '{draft_plan}'"
        ))
        .await,
        report: q(format!(
            "SELECT id FROM report WHERE client_id = '{a}' AND status = 'final'"
        ))
        .await,
        draft_report: draft_report.to_string(),
        appointment: q(format!(
            "SELECT id FROM appointment WHERE client_id = '{a}'"
        ))
        .await,
        document: q(format!(
            "SELECT id FROM document WHERE client_id = '{a}' AND title = 'Brief'"
        ))
        .await,
        document_to_remove: q(format!(
            "SELECT id FROM document WHERE client_id = '{a}' AND title = 'Oude brief'"
        ))
        .await,
        revoked_grant: old.to_string(),
        staff_request: q("SELECT id FROM staff_change_request".into()).await,
        link: q("SELECT id FROM account_link".into()).await,
        staff_member: w.anna.to_string(),
        dossier_request: w
            .svc
            .ask(
                &Ctx::new(Principal::Client {
                    client_id: w.aisha.clone(),
                }),
                &w.aisha,
                inzage_service::requests::RequestKind::Addition,
                inzage_service::requests::RequestAbout::Profile,
                "Mijn eigen woorden.",
            )
            .await
            .expect("request")
            .to_string(),
        question: w
            .svc
            .ask_team(
                &Ctx::new(Principal::Client {
                    client_id: w.aisha.clone(),
                }),
                &w.aisha,
                "Wanneer is de volgende afspraak?",
            )
            .await
            .expect("question")
            .to_string(),
    };
    (w, items)
}
