//! The client portal over HTTP: every tile, the privacy rules (404 for
//! other people's ids, no-store), contact persons' tiles, the tour, the
//! language and bad input. A real database per test, an injected clock.
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
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

mod common;
use common::{hidden, sign_in, Browser, Page};

const PASSWORD: &str = "paarse olifant danst";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

struct World {
    db: TestDb,
    svc: Services,
    clock: FixedClock,
    a: ClientId,
    b: ClientId,
    /// Ids in B's dossier that A must never reach.
    b_report: String,
    b_document: String,
    b_appointment: String,
    b_plan: String,
    /// Items in A's own dossier that A may not see.
    a_draft: String,
    a_hidden: String,
    a_hidden_document: String,
    caregiver: StaffId,
}

fn label(s: &str) -> Label {
    Label::parse("test", s).expect("label")
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
        .single()
        .expect("t")
}

fn dossier(author: &StaffId, reports: usize, tag: &str) -> DossierImport {
    let t = now();
    let mut d = DossierImport {
        plans: vec![PlanImport {
            plan_date: NaiveDate::from_ymd_opt(2026, 10, 1).expect("d"),
            status: DocStatus::Final,
            created_by: author.clone(),
            sections: vec![
                (
                    format!("Wonen {tag}"),
                    "Je doet zelf de was.".into(),
                    "Op maandag ruim je je kamer op.".into(),
                ),
                (
                    format!("Werk {tag}"),
                    "Je werkt 3 dagen.".into(),
                    "Je fietst naar je werk.".into(),
                ),
            ],
        }],
        reports: vec![],
        appointments: vec![
            AppointmentImport {
                starts_at: t + Duration::days(3),
                ends_at: t + Duration::days(3) + Duration::minutes(45),
                practitioner: author.clone(),
                place: format!("Kamer 2, {tag}"),
                description: format!("Gesprek over je plan {tag}"),
                status: AppointmentStatus::Planned,
            },
            AppointmentImport {
                starts_at: t - Duration::days(10),
                ends_at: t - Duration::days(10) + Duration::minutes(30),
                practitioner: author.clone(),
                place: "Kamer 1".into(),
                description: format!("Eerder gesprek {tag}"),
                status: AppointmentStatus::Planned,
            },
            AppointmentImport {
                starts_at: t + Duration::days(5),
                ends_at: t + Duration::days(5) + Duration::minutes(30),
                practitioner: author.clone(),
                place: "Kamer 3".into(),
                description: format!("Afgezegd gesprek {tag}"),
                status: AppointmentStatus::Cancelled,
            },
        ],
        documents: vec![
            DocumentImport {
                title: format!("Verslag {tag}"),
                doc_type: "Verslag".into(),
                doc_date: NaiveDate::from_ymd_opt(2026, 10, 2).expect("d"),
                content_type: "application/pdf".into(),
                bytes: PDF.to_vec(),
                visible_to_client: true,
                uploaded_by: author.clone(),
            },
            DocumentImport {
                title: format!("Intern {tag}"),
                doc_type: "Notitie".into(),
                doc_date: NaiveDate::from_ymd_opt(2026, 10, 3).expect("d"),
                content_type: "application/pdf".into(),
                bytes: PDF.to_vec(),
                visible_to_client: false,
                uploaded_by: author.clone(),
            },
        ],
    };
    for i in 0..reports {
        d.reports.push(ReportImport {
            author: author.clone(),
            author_role: Role::PrimaryCaregiver,
            category: "Dagrapportage".into(),
            body: format!("Rapportage {i} van {tag}. Het ging goed."),
            status: DocStatus::Final,
            visible_to_client: true,
            // One a day, the newest yesterday.
            created_at: t - Duration::days(1 + i as i64),
        });
    }
    d.reports.push(ReportImport {
        author: author.clone(),
        author_role: Role::PrimaryCaregiver,
        category: "Concept".into(),
        body: format!("Concept van {tag}"),
        status: DocStatus::Draft,
        visible_to_client: true,
        created_at: t - Duration::hours(2),
    });
    d.reports.push(ReportImport {
        author: author.clone(),
        author_role: Role::PrimaryCaregiver,
        category: "Intern".into(),
        body: format!("Verborgen van {tag}"),
        status: DocStatus::Final,
        visible_to_client: false,
        created_at: t - Duration::hours(3),
    });
    d
}

