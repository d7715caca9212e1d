//! "Mijn netwerk", by the client (issue 15): an adult client without a
//! representative stops a contact person's access (their session ends at
//! once) and asks the team to add someone with the tiles they propose; a
//! client with a mentor cannot do either alone.
use axum::http::StatusCode;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::accounts::InviteTarget;
use inzage_service::writes::{NewContactPerson, NewGrant};
use inzage_service::Ctx;

mod common;
use common::hidden;
use common::world::{client, label, staff, world, PASSWORD};

#[tokio::test]
async fn an_adult_client_stops_a_contact_persons_access_and_asks_to_add_someone() {
    let w = world().await;
    let cli = Ctx::system("cli");
    staff(
        &w.svc,
        &w.zorg,
        "Kees",
        ("kees@zorg.nl", "0677777771"),
        vec![Role::Secretariat],
        vec![w.team_a.clone()],
    )
    .await;
    let eva = client(
        &w.svc,
        &w.zorg,
        "C-9",
        "Eva",
        ("eva@example.nl", "0612345699"),
        &w.team_a,
    )
    .await;
    let (jan, _) = w
        .svc
        .add_contact_person(
            &cli,
            &eva,
            NewContactPerson {
                given_name: label("Jan"),
                name_prefix: None,
                family_name: label("Broer"),
                relation: Relation::Family,
                email: Some(Email::parse("jan@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612345677").expect("m")),
            },
            NewGrant {
                parts: vec![DossierPart::Reports],
                valid_from: w.clock.now_for_test() - chrono::Duration::days(1),
                valid_until: None,
                consent_recorded_by: w.anna.clone(),
            },
        )
        .await
        .expect("jan");
    w.svc
        .provision_account(&cli, InviteTarget::ContactPerson(jan.clone()), PASSWORD)
        .await
        .expect("account");
    let mut jan_b = w.signed_in("jan@example.nl").await;
    assert_eq!(
        jan_b.get("/dossier/rapportages").await.status,
        StatusCode::OK
    );

    // Eva sees the way to stop it, and the privacy advice.
    let mut eva_b = w.signed_in("eva@example.nl").await;
    let net = eva_b.get("/dossier/netwerk").await.body;
    let stop = format!("/dossier/netwerk/{jan}/stoppen");
    assert!(net.contains(&stop), "{net}");
    assert!(net.contains("Geef daarom niet iedereen het recht"), "{net}");
    let confirm = eva_b.get(&stop).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains("Toegang van Jan Broer stoppen?"),
        "{}",
        confirm.body
    );
    let csrf = hidden(&confirm.body, "csrf");
    assert_eq!(
        eva_b.post(&stop, &[("csrf", "fout")]).await.status,
        StatusCode::FORBIDDEN
    );
    let done = eva_b.post(&stop, &[("csrf", csrf.as_str())]).await;
    assert_eq!(
        done.location.as_deref(),
        Some("/dossier/netwerk?melding=gestopt")
    );
    let net = eva_b.get("/dossier/netwerk?melding=gestopt").await.body;
    assert!(
        net.contains("De toegang is gestopt.") && !net.contains("Jan Broer"),
        "{net}"
    );
    // Jan's open session ended at once.
    let after = jan_b.get("/dossier/rapportages").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after
            .location
            .as_deref()
            .unwrap_or("")
            .starts_with("/inloggen"),
        "{:?}",
        after.location
    );
    let by: String =
        w.db.text("SELECT revoked_by FROM access_grant WHERE revoked_at IS NOT NULL")
            .await;
    assert_eq!(by, format!("client:{eva}"));

    // Asking to add someone: tiles are required, the text is kept.
    let form = eva_b
        .get("/dossier/verzoeken/nieuw?soort=netwerk&over=netwerk")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Wat mag deze persoon zien?"));
    let base = [
        ("csrf", csrf.as_str()),
        ("soort", "netwerk"),
        ("over", "netwerk"),
        ("id", ""),
        ("tekst", "Mijn zus Lies, 06 1234 5678."),
    ];
    let r = eva_b.post("/dossier/verzoeken", &base).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Kies wat deze persoon mag zien.") && r.body.contains("Mijn zus Lies"));
    let mut with_tiles = base.to_vec();
    with_tiles.push(("deel", "appointments"));
    with_tiles.push(("deel", "audit_trail"));
    let r = eva_b.post("/dossier/verzoeken", &with_tiles).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = eva_b.get("/dossier/verzoeken").await.body;
    assert!(
        mine.contains("Iemand toevoegen: Mijn netwerk") && mine.contains("Afspraken"),
        "{mine}"
    );

    // The secretariat has it in the queue and answers.
    let mut kees = w.signed_in("kees@zorg.nl").await;
    let q = kees.get("/verzoeken").await.body;
    assert!(q.contains("Iemand toevoegen: Mijn netwerk"), "{q}");
    let rid: String =
        w.db.text("SELECT id FROM dossier_request WHERE kind = 'network'")
            .await;
    let url = format!("/clienten/{eva}/verzoeken/{rid}");
    let p = kees.get(&url).await;
    assert!(
        p.body.contains("Mijn zus Lies") && p.body.contains("Wie keek mee"),
        "{}",
        p.body
    );
    let kcsrf = hidden(&p.body, "csrf");
    let r = kees
        .post(
            &url,
            &[
                ("csrf", kcsrf.as_str()),
                ("besluit", "verbeterd"),
                ("antwoord", "Lies kan nu meekijken."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = eva_b.get("/dossier/verzoeken").await.body;
    assert!(
        mine.contains("Toegevoegd.") && mine.contains("Lies kan nu meekijken."),
        "{mine}"
    );

    // A curator whose access starts next week represents Eva already:
    // from now on her network is managed with the team (review).
    w.svc
        .add_contact_person(
            &cli,
            &eva,
            NewContactPerson {
                given_name: label("Cor"),
                name_prefix: None,
                family_name: label("Curator"),
                relation: Relation::Curator,
                email: None,
                mobile: None,
            },
            NewGrant {
                parts: vec![DossierPart::Profile],
                valid_from: w.clock.now_for_test() + chrono::Duration::days(7),
                valid_until: None,
                consent_recorded_by: w.anna.clone(),
            },
        )
        .await
        .expect("cor");
    let net = eva_b.get("/dossier/netwerk").await.body;
    assert!(!net.contains("soort=netwerk"), "{net}");
    let r = eva_b.post("/dossier/verzoeken", &with_tiles).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Aisha has a mentor: she sees her network, not the controls.
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let net = aisha.get("/dossier/netwerk").await.body;
    assert!(
        !net.contains("/stoppen") && !net.contains("soort=netwerk"),
        "{net}"
    );
    assert_eq!(
        aisha
            .get("/dossier/verzoeken/nieuw?soort=netwerk&over=netwerk")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        aisha
            .get(&format!("/dossier/netwerk/{}/stoppen", w.vera))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
