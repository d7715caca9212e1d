//! The secretariat's daily work over HTTP (issue 14): registering a client
//! with likely duplicates shown first, the client list's search that folds
//! case and accents the same on both engines, editing a registration as a
//! new version with its history, a stale edit refused, and the automatic
//! invitation that follows contact details added later.
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone, Utc};
use inzage_core::ids::*;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::OrgSettings;
use inzage_service::testing::TestDb;
use inzage_service::{Ctx, Services};
use inzage_web::{router, WebConfig};
use std::collections::BTreeMap;

mod common;
use common::world::{label, staff, PASSWORD};
use common::{hidden, sign_in, Browser, Page};

struct World {
    db: TestDb,
    svc: Services,
    clock: FixedClock,
    team_a: TeamId,
    team_b: TeamId,
    anna: StaffId,
    ayse: ClientId,
}

/// Zorg: team A (Sandra, secretariat; Anna, persoonlijk begeleider; Joris,
/// begeleider) with client Ayşe Öztürk (C-1, born 12-03-1990, with her own
/// account); team B with client Bram Bos. Fred is functional admin.
async fn world(auto_invite: bool) -> World {
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
        auto_invite,
        ..OrgSettings::default()
    };
    let (org, team_a) = inzage_service::testing::organisation(&svc, "Zorg", settings).await;
    let east = svc
        .create_location(&cli, &org, label("Oost"))
        .await
        .expect("location");
    let team_b = svc
        .create_team(&cli, &east, label("Team B"))
        .await
        .expect("team");
    staff(
        &svc,
        &org,
        "Sandra",
        ("sandra@zorg.nl", "0611111110"),
        vec![Role::Secretariat],
        vec![team_a.clone()],
    )
    .await;
    let anna = staff(
        &svc,
        &org,
        "Anna",
        ("anna@zorg.nl", "0611111111"),
        vec![Role::PrimaryCaregiver],
        vec![team_a.clone()],
    )
    .await;
    staff(
        &svc,
        &org,
        "Joris",
        ("joris@zorg.nl", "0611111112"),
        vec![Role::Caregiver],
        vec![team_a.clone()],
    )
    .await;
    staff(
        &svc,
        &org,
        "Fred",
        ("fred@zorg.nl", "0611111113"),
        vec![Role::FunctionalAdmin],
        vec![],
    )
    .await;
    let mut a = inzage_service::testing::client(
        "C-1",
        Some("ayse@example.nl"),
        Some("0612345601"),
        &team_a,
    );
    a.given_name = label("Ayşe");
    a.family_name = label("Öztürk");
    a.birth_date = BirthDate::from_stored(NaiveDate::from_ymd_opt(1990, 3, 12).expect("d"));
    let ayse = svc
        .create_client(&cli, &org, a, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    svc.provision_account(&cli, InviteTarget::Client(ayse.clone()), PASSWORD)
        .await
        .expect("client account");
    let mut b = inzage_service::testing::client("C-2", None, None, &team_b);
    b.given_name = label("Bram");
    b.family_name = label("Bos");
    svc.create_client(&cli, &org, b, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    World {
        db,
        svc,
        clock,
        team_a,
        team_b,
        anna,
        ayse,
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

    async fn clients(&self) -> i64 {
        self.db.scalar("SELECT COUNT(*) FROM client").await
    }
}

/// The registration form's fields for a client; `extra` adds or replaces.
fn registration<'a>(
    csrf: &'a str,
    team: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("clientnummer", "C-9"),
        ("voornaam", "Ayse"),
        ("tussenvoegsel", ""),
        ("achternaam", "Ozturk"),
        ("geboortedatum", "12-03-1990"),
        ("straat", "Dorpsstraat"),
        ("huisnummer", "1"),
        ("postcode", "1234 AB"),
        ("woonplaats", "Utrecht"),
        ("email", ""),
        ("mobiel", ""),
        ("team", team),
        ("begeleider", ""),
        ("start", "01-11-2026"),
    ];
    for (k, v) in extra {
        f.retain(|(n, _)| n != k);
        f.push((k, v));
    }
    f
}

async fn register(b: &mut Browser, team: &str, extra: &[(&str, &str)]) -> Page {
    let p = b.get("/clienten/nieuw").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    b.post("/clienten/nieuw", &registration(&csrf, team, extra))
        .await
}