async fn world() -> World {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(now());
    let svc = db.services(&clock);
    let cli = Ctx::system("cli");
    let settings = OrgSettings {
        servicedesk_email: Some("servicedesk@zorg.nl".into()),
        servicedesk_phone: Some("085 123 45 67".into()),
        ..OrgSettings::default()
    };
    let (org, team) = inzage_service::testing::organisation(&svc, "Zorg", settings).await;
    let caregiver = svc
        .create_staff(
            &cli,
            &org,
            NewStaff {
                given_name: label("Anna"),
                name_prefix: None,
                family_name: label("Bakker"),
                email: Email::parse("anna@zorg.nl").expect("email"),
                mobile: None,
                roles: vec![Role::PrimaryCaregiver],
                team_ids: vec![team.clone()],
            },
        )
        .await
        .expect("staff");
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("d");
    let mut a_new =
        inzage_service::testing::client("C-1", Some("a@example.nl"), Some("0612345601"), &team);
    a_new.given_name = label("Aisha");
    a_new.family_name = label("Amrani");
    let mut b_new =
        inzage_service::testing::client("C-2", Some("b@example.nl"), Some("0612345602"), &team);
    b_new.given_name = label("Bram");
    b_new.family_name = label("Bos");
    let ids = svc
        .import_clients(
            &cli,
            &org,
            vec![
                ClientImport {
                    client: a_new,
                    episode_start: start,
                    dossier: dossier(&caregiver, 45, "A"),
                },
                ClientImport {
                    client: b_new,
                    episode_start: start,
                    dossier: dossier(&caregiver, 3, "B"),
                },
            ],
        )
        .await
        .expect("import");
    let (a, b) = (ids[0].clone(), ids[1].clone());
    for c in [&a, &b] {
        svc.provision_account(&cli, InviteTarget::Client(c.clone()), PASSWORD)
            .await
            .expect("account");
    }
    // Staff read every id (staff scope includes drafts and hidden items).
    let staff = Ctx::new(Principal::Staff {
        staff_id: caregiver.clone(),
    });
    let all = |c: &ClientId| {
        let c = c.clone();
        let svc = svc.clone();
        let staff = staff.clone();
        async move {
            let reports = svc
                .list_reports(
                    &staff,
                    &c,
                    inzage_service::dossier::ReportFilter {
                        page: 1,
                        per_page: 200,
                        ..Default::default()
                    },
                )
                .await
                .expect("reports")
                .into_inner()
                .items;
            let docs = svc
                .list_documents(&staff, &c)
                .await
                .expect("docs")
                .into_inner();
            let appts = svc
                .list_appointments(&staff, &c)
                .await
                .expect("appts")
                .into_inner();
            let plans = svc
                .list_plans(&staff, &c)
                .await
                .expect("plans")
                .into_inner();
            (reports, docs, appts, plans)
        }
    };
    let (ar, ad, _, _) = all(&a).await;
    let (br, bd, ba, bp) = all(&b).await;
    World {
        a_draft: ar
            .iter()
            .find(|r| r.status == DocStatus::Draft)
            .expect("draft")
            .id
            .to_string(),
        a_hidden: ar
            .iter()
            .find(|r| !r.visible_to_client)
            .expect("hidden")
            .id
            .to_string(),
        a_hidden_document: ad
            .iter()
            .find(|d| d.title.starts_with("Intern"))
            .expect("hidden doc")
            .id
            .to_string(),
        b_report: br[0].id.to_string(),
        b_document: bd[0].id.to_string(),
        b_appointment: ba[0].id.to_string(),
        b_plan: bp[0].id.to_string(),
        db,
        svc,
        clock,
        a,
        b,
        caregiver,
    }
}

impl World {
    fn browser(&self) -> Browser {
        Browser {
            app: router(self.svc.clone(), WebConfig::default()),
            jar: BTreeMap::new(),
        }
    }
    async fn signed_in(&self, email: &str) -> Browser {
        let mut b = self.browser();
        let to = sign_in(
            &mut b,
            &self.svc,
            &self.db.dir.path().join("outbox"),
            email,
            PASSWORD,
        )
        .await;
        assert_eq!(to.as_deref(), Some("/"));
        b
    }
}

