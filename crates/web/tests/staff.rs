//! The staff workspace over HTTP: the write-to-read loop (a begeleider
//! writes, the client reads only what is final and visible), bad input,
//! concurrent edits, and what staff of another team get. A real database
//! per test, an injected clock.
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

struct World {
    db: TestDb,
    svc: Services,
    clock: FixedClock,
    client: ClientId,
    other_client: ClientId,
}

fn label(s: &str) -> Label {
    Label::parse("test", s).expect("label")
}

/// A staff member with an account: (given, family) name, (e-mail, mobile).
async fn staff(
    svc: &Services,
    org: &OrganisationId,
    (given, family): (&str, &str),
    (email, mobile): (&str, &str),
    role: Role,
    team: &TeamId,
) -> StaffId {
    let cli = Ctx::system("cli");
    let id = svc
        .create_staff(
            &cli,
            org,
            NewStaff {
                given_name: label(given),
                name_prefix: None,
                family_name: label(family),
                email: Email::parse(email).expect("email"),
                mobile: Some(MobileNumber::parse(mobile).expect("mobile")),
                roles: vec![role],
                team_ids: vec![team.clone()],
            },
        )
        .await
        .expect("staff");
    svc.provision_account(&cli, InviteTarget::Staff(id.clone()), PASSWORD)
        .await
        .expect("account");
    id
}

async fn world() -> World {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let svc = db.services(&clock);
    let cli = Ctx::system("cli");
    let settings = OrgSettings {
        staff_sms_allowed: true,
        finalise_after_hours: 24,
        upload_limit_bytes: 4096,
        ..OrgSettings::default()
    };
    let (org, team) = inzage_service::testing::organisation(&svc, "Zorg", settings).await;
    let east = svc
        .create_location(&cli, &org, label("Oost"))
        .await
        .expect("location");
    let other_team = svc
        .create_team(&cli, &east, label("Team Oost"))
        .await
        .expect("team");
    staff(
        &svc,
        &org,
        ("Anna", "Bakker"),
        ("anna@zorg.nl", "0611111111"),
        Role::PrimaryCaregiver,
        &team,
    )
    .await;
    staff(
        &svc,
        &org,
        ("Joris", "Visser"),
        ("joris@zorg.nl", "0622222222"),
        Role::Caregiver,
        &team,
    )
    .await;
    staff(
        &svc,
        &org,
        ("Olga", "Oost"),
        ("olga@zorg.nl", "0633333333"),
        Role::PrimaryCaregiver,
        &other_team,
    )
    .await;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("d");
    let mut a =
        inzage_service::testing::client("C-1", Some("a@example.nl"), Some("0612345601"), &team);
    a.given_name = label("Aisha");
    a.family_name = label("Amrani");
    let mut b = inzage_service::testing::client(
        "C-2",
        Some("b@example.nl"),
        Some("0612345602"),
        &other_team,
    );
    b.given_name = label("Bram");
    b.family_name = label("Bos");
    let ids = svc
        .import_clients(
            &cli,
            &org,
            vec![
                ClientImport {
                    client: a,
                    episode_start: start,
                    dossier: DossierImport::default(),
                },
                ClientImport {
                    client: b,
                    episode_start: start,
                    dossier: DossierImport::default(),
                },
            ],
        )
        .await
        .expect("import");
    svc.provision_account(&cli, InviteTarget::Client(ids[0].clone()), PASSWORD)
        .await
        .expect("client account");
    World {
        db,
        svc,
        clock,
        client: ids[0].clone(),
        other_client: ids[1].clone(),
    }
}

impl World {
    async fn signed_in(&self, email: &str) -> Browser {
        let mut b = Browser {
            app: router(self.svc.clone(), WebConfig::default()),
            jar: BTreeMap::new(),
        };
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
    fn base(&self) -> String {
        format!("/clienten/{}", self.client)
    }
}

/// Writes a report through the pages and returns its page's path.
async fn write_report(
    b: &mut Browser,
    base: &str,
    category: &str,
    body: &str,
    visible: &str,
) -> String {
    let p = b.get(&format!("{base}/rapportages/nieuw")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let p = b
        .post(
            &format!("{base}/rapportages"),
            &[
                ("csrf", &csrf),
                ("category", category),
                ("body", body),
                ("zichtbaar", visible),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.expect("to the report");
    assert!(to.ends_with("?melding=opgeslagen"), "{to}");
    to.trim_end_matches("?melding=opgeslagen").to_owned()
}

async fn finalise(b: &mut Browser, report_path: &str) -> Page {
    let p = b.get(report_path).await;
    let csrf = hidden(&p.body, "csrf");
    let revision = hidden_in_form(&p.body, "/definitief", "revision");
    b.post(
        &format!("{report_path}/definitief"),
        &[("csrf", &csrf), ("revision", &revision)],
    )
    .await
}

/// A hidden field's value inside the form whose action ends with `action`.
fn hidden_in_form(body: &str, action: &str, name: &str) -> String {
    let i = body
        .find(&format!("{action}\""))
        .unwrap_or_else(|| panic!("no form {action}"));
    hidden(&body[i..], name)
}

/// Posts the correction form of a report page as it was loaded.
async fn correct(b: &mut Browser, report_path: &str, loaded: &Page, body: &str) -> Page {
    let csrf = hidden(&loaded.body, "csrf");
    b.post(
        &format!("{report_path}/corrigeren"),
        &[
            ("csrf", &csrf),
            ("category", "Gesprek"),
            ("body", body),
            ("zichtbaar", "ja"),
        ],
    )
    .await
}

fn report_id(path: &str) -> String {
    path.rsplit('/').next().expect("id").to_owned()
}

#[tokio::test]
async fn a_report_reaches_the_client_only_when_final_and_visible_with_the_real_author() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    // Mijn cliënten links to the client page.
    let p = anna.get("/").await;
    assert!(
        p.body.contains(&format!("href=\"{}\"", w.base())),
        "{}",
        p.body
    );
    let p = anna.get(&w.base()).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Aisha Amrani") && p.body.contains("C-1"));
    assert!(
        p.body.contains("Vanaf 01-01-2025 (loopt nog)"),
        "episodes shown"
    );
    assert_eq!(
        p.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );

    // A visible report with markup in it, and a hidden one.
    let visible = write_report(
        &mut anna,
        &w.base(),
        "Dagrapportage",
        "Goede dag gehad. <script>alert(1)</script>",
        "ja",
    )
    .await;
    let hidden_r = write_report(
        &mut anna,
        &w.base(),
        "Intern",
        "Alleen voor het team.",
        "nee",
    )
    .await;
    let p = anna.get(&visible).await;
    assert!(p.body.contains("concept") && p.body.contains("Definitief maken"));
    assert!(
        p.body
            .contains("Goede dag gehad. &lt;script&gt;alert(1)&lt;/script&gt;")
            || p.body
                .contains("Goede dag gehad. &#60;script&#62;alert(1)&#60;/script&#62;"),
        "markup shown as text: {}",
        p.body
    );
    assert!(!p.body.contains("<script>alert(1)"));

    // The client does not see the draft, not even by its id.
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/rapportages").await;
    assert!(!p.body.contains("Goede dag gehad"));
    let p = client
        .get(&format!("/dossier/rapportages/{}", report_id(&visible)))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // "Definitief maken": now the client reads it, with Anna's name.
    let p = finalise(&mut anna, &visible).await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("{visible}?melding=definitief").as_str())
    );
    let p = finalise(&mut anna, &hidden_r).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = client.get("/dossier/rapportages").await;
    assert!(p.body.contains("Goede dag gehad"), "{}", p.body);
    assert!(p.body.contains("Anna Bakker (persoonlijk begeleider)"));
    // The hidden report never reaches the client, final or not.
    assert!(!p.body.contains("Alleen voor het team"));
    let p = client
        .get(&format!("/dossier/rapportages/{}", report_id(&hidden_r)))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.body.contains("Alleen voor het team"));