#[tokio::test]
async fn the_secretariat_registers_a_client_after_seeing_a_likely_duplicate() {
    let w = world(false).await;
    let mut b = w.signed_in("sandra@zorg.nl").await;
    let start = b.get("/").await;
    assert!(start.body.contains("href=\"/clienten/nieuw\""), "link");
    let team = w.team_a.to_string();
    let before = w.clients().await;

    // Same birth date, a similar name: shown first, nothing saved, and the
    // showing is in the existing client's audit trail.
    let p = register(&mut b, &team, &[]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p.body.contains("Bestaat deze cliënt al?"), "{}", p.body);
    assert!(p.body.contains("Öztürk, Ayşe"), "{}", p.body);
    assert!(p.body.contains("name=\"geen_dubbel\""), "confirmable");
    assert!(p.body.contains("value=\"Dorpsstraat\""), "typed text kept");
    assert_eq!(w.clients().await, before, "nothing saved");
    let shown: i64 = w
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{}' AND data_kind = 'duplicate_check'",
            w.ayse
        ))
        .await;
    assert_eq!(shown, 1);

    // The same client number cannot be confirmed away.
    let p = register(
        &mut b,
        &team,
        &[("clientnummer", "c-1"), ("geen_dubbel", "ja")],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("al in gebruik"), "{}", p.body);
    assert_eq!(w.clients().await, before);

    // Bad input: a clear message per field, nothing saved.
    let p = register(
        &mut b,
        &team,
        &[
            ("geboortedatum", "31-02-1990"),
            ("voornaam", " "),
            ("team", ""),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("Deze geboortedatum klopt niet"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Vul de voornaam in"));
    assert!(p.body.contains("Kies een team."));
    assert_eq!(w.clients().await, before);

    // Confirmed: registered, with its first episode and version 1.
    let anna = w.anna.to_string();
    let p = register(
        &mut b,
        &team,
        &[("geen_dubbel", "ja"), ("begeleider", &anna)],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.expect("to the client");
    assert!(to.ends_with("?melding=geregistreerd"), "{to}");
    assert_eq!(w.clients().await, before + 1);
    let page = b.get(&to).await;
    assert!(page.body.contains("De cliënt is geregistreerd."));
    assert!(
        page.body.contains("Dorpsstraat 1, 1234 AB Utrecht"),
        "{}",
        page.body
    );
    assert!(page.body.contains("01-11-2026"), "episode start");
    assert!(page.body.contains("Anna Test"), "primary caregiver");
    assert!(page.body.contains("Versie 1"), "history: {}", page.body);
}

#[tokio::test]
async fn only_roles_that_register_may_and_only_in_their_own_teams() {
    let w = world(false).await;
    // A begeleider without the profile-write role: no form, nothing saved.
    let mut joris = w.signed_in("joris@zorg.nl").await;
    assert!(!joris.get("/").await.body.contains("/clienten/nieuw"));
    assert_eq!(
        joris.get("/clienten/nieuw").await.status,
        StatusCode::FORBIDDEN
    );
    // The secretariat of team A cannot register into team B.
    let before = w.clients().await;
    let mut sandra = w.signed_in("sandra@zorg.nl").await;
    let p = register(
        &mut sandra,
        &w.team_b.to_string(),
        &[("clientnummer", "C-77")],
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(w.clients().await, before);
    // A primary caregiver of another team is refused as begeleider.
    let p = register(
        &mut sandra,
        &w.team_a.to_string(),
        &[
            ("clientnummer", "C-78"),
            ("voornaam", "Karin"),
            ("achternaam", "Visser"),
            ("begeleider", "0000000000000000"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("hoort niet bij het gekozen team"),
        "{}",
        p.body
    );
    assert_eq!(w.clients().await, before);
    // The functional admin registers (any team of the organisation) but
    // reads no dossier: they stay on the form with a confirmation.
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let p = register(
        &mut fred,
        &w.team_b.to_string(),
        &[
            ("clientnummer", "C-79"),
            ("voornaam", "Karin"),
            ("achternaam", "Visser"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some("/clienten/nieuw?melding=geregistreerd")
    );
    assert_eq!(w.clients().await, before + 1);
    // A likely duplicate outside the member's teams: only that one exists,
    // and in which team; not who it is (the admin has no team at all).
    let p = register(
        &mut fred,
        &w.team_b.to_string(),
        &[("clientnummer", "C-80")],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("Een cliënt in een ander team (Zorg team)"),
        "{}",
        p.body
    );
    for secret in ["Öztürk", "Ayşe", "C-1", "12-03-1990"] {
        assert!(
            !p.body.contains(&format!(">{secret}")) && !p.body.contains(&format!(" {secret} ")),
            "{secret}: {}",
            p.body
        );
    }
    assert!(!p.body.contains("Öztürk"));
    // A team of another organisation is refused, nothing written.
    let (_, elders_team) =
        inzage_service::testing::organisation(&w.svc, "Elders", OrgSettings::default()).await;
    let before = w.clients().await;
    let p = register(
        &mut fred,
        &elders_team.to_string(),
        &[
            ("clientnummer", "C-81"),
            ("voornaam", "Karin"),
            ("achternaam", "Elders"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p.body.contains("Kies een team."), "{}", p.body);
    assert_eq!(w.clients().await, before);
}

#[tokio::test]
async fn the_client_list_search_folds_case_and_accents_on_both_engines() {
    let w = world(false).await;
    let mut b = w.signed_in("sandra@zorg.nl").await;
    for q in [
        "ozturk",
        "%C3%B6z",          // öz
        "%C3%96ZT%C3%9CRK", // ÖZTÜRK
        "ayse+ozt",         // two words, both must match
        "12-03-1990",       // birth date, Dutch form
        "1990-03-12",       // and ISO
        "c-1",              // client number
    ] {
        let p = b.get(&format!("/?zoek={q}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("Öztürk, Ayşe"), "{q}: {}", p.body);
        assert!(p.body.contains("1 cliënt"), "{q}");
    }
    for q in ["ozturk+bram", "xyz", "13-03-1990"] {
        let p = b.get(&format!("/?zoek={q}")).await;
        assert!(!p.body.contains("Öztürk, Ayşe"), "{q}");
    }
}

/// Loads the edit form and posts it with `changes`.
async fn edit(b: &mut Browser, client: &ClientId, changes: &[(&str, &str)]) -> Page {
    let path = format!("/clienten/{client}/gegevens");
    let p = b.get(&path).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let mut fields: Vec<(String, String)> = [
        "csrf",
        "versie",
        "clientnummer",
        "voornaam",
        "tussenvoegsel",
        "achternaam",
        "geboortedatum",
        "straat",
        "huisnummer",
        "postcode",
        "woonplaats",
        "email",
        "mobiel",
        "start",
    ]
    .iter()
    .map(|n| (n.to_string(), input_value(&p.body, n)))
    .collect();
    fields.push(("team".into(), selected(&p.body, "team")));
    fields.push(("begeleider".into(), selected(&p.body, "begeleider")));
    for (k, v) in changes {
        fields.retain(|(n, _)| n != k);
        fields.push((k.to_string(), v.to_string()));
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(&path, &form).await
}

/// The value of an input (hidden or text) named `name`.
fn input_value(body: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\"");
    let i = body.find(&pat).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &body[i..];
    let end = rest.find('>').expect("end");
    let tag = &rest[..end];
    match tag.find("value=\"") {
        Some(v) => {
            let s = &tag[v + 7..];
            s[..s.find('"').expect("quote")]
                .replace("&#x2d;", "-")
                .replace("&#45;", "-")
        }
        None => String::new(),
    }
}

/// The selected option of a select named `name` ("" when none).
fn selected(body: &str, name: &str) -> String {
    let i = body
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name}"));
    let rest = &body[i..body[i..].find("</select>").expect("select end") + i];
    match rest.find(" selected") {
        Some(s) => {
            let before = &rest[..s];
            let v = before.rfind("value=\"").expect("value");
            let val = &before[v + 7..];
            val[..val.find('"').expect("q")].to_owned()
        }
        None => String::new(),
    }
}

#[tokio::test]
async fn an_edit_is_a_new_version_with_old_and_new_and_a_stale_one_writes_nothing() {
    let w = world(false).await;
    let mut b = w.signed_in("sandra@zorg.nl").await;
    let p = edit(
        &mut b,
        &w.ayse,
        &[("straat", "Nieuwe Gracht"), ("huisnummer", "12")],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let profile = b.get(&format!("/clienten/{}", w.ayse)).await;
    assert!(
        profile.body.contains("De gegevens zijn opgeslagen.") || profile.status == StatusCode::OK
    );
    assert!(
        profile.body.contains("Nieuwe Gracht 12"),
        "{}",
        profile.body
    );
    // History: version 2 by Sandra, the old (empty) and new street.
    assert!(profile.body.contains("Versie 2"), "{}", profile.body);
    assert!(profile.body.contains("Sandra Test"));
    assert!(
        profile.body.contains("Straat: (leeg) → Nieuwe Gracht"),
        "{}",
        profile.body
    );
    let versions: i64 =
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM client_change WHERE client_id = '{}' AND version = 2",
            w.ayse
        ))
        .await;
    assert_eq!(versions, 2, "street and house number");
    let updates: i64 = w
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{}' AND action = 'update' AND data_kind = 'profile'",
            w.ayse
        ))
        .await;
    assert_eq!(updates, 1);

    // A form opened before that save (version 1) writes nothing.
    let p = edit(&mut b, &w.ayse, &[("versie", "1"), ("woonplaats", "Zeist")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(p
        .body
        .contains("Iemand anders heeft de gegevens intussen veranderd"));
    assert!(p.body.contains("Zeist"), "what was typed is shown");
    let city: i64 =
        w.db.scalar("SELECT COUNT(*) FROM client WHERE city = 'Zeist'")
            .await;
    assert_eq!(city, 0);

    // An invalid edit: a clear message, nothing written.
    let p = edit(&mut b, &w.ayse, &[("geboortedatum", "01-01-2099")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Deze geboortedatum klopt niet"));

    // The client sees the corrected address in the portal.
    let mut ayse = w.signed_in("ayse@example.nl").await;
    let mine = ayse.get("/dossier/gegevens").await;
    assert!(mine.body.contains("Nieuwe Gracht 12"), "{}", mine.body);
    // …and not the staff's version history.
    assert!(!mine.body.contains("Versie 2"));
    // The search follows the new name at once.
    let p = edit(&mut b, &w.ayse, &[("achternaam", "Yılmaz")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(b.get("/?zoek=yilmaz").await.body.contains("Yılmaz, Ayşe"));
}

#[tokio::test]
async fn a_new_address_of_an_account_in_use_waits_for_its_holder() {
    let w = world(false).await;
    let mut b = w.signed_in("sandra@zorg.nl").await;
    let p = edit(&mut b, &w.ayse, &[("email", "nieuw@example.nl")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p.location.expect("to").ends_with("melding=bevestiging"));
    let now: i64 =
        w.db.scalar("SELECT COUNT(*) FROM client WHERE email = 'nieuw@example.nl'")
            .await;
    assert_eq!(now, 0, "unchanged until the holder confirms");
    // Emptying the address of an account in use is refused clearly.
    let p = edit(&mut b, &w.ayse, &[("email", "")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("kunnen dan alleen worden vervangen"),
        "{}",
        p.body
    );
}

#[tokio::test]
async fn adding_the_missing_mobile_later_sends_the_automatic_invitation_once() {
    let w = world(true).await;
    let mut b = w.signed_in("sandra@zorg.nl").await;
    let p = register(
        &mut b,
        &w.team_a.to_string(),
        &[
            ("clientnummer", "C-50"),
            ("voornaam", "Karin"),
            ("achternaam", "Visser"),
            ("email", "karin@example.nl"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let jobs = || async {
        w.db.scalar("SELECT COUNT(*) FROM job WHERE kind = 'auto_invite'")
            .await
    };
    let before: i64 = jobs().await;
    let karin = ClientId::parse(
        p.location
            .expect("to")
            .trim_start_matches("/clienten/")
            .trim_end_matches("?melding=geregistreerd"),
    )
    .expect("id");
    let p = edit(&mut b, &karin, &[("mobiel", "0612345699")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(jobs().await, before + 1, "queued once the mobile is known");
    let p = edit(&mut b, &karin, &[("mobiel", "0612345698")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(jobs().await, before + 1, "and only once");
    // The job runs: the invitation goes to the client.
    let _ = &w.clock;
    inzage_service::jobs::Runner::new(w.svc.clone(), "test")
        .run_until_idle()
        .await
        .expect("jobs");
    let invited: i64 =
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM client WHERE id = '{karin}' AND invited_at IS NOT NULL"
        ))
        .await;
    assert_eq!(invited, 1);
}

/// Posts the login form; the page that answers.
async fn try_login(b: &mut Browser, email: &str) -> Page {
    let p = b.get("/inloggen").await;
    let csrf = hidden(&p.body, "csrf");
    b.post(
        "/inloggen",
        &[
            ("csrf", &csrf),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_refusal_names_the_eligibility_rule_with_the_settings_value() {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let svc = db.services(&clock);
    let cli = Ctx::system("cli");
    // The rules are set after the accounts exist (an ineligible client
    // cannot be given one): the organisation tightened them later.
    let (org, team) =
        inzage_service::testing::organisation(&svc, "Zorg", OrgSettings::default()).await;
    let anna = staff(
        &svc,
        &org,
        "Anna",
        ("anna@zorg.nl", "0611111111"),
        vec![Role::PrimaryCaregiver],
        vec![team.clone()],
    )
    .await;
    let mut young =
        inzage_service::testing::client("C-1", Some("tim@example.nl"), Some("0612345601"), &team);
    young.birth_date = BirthDate::from_stored(NaiveDate::from_ymd_opt(2012, 5, 1).expect("d"));
    let tim = svc
        .create_client(&cli, &org, young, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    let old = svc
        .create_client(
            &cli,
            &org,
            inzage_service::testing::client(
                "C-2",
                Some("oud@example.nl"),
                Some("0612345602"),
                &team,
            ),
            NaiveDate::from_ymd_opt(2020, 1, 1),
        )
        .await
        .expect("client");
    for c in [&tim, &old] {
        svc.provision_account(&cli, InviteTarget::Client(c.clone()), PASSWORD)
            .await
            .expect("account");
    }
    let (mother, _) = svc
        .add_contact_person(
            &cli,
            &tim,
            inzage_service::writes::NewContactPerson {
                given_name: label("Mira"),
                name_prefix: None,
                family_name: label("Moeder"),
                relation: Relation::Family,
                email: Some(Email::parse("mira@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612345603").expect("m")),
            },
            inzage_service::writes::NewGrant {
                parts: vec![DossierPart::Reports],
                valid_from: clock.now_for_test(),
                valid_until: None,
                consent_recorded_by: anna,
            },
        )
        .await
        .expect("contact");
    svc.provision_account(&cli, InviteTarget::ContactPerson(mother), PASSWORD)
        .await
        .expect("account");
    svc.update_organisation_settings(
        &cli,
        &org,
        OrgSettings {
            min_client_age: 16,
            eligibility_start_date: NaiveDate::from_ymd_opt(2024, 1, 1),
            ..OrgSettings::default()
        },
    )
    .await
    .expect("settings");
    let mut b = Browser {
        app: router(svc.clone(), WebConfig::default()),
        jar: BTreeMap::new(),
    };
    for who in ["tim@example.nl", "mira@example.nl"] {
        let p = try_login(&mut b, who).await;
        assert!(
            p.body
                .contains("Het portaal is er voor cliënten van 16 jaar en ouder."),
            "{who}: {}",
            p.body
        );
        assert!(!p.body.contains("zorg is gestopt"), "{who}");
    }
    let p = try_login(&mut b, "oud@example.nl").await;
    assert!(
        p.body.contains("zorg die begon op of na 01-01-2024"),
        "{}",
        p.body
    );
    let reasons: i64 = db
        .scalar(
            "SELECT COUNT(*) FROM audit_event WHERE action = 'login' AND outcome = 'denied' \
             AND reason IN ('below_minimum_age', 'before_eligibility_start')",
        )
        .await;
    assert_eq!(reasons, 3);
}

#[tokio::test]
async fn the_portal_shows_the_care_episode_and_the_last_day_after_discharge() {
    let w = world(false).await;
    let cli = Ctx::system("cli");
    // An earlier episode, then the current one that ended on 20-11-2026.
    w.svc
        .end_episode(
            &cli,
            &w.ayse,
            NaiveDate::from_ymd_opt(2025, 6, 30).expect("d"),
        )
        .await
        .expect("end");
    w.svc
        .start_episode(
            &cli,
            &w.ayse,
            NaiveDate::from_ymd_opt(2026, 1, 5).expect("d"),
        )
        .await
        .expect("start");
    w.svc
        .end_episode(
            &cli,
            &w.ayse,
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("d"),
        )
        .await
        .expect("end");
    // Someone with the right password but not the code: shown on its own.
    let mut guesser = Browser {
        app: router(w.svc.clone(), WebConfig::default()),
        jar: BTreeMap::new(),
    };
    try_login(&mut guesser, "ayse@example.nl").await;
    w.clock.advance(chrono::Duration::minutes(20));
    let mut b = w.signed_in("ayse@example.nl").await;
    let who = b.get("/dossier/wie-keek-mee").await.body;
    assert_eq!(
        who.matches("het goede wachtwoord ingevuld").count(),
        1,
        "{who}"
    );
    assert_eq!(who.matches("Account: ingelogd").count(), 1, "{who}");
    let p = b.get("/dossier/gegevens").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("De zorg liep van 05-01-2026 tot en met 20-11-2026."),
        "{}",
        p.body
    );
    assert!(p
        .body
        .contains("Die eerdere periodes staan niet in het portaal"));
    // Grace 30 days: access works up to and including 19-12-2026, not 20-12.
    assert!(p.body.contains("tot en met 19-12-2026"), "{}", p.body);
    w.clock.advance(chrono::Duration::days(27));
    let p = b.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "the session timed out");
    let mut b = w.signed_in("ayse@example.nl").await; // 19-12-2026: still open
    assert_eq!(b.get("/dossier/gegevens").await.status, StatusCode::OK);
    w.clock.advance(chrono::Duration::days(1)); // 20-12-2026: over
    let p = try_login(&mut b, "ayse@example.nl").await;
    assert!(p.body.contains("Je kunt niet meer inloggen"), "{}", p.body);
}

#[tokio::test]
async fn after_a_timeout_the_page_with_its_query_string_comes_back() {
    let w = world(false).await;
    let mut b = w.signed_in("ayse@example.nl").await;
    w.clock.advance(chrono::Duration::minutes(16));
    let p = b.get("/dossier/rapportages?pagina=2").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let login = b.get(&p.location.expect("to login")).await;
    let next = input_value(&login.body, "next")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
        .replace("&#x3f;", "?")
        .replace("&#x2f;", "/");
    assert_eq!(next, "/dossier/rapportages?pagina=2", "{}", login.body);
    let csrf = hidden(&login.body, "csrf");
    let p = b
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", "ayse@example.nl"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    let code_page = b.get(&p.location.expect("to code")).await;
    let csrf = hidden(&code_page.body, "csrf");
    let code = common::latest_sms_code(&w.svc, &w.db.dir.path().join("outbox")).await;
    let p = b
        .post(
            "/inloggen/code",
            &[("csrf", &csrf), ("code", &code), ("method", "sms")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/dossier/rapportages?pagina=2"));
    assert_eq!(
        b.get("/dossier/rapportages?pagina=2").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_settings_of_an_organisation_with_a_local_help_page_save_unchanged() {
    let w = world(false).await;
    let cli = Ctx::system("cli");
    let org = w
        .svc
        .list_organisations()
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.name == "Zorg")
        .expect("zorg");
    // As the demo has it: the help link is this site's own help page.
    w.svc
        .update_organisation_settings(
            &cli,
            &org.id,
            OrgSettings {
                help_url: Some("/hulp".into()),
                staff_sms_allowed: true,
                ..OrgSettings::default()
            },
        )
        .await
        .expect("settings");
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let p = fred.get("/beheer").await;
    assert_eq!(p.status, StatusCode::OK);
    let mut form: Vec<(String, String)> = vec![("actie".into(), "instellingen".into())];
    for n in [
        "csrf",
        "idle",
        "threshold",
        "pause",
        "grace",
        "min_age",
        "eligibility",
        "finalise",
        "request_days",
        "retention_years",
        "emergency",
        "upload_mb",
        "email",
        "phone",
        "help_url",
        "display_name",
    ] {
        form.push((n.into(), input_value(&p.body, n)));
    }
    form.push(("sector".into(), selected(&p.body, "sector")));
    form.push(("staff_sms".into(), "ja".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = fred.post("/beheer", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A link elsewhere than https:// or this site is still refused.
    let bad: Vec<(&str, &str)> = form
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "help_url" {
                    "javascript:alert(1)"
                } else {
                    *v
                },
            )
        })
        .collect();
    let p = fred.post("/beheer", &bad).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("een pagina van deze site"), "{}", p.body);
}

/// A tiny valid PNG (1x1).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

async fn upload_logo(b: &mut Browser, csrf: &str, file: &[u8]) -> Page {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--M\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        b"--M\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n",
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--M--\r\n");
    let req = axum::http::Request::post("/beheer/logo")
        .header("cookie", b.cookie_header())
        .header("content-type", "multipart/form-data; boundary=M")
        .body(axum::body::Body::from(body))
        .expect("req");
    b.send(req).await
}

#[tokio::test]
async fn an_organisation_shows_its_own_name_logo_servicedesk_words_and_rules() {
    let w = world(false).await;
    let cli = Ctx::system("cli");
    // A GGZ organisation in the same installation, with its own client.
    let ggz_settings = OrgSettings {
        sector: inzage_web::i18n::Sector::MentalHealth,
        display_name: Some("GGZ Oost Brabant".into()),
        servicedesk_email: Some("hulp@ggz-oost.nl".into()),
        servicedesk_phone: Some("040 123 45 67".into()),
        idle_timeout_minutes: 20,
        ..OrgSettings::default()
    };
    let (ggz, ggz_team) =
        inzage_service::testing::organisation(&w.svc, "GGZ Oost", ggz_settings).await;
    let mut c = inzage_service::testing::client(
        "G-1",
        Some("gijs@example.nl"),
        Some("0612345611"),
        &ggz_team,
    );
    c.given_name = label("Gijs");
    let gijs = w
        .svc
        .create_client(&cli, &ggz, c, NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    w.svc
        .provision_account(&cli, InviteTarget::Client(gijs), PASSWORD)
        .await
        .expect("account");

    // Words: the GGZ client reads "Behandelplan", the care client "Cliëntplan".
    let mut g = w.signed_in("gijs@example.nl").await;
    let start = g.get("/").await.body;
    assert!(
        start.contains("Behandelplan") && !start.contains("Cliëntplan"),
        "{start}"
    );
    let profile = g.get("/dossier/gegevens").await.body;
    assert!(profile.contains("Regiebehandelaar"), "{profile}");
    assert!(!profile.to_lowercase().contains("begeleider"), "{profile}");
    // Face: the header names the client's own organisation, the footer its
    // servicedesk; the help page states its own idle minutes.
    assert!(start.contains("<span>GGZ Oost Brabant</span>"), "{start}");
    assert!(start.contains("mailto:hulp@ggz-oost.nl") && start.contains("tel:0401234567"));
    let help = g.get("/hulp").await.body;
    assert!(help.contains("Als je 20 minuten niets doet"), "{help}");
    let mut a = w.signed_in("ayse@example.nl").await;
    let start = a.get("/").await.body;
    assert!(start.contains("Cliëntplan") && !start.contains("Behandelplan"));
    assert!(a
        .get("/hulp")
        .await
        .body
        .contains("Als je 15 minuten niets doet"));
    assert!(a
        .get("/hulp")
        .await
        .body
        .contains("Na 3 keer verkeerd inloggen moet je 10 minuten wachten"));

    // Before sign-in: the host name picks the organisation, else the default.
    let mapped = router(
        w.svc.clone(),
        WebConfig {
            host_organisations: inzage_web::face::HostOrganisations::parse(
                "mijn.ggz-oost.nl=GGZ Oost",
            )
            .expect("hosts"),
            ..WebConfig::default()
        },
    );
    let mut anon = Browser {
        app: mapped,
        jar: BTreeMap::new(),
    };
    let req = axum::http::Request::get("/inloggen")
        .header("host", "mijn.ggz-oost.nl:443")
        .body(axum::body::Body::empty())
        .expect("req");
    let p = anon.send(req).await;
    assert!(
        p.body.contains("<span>GGZ Oost Brabant</span>"),
        "{}",
        p.body
    );
    let p = anon.get("/inloggen").await;
    assert!(p.body.contains("<span>Zorg</span>"), "default: {}", p.body);

    // Logo: checked by content, then on the sign-in page and in the header.
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let csrf = hidden(&fred.get("/beheer").await.body, "csrf");
    let p = upload_logo(&mut fred, &csrf, b"<svg>not a png</svg>").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("kies een PNG- of JPEG-afbeelding"),
        "{}",
        p.body
    );
    let p = upload_logo(&mut fred, "verkeerd", PNG).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "a wrong CSRF token");
    let logos: i64 =
        w.db.scalar("SELECT COUNT(*) FROM organisation WHERE logo_sha256 IS NOT NULL")
            .await;
    assert_eq!(logos, 0, "nothing stored by a refused upload");
    let p = upload_logo(&mut fred, &csrf, PNG).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let login = anon.get("/inloggen").await.body;
    let i = login.find("/organisatie/").expect("logo on the login page");
    let src: String = login[i..].chars().take_while(|c| *c != '"').collect();
    let logo = anon.get(&src).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(
        logo.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert!(a.get("/").await.body.contains(&src), "in the header");
    assert!(
        !g.get("/").await.body.contains(&src),
        "not another organisation's"
    );

    // E-mails end with the organisation's name.
    w.svc
        .request_password_reset("gijs@example.nl", None)
        .await
        .expect("reset");
    inzage_service::jobs::Runner::new(w.svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let mails = common::outbox_texts(&w.db.dir.path().join("outbox"));
    let reset = mails
        .iter()
        .find(|m| m.contains("gijs@example.nl") && m.contains("wachtwoord-instellen"))
        .expect("reset mail");
    assert!(reset.contains("GGZ Oost Brabant"), "{reset}");
    assert!(
        !reset.contains("image/png") && !reset.contains("multipart"),
        "no logo set for GGZ Oost: plain text only: {reset}"
    );
    // With a logo, the e-mail carries it inline next to the plain text.
    w.svc
        .request_password_reset("ayse@example.nl", None)
        .await
        .expect("reset");
    inzage_service::jobs::Runner::new(w.svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let mails = common::outbox_texts(&w.db.dir.path().join("outbox"));
    let reset = mails
        .iter()
        .find(|m| m.contains("ayse@example.nl") && m.contains("wachtwoord-instellen"))
        .expect("reset mail");
    for part in [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "src=\"cid:logo@inzage\"",
        "alt=\"Zorg\"",
        "Content-ID: <logo@inzage>",
        "Content-Disposition: inline",
        "Content-Type: image/png",
        "iVBORw0KGgo",
    ] {
        assert!(reset.contains(part), "{part} in {reset}");
    }
    assert!(
        reset.matches("wachtwoord-instellen").count() >= 2,
        "the link in both the text and the HTML part: {reset}"
    );
}

#[tokio::test]
async fn a_contact_persons_tiles_and_end_date_change_in_place_with_consent_recorded_anew() {
    let w = world(false).await;
    let cli = Ctx::system("cli");
    let (mentor, grant) = w
        .svc
        .add_contact_person(
            &cli,
            &w.ayse,
            inzage_service::writes::NewContactPerson {
                given_name: label("Mila"),
                name_prefix: None,
                family_name: label("Vries"),
                relation: Relation::Mentor,
                email: Some(Email::parse("mila@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612345688").expect("m")),
            },
            inzage_service::writes::NewGrant {
                parts: vec![DossierPart::Reports],
                valid_from: w.clock.now_for_test(),
                valid_until: None,
                consent_recorded_by: w.anna.clone(),
            },
        )
        .await
        .expect("contact");
    w.svc
        .provision_account(&cli, InviteTarget::ContactPerson(mentor), PASSWORD)
        .await
        .expect("account");
    let mut mila = w.signed_in("mila@example.nl").await;
    assert_eq!(
        mila.get("/dossier/afspraken").await.status,
        StatusCode::FORBIDDEN,
        "not granted yet"
    );
    let mut sandra = w.signed_in("sandra@zorg.nl").await;
    let path = format!("/clienten/{}/netwerk", w.ayse);
    let page = sandra.get(&path).await;
    assert!(page.body.contains("Toegang wijzigen"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let change = format!("{path}/toegang/{grant}/wijzigen");
    // Without the consent: refused, nothing changed.
    let p = sandra
        .post(
            &change,
            &[
                ("csrf", &csrf),
                ("deel", "reports"),
                ("deel", "appointments"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("toestemming") || p.body.contains("Toestemming"),
        "{}",
        p.body
    );
    let p = sandra
        .post(
            &change,
            &[
                ("csrf", &csrf),
                ("deel", "reports"),
                ("deel", "appointments"),
                ("tot", "31-12-2026"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p
        .location
        .expect("to")
        .ends_with("melding=toegang-gewijzigd"));
    // Nothing overwritten: the old grant ended, a new one in Sandra's name.
    let old_ended: i64 =
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM access_grant WHERE id = '{grant}' AND revoked_at IS NOT NULL"
        ))
        .await;
    assert_eq!(old_ended, 1);
    let new_by_sandra: i64 = w
        .db
        .scalar(
            "SELECT COUNT(*) FROM access_grant g JOIN staff_member m ON m.id = g.consent_recorded_by \
             WHERE g.revoked_at IS NULL AND m.email = 'sandra@zorg.nl' AND g.valid_until IS NOT NULL",
        )
        .await;
    assert_eq!(new_by_sandra, 1);
    // The contact person's open session sees the new tile at once.
    assert_eq!(mila.get("/dossier/afspraken").await.status, StatusCode::OK);
    // The ended grant cannot be changed again (a stale form writes nothing).
    let p = sandra
        .post(
            &change,
            &[
                ("csrf", &csrf),
                ("deel", "documents"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert!(p.location.expect("to").ends_with("melding=gewijzigd"));
    let grants: i64 = w.db.scalar("SELECT COUNT(*) FROM access_grant").await;
    assert_eq!(grants, 2);
}

/// Signs in through the pages with `next`; returns where the browser goes.
async fn sign_in_to(w: &World, b: &mut Browser, email: &str, next: &str) -> Option<String> {
    let login = b.get("/inloggen").await;
    let csrf = hidden(&login.body, "csrf");
    let p = b
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await;
    let code_page = b.get(&p.location.expect("to code")).await;
    let csrf = hidden(&code_page.body, "csrf");
    let code = common::latest_sms_code(&w.svc, &w.db.dir.path().join("outbox")).await;
    b.post(
        "/inloggen/code",
        &[("csrf", &csrf), ("code", &code), ("method", "sms")],
    )
    .await
    .location
}

#[tokio::test]
async fn a_report_posted_after_the_idle_timeout_is_kept_and_put_back_after_sign_in() {
    let w = world(false).await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let form_page = format!("/clienten/{}/rapportages/nieuw", w.ayse);
    let p = anna.get(&form_page).await;
    assert!(
        p.body.contains("Na 15 minuten zonder iets te doen"),
        "the rule in words, without JS"
    );
    assert!(
        p.body.contains("data-idle-warn-after=\"13\""),
        "the script warns two minutes before"
    );
    let csrf = hidden(&p.body, "csrf");
    let text = "Ayşe heeft vandaag zelf gekookt. Lange tekst die niet verloren mag gaan.";
    w.clock.advance(chrono::Duration::minutes(16));
    let reports_before: i64 = w.db.scalar("SELECT COUNT(*) FROM report").await;
    let p = anna
        .post(
            &format!("/clienten/{}/rapportages", w.ayse),
            &[
                ("csrf", &csrf),
                ("category", "Dagrapportage"),
                ("body", text),
                ("zichtbaar", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let to = p.location.expect("to login");
    assert!(
        to.starts_with("/inloggen?verlopen=1&bewaard=1&next="),
        "{to}"
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM report").await,
        reports_before,
        "nothing saved"
    );
    let login = anna.get(&to).await;
    assert!(login.body.contains("is bewaard"), "{}", login.body);
    // Another account gets nothing of it.
    let mut sandra = w.signed_in("sandra@zorg.nl").await;
    assert!(!sandra.get(&form_page).await.body.contains("zelf gekookt"));
    // Anna signs in again and lands on the form with her text.
    let back = sign_in_to(&w, &mut anna, "anna@zorg.nl", &form_page).await;
    assert_eq!(back.as_deref(), Some(form_page.as_str()));
    let p = anna.get(&form_page).await;
    assert!(p.body.contains("zelf gekookt"), "{}", p.body);
    assert!(p.body.contains("Hij is nog niet opgeslagen"));
    // Handed back once.
    assert!(!anna.get(&form_page).await.body.contains("zelf gekookt"));
    assert_eq!(w.db.scalar("SELECT COUNT(*) FROM kept_form").await, 0);
}

#[tokio::test]
async fn a_form_after_the_timeout_with_another_sessions_token_is_not_kept() {
    let w = world(false).await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    w.clock.advance(chrono::Duration::minutes(16));
    let p = anna
        .post(
            &format!("/clienten/{}/rapportages", w.ayse),
            &[
                ("csrf", &"a".repeat(64)),
                ("category", "Dagrapportage"),
                ("body", "geplant"),
                ("zichtbaar", "ja"),
            ],
        )
        .await;
    let to = p.location.expect("to login");
    assert!(to.starts_with("/inloggen?verlopen=1&next="), "{to}");
    assert_eq!(w.db.scalar("SELECT COUNT(*) FROM kept_form").await, 0);
}

#[tokio::test]
async fn other_apps_show_on_a_tile_open_in_a_new_tab_and_every_signed_in_page_has_a_way_out() {
    let w = world(false).await;
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let csrf = hidden(&fred.get("/beheer").await.body, "csrf");
    let add = |adres: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("actie", "app".to_owned()),
            ("naam", "Therapie Online".to_owned()),
            ("adres", adres.to_owned()),
            ("uitleg", "Oefeningen tussen de gesprekken door.".to_owned()),
        ]
    };
    for bad in ["http://therapie.example.nl", "javascript:alert(1)", "/hulp"] {
        let f = add(bad);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = fred.post("/beheer", &f).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}: {}", p.body);
    }
    assert_eq!(w.db.scalar("SELECT COUNT(*) FROM org_app").await, 0);
    let f = add("https://therapie.example.nl/start");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(fred.post("/beheer", &f).await.status, StatusCode::SEE_OTHER);

    let mut ayse = w.signed_in("ayse@example.nl").await;
    let start = ayse.get("/").await.body;
    assert!(start.contains("href=\"/andere-apps\""), "{start}");
    let apps = ayse.get("/andere-apps").await;
    assert_eq!(apps.status, StatusCode::OK);
    assert!(apps.body.contains("href=\"https://therapie.example.nl/start\" target=\"_blank\" rel=\"noopener noreferrer\""), "{}", apps.body);
    assert!(apps.body.contains("buiten Inzage"));
    // Signed-in pages without the dossier menu still have the way out.
    for page in ["/andere-apps", "/mijn-account", "/mijn-sessies", "/hulp"] {
        let p = ayse.get(page).await;
        assert!(p.body.contains("action=\"/uitloggen\""), "{page}");
    }
    // Another organisation's client sees none of them.
    let cli = Ctx::system("cli");
    let (other, team) =
        inzage_service::testing::organisation(&w.svc, "Elders", OrgSettings::default()).await;
    let c = w
        .svc
        .create_client(
            &cli,
            &other,
            inzage_service::testing::client(
                "E-1",
                Some("els@example.nl"),
                Some("0612345622"),
                &team,
            ),
            NaiveDate::from_ymd_opt(2025, 1, 1),
        )
        .await
        .expect("client");
    w.svc
        .provision_account(&cli, InviteTarget::Client(c), PASSWORD)
        .await
        .expect("account");
    let mut els = w.signed_in("els@example.nl").await;
    assert!(!els.get("/").await.body.contains("/andere-apps"));
    assert!(!els
        .get("/andere-apps")
        .await
        .body
        .contains("therapie.example.nl"));
    // Removed: gone from the portal.
    let id = {
        let b = fred.get("/beheer").await.body;
        let i = b.find("name=\"app\" value=\"").expect("remove form") + 18;
        b[i..i + b[i..].find('"').expect("q")].to_owned()
    };
    let p = fred
        .post(
            "/beheer",
            &[("csrf", &csrf), ("actie", "app-verwijderen"), ("app", &id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!ayse.get("/").await.body.contains("/andere-apps"));
}

#[tokio::test]
async fn an_appointment_posted_after_the_idle_timeout_comes_back_on_its_form() {
    let w = world(false).await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let page_path = format!("/clienten/{}/afspraken", w.ayse);
    let p = anna.get(&page_path).await;
    let csrf = hidden(&p.body, "csrf");
    w.clock.advance(chrono::Duration::minutes(16));
    let anna_id = w.anna.to_string();
    let p = anna
        .post(
            &page_path,
            &[
                ("csrf", &csrf),
                ("datum", "01-12-2026"),
                ("tijd", "14:00"),
                ("minuten", "45"),
                ("behandelaar", &anna_id),
                ("plaats", "Kantoor Noord"),
                (
                    "omschrijving",
                    "Gesprek over wonen, met de nieuwe begeleider erbij.",
                ),
            ],
        )
        .await;
    let to = p.location.expect("to login");
    assert!(to.contains("bewaard=1"), "{to}");
    assert_eq!(w.db.scalar("SELECT COUNT(*) FROM appointment").await, 0);
    sign_in_to(&w, &mut anna, "anna@zorg.nl", &page_path).await;
    let p = anna.get(&page_path).await;
    assert!(
        p.body
            .contains("Gesprek over wonen, met de nieuwe begeleider erbij."),
        "{}",
        p.body
    );
    assert!(p.body.contains("value=\"Kantoor Noord\""));
}