fn no_store(p: &Page) {
    assert_eq!(
        p.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..]),
        "no-store missing"
    );
}

/// The first href that starts with `prefix`.
fn link(body: &str, prefix: &str) -> String {
    let pat = format!("href=\"{prefix}");
    let i = body
        .find(&pat)
        .unwrap_or_else(|| panic!("no link {prefix} in {body}"))
        + 6;
    body[i..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn a_client_opens_every_tile_and_sees_their_own_dossier() {
    let w = world().await;
    let mut c = w.signed_in("a@example.nl").await;
    // Start: whose dossier, the seven tiles as links, the tour at step 1.
    let p = c.get("/").await;
    assert_eq!(p.status, StatusCode::OK);
    no_store(&p);
    assert!(p.body.contains("Dossier van Aisha Amrani"), "{}", p.body);
    for (label, href) in [
        ("Mijn gegevens", "/dossier/gegevens"),
        ("Cliëntplan", "/dossier/clientplan"),
        ("Rapportages", "/dossier/rapportages"),
        ("Afspraken", "/dossier/afspraken"),
        ("Documenten", "/dossier/documenten"),
        ("Mijn netwerk", "/dossier/netwerk"),
        ("Wie keek mee", "/dossier/wie-keek-mee"),
    ] {
        assert!(p.body.contains(&format!("href=\"{href}\"")), "{href}");
        assert!(p.body.contains(&format!(">{label}<")), "{label}");
    }
    assert!(p.body.contains("Rondleiding: stap 1 van 10"));

    // Every tile page marks its own tile as current and is never cached.
    for (href, expect) in [
        ("/dossier/gegevens", "C-1"),
        (
            "/dossier/clientplan",
            "Cliëntplan - Amrani, Aisha (01-10-2026) - Cliënt",
        ),
        ("/dossier/rapportages", "45 rapportages"),
        ("/dossier/afspraken", "Gesprek over je plan A"),
        ("/dossier/documenten", "Verslag A"),
        ("/dossier/netwerk", "Er kijkt niemand anders mee"),
        ("/dossier/wie-keek-mee", "jijzelf"),
    ] {
        let p = c.get(href).await;
        assert_eq!(p.status, StatusCode::OK, "{href}");
        no_store(&p);
        assert!(p.body.contains(expect), "{href}: {expect} in {}", p.body);
        assert!(
            p.body.contains(&format!(
                "inzage-tile--active\" href=\"{href}\" aria-current=\"page\""
            )),
            "{href} is the active tile"
        );
        assert!(!p.body.contains("Bram"), "{href} shows nothing of B");
    }
    // Profile: the persoonlijk begeleider and how to get a mistake corrected.
    let p = c.get("/dossier/gegevens").await;
    assert!(p.body.contains("Klopt er iets niet?"));
    assert!(p.body.contains("servicedesk@zorg.nl"));
    assert!(p.body.contains("href=\"tel:0851234567\">085 123 45 67</a>"));

    // Client plan: table of contents, then one section on its own.
    let p = c.get("/dossier/clientplan").await;
    let plan = link(&p.body, "/dossier/clientplan/");
    let p = c.get(&plan).await;
    assert!(p.body.contains("Wonen A") && p.body.contains("Werk A"));
    assert!(!p.body.contains("Je doet zelf de was."), "sections closed");
    let section = link(&p.body, &format!("{plan}/"));
    let p = c.get(section.trim_end_matches("#onderdeel")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Je doet zelf de was."));
    assert!(p.body.contains("Op maandag ruim je je kamer op."));
    assert!(
        !p.body.contains("Je werkt 3 dagen."),
        "only the open section"
    );

    // Reports: newest first, author with role, paging, no draft, no hidden.
    let p = c.get("/dossier/rapportages").await;
    assert!(p.body.contains("pagina 1 van 3"));
    let first = p.body.find("Rapportage 0 van A").expect("newest");
    let second = p.body.find("Rapportage 1 van A").expect("second");
    assert!(first < second, "newest first");
    assert!(p
        .body
        .contains("Geschreven door Anna Bakker (persoonlijk begeleider)"));
    assert!(!p.body.contains("Concept van A") && !p.body.contains("Verborgen van A"));
    let p = c.get("/dossier/rapportages?pagina=3").await;
    assert_eq!(p.body.matches("class=\"inzage-card\"").count(), 5);
    assert!(p.body.contains("Rapportage 44 van A"));
    assert!(p.body.contains("rel=\"prev\"") && !p.body.contains("rel=\"next\""));
    // Period filter: the 3 days before the clock's day hold reports 0..=2.
    let p = c
        .get("/dossier/rapportages?van=19-11-2026&tot=2026-11-21")
        .await;
    assert!(p.body.contains("3 rapportages"), "{}", p.body);
    assert!(p.body.contains("Rapportage 2 van A") && !p.body.contains("Rapportage 3 van A"));
    // One report on its own page.
    let r = link(&p.body, "/dossier/rapportages/");
    let p = c.get(&r).await;
    assert_eq!(p.status, StatusCode::OK);
    no_store(&p);
    assert!(p.body.contains("Het ging goed."));

    // Appointments: upcoming and past apart; cancelled marked, no .ics.
    let p = c.get("/dossier/afspraken").await;
    let up = p.body.find("Komende afspraken").expect("upcoming");
    let past = p.body.find("Eerdere afspraken").expect("past");
    let next = p.body.find("Gesprek over je plan A").expect("next");
    let earlier = p.body.find("Eerder gesprek A").expect("earlier");
    assert!(up < next && next < past && past < earlier);
    assert!(p.body.contains("45 minuten"));
    assert!(p.body.contains("Afgezegd"));
    assert!(p.body.contains("secretariaat"), "how to change one");
    let ics = link(&p.body, "/dossier/afspraken/");
    let p = c.get(&ics).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(
        p.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"text/calendar; charset=utf-8"[..])
    );
    assert!(p.body.contains("BEGIN:VEVENT\r\n"));
    assert!(p.body.contains("DTSTART:20261125T090000Z\r\n"));
    assert!(p.body.contains("SUMMARY:Gesprek over je plan A\r\n"));
    let cd = p.headers.get("content-disposition").expect("cd");
    assert_eq!(cd, "attachment; filename=\"afspraak-2026-11-25.ics\"");

    // Documents: the visible one only; inline PDF and a download.
    let p = c.get("/dossier/documenten").await;
    assert!(!p.body.contains("Intern A"));
    let doc = link(&p.body, "/dossier/documenten/");
    let p = c.get(&doc).await;
    assert_eq!(p.status, StatusCode::OK);
    no_store(&p);
    assert_eq!(p.body.as_bytes(), PDF);
    assert_eq!(
        p.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/pdf"[..])
    );
    let cd = p
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cd.starts_with("inline; filename=\"Verslag_A.pdf\""), "{cd}");
    let csp = p
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
    let p = c.get(&format!("{doc}/download")).await;
    let cd = p
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cd.starts_with("attachment; "), "{cd}");
}