    // A final report is not edited: the page offers a correction instead.
    let p = anna.get(&visible).await;
    assert!(!p.body.contains("/opslaan\"") && p.body.contains("/corrigeren\""));
    let csrf = hidden(&p.body, "csrf");
    let p = anna
        .post(
            &format!("{visible}/corrigeren"),
            &[
                ("csrf", &csrf),
                ("category", "Dagrapportage"),
                ("body", "Goede dag gehad, met een wandeling."),
                ("zichtbaar", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let v2 = p.location.expect("v2");
    let p = anna.get(&v2).await;
    assert!(p.body.contains("Versie 1") && p.body.contains("Versie 2"));
    let p = anna.get(&visible).await;
    assert!(p.body.contains("Dit is een oudere versie"), "history stays");
    let p = client.get("/dossier/rapportages").await;
    assert!(p.body.contains("met een wandeling") && p.body.contains("gewijzigd"));
    assert!(!p.body.contains("Goede dag gehad. &lt;script"));
}

#[tokio::test]
async fn a_draft_becomes_final_by_itself_after_the_period() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let r = write_report(
        &mut anna,
        &w.base(),
        "Gesprek",
        "We spraken over werk.",
        "ja",
    )
    .await;
    let runner = inzage_service::jobs::Runner::new(w.svc.clone(), "t");
    runner.run_until_idle().await.expect("jobs");
    let mut client = w.signed_in("a@example.nl").await;
    assert!(!client
        .get("/dossier/rapportages")
        .await
        .body
        .contains("We spraken over werk"));
    // 24 hours later the job makes it final; the author stays Anna.
    w.clock.advance(Duration::hours(24) + Duration::minutes(1));
    runner.run_until_idle().await.expect("jobs");
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/rapportages").await;
    assert!(p.body.contains("We spraken over werk"), "{}", p.body);
    assert!(p.body.contains("Anna Bakker (persoonlijk begeleider)"));
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&r).await;
    assert!(p.body.contains("automatisch definitief gemaakt"));
}

#[tokio::test]
async fn without_a_session_a_client_page_sends_to_sign_in_and_nothing_is_written() {
    let w = world().await;
    let mut nobody = Browser {
        app: router(w.svc.clone(), WebConfig::default()),
        jar: BTreeMap::new(),
    };
    let base = w.base();
    let to_sign_in = |p: &Page, path: &str| {
        let want = format!("/inloggen?next={path}");
        assert!(p.status.is_redirection(), "{path}: {}", p.status);
        assert_eq!(p.location.as_deref(), Some(want.as_str()), "{path}");
        assert!(
            !p.body.contains(w.client.as_str()),
            "{path}: no client data"
        );
    };
    for tab in [
        "",
        "/rapportages",
        "/clientplan",
        "/afspraken",
        "/documenten",
        "/netwerk",
    ] {
        let path = format!("{base}{tab}");
        let p = nobody.get(&path).await;
        to_sign_in(&p, &path);
    }
    // A form post without a session: sent to sign in, nothing saved.
    let path = format!("{base}/rapportages");
    let p = nobody
        .post(
            &path,
            &[
                ("csrf", "geen"),
                ("category", "Gesprek"),
                ("body", "Tekst zonder sessie"),
                ("zichtbaar", "ja"),
            ],
        )
        .await;
    to_sign_in(&p, &path);
    // An upload without a session: sent to sign in, nothing stored.
    let path = format!("{base}/documenten");
    let p = upload(
        &mut nobody,
        &path,
        &[("csrf", "geen")],
        ("a.pdf", b"%PDF-1.4"),
    )
    .await;
    to_sign_in(&p, &path);
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&format!("{base}/rapportages")).await;
    assert!(p.body.contains("0 rapportages"), "{}", p.body);
    let p = anna.get(&format!("{base}/documenten")).await;
    assert!(!p.body.contains("a.pdf"));
}

