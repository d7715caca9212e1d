//! "Vraag aan je team" over HTTP (issue 15): the client asks, the team
//! sees the count on Mijn cliënten, answers, marks it done; a contact
//! person with the tile asks and sees only their own questions; the
//! secretariat and other teams see nothing; every page says it is not for
//! emergencies, with the organisation's number and 112.
use axum::http::StatusCode;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::admin::OrgSettings;
use inzage_service::writes::{NewContactPerson, NewGrant};
use inzage_service::Ctx;

mod common;
use common::hidden;
use common::world::{label, staff, world, PASSWORD};

#[tokio::test]
async fn a_question_is_answered_by_the_team_and_nobody_else_reads_it() {
    let w = world().await;
    let cli = Ctx::system("cli");
    w.svc
        .update_organisation_settings(
            &cli,
            &w.zorg,
            OrgSettings {
                staff_sms_allowed: true,
                emergency_phone: Some("0800 123 45 67".into()),
                ..OrgSettings::default()
            },
        )
        .await
        .expect("settings");
    staff(
        &w.svc,
        &w.zorg,
        "Kees",
        ("kees@zorg.nl", "0677777771"),
        vec![Role::Secretariat],
        vec![w.team_a.clone()],
    )
    .await;
    // A contact person with the tile.
    let (mila, _) = w
        .svc
        .add_contact_person(
            &cli,
            &w.aisha,
            NewContactPerson {
                given_name: label("Mila"),
                name_prefix: None,
                family_name: label("Vries"),
                relation: Relation::Family,
                email: Some(Email::parse("mila@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612345688").expect("m")),
            },
            NewGrant {
                parts: vec![DossierPart::Questions, DossierPart::AuditTrail],
                valid_from: w.clock.now_for_test() - chrono::Duration::days(1),
                valid_until: None,
                consent_recorded_by: w.anna.clone(),
            },
        )
        .await
        .expect("mila");
    w.svc
        .provision_account(
            &cli,
            inzage_service::accounts::InviteTarget::ContactPerson(mila),
            PASSWORD,
        )
        .await
        .expect("account");

    // The client asks; the page says it is not for emergencies.
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let start = aisha.get("/").await;
    assert!(start.body.contains("Vraag aan je team"), "a tile");
    let p = aisha.get("/dossier/vragen").await;
    assert_eq!(p.status, StatusCode::OK);
    for s in [
        "Niet voor spoed",
        "tel:08001234567",
        "0800 123 45 67",
        "tel:112",
    ] {
        assert!(p.body.contains(s), "{s}: {}", p.body);
    }
    let csrf = hidden(&p.body, "csrf");
    let r = aisha
        .post(
            "/dossier/vragen",
            &[("csrf", csrf.as_str()), ("tekst", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Schrijf je vraag op"));
    let r = aisha
        .post(
            "/dossier/vragen",
            &[
                ("csrf", csrf.as_str()),
                ("tekst", "Mag ik zaterdag later thuiskomen?"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let qid: String = w.db.text("SELECT id FROM team_question").await;

    // Mila asks her own; she sees only hers, Aisha sees both.
    let mut mila = w.signed_in("mila@example.nl").await;
    let p = mila.get("/dossier/vragen").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(!p.body.contains("zaterdag"), "not the client's question");
    let mcsrf = hidden(&p.body, "csrf");
    let r = mila
        .post(
            "/dossier/vragen",
            &[
                ("csrf", mcsrf.as_str()),
                ("tekst", "Kan ik meegaan naar de arts?"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        mila.get(&format!("/dossier/vragen/{qid}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = mila
        .post(
            &format!("/dossier/vragen/{qid}"),
            &[("csrf", mcsrf.as_str()), ("tekst", "Ik ook.")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "no reply in someone else's question"
    );
    let all = aisha.get("/dossier/vragen").await.body;
    assert!(
        all.contains("zaterdag") && all.contains("meegaan naar de arts"),
        "{all}"
    );
    // Vera (no tile) has no page.
    let mut vera = w.signed_in("vera@example.nl").await;
    assert_eq!(
        vera.get("/dossier/vragen").await.status,
        StatusCode::FORBIDDEN
    );

    // The team sees the count and answers; the secretariat does not.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let list = anna.get("/").await.body;
    assert!(list.contains("2 open vragen"), "{list}");
    let mut kees = w.signed_in("kees@zorg.nl").await;
    assert!(!kees.get("/").await.body.contains("open vra"));
    assert_eq!(
        kees.get(&format!("/clienten/{}/vragen", w.aisha))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut bob = w.signed_in("bob@zorg.nl").await;
    assert_eq!(
        bob.get(&format!("/clienten/{}/vragen/{qid}", w.aisha))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = anna
        .get(&format!("/clienten/{}/vragen/{qid}", w.aisha))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mag ik zaterdag later thuiskomen?"));
    let acsrf = hidden(&page.body, "csrf");
    let url = format!("/clienten/{}/vragen/{qid}", w.aisha);
    let r = anna
        .post(
            &url,
            &[
                ("csrf", acsrf.as_str()),
                ("actie", "antwoord"),
                ("tekst", "Ja, tot 23:00."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The client reads the answer and replies; then the team closes it.
    let thread = aisha.get(&format!("/dossier/vragen/{qid}")).await.body;
    assert!(
        thread.contains("Ja, tot 23:00.") && thread.contains("Anna Test (team)"),
        "{thread}"
    );
    let r = aisha
        .post(
            &format!("/dossier/vragen/{qid}"),
            &[("csrf", csrf.as_str()), ("tekst", "Dank je!")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = anna
        .post(&url, &[("csrf", acsrf.as_str()), ("actie", "klaar")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let again = anna
        .post(&url, &[("csrf", acsrf.as_str()), ("actie", "klaar")])
        .await;
    assert!(
        again
            .location
            .as_deref()
            .unwrap_or("")
            .contains("gewijzigd"),
        "closed once"
    );
    let thread = aisha.get(&format!("/dossier/vragen/{qid}")).await.body;
    assert!(thread.contains("Afgehandeld door Anna Test"), "{thread}");
    assert!(
        !thread.contains("name=\"tekst\""),
        "no reply form after it is done"
    );
    let r = aisha
        .post(
            &format!("/dossier/vragen/{qid}"),
            &[("csrf", csrf.as_str()), ("tekst", "Nog iets.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let messages: i64 =
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM team_question_message WHERE question_id = '{qid}'"
        ))
        .await;
    assert_eq!(messages, 3, "question, answer, reply; nothing after done");
    assert!(anna.get("/").await.body.contains("1 open vraag"));

    // Audited on the client's dossier, and in her "Wie keek mee".
    let events: i64 = w
        .db
        .scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'questions' AND outcome = 'allowed'")
        .await;
    assert!(events >= 8, "{events}");
    let log = aisha.get("/dossier/wie-keek-mee").await.body;
    assert!(log.contains("Vragen aan het team"), "{log}");
    // Mila (with the log's tile) sees her own question events, not those
    // of the client, and the client as "de cliënt", not "jijzelf".
    let mut mila = w.signed_in("mila@example.nl").await;
    let log = mila.get("/dossier/wie-keek-mee").await.body;
    let rows: Vec<&str> = log.split("<tr").collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("Mila Vries") && r.contains("Vragen aan het team")),
        "{log}"
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.contains("Vragen aan het team") && !r.contains("Mila Vries")),
        "{log}"
    );
    assert!(
        log.contains("de cliënt") && !log.contains("jijzelf"),
        "{log}"
    );
}