#[tokio::test]
async fn other_peoples_drafts_hidden_and_unknown_ids_all_answer_the_same_404() {
    let w = world().await;
    let mut c = w.signed_in("a@example.nl").await;
    let unknown = "01a20000-0000-7000-8000-000000000000";
    let reference = c.get(&format!("/dossier/rapportages/{unknown}")).await;
    assert_eq!(reference.status, StatusCode::NOT_FOUND);
    assert!(reference.body.contains("Deze pagina bestaat niet."));
    for path in [
        format!("/dossier/rapportages/{}", w.b_report),
        format!("/dossier/rapportages/{}", w.a_draft),
        format!("/dossier/rapportages/{}", w.a_hidden),
        "/dossier/rapportages/not-an-id".to_owned(),
        format!("/dossier/documenten/{}", w.b_document),
        format!("/dossier/documenten/{}/download", w.b_document),
        format!("/dossier/documenten/{}", w.a_hidden_document),
        format!("/dossier/documenten/{unknown}"),
        format!("/dossier/afspraken/{}/agenda.ics", w.b_appointment),
        format!("/dossier/afspraken/{unknown}/agenda.ics"),
        format!("/dossier/clientplan/{}", w.b_plan),
        format!("/dossier/clientplan/{unknown}"),
        "/dossier/clientplan/%3Cscript%3E".to_owned(),
    ] {
        let p = c.get(&path).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(p.body, reference.body, "{path}: same page as a missing id");
        no_store(&p);
        assert!(!p.body.contains("Bram") && !p.body.contains("Verborgen"));
    }
    // Every guess is in the audit trail as a denial, none as a read.
    let denied =
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE outcome = 'denied' AND actor_id = '{}'",
            w.a
        ))
        .await;
    assert!(denied >= 10, "denials audited: {denied}");
}