#[tokio::test]
async fn bad_report_input_is_refused_with_the_text_kept_and_nothing_saved() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&format!("{}/rapportages/nieuw", w.base())).await;
    let csrf = hidden(&p.body, "csrf");
    let long = "x".repeat(REPORT_MAX_CHARS + 1);
    for (category, body, vis, expect) in [
        (
            "Gesprek",
            "   ",
            "ja",
            "Schrijf de tekst van de rapportage.",
        ),
        ("", "Tekst", "ja", "Vul een categorie in"),
        (
            "Gesprek",
            "Tekst zonder keuze",
            "",
            "Kies of de cliënt deze rapportage mag lezen.",
        ),
        ("Gesprek", long.as_str(), "ja", "De tekst is te lang"),
        ("Gesprek", "Stuur\u{7}teken", "nee", "stuurtekens"),
    ] {
        let p = anna
            .post(
                &format!("{}/rapportages", w.base()),
                &[
                    ("csrf", &csrf),
                    ("category", category),
                    ("body", body),
                    ("zichtbaar", vis),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{body:.40}");
        assert!(p.body.contains(expect), "{expect}: {}", p.body);
        assert!(p.body.contains("Er is niets opgeslagen"));
        if !category.is_empty() {
            assert!(
                p.body.contains(&format!("value=\"{category}\"")),
                "category kept"
            );
        }
    }
    let p = anna.get(&format!("{}/rapportages", w.base())).await;
    assert!(p.body.contains("0 rapportages"), "{}", p.body);
    // A stale or forged form without the session's token changes nothing.
    let p = anna
        .post(
            &format!("{}/rapportages", w.base()),
            &[
                ("csrf", "fout"),
                ("category", "Gesprek"),
                ("body", "Tekst"),
                ("zichtbaar", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Page numbers and ids that make no sense.
    let p = anna
        .get(&format!("{}/rapportages?pagina=nul", w.base()))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = anna
        .get(&format!("{}/rapportages/niet-een-id", w.base()))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_raced_edit_is_not_lost_and_shows_both_versions() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let r = write_report(&mut anna, &w.base(), "Gesprek", "Eerste tekst.", "ja").await;
    // Two windows open the same draft.
    let p = anna.get(&r).await;
    let csrf = hidden(&p.body, "csrf");
    let rev = hidden_in_form(&p.body, "/opslaan", "revision");
    let save = |body: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("category", "Gesprek".to_owned()),
            ("body", body.to_owned()),
            ("zichtbaar", "ja".to_owned()),
            ("revision", rev.clone()),
        ]
    };
    let form = save("Tekst uit venster 1.");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&format!("{r}/opslaan"), &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let form = save("Tekst uit venster 2.");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&format!("{r}/opslaan"), &form).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p
        .body
        .contains("Niet opgeslagen: iemand anders was je voor"));
    assert!(p.body.contains("Tekst uit venster 1.") && p.body.contains("Tekst uit venster 2."));
    // Finalising from the first window's stale page changes nothing.
    let p = anna
        .post(
            &format!("{r}/definitief"),
            &[("csrf", &csrf), ("revision", &rev)],
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some(format!("{r}?melding=gewijzigd").as_str())
    );
    let p = anna.get(&r).await;
    assert!(p.body.contains("Tekst uit venster 1.") && p.body.contains("concept"));

    // Two staff members correct the same final report: the second is told.
    finalise(&mut anna, &r).await;
    let mut joris = w.signed_in("joris@zorg.nl").await;
    let pa = anna.get(&r).await;
    let pj = joris.get(&r).await;
    assert!(!pj.body.contains("/opslaan\""), "not the author's draft");
    let p = correct(&mut anna, &r, &pa, "Correctie van Anna.").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = correct(&mut joris, &r, &pj, "Correctie van Joris.").await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.body.contains("Correctie van Anna.") && p.body.contains("Correctie van Joris."));
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/rapportages").await;
    assert!(p.body.contains("Correctie van Anna.") && !p.body.contains("Correctie van Joris."));
}

#[tokio::test]
async fn other_teams_and_clients_get_no_client_page_and_no_data() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let r = write_report(&mut anna, &w.base(), "Gesprek", "Geheim van Aisha.", "ja").await;
    let mut olga = w.signed_in("olga@zorg.nl").await;
    for path in [w.base(), format!("{}/rapportages", w.base()), r.clone()] {
        let p = olga.get(&path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!p.body.contains("Aisha") && !p.body.contains("C-1") && !p.body.contains("Geheim"));
    }
    // Olga's own client opens; an unknown client id is a 404.
    let p = olga.get(&format!("/clienten/{}", w.other_client)).await;
    assert_eq!(p.status, StatusCode::OK);
    let p = olga
        .get("/clienten/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // A report of Aisha under Bram's URL is not found.
    let p = olga
        .get(&format!(
            "/clienten/{}/rapportages/{}",
            w.other_client,
            report_id(&r)
        ))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // A client has no staff pages at all.
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get(&w.base()).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // The refused attempts are in the audit log.
    let denied = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                client_id: Some(w.client.to_string()),
                actor_id: None,
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    assert!(denied
        .iter()
        .any(|e| e.outcome == "denied" && e.reason.as_deref() == Some("not_in_team")));
}

fn add_contact_form<'a>(
    csrf: &'a str,
    parts: &[&'a str],
    consent: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("voornaam", "Mila"),
        ("tussenvoegsel", "de"),
        ("achternaam", "Vries"),
        ("relatie", "mentor"),
        ("email", "mila@example.nl"),
        ("mobiel", "0687654321"),
        ("tot", ""),
    ];
    for p in parts {
        f.push(("deel", p));
    }
    if consent {
        f.push(("toestemming", "ja"));
    }
    f
}

#[tokio::test]
async fn a_contact_person_added_with_two_tiles_sees_those_and_loses_them_on_revocation() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let net = format!("{}/netwerk", w.base());
    let p = anna.get(&net).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("Actief, nog nooit ingelogd")
            && p.body.contains("Er zijn nog geen contactpersonen.")
    );
    let csrf = hidden(&p.body, "csrf");

    // Without consent nothing is added and the form keeps what was typed.
    let p = anna
        .post(
            &format!("{net}/contactpersonen"),
            &add_contact_form(&csrf, &["client_plan", "appointments"], false),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Zonder toestemming van de cliënt"));
    assert!(
        p.body.contains("value=\"mila@example.nl\"")
            && p.body.contains("value=\"client_plan\" checked")
    );
    assert!(p.body.contains("Er zijn nog geen contactpersonen."));
    // No tiles chosen: refused too.
    let p = anna
        .post(
            &format!("{net}/contactpersonen"),
            &add_contact_form(&csrf, &[], true),
        )
        .await;
    assert!(p.body.contains("Kies minstens één onderdeel"));

    let p = anna
        .post(
            &format!("{net}/contactpersonen"),
            &add_contact_form(&csrf, &["client_plan", "appointments"], true),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = anna.get(&net).await;
    assert!(p.body.contains("Mila de Vries") && p.body.contains("Cliëntplan, Afspraken."));
    assert!(p.body.contains("Toestemming vastgelegd door Anna Bakker"));

    // Invite her through the page: an e-mail is queued, the status says so.
    let p = anna
        .post(
            &format!("{net}/uitnodigen"),
            &[("csrf", &csrf), ("contactpersoon", &contact_id(&p.body))],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = anna.get(&net).await;
    assert!(p.body.contains("Uitgenodigd op"), "{}", p.body);
    let access = w
        .svc
        .portal_access(&Ctx::system("cli"), &w.client)
        .await
        .expect("access")
        .into_inner();
    let cp = access.contacts[0].id.clone();
    w.svc
        .provision_account(
            &Ctx::system("cli"),
            InviteTarget::ContactPerson(cp),
            PASSWORD,
        )
        .await
        .expect("cp account");

    // Mila sees exactly the two tiles.
    let mut mila = w.signed_in("mila@example.nl").await;
    let p = mila.get("/").await;
    let p = if p.status == StatusCode::SEE_OTHER {
        mila.get(p.location.as_deref().expect("to")).await
    } else {
        p
    };
    assert!(
        p.body.contains("href=\"/dossier/clientplan\"")
            && p.body.contains("href=\"/dossier/afspraken\""),
        "{}",
        p.body
    );
    for other in [
        "/dossier/rapportages\"",
        "/dossier/documenten\"",
        "/dossier/gegevens\"",
        "/dossier/netwerk\"",
        "/dossier/wie-keek-mee\"",
    ] {
        assert!(
            !p.body.contains(&format!("href=\"{other}")),
            "{other} shown"
        );
    }
    assert_eq!(mila.get("/dossier/afspraken").await.status, StatusCode::OK);
    assert_eq!(
        mila.get("/dossier/rapportages").await.status,
        StatusCode::FORBIDDEN
    );

    // Revoked: her session ends at once.
    let p = anna.get(&net).await;
    let grant = {
        let i = p.body.find("/netwerk/toegang/").expect("revoke form") + 17;
        p.body[i..i + 36].to_owned()
    };
    let p = anna
        .post(
            &format!("{net}/toegang/{grant}/intrekken"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = mila.get("/dossier/afspraken").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        p.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/inloggen")),
        "{:?}",
        p.location
    );
    let p = anna.get(&net).await;
    assert!(p.body.contains("ingetrokken op"));
    // Revoking again changes nothing and says so.
    let p = anna
        .post(
            &format!("{net}/toegang/{grant}/intrekken"),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("melding=gewijzigd")));
}

fn contact_id(body: &str) -> String {
    // The first contact person's id (the client's own forms carry an empty one).
    let pat = "name=\"contactpersoon\" value=\"";
    body.match_indices(pat)
        .map(|(i, _)| &body[i + pat.len()..])
        .find(|rest| !rest.starts_with('"'))
        .map(|rest| rest[..36].to_owned())
        .expect("contact invite form")
}

#[tokio::test]
async fn stopping_the_portal_ends_the_clients_session_and_only_some_roles_manage_access() {
    let w = world().await;
    let mut client = w.signed_in("a@example.nl").await;
    assert_eq!(client.get("/dossier/gegevens").await.status, StatusCode::OK);
    // A caregiver reads the network page but has no forms and may not post.
    let mut joris = w.signed_in("joris@zorg.nl").await;
    let net = format!("{}/netwerk", w.base());
    let p = joris.get(&net).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("/netwerk/portaal\"") && !p.body.contains("Contactpersoon toevoegen"));
    let csrf = hidden(&p.body, "csrf");
    let p = joris
        .post(
            &format!("{net}/portaal"),
            &[("csrf", &csrf), ("stop", "ja")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(client.get("/dossier/gegevens").await.status, StatusCode::OK);

    // The persoonlijk begeleider stops it at the client's request.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&net).await;
    let csrf = hidden(&p.body, "csrf");
    let p = anna
        .post(
            &format!("{net}/portaal"),
            &[("csrf", &csrf), ("stop", "misschien")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = anna
        .post(
            &format!("{net}/portaal"),
            &[("csrf", &csrf), ("stop", "ja")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = client.get("/dossier/gegevens").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "session ended");
    let p = anna.get(&net).await;
    assert!(
        p.body.contains("Gestopt op verzoek van de cliënt")
            && p.body.contains("Portaal weer aanzetten")
    );
    // And on again: the client can sign in.
    anna.post(
        &format!("{net}/portaal"),
        &[("csrf", &csrf), ("stop", "nee")],
    )
    .await;
    let mut client = w.signed_in("a@example.nl").await;
    assert_eq!(client.get("/dossier/gegevens").await.status, StatusCode::OK);
}

#[tokio::test]
async fn appointments_are_planned_changed_and_cancelled_and_the_client_sees_each_step() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let list = format!("{}/afspraken", w.base());
    let p = anna.get(&list).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let me = {
        let i = p.body.find("<option value=\"").expect("practitioners") + 15;
        p.body[i..i + 36].to_owned()
    };
    let form = |date: &'static str, time: &'static str, what: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("datum", date.to_owned()),
            ("tijd", time.to_owned()),
            ("minuten", "45".to_owned()),
            ("behandelaar", me.clone()),
            ("plaats", "Kamer 4".to_owned()),
            ("omschrijving", what.to_owned()),
        ]
    };
    let post = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    // Bad dates and times: refused, kept, nothing planned.
    let bad = post(&form("31-02-2026", "25:00", "Gesprek <i>kort</i>"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&list, &bad).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Deze datum klopt niet") && p.body.contains("Deze tijd klopt niet"));
    assert!(
        p.body.contains("Gesprek &lt;i&gt;kort&lt;/i&gt;")
            || p.body.contains("Gesprek &#60;i&#62;"),
        "typed text kept, escaped"
    );
    let good = post(&form("24-11-2026", "14:30", "Gesprek over werk"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&list, &good).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/afspraken").await;
    assert!(
        p.body.contains("Gesprek over werk") && p.body.contains("14:30"),
        "{}",
        p.body
    );

    // Change it; a second window's change of the same version is refused.
    let p = anna.get(&list).await;
    let i = p
        .body
        .find(&format!("href=\"{list}/"))
        .expect("change link")
        + 6;
    let edit: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let p = anna.get(&edit).await;
    let rev = hidden(&p.body, "revision");
    let mut change = post(&form("24-11-2026", "15:00", "Gesprek over werk, later"));
    change.push(("revision", rev.clone()));
    change.push(("actie", "opslaan".into()));
    let c: Vec<(&str, &str)> = change.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(anna.post(&edit, &c).await.status, StatusCode::SEE_OTHER);
    let mut change2 = post(&form("24-11-2026", "16:00", "Andere wijziging"));
    change2.push(("revision", rev.clone()));
    change2.push(("actie", "opslaan".into()));
    let c2: Vec<(&str, &str)> = change2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&edit, &c2).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.body.contains("Andere wijziging") && p.body.contains("Gesprek over werk, later"));
    let p = client.get("/dossier/afspraken").await;
    assert!(p.body.contains("15:00") && !p.body.contains("Andere wijziging"));

    // Cancel: it stays, marked.
    let p = anna.get(&edit).await;
    let rev = hidden(&p.body, "revision");
    let p = anna
        .post(
            &edit,
            &[("csrf", &csrf), ("revision", &rev), ("actie", "annuleren")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = client.get("/dossier/afspraken").await;
    assert!(
        p.body.contains("Gesprek over werk, later") && p.body.contains("Afgezegd"),
        "{}",
        p.body
    );
    let p = anna.get(&edit).await;
    assert!(p.body.contains("is geannuleerd") && !p.body.contains("value=\"opslaan\""));
}

#[tokio::test]
async fn an_episode_is_ended_and_a_new_one_started_and_the_portal_follows() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&w.base()).await;
    assert!(p.body.contains("Zorgperiode beëindigen (ontslag)"));
    let csrf = hidden(&p.body, "csrf");
    let url = format!("{}/zorgperiode", w.base());
    // Before the start: refused.
    let p = anna
        .post(
            &url,
            &[("csrf", &csrf), ("actie", "einde"), ("datum", "01-12-2024")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = anna
        .post(
            &url,
            &[("csrf", &csrf), ("actie", "einde"), ("datum", "22-11-2026")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = anna.get(&w.base()).await;
    assert!(
        p.body.contains("Van 01-01-2025 tot en met 22-11-2026")
            && p.body.contains("Zorgperiode starten")
    );
    // The client reads on during the grace period, and is told the last
    // day it works (30 days after 22-11: on 22-12 it is over).
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/gegevens").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("tot en met 21-12-2026"), "{}", p.body);
    // A new episode cannot start before the last one ended.
    let p = anna
        .post(
            &url,
            &[("csrf", &csrf), ("actie", "start"), ("datum", "01-11-2026")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = anna
        .post(
            &url,
            &[("csrf", &csrf), ("actie", "start"), ("datum", "23-11-2026")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = anna.get(&w.base()).await;
    assert!(p.body.contains("Vanaf 23-11-2026 (loopt nog)"));
    // A caregiver may not end episodes: no form, and a post is refused.
    let mut joris = w.signed_in("joris@zorg.nl").await;
    let p = joris.get(&w.base()).await;
    assert!(!p.body.contains("/zorgperiode\""));
    let csrf = hidden(&p.body, "csrf");
    let p = joris
        .post(
            &url,
            &[("csrf", &csrf), ("actie", "einde"), ("datum", "24-11-2026")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

/// Posts a multipart form: text fields and one file field `bestand`.
async fn upload(b: &mut Browser, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
    let boundary = "----inzage-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"{}\"\r\n\
             Content-Type: application/pdf\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(path)
        .header("cookie", b.cookie_header())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .expect("req");
    b.send(req).await
}

#[tokio::test]
async fn documents_are_uploaded_checked_by_content_and_removed_softly() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let docs = format!("{}/documenten", w.base());
    let p = anna.get(&docs).await;
    assert!(p.body.contains("hoogstens 4 kB"), "the limit is shown");
    let csrf = hidden(&p.body, "csrf");
    let fields = |title: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("titel", title.to_owned()),
            ("soort", "Verslag".to_owned()),
            ("datum", "20-11-2026".to_owned()),
            ("zichtbaar", "ja".to_owned()),
        ]
    };
    let f = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, x)| (*k, x.clone())).collect::<Vec<_>>()
    };
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();

    // An HTML page named .pdf: refused by content, title kept, nothing added.
    let a = f(&fields("Vermomd <b>bestand</b>"));
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = upload(
        &mut anna,
        &docs,
        &a,
        ("verslag.pdf", b"<html><script>alert(1)</script>"),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("geen PDF, PNG of JPEG"));
    assert!(
        p.body.contains("Vermomd &lt;b&gt;bestand&lt;/b&gt;")
            || p.body.contains("Vermomd &#60;b&#62;")
    );
    // Too large for the organisation's limit.
    let mut big = pdf.clone();
    big.resize(5000, b' ');
    let p = upload(&mut anna, &docs, &a, ("groot.pdf", &big)).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Het bestand is te groot"));
    // No file at all.
    let p = upload(&mut anna, &docs, &a, ("", b"")).await;
    assert!(p.body.contains("Kies een bestand."));
    assert!(anna
        .get(&docs)
        .await
        .body
        .contains("Er zijn geen documenten."));

    // A real PDF: the client sees and opens it, byte for byte.
    let a = f(&fields("Verslag van november"));
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = upload(&mut anna, &docs, &a, ("verslag.pdf", &pdf)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut client = w.signed_in("a@example.nl").await;
    let p = client.get("/dossier/documenten").await;
    assert!(p.body.contains("Verslag van november"), "{}", p.body);
    let i = p.body.find("href=\"/dossier/documenten/").expect("link") + 6;
    let link: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let link = link.trim_end_matches("/download").to_owned();
    let p = client.get(&link).await;
    assert_eq!(
        p.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/pdf"[..])
    );
    assert_eq!(p.body.as_bytes(), &pdf[..]);

    // Removed with a reason: gone for the client, recorded in the audit.
    let p = anna.get(&docs).await;
    let i = p.body.find("/verwijderen\"").expect("remove form");
    let start = p.body[..i].rfind("/documenten/").expect("id") + 12;
    let remove = format!("{docs}/{}/verwijderen", &p.body[start..i]);
    let p = anna
        .post(&remove, &[("csrf", &csrf), ("reden", "  ")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = anna
        .post(
            &remove,
            &[("csrf", &csrf), ("reden", "Bij de verkeerde cliënt gezet")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = client.get("/dossier/documenten").await;
    assert!(!p.body.contains("Verslag van november"));
    assert_eq!(client.get(&link).await.status, StatusCode::NOT_FOUND);
    let events = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                client_id: Some(w.client.to_string()),
                actor_id: None,
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    assert!(events
        .iter()
        .any(|e| e.data_kind == "documents" && e.action == "delete" && e.outcome == "allowed"));
}

#[tokio::test]
async fn a_plan_version_is_drafted_edited_safely_and_finalised_for_the_client() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let plans = format!("{}/clientplan", w.base());
    let p = anna.get(&plans).await;
    assert!(p.body.contains("Er is nog geen cliëntplan."), "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let p = anna
        .post(&plans, &[("csrf", &csrf), ("datum", "22-11-2026")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let plan = p
        .location
        .expect("to the plan")
        .trim_end_matches("?melding=opgeslagen")
        .to_owned();
    // One draft at a time.
    let p = anna
        .post(&plans, &[("csrf", &csrf), ("datum", "23-11-2026")])
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("concept-bestaat")));
    let p = anna.get(&plan).await;
    assert!(p.body.contains("Wonen") && p.body.contains("concept"));
    let i = p.body.find(&format!("href=\"{plan}/")).expect("edit link") + 6;
    let section: String = p.body[i..].chars().take_while(|c| *c != '"').collect();

    // The client sees no draft plan.
    let mut client = w.signed_in("a@example.nl").await;
    assert!(!client
        .get("/dossier/clientplan")
        .await
        .body
        .contains("Cliëntplan - Amrani"));

    let p = anna.get(&section).await;
    let rev = hidden(&p.body, "revision");
    let save = |goals: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("revision", rev.clone()),
            ("domein", "Wonen".to_owned()),
            ("doelen", goals.to_owned()),
            (
                "afspraken",
                "- Op **maandag** ruim je op.\n- Zie [de site](https://example.nl).".to_owned(),
            ),
        ]
    };
    let a = save("Je doet zelf de was. <script>alert(1)</script>");
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(anna.post(&section, &a).await.status, StatusCode::SEE_OTHER);
    let b = save("Een andere tekst uit een ander venster.");
    let b: Vec<(&str, &str)> = b.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post(&section, &b).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        p.body.contains("Een andere tekst uit een ander venster.")
            && p.body.contains("Je doet zelf de was.")
    );
    // Empty goals: refused, the rest kept.
    let e = vec![
        ("csrf", csrf.as_str()),
        ("revision", "2"),
        ("domein", "Wonen"),
        ("doelen", " "),
        ("afspraken", "Blijft staan"),
    ];
    let p = anna.post(&section, &e).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Schrijf de doelen") && p.body.contains("Blijft staan"));

    // A new empty domain blocks finalising until it is filled in.
    let p = anna
        .post(
            &plan,
            &[("csrf", &csrf), ("actie", "domein"), ("domein", "Werk")],
        )
        .await;
    let werk = p.location.expect("to the new section");
    let p = anna
        .post(&plan, &[("csrf", &csrf), ("actie", "definitief")])
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("onvolledig")));
    let p = anna.get(&werk).await;
    let rev = hidden(&p.body, "revision");
    let f = [
        ("csrf", csrf.as_str()),
        ("revision", rev.as_str()),
        ("domein", "Werk"),
        ("doelen", "Je werkt 3 dagen."),
        ("afspraken", "1. Je fietst.\n2. Je belt als je ziek bent."),
    ];
    assert_eq!(anna.post(&werk, &f).await.status, StatusCode::SEE_OTHER);
    let p = anna
        .post(&plan, &[("csrf", &csrf), ("actie", "definitief")])
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("definitief")));
    // Final: read-only.
    let p = anna.get(&section).await;
    assert!(
        p.body.contains("is definitief en verandert niet meer")
            && !p.body.contains("name=\"doelen\"")
    );

    // The client reads it, formatted, with the script as text.
    let p = client.get("/dossier/clientplan").await;
    assert!(
        p.body
            .contains("Cliëntplan - Amrani, Aisha (22-11-2026) - Cliënt"),
        "{}",
        p.body
    );
    let i = p
        .body
        .find("href=\"/dossier/clientplan/")
        .expect("plan link")
        + 6;
    let link: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let p = client.get(&link).await;
    let i = p
        .body
        .find(&format!("href=\"{link}/"))
        .expect("section link")
        + 6;
    let s: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let p = client.get(s.trim_end_matches("#onderdeel")).await;
    assert!(
        p.body
            .contains("Je doet zelf de was. &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Op <strong>maandag</strong> ruim je op."));
    assert!(p.body.contains("<a class=\"utrecht-link\" href=\"https://example.nl\" rel=\"noopener noreferrer\">de site</a>"));
}

#[tokio::test]
async fn a_privacy_officer_searches_the_audit_log_sees_denials_and_exports_csv() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let org = w.svc.list_organisations().await.expect("orgs")[0]
        .id
        .clone();
    let team = w
        .svc
        .staff_client_header(&cli, &w.client)
        .await
        .map(|_| ())
        .err();
    assert!(team.is_some(), "the operator has no client page");
    let po = w
        .svc
        .create_staff(
            &cli,
            &org,
            NewStaff {
                given_name: label("Pieter"),
                name_prefix: None,
                family_name: label("Mulder"),
                email: Email::parse("pieter@zorg.nl").expect("email"),
                mobile: Some(MobileNumber::parse("0644444444").expect("m")),
                roles: vec![Role::PrivacyOfficer],
                team_ids: vec![],
            },
        )
        .await
        .expect("po");
    w.svc
        .provision_account(&cli, InviteTarget::Staff(po), PASSWORD)
        .await
        .expect("account");
    // Olga (another team) tries Aisha's page: denied and recorded.
    let mut olga = w.signed_in("olga@zorg.nl").await;
    assert_eq!(olga.get(&w.base()).await.status, StatusCode::FORBIDDEN);

    let mut pieter = w.signed_in("pieter@zorg.nl").await;
    let p = pieter.get("/").await;
    assert!(
        p.body.contains("href=\"/audit\""),
        "the start page links the viewer"
    );
    let p = pieter.get("/audit?client=C-1&geweigerd=1").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body.contains("Olga Oost")
            && p.body.contains("GEWEIGERD")
            && p.body.contains("not_in_team"),
        "{}",
        p.body
    );
    assert!(p.body.contains("inzage-row--denied"));
    assert!(
        !p.body.contains("audit-action-"),
        "every action has a label"
    );
    // Filter by staff member and action.
    let p = pieter
        .get("/audit?medewerker=olga%40zorg.nl&actie=login")
        .await;
    assert!(p.body.contains("Olga Oost") && !p.body.contains("GEWEIGERD"));
    // The CSV: a header, the denial, a formula-safe file.
    let p = pieter.get("/audit.csv?client=C-1&geweigerd=1").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p
        .headers
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/csv")));
    assert!(p
        .headers
        .get("content-disposition")
        .is_some_and(|v| v.as_bytes().starts_with(b"attachment")));
    assert!(p.body.starts_with("seq,occurred_at,actor_kind"));
    assert!(p.body.contains("\"Olga Oost\"") && p.body.contains("\"not_in_team\""));
    // Bad filters: a message, not a 500.
    assert_eq!(
        pieter.get("/audit?van=31-31-2026").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        pieter.get("/audit?actie=drop").await.status,
        StatusCode::BAD_REQUEST
    );
    // Only a privacy officer.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get("/audit").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!p.body.contains("Olga"));
    let mut client = w.signed_in("a@example.nl").await;
    assert_eq!(client.get("/audit").await.status, StatusCode::NOT_FOUND);
    // The searches are recorded, the CSV as an export.
    let events = w
        .svc
        .search_audit(
            &cli,
            inzage_service::AuditQuery {
                limit: 1000,
                action: Some("export".into()),
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    assert!(events
        .iter()
        .any(|e| e.data_kind == "audit_log" && e.actor_kind == "staff"));
}

#[tokio::test]
async fn a_functional_admin_manages_settings_teams_and_staff_of_their_own_organisation_only() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let org = w.svc.list_organisations().await.expect("orgs")[0]
        .id
        .clone();
    let new = |given: &str, email: &str, mobile: &str| NewStaff {
        given_name: label(given),
        name_prefix: None,
        family_name: label("Smit"),
        email: Email::parse(email).expect("e"),
        mobile: Some(MobileNumber::parse(mobile).expect("m")),
        roles: vec![Role::FunctionalAdmin],
        team_ids: vec![],
    };
    let ria = w
        .svc
        .create_staff(&cli, &org, new("Ria", "ria@zorg.nl", "0655555555"))
        .await
        .expect("admin");
    w.svc
        .provision_account(&cli, InviteTarget::Staff(ria.clone()), PASSWORD)
        .await
        .expect("account");
    let mut joris = w.signed_in("joris@zorg.nl").await;
    let mut admin = w.signed_in("ria@zorg.nl").await;
    let p = admin.get("/").await;
    assert!(p.body.contains("href=\"/beheer\""));
    let p = admin.get("/beheer").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Anna Bakker") && p.body.contains("joris@zorg.nl"));
    let csrf = hidden(&p.body, "csrf");
    let settings = |idle: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("actie", "instellingen".into()),
            ("idle", idle.into()),
            ("threshold", "3".into()),
            ("pause", "10".into()),
            ("grace", "30".into()),
            ("min_age", "12".into()),
            ("eligibility", "".into()),
            ("finalise", "24".into()),
            ("request_days", "28".into()),
            ("retention_years", "20".into()),
            ("emergency", "".into()),
            ("upload_mb", "5".into()),
            ("email", "servicedesk@zorg.nl".into()),
            ("phone", "085 123 45 67".into()),
            ("help_url", "".into()),
            ("sector", "care".into()),
            ("staff_sms", "ja".into()),
        ]
    };
    let bad = settings("999");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = admin.post("/beheer", &bad).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("Uitloggen na: kies 1 tot 30 minuten.") && p.body.contains("value=\"999\"")
    );
    let good = settings("20");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        admin.post("/beheer", &good).await.status,
        StatusCode::SEE_OTHER
    );
    let s = &w.svc.list_organisations().await.expect("orgs")[0].settings;
    assert_eq!(
        (
            s.idle_timeout_minutes,
            s.min_client_age,
            s.upload_limit_bytes
        ),
        (20, 12, 5 * 1024 * 1024)
    );

    // A location, a team in it, a new caregiver in that team.
    let p = admin
        .post(
            "/beheer",
            &[("csrf", &csrf), ("actie", "locatie"), ("naam", "De Eik")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = admin.get("/beheer").await;
    let i = p
        .body
        .find("name=\"locatie\"><option value=\"")
        .expect("location select")
        + 30;
    let loc: String = p.body[i..i + 36].to_owned();
    let p = admin
        .post(
            "/beheer",
            &[
                ("csrf", &csrf),
                ("actie", "team"),
                ("locatie", &loc),
                ("naam", "Team Eik"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = admin.get("/beheer").await;
    assert!(p.body.contains("<strong>De Eik</strong>: Team Eik"));
    let i = p.body.find("name=\"team\" value=\"").expect("team box") + 19;
    let team: String = p.body[i..i + 36].to_owned();
    let p = admin
        .post(
            "/beheer",
            &[
                ("csrf", &csrf),
                ("actie", "medewerker"),
                ("voornaam", "Kees"),
                ("achternaam", "de Jong"),
                ("email", "kees@zorg.nl"),
                ("rol", "caregiver"),
                ("team", &team),
            ],
        )
        .await;
    // A new member who opens dossiers waits for a second admin (ADR 0014):
    // created, not active yet.
    assert_eq!(
        p.location.as_deref(),
        Some("/beheer?melding=goedkeuring"),
        "{}",
        p.body
    );
    let staff = w
        .svc
        .list_staff(&Ctx::system("cli"), &org)
        .await
        .expect("staff")
        .into_inner();
    let kees = staff
        .iter()
        .find(|m| m.email == "kees@zorg.nl")
        .expect("kees");
    assert_eq!(kees.roles, vec![Role::Caregiver]);
    assert_eq!(kees.team_ids.len(), 1);
    assert!(!kees.active, "until a second admin approves");

    // Joris is disabled: his open session ends at once.
    let jid = staff
        .iter()
        .find(|m| m.email == "joris@zorg.nl")
        .expect("joris")
        .id
        .clone();
    let page = format!("/beheer/medewerkers/{jid}");
    assert!(admin
        .get(&page)
        .await
        .body
        .contains("name=\"rol\" value=\"caregiver\" checked"));
    let p = admin
        .post(
            &page,
            &[("csrf", &csrf), ("actie", "opslaan"), ("rol", "caregiver")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = joris.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen")));
    // Ria cannot lock herself out.
    let p = admin
        .post(
            &format!("/beheer/medewerkers/{ria}"),
            &[
                ("csrf", &csrf),
                ("actie", "opslaan"),
                ("rol", "caregiver"),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    // Others have no admin pages.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get("/beheer").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!p.body.contains("joris@zorg.nl"));
    // An admin of another organisation changes nothing here (audited).
    let (org2, _) =
        inzage_service::testing::organisation(&w.svc, "Ander", OrgSettings::default()).await;
    let other = w
        .svc
        .create_staff(&cli, &org2, new("Otto", "otto@ander.nl", "0666666666"))
        .await
        .expect("other admin");
    let octx = Ctx::new(Principal::Staff { staff_id: other });
    let r = w
        .svc
        .update_organisation_settings(&octx, &org, OrgSettings::default())
        .await;
    assert!(
        matches!(
            r,
            Err(inzage_service::ServiceError::Denied(
                inzage_core::policy::DenyReason::OtherOrganisation
            ))
        ),
        "{r:?}"
    );
    assert!(w
        .svc
        .create_location(&octx, &org, label("Stiekem"))
        .await
        .is_err());
    let orgs = w.svc.list_organisations().await.expect("o");
    let mine = orgs.iter().find(|o| o.id == org).expect("org");
    assert_eq!(
        mine.settings.idle_timeout_minutes, 20,
        "unchanged by the other admin"
    );
}

#[tokio::test]
async fn a_pause_is_ended_early_and_contact_details_change_with_a_notice_to_the_old_address() {
    let w = world().await;
    // Three wrong passwords pause the client's sign-in.
    for _ in 0..3 {
        let _ = w
            .svc
            .login(
                "a@example.nl",
                "fout wachtwoord",
                false,
                None,
                Some("10.0.0.1"),
            )
            .await
            .expect("login");
    }
    assert!(matches!(
        w.svc
            .login("a@example.nl", PASSWORD, false, None, Some("10.0.0.2"))
            .await,
        Ok(inzage_service::accounts::LoginOutcome::Paused { .. })
    ));
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let net = format!("{}/netwerk", w.base());
    let p = anna.get(&net).await;
    assert!(p.body.contains("Inloggen gepauzeerd tot"), "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let p = anna
        .post(
            &format!("{net}/pauze"),
            &[("csrf", &csrf), ("contactpersoon", "")],
        )
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("pauze-voorbij")));
    assert!(!anna
        .get(&net)
        .await
        .body
        .contains("Inloggen gepauzeerd tot"));
    let mut client = w.signed_in("a@example.nl").await;
    assert_eq!(client.get("/dossier/gegevens").await.status, StatusCode::OK);

    // New e-mail and mobile for an account in use: a bad one is refused; a
    // good one is only asked for. The holder confirms it through the old
    // address, signed in; until then the old details sign in (ADR 0013).
    let p = anna
        .post(
            &format!("{net}/gegevens"),
            &[
                ("csrf", &csrf),
                ("contactpersoon", ""),
                ("email", "geen-adres"),
                ("mobiel", "0612345601"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Dit e-mailadres klopt niet."));
    let p = anna
        .post(
            &format!("{net}/gegevens"),
            &[
                ("csrf", &csrf),
                ("contactpersoon", ""),
                ("email", "aisha.nieuw@example.nl"),
                ("mobiel", "0612345699"),
            ],
        )
        .await;
    assert!(
        p.location
            .as_deref()
            .is_some_and(|l| l.ends_with("melding=bevestiging")),
        "{:?}",
        p.location
    );
    assert!(anna
        .get(&net)
        .await
        .body
        .contains("wacht op bevestiging door de persoon"));
    let mails = || {
        let outbox = w.db.dir.path().join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&outbox)
            .expect("outbox")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .unwrap_or_default()
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect::<Vec<_>>()
    };
    inzage_service::jobs::Runner::new(w.svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let request = mails()
        .into_iter()
        .find(|t| t.contains("To: a@example.nl") && t.contains("Klopt je nieuwe e-mailadres"))
        .expect("the question goes to the old address");
    let i = request
        .find("/mijn-account/wijziging?token=")
        .expect("link");
    let link: String = request[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-?=".contains(*c))
        .collect();
    assert_eq!(
        w.svc
            .login("aisha.nieuw@example.nl", PASSWORD, false, None, None)
            .await
            .expect("login"),
        inzage_service::accounts::LoginOutcome::Rejected,
        "nothing changed yet"
    );
    // The holder, signed in with the old details, confirms.
    let p = client.get(&link).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("aisha.nieuw@example.nl") && p.body.contains("Zorg"));
    let c_csrf = hidden(&p.body, "csrf");
    let token = hidden(&p.body, "token");
    // Staff cannot confirm it for them: the link is the holder's only.
    let p = anna.get(&link).await;
    assert!(p.body.contains("Deze link werkt niet meer"), "{}", p.body);
    let p = client
        .post(
            "/mijn-account/wijziging",
            &[("csrf", &c_csrf), ("token", &token), ("actie", "ja")],
        )
        .await;
    assert!(p.body.contains("Je gegevens zijn veranderd"), "{}", p.body);
    inzage_service::jobs::Runner::new(w.svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let all = mails();
    assert!(
        all.iter().any(|t| t.contains("To: a@example.nl")
            && t.contains("Je gegevens voor Inzage zijn veranderd")),
        "a notice to the old address"
    );
    assert!(
        all.iter()
            .any(|t| t.starts_with("To: +31612345601") && t.contains("is veranderd")),
        "a notice to the old number"
    );
    assert!(matches!(
        w.svc
            .login("aisha.nieuw@example.nl", PASSWORD, false, None, None)
            .await,
        Ok(inzage_service::accounts::LoginOutcome::SecondStep { .. })
    ));
    // A caregiver may not change them.
    let mut joris = w.signed_in("joris@zorg.nl").await;
    let p = joris.get(&net).await;
    let csrf = hidden(&p.body, "csrf");
    let p = joris
        .post(
            &format!("{net}/gegevens"),
            &[
                ("csrf", &csrf),
                ("email", "x@example.nl"),
                ("mobiel", "0612345698"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