#[tokio::test]
async fn items_of_an_earlier_episode_disappear_for_the_client() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let mut c = w.signed_in("a@example.nl").await;
    let p = c.get("/dossier/rapportages").await;
    let old = link(&p.body, "/dossier/rapportages/");
    assert_eq!(c.get(&old).await.status, StatusCode::OK);
    // Discharge and a new episode: the old report is no longer theirs to see.
    let today = local_date(w.clock.now_for_test());
    w.svc
        .end_episode(&cli, &w.a, today - Duration::days(1))
        .await
        .expect("end");
    w.svc.start_episode(&cli, &w.a, today).await.expect("start");
    let p = c.get(&old).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = c.get("/dossier/rapportages").await;
    assert!(p.body.contains("0 rapportages"), "{}", p.body);
}

#[tokio::test]
async fn a_contact_person_chooses_a_dossier_and_sees_only_the_granted_tiles() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let person = |_: &str| NewContactPerson {
        given_name: label("Mila"),
        name_prefix: Some(label("de")),
        family_name: label("Vries"),
        relation: Relation::Mentor,
        email: Some(Email::parse("mila@example.nl").expect("e")),
        mobile: Some(MobileNumber::parse("0612345699").expect("m")),
    };
    let grant = |parts: Vec<DossierPart>| NewGrant {
        parts,
        valid_from: now() - Duration::days(1),
        valid_until: None,
        consent_recorded_by: w.caregiver.clone(),
    };
    let (cp_a, grant_a) = w
        .svc
        .add_contact_person(
            &cli,
            &w.a,
            person("a"),
            grant(vec![DossierPart::Reports, DossierPart::Appointments]),
        )
        .await
        .expect("cp a");
    let (cp_b, grant_b) = w
        .svc
        .add_contact_person(&cli, &w.b, person("b"), grant(vec![DossierPart::Profile]))
        .await
        .expect("cp b");
    w.svc
        .provision_account(&cli, InviteTarget::ContactPerson(cp_a.clone()), PASSWORD)
        .await
        .expect("account");
    // The second row names the same address: its invitation only asks
    // Mila, and her account is not touched (ADR 0013).
    let invited = w
        .svc
        .invite(&cli, InviteTarget::ContactPerson(cp_b.clone()))
        .await
        .expect("invite b");
    assert_eq!(invited.account_id, None);
    let mut m = w.signed_in("mila@example.nl").await;
    // A link waits: the start page sends Mila to the chooser, which shows
    // whose dossier and which tiles, with yes and no.
    let p = m.get("/").await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"));
    let p = m.get("/kiezen").await;
    assert!(p.body.contains("Nieuwe uitnodiging"), "{}", p.body);
    assert!(p.body.contains("Dossier van Bram Bos") && p.body.contains("Mijn gegevens"));
    let csrf = hidden(&p.body, "csrf");
    let i = p.body.find("action=\"/uitnodigingen/").expect("link form") + 8;
    let accept: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let p = m.post(&accept, &[("csrf", &csrf), ("actie", "ja")]).await;
    assert_eq!(p.location.as_deref(), Some("/kiezen?melding=aangenomen"));
    // Two dossiers: the start page sends Mila to the chooser first.
    let p = m.get("/").await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"));
    let p = m.get("/dossier/rapportages").await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"));
    let p = m.get("/kiezen").await;
    assert!(p.body.contains("Dossier van Aisha Amrani") && p.body.contains("Dossier van Bram Bos"));
    let csrf = hidden(&p.body, "csrf");
    // Someone else's contact-person id is not a choice.
    let p = m
        .post("/kiezen", &[("csrf", &csrf), ("dossier", w.a.as_str())])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = m
        .post("/kiezen", &[("csrf", &csrf), ("dossier", cp_a.as_str())])
        .await;
    assert_eq!(p.location.as_deref(), Some("/"));
    let p = m.get("/").await;
    assert!(p.body.contains("Je kijkt in het dossier van Aisha Amrani"));
    assert!(p.body.contains("href=\"/dossier/rapportages\""));
    assert!(p.body.contains("href=\"/dossier/afspraken\""));
    for hidden_tile in [
        "/dossier/gegevens",
        "/dossier/clientplan",
        "/dossier/documenten",
        "/dossier/netwerk",
        "/dossier/wie-keek-mee",
    ] {
        assert!(
            !p.body.contains(&format!("href=\"{hidden_tile}\"")),
            "{hidden_tile}"
        );
        let q = m.get(hidden_tile).await;
        assert_eq!(q.status, StatusCode::FORBIDDEN, "{hidden_tile}");
        assert!(
            !q.body.contains("Aisha") && !q.body.contains("C-1"),
            "{hidden_tile}"
        );
    }
    assert!(p.body.contains("Ander dossier kiezen"));
    let p = m.get("/dossier/rapportages").await;
    assert!(p.body.contains("45 rapportages"));
    // The client sees Mila in Mijn netwerk and in Wie keek mee.
    let mut c = w.signed_in("a@example.nl").await;
    let p = c.get("/dossier/netwerk").await;
    assert!(p.body.contains("Mila de Vries") && p.body.contains("Mentor"));
    assert!(p
        .body
        .contains("<li class=\"utrecht-unordered-list__item\">Rapportages</li>"));
    let p = c.get("/dossier/wie-keek-mee").await;
    assert!(
        p.body.contains("Mila de Vries (contactpersoon)"),
        "{}",
        p.body
    );
    // Revoked: Mila's next page is the choice of what is still open to her.
    w.svc.revoke_grant(&cli, &grant_a).await.expect("revoke");
    let p = m.get("/dossier/rapportages").await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"));
    let p = m.get("/kiezen").await;
    assert!(p.body.contains("Bram Bos") && !p.body.contains("Aisha"));
    // With nothing left open, the session itself ends.
    w.svc.revoke_grant(&cli, &grant_b).await.expect("revoke");
    let p = m.get("/dossier/gegevens").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen")));
}

#[tokio::test]
async fn the_tour_steps_along_the_tiles_and_is_remembered_when_closed() {
    let w = world().await;
    let mut c = w.signed_in("a@example.nl").await;
    let p = c.get("/?rondleiding=4").await;
    assert!(p.body.contains("Rondleiding: stap 4 van 10"));
    // Step 4 points at the third tile (Rapportages) and describes it.
    assert!(p.body.contains(
        "class=\"inzage-tile inzage-tile--tour\" href=\"/dossier/rapportages\" aria-describedby=\"tour-text\""
    ));
    assert!(
        p.body.contains("href=\"/?rondleiding=3#tour\"")
            && p.body.contains("href=\"/?rondleiding=5#tour\"")
    );
    let p = c.get("/?rondleiding=10").await;
    assert!(p.body.contains(">Klaar<") && !p.body.contains("rondleiding=11"));
    for bad in ["/?rondleiding=0", "/?rondleiding=11", "/?rondleiding=abc"] {
        let p = c.get(bad).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(p
            .body
            .contains("Deze stap van de rondleiding bestaat niet."));
        assert!(p.body.contains("href=\"/\""), "a way back");
    }
    let csrf = hidden(&c.get("/").await.body, "csrf");
    let p = c.post("/rondleiding", &[("csrf", &csrf)]).await;
    assert_eq!(p.location.as_deref(), Some("/"));
    let p = c.get("/").await;
    assert!(
        !p.body.contains("Rondleiding: stap"),
        "closed and remembered"
    );
    // A new session of the same account: still closed; help restarts it.
    let mut again = w.signed_in("a@example.nl").await;
    assert!(!again.get("/").await.body.contains("Rondleiding: stap"));
    let p = again.get("/hulp").await;
    assert!(p.body.contains("href=\"/?rondleiding=1#tour\""));
    assert!(again
        .get("/?rondleiding=1")
        .await
        .body
        .contains("Rondleiding: stap 1 van 10"));
}

#[tokio::test]
async fn bad_page_numbers_and_dates_get_a_clear_message_never_a_500() {
    let w = world().await;
    let mut c = w.signed_in("a@example.nl").await;
    for path in [
        "/dossier/rapportages?pagina=abc",
        "/dossier/rapportages?pagina=0",
        "/dossier/rapportages?pagina=-3",
        "/dossier/rapportages?pagina=99999999999999999999",
    ] {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(p.body.contains("Dit paginanummer klopt niet."), "{path}");
        assert!(p.body.contains("href=\"/\""));
    }
    // A page after the last is simply empty, with a way back.
    let p = c.get("/dossier/rapportages?pagina=50").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("rel=\"prev\""));
    for (path, message) in [
        (
            "/dossier/rapportages?van=31-02-2026",
            "Deze datum klopt niet.",
        ),
        (
            "/dossier/rapportages?tot=gisteren",
            "Deze datum klopt niet.",
        ),
        (
            "/dossier/rapportages?van=01-01-0001",
            "Deze datum klopt niet.",
        ),
        (
            "/dossier/rapportages?van=10-11-2026&tot=01-11-2026",
            "De eerste datum moet vóór de tweede datum liggen.",
        ),
        (
            "/dossier/wie-keek-mee?van=%3Cscript%3E",
            "Deze datum klopt niet.",
        ),
        (
            "/dossier/wie-keek-mee?van=01-01-2020&tot=01-01-2026",
            "Kies een periode van hoogstens één jaar.",
        ),
    ] {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(p.body.contains(message), "{path}: {}", p.body);
        // The typed value comes back escaped, for correcting.
        assert!(!p.body.contains("<script>"));
        assert!(
            p.body.contains("<form class=\"inzage-filter\""),
            "the form stays"
        );
    }
    // Languages: an unknown one is explained; a known one is remembered.
    let mut anon = w.browser();
    let p = anon.get("/taal?lang=xx").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Deze taal kennen we niet."));
    let p = anon.get("/taal?lang=en").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"));
    let p = anon.get("/inloggen").await;
    assert!(p.body.contains("<html lang=\"en\"") && p.body.contains(">Sign in<"));
    let p = anon.get("/hulp").await;
    assert!(p.body.contains("The text message code does not arrive"));
    let p = anon.get("/nergens").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("This page does not exist."));
}

#[tokio::test]
async fn who_looked_shows_staff_by_name_and_role_with_a_count() {
    let w = world().await;
    let staff = Ctx::new(Principal::Staff {
        staff_id: w.caregiver.clone(),
    });
    for _ in 0..3 {
        w.svc
            .client_profile(&staff, &w.a)
            .await
            .expect("read")
            .into_inner();
    }
    let mut c = w.signed_in("a@example.nl").await;
    let p = c.get("/dossier/wie-keek-mee").await;
    assert!(
        p.body.contains("Anna Bakker (persoonlijk begeleider)"),
        "{}",
        p.body
    );
    assert!(p
        .body
        .contains("Gegevens: bekeken <span class=\"inzage-badge\">3 keer</span>"));
    // The client's own sign-in (password, code sent, code, session) is one
    // line, once: its steps are not shown.
    assert_eq!(p.body.matches("Account: ingelogd").count(), 1, "{}", p.body);
    assert!(
        !p.body
            .contains("Account: ingelogd <span class=\"inzage-badge\">"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("Account: gebruikt"), "{}", p.body);
    // In English, after choosing it.
    let csrf = hidden(&c.get("/mijn-account").await.body, "csrf");
    c.post("/mijn-account/taal", &[("csrf", &csrf), ("language", "en")])
        .await;
    let p = c.get("/dossier/wie-keek-mee").await;
    assert!(p.body.contains("Anna Bakker (personal caregiver)"));
    assert!(p
        .body
        .contains("Details: viewed <span class=\"inzage-badge\">3 times</span>"));
    assert!(p.body.contains(">Who looked<") && p.body.contains(">My details<"));
    let _ = w.b;
}
