//! The security suite (issue 13): each finding of the attacker's review
//! as a test of its own, through the pages, on both engines. The
//! authorization and CSRF matrices generated from the router live in
//! `matrix.rs`; docs/security.md maps ASVS 4.0.3 level 2 to these tests.
use axum::http::StatusCode;
use inzage_core::ids::*;
use inzage_core::types::*;
use inzage_service::accounts::LoginOutcome;
use inzage_service::admin::OrgSettings;
use inzage_service::Ctx;
use inzage_web::{router, WebConfig};
use std::collections::BTreeMap;

mod common;
use common::world::*;
use common::{hidden, outbox_texts, sign_in, Browser};

/// A staff member adds a contact person with `email`/`mobile` to
/// `client`'s network through the page, invites it, and changes its
/// details to `then_email`/`then_mobile`: the steps of the takeover.
async fn add_invite_and_redirect(
    staff: &mut Browser,
    client: &ClientId,
    (email, mobile): (&str, &str),
    (then_email, then_mobile): (&str, &str),
) {
    let net = format!("/clienten/{client}/netwerk");
    let p = staff.get(&net).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let p = staff
        .post(
            &format!("{net}/contactpersonen"),
            &[
                ("csrf", &csrf),
                ("voornaam", "Vera"),
                ("achternaam", "Mentor"),
                ("relatie", "mentor"),
                ("email", email),
                ("mobiel", mobile),
                ("deel", "reports"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = staff.get(&net).await;
    let i = p
        .body
        .rfind("name=\"contactpersoon\" value=\"")
        .expect("a contact person form")
        + "name=\"contactpersoon\" value=\"".len();
    let cp: String = p.body[i..].chars().take_while(|c| *c != '"').collect();
    let p = staff
        .post(
            &format!("{net}/uitnodigen"),
            &[("csrf", &csrf), ("contactpersoon", &cp)],
        )
        .await;
    assert!(
        p.location
            .as_deref()
            .is_some_and(|l| l.ends_with("melding=uitgenodigd")),
        "the attacker sees the usual answer: {:?} {}",
        p.location,
        p.body
    );
    assert!(
        staff.get(&net).await.body.contains("Uitgenodigd op"),
        "and the usual status"
    );
    let p = staff
        .post(
            &format!("{net}/gegevens"),
            &[
                ("csrf", &csrf),
                ("contactpersoon", &cp),
                ("email", then_email),
                ("mobiel", then_mobile),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

/// After an attempted takeover of Vera's account: her address, number and
/// password still sign her in, the SMS goes to her own number, a reset
/// link goes only to her, and the attacker's address signs in nowhere.
async fn vera_still_holds_her_account(w: &World, attacker_email: &str, attacker_mobile: &str) {
    // A reset asked for by the attacker for Vera's address reaches Vera.
    let mut anon = w.browser();
    let p = anon.get("/wachtwoord-opvragen").await;
    let csrf = hidden(&p.body, "csrf");
    for email in ["vera@example.nl", attacker_email] {
        anon.post("/wachtwoord-opvragen", &[("csrf", &csrf), ("email", email)])
            .await;
    }
    let mails = w.deliver().await;
    let attacker_mobile = MobileNumber::parse(attacker_mobile).expect("m");
    for m in &mails {
        assert!(
            !(m.contains(&format!("To: {attacker_email}")) && m.contains("token=")),
            "no link reaches the attacker:\n{m}"
        );
        assert!(
            !m.starts_with(&format!("To: {}", attacker_mobile.as_str())),
            "no SMS reaches the attacker's number:\n{m}"
        );
    }
    assert!(mails
        .iter()
        .any(|m| m.contains("To: vera@example.nl") && m.contains("token=")));
    assert_eq!(
        w.svc
            .login(attacker_email, PASSWORD, false, None, None)
            .await
            .expect("login"),
        LoginOutcome::Rejected
    );
    // Vera signs in as before; her code goes to her own number.
    let mut vera = w.browser();
    sign_in(&mut vera, &w.svc, &w.outbox(), "vera@example.nl", PASSWORD).await;
    let last_sms = outbox_texts(&w.outbox())
        .into_iter()
        .rev()
        .find(|m| m.contains("Inzage-code"))
        .expect("an sms");
    assert!(last_sms.starts_with("To: +31612340001"), "{last_sms}");
}

#[tokio::test]
async fn staff_of_another_team_cannot_take_over_a_contact_persons_account() {
    let w = world().await;
    // Vera is signed in somewhere; the attack must not end that either.
    let mut vera = w.signed_in("vera@example.nl").await;
    let mut bob = w.signed_in("bob@zorg.nl").await;
    add_invite_and_redirect(
        &mut bob,
        &w.bram,
        ("vera@example.nl", "0699999991"),
        ("bob.prive@example.nl", "0699999991"),
    )
    .await;
    assert_eq!(
        vera.get("/dossier/rapportages").await.status,
        StatusCode::OK
    );
    // Vera's row at Aisha's stays linked to her; Bob's row opens nothing.
    vera_still_holds_her_account(&w, "bob.prive@example.nl", "0699999991").await;
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM contact_person WHERE account_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn staff_of_another_organisation_cannot_take_over_a_contact_persons_account() {
    let w = world().await;
    let mut olga = w.signed_in("olga@ander.nl").await;
    add_invite_and_redirect(
        &mut olga,
        &w.otto,
        ("vera@example.nl", "0699999993"),
        ("olga.prive@example.nl", "0699999993"),
    )
    .await;
    vera_still_holds_her_account(&w, "olga.prive@example.nl", "0699999993").await;
    // Vera was asked (a mail that names no client), and nothing else.
    let mails = w.deliver().await;
    let ask = mails
        .iter()
        .find(|m| m.contains("To: vera@example.nl") && m.contains("Nieuwe uitnodiging"))
        .expect("Vera is asked");
    assert!(!ask.contains("Otto"), "{ask}");
}

#[tokio::test]
async fn an_invitation_does_not_redirect_the_second_factor() {
    let w = world().await;
    let mut bob = w.signed_in("bob@zorg.nl").await;
    // Bob only adds and invites (no change of address afterwards).
    add_invite_and_redirect(
        &mut bob,
        &w.bram,
        ("vera@example.nl", "0699999991"),
        ("vera@example.nl", "0699999991"),
    )
    .await;
    let mut vera = w.browser();
    sign_in(&mut vera, &w.svc, &w.outbox(), "vera@example.nl", PASSWORD).await;
    let sms: Vec<String> = outbox_texts(&w.outbox())
        .into_iter()
        .filter(|m| m.contains("Inzage-code") && !m.starts_with("To: +31622222222"))
        .collect();
    assert!(!sms.is_empty());
    assert!(
        sms.iter().all(|m| m.starts_with("To: +31612340001")),
        "every code went to Vera's own number: {sms:?}"
    );
}

#[tokio::test]
async fn staff_cannot_change_a_clients_login_without_the_client() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let net = format!("/clienten/{}/netwerk", w.aisha);
    let p = anna.get(&net).await;
    let csrf = hidden(&p.body, "csrf");
    let p = anna
        .post(
            &format!("{net}/gegevens"),
            &[
                ("csrf", &csrf),
                ("contactpersoon", ""),
                ("email", "anna.prive@example.nl"),
                ("mobiel", "0611111111"),
            ],
        )
        .await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("melding=bevestiging")));
    let mut anon = w.browser();
    let p = anon.get("/wachtwoord-opvragen").await;
    let csrf = hidden(&p.body, "csrf");
    anon.post(
        "/wachtwoord-opvragen",
        &[("csrf", &csrf), ("email", "anna.prive@example.nl")],
    )
    .await;
    let mails = w.deliver().await;
    assert!(
        !mails
            .iter()
            .any(|m| m.contains("To: anna.prive@example.nl") && m.contains("token=")),
        "no reset link for the new address"
    );
    // Aisha still signs in with her own details, and was not signed out.
    assert_eq!(aisha.get("/dossier/gegevens").await.status, StatusCode::OK);
    assert!(matches!(
        w.svc
            .login("aisha@example.nl", PASSWORD, false, None, None)
            .await
            .expect("login"),
        LoginOutcome::SecondStep { .. }
    ));
    // "Wie keek mee" names nobody but the people who really looked.
    let _ = (&w.clock, &w.vera);
}

/// Adds a contact person to `client` through the page and returns its id.
async fn add_contact(staff: &mut Browser, client: &ClientId, email: &str, mobile: &str) -> String {
    let net = format!("/clienten/{client}/netwerk");
    let p = staff.get(&net).await;
    let csrf = hidden(&p.body, "csrf");
    let p = staff
        .post(
            &format!("{net}/contactpersonen"),
            &[
                ("csrf", &csrf),
                ("voornaam", "Nina"),
                ("achternaam", "Nieuw"),
                ("relatie", "family"),
                ("email", email),
                ("mobiel", mobile),
                ("deel", "reports"),
                ("toestemming", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = staff.get(&net).await;
    let i = p
        .body
        .rfind("name=\"contactpersoon\" value=\"")
        .expect("a contact person form")
        + "name=\"contactpersoon\" value=\"".len();
    p.body[i..].chars().take_while(|c| *c != '"').collect()
}

async fn network_post(
    staff: &mut Browser,
    client: &ClientId,
    action: &str,
    fields: &[(&str, &str)],
) -> common::Page {
    let net = format!("/clienten/{client}/netwerk");
    let p = staff.get(&net).await;
    let csrf = hidden(&p.body, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    staff.post(&format!("{net}/{action}"), &form).await
}

#[tokio::test]
async fn a_link_asked_of_an_address_is_void_once_the_account_moves_off_it() {
    let w = world().await;
    // Olga (Ander) pre-creates an account for a new address on her own
    // client's contact person; Bob (Zorg) then asks that account's holder
    // to join Bram's dossier.
    let mut olga = w.signed_in("olga@ander.nl").await;
    let row = add_contact(&mut olga, &w.otto, "nina@example.nl", "0699999993").await;
    network_post(
        &mut olga,
        &w.otto,
        "uitnodigen",
        &[("contactpersoon", &row)],
    )
    .await;
    let mut bob = w.signed_in("bob@zorg.nl").await;
    let bram_row = add_contact(&mut bob, &w.bram, "nina@example.nl", "0612349999").await;
    network_post(
        &mut bob,
        &w.bram,
        "uitnodigen",
        &[("contactpersoon", &bram_row)],
    )
    .await;
    // Olga moves the unused account to her own address and invites again.
    network_post(
        &mut olga,
        &w.otto,
        "gegevens",
        &[
            ("contactpersoon", &row),
            ("email", "olga.prive@example.nl"),
            ("mobiel", "0699999993"),
        ],
    )
    .await;
    network_post(
        &mut olga,
        &w.otto,
        "uitnodigen",
        &[("contactpersoon", &row)],
    )
    .await;
    let mails = w.deliver().await;
    let invite = mails
        .iter()
        .rev()
        .find(|m| m.contains("To: olga.prive@example.nl") && m.contains("token="))
        .expect("the invitation at Olga's address");
    let i = invite.find("token=").expect("token") + 6;
    let token: String = invite[i..i + 64].to_owned();
    w.svc
        .set_password_with_token(&token, PASSWORD, None)
        .await
        .expect("password");
    // Signed in, Olga holds Otto's row only; Bob's question was for the
    // holder of nina@example.nl and went with the old address.
    let mut held = w.browser();
    sign_in(
        &mut held,
        &w.svc,
        &w.outbox(),
        "olga.prive@example.nl",
        PASSWORD,
    )
    .await;
    let p = held.get("/kiezen").await;
    assert!(!p.body.contains("Nieuwe uitnodiging"), "{}", p.body);
    assert!(!p.body.contains("Bram"), "{}", p.body);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM account_link WHERE decided_at IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn staff_cannot_tell_whether_an_address_has_an_account() {
    let w = world().await;
    let mut olga = w.signed_in("olga@ander.nl").await;
    // Two rows with an unused account each; one is moved to a free
    // address, one to Vera's (an account at Zorg). Then both are emptied.
    let free = add_contact(&mut olga, &w.otto, "een@example.nl", "0699999993").await;
    let taken = add_contact(&mut olga, &w.otto, "twee@example.nl", "0699999994").await;
    for row in [&free, &taken] {
        network_post(&mut olga, &w.otto, "uitnodigen", &[("contactpersoon", row)]).await;
    }
    let status = |body: &str, row: &str| -> String {
        let i = body.find(&format!("value=\"{row}\"")).expect("row form");
        let card = &body[..i];
        let start = card.rfind("inzage-card__meta").expect("meta");
        card[start..]
            .split("</p>")
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect()
    };
    let mut answers = Vec::new();
    for (row, email) in [(&free, "vrij@example.nl"), (&taken, "vera@example.nl")] {
        let p = network_post(
            &mut olga,
            &w.otto,
            "gegevens",
            &[
                ("contactpersoon", row),
                ("email", email),
                ("mobiel", "0699999995"),
            ],
        )
        .await;
        answers.push((p.status, p.location.clone()));
    }
    assert_eq!(
        answers[0], answers[1],
        "the same answer for a taken address"
    );
    let page = olga
        .get(&format!("/clienten/{}/netwerk", w.otto))
        .await
        .body;
    assert_eq!(
        status(&page, &free).replace("vrij@example.nl", "x"),
        status(&page, &taken).replace("vera@example.nl", "x"),
        "the same status"
    );
    let mut answers = Vec::new();
    for row in [&free, &taken] {
        let p = network_post(
            &mut olga,
            &w.otto,
            "gegevens",
            &[("contactpersoon", row), ("email", ""), ("mobiel", "")],
        )
        .await;
        answers.push((p.status, p.location.clone()));
    }
    assert_eq!(answers[0], answers[1], "the same answer when emptied");
    // Vera's account was not touched.
    assert!(matches!(
        w.svc
            .login("vera@example.nl", PASSWORD, false, None, None)
            .await
            .expect("login"),
        LoginOutcome::SecondStep { .. }
    ));
}

/// The staff member's id on the admin overview, by e-mail address.
fn staff_link(body: &str, email: &str) -> String {
    let row = body.find(email).expect("staff row");
    let i = body[..row].rfind("/beheer/medewerkers/").expect("link");
    body[i..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn a_functional_admin_cannot_give_themselves_roles_or_teams() {
    let w = world().await;
    let mut ria = w.signed_in("ria@zorg.nl").await;
    let reports = format!("/clienten/{}/rapportages", w.aisha);
    assert_eq!(ria.get(&reports).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ria.get("/audit").await.status, StatusCode::FORBIDDEN);
    let p = ria.get("/beheer").await;
    let me = staff_link(&p.body, "ria@zorg.nl");
    let csrf = hidden(&p.body, "csrf");
    // Her own page shows no form for roles and teams ...
    let own = ria.get(&me).await;
    assert!(own
        .body
        .contains("Je kunt je eigen rollen en teams niet veranderen"));
    assert!(!own.body.contains("name=\"rol\""), "{}", own.body);
    // ... and a forged post is refused (and audited).
    let team = {
        let i = p.body.find("name=\"team\" value=\"").expect("team box") + 19;
        p.body[i..i + 36].to_owned()
    };
    let before =
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'own_roles_or_teams'")
            .await;
    let p = ria
        .post(
            &me,
            &[
                ("csrf", &csrf),
                ("actie", "opslaan"),
                ("rol", "functional_admin"),
                ("rol", "primary_caregiver"),
                ("rol", "privacy_officer"),
                ("team", &team),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'own_roles_or_teams'")
            .await,
        before + 1
    );
    assert_eq!(ria.get(&reports).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ria.get("/audit").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn privileged_roles_need_a_second_functional_admin() {
    let w = world().await;
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let p = fred.get("/beheer").await;
    let ria_page = staff_link(&p.body, "ria@zorg.nl");
    let csrf = hidden(&p.body, "csrf");
    // Fred gives Ria the privacy officer's role: recorded, not applied.
    let p = fred
        .post(
            &ria_page,
            &[
                ("csrf", &csrf),
                ("actie", "opslaan"),
                ("rol", "functional_admin"),
                ("rol", "privacy_officer"),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=goedkeuring"));
    let mut ria = w.signed_in("ria@zorg.nl").await;
    assert_eq!(ria.get("/audit").await.status, StatusCode::FORBIDDEN);
    // Neither Fred (who asked) nor Ria (whom it is about) can approve it.
    let p = fred.get("/beheer").await;
    assert!(p.body.contains("Wacht op goedkeuring"));
    assert!(
        !p.body.contains("/beheer/goedkeuringen/"),
        "no buttons for Fred"
    );
    let id =
        w.db.scalar("SELECT COUNT(*) FROM staff_change_request WHERE decided_at IS NULL")
            .await;
    assert_eq!(id, 1);
    let request: String = {
        let mut gert = w.signed_in("gert@zorg.nl").await;
        let p = gert.get("/beheer").await;
        let i = p
            .body
            .find("/beheer/goedkeuringen/")
            .expect("Gert may decide");
        p.body[i..].chars().take_while(|c| *c != '"').collect()
    };
    for (who, b) in [("fred", &mut fred), ("ria", &mut ria)] {
        let csrf = hidden(&b.get("/beheer").await.body, "csrf");
        let p = b
            .post(&request, &[("csrf", &csrf), ("actie", "goedkeuren")])
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{who}: {}", p.body);
    }
    assert_eq!(ria.get("/audit").await.status, StatusCode::FORBIDDEN);
    // Gert approves: now it applies.
    let mut gert = w.signed_in("gert@zorg.nl").await;
    let csrf = hidden(&gert.get("/beheer").await.body, "csrf");
    let p = gert
        .post(&request, &[("csrf", &csrf), ("actie", "goedkeuren")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=goedgekeurd"));
    assert_eq!(ria.get("/audit").await.status, StatusCode::OK);
    // A care role for an admin is the same; a plain caregiver change is not.
    let overview = fred.get("/beheer").await.body;
    let p = fred
        .post(
            &staff_link(&overview, "gert@zorg.nl"),
            &[
                ("csrf", &hidden(&overview, "csrf")),
                ("actie", "opslaan"),
                ("rol", "functional_admin"),
                ("rol", "caregiver"),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=goedkeuring"));
    let overview = fred.get("/beheer").await.body;
    let p = fred
        .post(
            &staff_link(&overview, "anna@zorg.nl"),
            &[
                ("csrf", &hidden(&overview, "csrf")),
                ("actie", "opslaan"),
                ("rol", "caregiver"),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=opgeslagen"));
    // Every step is in the audit log.
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'staff_member' \
                 AND reason IN ('awaiting_approval', 'approved')"
        )
        .await,
        3
    );
    // Fred creates a caregiver at an address of his own: it waits, and
    // Gert sees where the invitation would go before he decides.
    let overview = fred.get("/beheer").await.body;
    let p = fred
        .post(
            "/beheer",
            &[
                ("csrf", &hidden(&overview, "csrf")),
                ("actie", "medewerker"),
                ("voornaam", "Frits"),
                ("achternaam", "Nep"),
                ("email", "fred.prive@example.nl"),
                ("rol", "primary_caregiver"),
                ("team", w.team_a.as_str()),
            ],
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/beheer?melding=goedkeuring"),
        "{}",
        p.body
    );
    let p = gert.get("/beheer").await;
    assert!(
        p.body.contains("Werkmail: fred.prive@example.nl"),
        "{}",
        p.body
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM staff_member WHERE email = 'fred.prive@example.nl' AND active = 0")
            .await,
        1,
        "not active until approved"
    );
}

#[tokio::test]
async fn a_change_applied_at_once_supersedes_a_waiting_request() {
    let w = world().await;
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let overview = fred.get("/beheer").await.body;
    let anna = staff_link(&overview, "anna@zorg.nl");
    let save = |roles: &'static [&'static str]| {
        let mut pairs: Vec<(&'static str, String)> = vec![
            ("csrf", hidden(&overview, "csrf")),
            ("actie", "opslaan".into()),
            ("team", w.team_a.to_string()),
            ("actief", "ja".into()),
        ];
        pairs.extend(roles.iter().map(|r| ("rol", (*r).to_owned())));
        pairs
    };
    // Privacy officer for Anna: waits for a second admin.
    let pairs = save(&["primary_caregiver", "privacy_officer"]);
    let p = fred
        .post(
            &anna,
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=goedkeuring"));
    // Then a plain change applies at once: the waiting request was asked
    // against a state that is gone, so it can no longer be approved.
    let pairs = save(&["caregiver"]);
    let p = fred
        .post(
            &anna,
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=opgeslagen"));
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM staff_change_request WHERE decided_at IS NULL")
            .await,
        0
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM staff_change_request WHERE decision = 'superseded'")
            .await,
        1
    );
    let mut gert = w.signed_in("gert@zorg.nl").await;
    assert!(!gert
        .get("/beheer")
        .await
        .body
        .contains("/beheer/goedkeuringen/"));
}

#[tokio::test]
async fn a_request_is_withdrawn_when_its_asker_stops_being_an_admin() {
    let w = world().await;
    let mut fred = w.signed_in("fred@zorg.nl").await;
    let overview = fred.get("/beheer").await.body;
    let p = fred
        .post(
            &staff_link(&overview, "anna@zorg.nl"),
            &[
                ("csrf", &hidden(&overview, "csrf")),
                ("actie", "opslaan"),
                ("rol", "primary_caregiver"),
                ("rol", "privacy_officer"),
                ("team", w.team_a.as_str()),
                ("actief", "ja"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/beheer?melding=goedkeuring"));
    // Gert switches Fred off (he left): Fred's request goes with him.
    let mut gert = w.signed_in("gert@zorg.nl").await;
    let overview = gert.get("/beheer").await.body;
    assert!(overview.contains("/beheer/goedkeuringen/"));
    let p = gert
        .post(
            &staff_link(&overview, "fred@zorg.nl"),
            &[
                ("csrf", &hidden(&overview, "csrf")),
                ("actie", "opslaan"),
                ("rol", "functional_admin"),
                ("actief", "nee"),
            ],
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/beheer?melding=opgeslagen"),
        "{}",
        p.body
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM staff_change_request WHERE decision = 'superseded'")
            .await,
        1
    );
    assert!(!gert
        .get("/beheer")
        .await
        .body
        .contains("/beheer/goedkeuringen/"));
}

/// A browser whose requests arrive from `peer` with `X-Forwarded-For: xff`.
struct Via {
    b: Browser,
    peer: std::net::SocketAddr,
    xff: Option<&'static str>,
}

impl Via {
    fn new(app: axum::Router, peer: &str, xff: Option<&'static str>) -> Self {
        Via {
            b: Browser {
                app,
                jar: BTreeMap::new(),
            },
            peer: peer.parse().expect("peer"),
            xff,
        }
    }
    fn req(&self, r: axum::http::request::Builder) -> axum::http::request::Builder {
        let r = r.header("cookie", self.b.cookie_header());
        match self.xff {
            Some(x) => r.header("x-forwarded-for", x),
            None => r,
        }
    }
    async fn get(&mut self, path: &str) -> common::Page {
        let mut req = self
            .req(axum::http::Request::get(path))
            .body(axum::body::Body::empty())
            .expect("req");
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(self.peer));
        self.b.send(req).await
    }
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> common::Page {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", common::enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = self
            .req(axum::http::Request::post(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .expect("req");
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(self.peer));
        self.b.send(req).await
    }
    async fn login(&mut self, email: &str, password: &str) -> common::Page {
        let p = self.get("/inloggen").await;
        let csrf = hidden(&p.body, "csrf");
        self.post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_guessers_are_slowed_and_users_still_get_in() {
    let w = world().await;
    let app = router(
        w.svc.clone(),
        WebConfig {
            trusted_proxies: inzage_web::client_addr::TrustedProxies::parse("10.0.0.1")
                .expect("list"),
            ..WebConfig::default()
        },
    );
    // Someone fails 25 times through the proxy.
    let mut guesser = Via::new(app.clone(), "10.0.0.1:40000", Some("203.0.113.66"));
    for i in 0..25 {
        let p = guesser
            .login(&format!("guess{i}@example.nl"), "geraden wachtwoord")
            .await;
        assert_eq!(p.status, StatusCode::OK, "refused on the page");
    }
    let slowed = w.pacer.waits().len();
    assert_eq!(slowed, 5, "the attempts over the limit of 20 waited");
    // Aisha, through the same proxy, signs in at once: her address is her
    // own, not the proxy's, so the guesser's failures do not touch her.
    let mut aisha = Via::new(app.clone(), "10.0.0.1:40001", Some("198.51.100.5"));
    let p = aisha.login("aisha@example.nl", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen/code")));
    assert_eq!(w.pacer.waits().len(), slowed, "Aisha did not wait");
    // Even from the guesser's own address a right password gets in
    // (slowed: once the queued turns have passed, it waits its own).
    w.clock.advance(chrono::Duration::seconds(31));
    let p = guesser.login("bram@example.nl", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The audit trail records the clients' addresses, never the proxy's.
    let by = |addr: &str| format!("SELECT COUNT(*) FROM audit_event WHERE source_addr = '{addr}'");
    assert!(w.db.scalar(&by("203.0.113.66")).await >= 26);
    assert!(w.db.scalar(&by("198.51.100.5")).await >= 1);
    assert_eq!(w.db.scalar(&by("10.0.0.1")).await, 0);
    // From anyone else the header is the client's own claim: ignored.
    let mut liar = Via::new(app, "192.0.2.9:5000", Some("198.51.100.5"));
    liar.login("nobody@example.nl", "x").await;
    assert_eq!(w.db.scalar(&by("192.0.2.9")).await, 1);
}

#[tokio::test]
async fn a_flood_from_one_source_is_told_to_come_back_without_being_tried() {
    let w = world().await;
    let app = router(w.svc.clone(), WebConfig::default());
    let mut flood = Via::new(app.clone(), "203.0.113.77:5000", None);
    // The clock stands still: the turns of 1, 2, 4, 8, 16 and 30 s queue
    // up until the next one would wait more than 50 seconds.
    let mut answered = 0;
    let busy = loop {
        let p = flood
            .login(&format!("guess{answered}@example.nl"), "fout")
            .await;
        if p.status != StatusCode::OK {
            break p;
        }
        answered += 1;
        assert!(answered < 40, "never busy");
    };
    assert_eq!(answered, 25, "20 free, then 5 queued turns (1+2+4+8+16 s)");
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(busy.body.contains("te veel inlogpogingen"), "{}", busy.body);
    // Not tried: no Argon2 run, nothing counted, nothing audited; even a
    // right password is not looked at while the queue is full.
    let work = w.svc.password_verifications();
    let events = w.db.scalar("SELECT COUNT(*) FROM audit_event").await;
    let p = flood.login("aisha@example.nl", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(w.svc.password_verifications(), work);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event").await,
        events
    );
    // Another address is not affected.
    let mut other = Via::new(app.clone(), "198.51.100.8:5000", None);
    let p = other.login("aisha@example.nl", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // Fifty seconds on, the queue has room again and the right password
    // gets in (slowed).
    w.clock.advance(chrono::Duration::seconds(50));
    let p = flood.login("aisha@example.nl", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

#[tokio::test]
async fn password_reset_requests_do_not_flood_the_holder() {
    let w = world().await;
    let mut anon = Via::new(
        router(w.svc.clone(), WebConfig::default()),
        "192.0.2.20:5000",
        None,
    );
    let p = anon.get("/wachtwoord-opvragen").await;
    let csrf = hidden(&p.body, "csrf");
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let p = anon
            .post(
                "/wachtwoord-opvragen",
                &[("csrf", &csrf), ("email", "aisha@example.nl")],
            )
            .await;
        statuses.push(p.status);
    }
    // The limit per source (10 per window), then a clear answer.
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::OK));
    assert!(statuses[10..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    let resets = |mails: &[String]| {
        mails
            .iter()
            .filter(|m| m.contains("To: aisha@example.nl") && m.contains("token="))
            .count()
    };
    let mails = w.deliver().await;
    assert_eq!(resets(&mails), 1, "one e-mail per 5 minutes");
    let first = mails
        .iter()
        .find(|m| m.contains("To: aisha@example.nl") && m.contains("token="))
        .expect("link")
        .clone();
    // Five minutes on, another request sends a second link; the first
    // one still works.
    w.clock.advance(chrono::Duration::minutes(5));
    w.svc
        .request_password_reset("aisha@example.nl", Some("192.0.2.21"))
        .await
        .expect("reset");
    assert_eq!(resets(&w.deliver().await), 2);
    let i = first.find("token=").expect("token") + 6;
    let token = &first[i..i + 64];
    assert_eq!(
        w.svc.token_email(token).await.expect("first link valid"),
        "aisha@example.nl"
    );
}

#[tokio::test]
async fn the_authenticator_app_changes_only_with_the_password_and_ends_other_sessions() {
    let w = world().await;
    let mut other = w.signed_in("aisha@example.nl").await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    // Linking an app: the key page asks for the password.
    let p = aisha.get("/mijn-account/app").await;
    assert!(p.body.contains("name=\"wachtwoord\""), "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let secret: String = {
        let i = p.body.find("inzage-secret\">").expect("key") + 15;
        p.body[i..]
            .chars()
            .take_while(|c| *c != '<')
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    let p = aisha
        .post("/mijn-account/app", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert!(
        p.body.contains("Je huidige wachtwoord klopt niet."),
        "{}",
        p.body
    );
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM account WHERE totp_secret IS NOT NULL AND kind = 'client'"
        )
        .await,
        0
    );
    let p = aisha
        .post(
            "/mijn-account/app",
            &[("csrf", &csrf), ("code", &code), ("wachtwoord", PASSWORD)],
        )
        .await;
    assert!(p.body.contains("App gekoppeld"), "{}", p.body);
    // The other session ended; the holder heard of it.
    assert_eq!(
        other.get("/dossier/gegevens").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(w
        .deliver()
        .await
        .iter()
        .any(|m| m.contains("To: aisha@example.nl")
            && m.contains("Je manier van inloggen is veranderd")));
    // Removing it needs the password and the app's current code.
    let csrf = hidden(&aisha.get("/mijn-account").await.body, "csrf");
    let p = aisha
        .post(
            "/mijn-account/app/verwijderen",
            &[("csrf", &csrf), ("wachtwoord", PASSWORD)],
        )
        .await;
    assert!(
        p.body.contains("De code uit je app klopt niet."),
        "{}",
        p.body
    );
    w.clock.advance(chrono::Duration::seconds(30));
    let now_code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    let p = aisha
        .post(
            "/mijn-account/app/verwijderen",
            &[
                ("csrf", &csrf),
                ("wachtwoord", PASSWORD),
                ("appcode", &now_code),
            ],
        )
        .await;
    assert!(p.body.contains("Je app is ontkoppeld"), "{}", p.body);
}

/// A multipart body that yields `head` first and then `chunks` chunks of
/// `size` bytes (a PDF), counting how many of those the server pulled.
fn counted_upload(
    head: String,
    chunks: usize,
    size: usize,
) -> (
    axum::body::Body,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::AtomicUsize;
    let pulled = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let mut parts: Vec<Vec<u8>> = vec![head.into_bytes()];
    let mut first = b"%PDF-1.7\n".to_vec();
    first.resize(size, b'x');
    parts.push(first);
    for _ in 1..chunks {
        parts.push(vec![b'x'; size]);
    }
    parts.push(b"\r\n--XyZ--\r\n".to_vec());
    let stream = futures_util_stream(parts, counter);
    (axum::body::Body::from_stream(stream), pulled)
}

/// A stream over `parts` that counts every part after the first when it
/// is pulled.
fn futures_util_stream(
    parts: Vec<Vec<u8>>,
    counter: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    struct S {
        parts: std::collections::VecDeque<Vec<u8>>,
        n: usize,
        counter: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }
    impl futures_core::Stream for S {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            let next = self.parts.pop_front();
            if next.is_some() {
                if self.n > 0 {
                    self.counter
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                self.n += 1;
            }
            std::task::Poll::Ready(next.map(Ok))
        }
    }
    S {
        parts: parts.into(),
        n: 0,
        counter,
    }
}

/// The start of an upload's multipart body: the CSRF field (or none),
/// the text fields, then the file's part header.
fn upload_head(csrf: Option<&str>) -> String {
    let field = |name: &str, value: &str| {
        format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let mut h = String::new();
    if let Some(c) = csrf {
        h.push_str(&field("csrf", c));
    }
    h.push_str(&field("titel", "Verslag"));
    h.push_str(&field("soort", "Brief"));
    h.push_str(&field("datum", "01-11-2026"));
    h.push_str(&field("zichtbaar", "ja"));
    h.push_str("--XyZ\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"v.pdf\"\r\nContent-Type: application/pdf\r\n\r\n");
    h
}

async fn send_upload(b: &mut Browser, client: &ClientId, body: axum::body::Body) -> common::Page {
    let req = axum::http::Request::post(format!("/clienten/{client}/documenten"))
        .header("cookie", b.cookie_header())
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .expect("req");
    b.send(req).await
}

#[tokio::test]
async fn uploads_are_checked_before_the_body_is_read_and_streamed_with_the_limit() {
    let w = world().await;
    let tmp_files = || {
        std::fs::read_dir(w.db.dir.path().join("blobs/tmp"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let docs = || async { w.db.scalar("SELECT COUNT(*) FROM document").await };
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let csrf = hidden(
        &anna
            .get(&format!("/clienten/{}/documenten", w.aisha))
            .await
            .body,
        "csrf",
    );
    // No token first, or a wrong one: refused before the file is read.
    for head in [upload_head(None), upload_head(Some("wrong"))] {
        let (body, pulled) = counted_upload(head, 8, 64 * 1024);
        let p = send_upload(&mut anna, &w.aisha, body).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
        // At most one network frame past the form's first field.
        assert!(
            pulled.load(std::sync::atomic::Ordering::SeqCst) <= 1,
            "file not read"
        );
    }
    // Another team's member, with a valid token of their own: refused before
    // the file is read as well.
    let mut bob = w.signed_in("bob@zorg.nl").await;
    let bob_csrf = hidden(&bob.get("/mijn-account").await.body, "csrf");
    let (body, pulled) = counted_upload(upload_head(Some(&bob_csrf)), 8, 64 * 1024);
    let p = send_upload(&mut bob, &w.aisha, body).await;
    assert!(
        p.status == StatusCode::FORBIDDEN || p.status == StatusCode::NOT_FOUND,
        "{}",
        p.status
    );
    assert!(pulled.load(std::sync::atomic::Ordering::SeqCst) <= 1);
    // Over the organisation's limit (10 MiB): reading stops at the limit,
    // nothing is stored, no temporary file is left.
    let (body, pulled) = counted_upload(upload_head(Some(&csrf)), 64, 256 * 1024);
    let p = send_upload(&mut anna, &w.aisha, body).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("te groot") || p.body.contains("groter"),
        "{}",
        p.body
    );
    let read = pulled.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (40..64).contains(&read),
        "stopped near the limit: {read} of 64"
    );
    assert_eq!(docs().await, 0);
    assert_eq!(tmp_files(), 0);
    // Within the limit it is stored, streamed (never whole in memory).
    let (body, _) = counted_upload(upload_head(Some(&csrf)), 4, 256 * 1024);
    let p = send_upload(&mut anna, &w.aisha, body).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(docs().await, 1);
    assert_eq!(
        w.db.scalar("SELECT size_bytes FROM document").await,
        4 * 256 * 1024
    );
    assert_eq!(tmp_files(), 0);
}

#[tokio::test]
async fn documents_are_served_sandboxed_and_api_answers_are_not_stored() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let csrf = hidden(
        &anna
            .get(&format!("/clienten/{}/documenten", w.aisha))
            .await
            .body,
        "csrf",
    );
    let (body, _) = counted_upload(upload_head(Some(&csrf)), 1, 1024);
    assert_eq!(
        send_upload(&mut anna, &w.aisha, body).await.status,
        StatusCode::SEE_OTHER
    );
    let page = anna
        .get(&format!("/clienten/{}/documenten", w.aisha))
        .await
        .body;
    let i = page
        .find(&format!("/clienten/{}/documenten/", w.aisha))
        .expect("a document link");
    let link: String = page[i..].chars().take_while(|c| *c != '"').collect();
    let p = anna.get(&link).await;
    assert_eq!(p.status, StatusCode::OK);
    let csp = p
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.starts_with("sandbox;"), "{csp}");
    assert_eq!(
        p.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    // Every /api/v1 answer is no-store: a failed login, an anonymous
    // /me, the OpenAPI document.
    let mut api = w.browser();
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/auth/login",
            r#"{"email":"x@example.nl","password":"y"}"#,
        ),
        ("GET", "/api/v1/me", ""),
        ("GET", "/api/v1/openapi.json", ""),
    ] {
        let req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .expect("req");
        let p = api.send(req).await;
        assert_eq!(
            p.headers.get("cache-control").map(|v| v.as_bytes()),
            Some(&b"no-store"[..]),
            "{path}"
        );
        assert_eq!(
            p.headers.get("content-disposition").map(|v| v.as_bytes()),
            Some(&b"attachment; filename=\"api.json\""[..]),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_servicedesk_shown_is_the_viewers_own_organisations() {
    let w = world().await;
    let cli = Ctx::system("cli");
    for (name, email) in [("Zorg", "hulp@zorg.nl"), ("Ander", "hulp@ander.nl")] {
        let org = w
            .svc
            .find_organisation_by_name(name)
            .await
            .expect("org")
            .expect("org");
        let settings = OrgSettings {
            servicedesk_email: Some(email.into()),
            help_url: Some(format!("https://www.{}.nl/hulp", name.to_lowercase())),
            staff_sms_allowed: true,
            ..OrgSettings::default()
        };
        w.svc
            .update_organisation_settings(&cli, &org.id, settings)
            .await
            .expect("settings");
    }
    // Before sign-in: the installation's default (its first) organisation.
    let p = w.browser().get("/hulp").await;
    assert!(p.body.contains("hulp@zorg.nl") && !p.body.contains("hulp@ander.nl"));
    assert!(p.body.contains("https://www.zorg.nl/hulp"));
    // Signed in: the viewer's own.
    let mut otto = w.signed_in("otto@example.nl").await;
    let p = otto.get("/hulp").await;
    assert!(
        p.body.contains("hulp@ander.nl") && !p.body.contains("hulp@zorg.nl"),
        "{}",
        p.body
    );
    assert!(p.body.contains("https://www.ander.nl/hulp"));
    let mut olga = w.signed_in("olga@ander.nl").await;
    assert!(olga.get("/hulp").await.body.contains("hulp@ander.nl"));
}

#[tokio::test]
async fn unnamed_sign_in_attempts_belong_to_the_installation_and_searches_record_their_criteria() {
    let w = world().await;
    let app = router(w.svc.clone(), WebConfig::default());
    // An attempt with an unknown address, and a sign-in whose code is sent,
    // from known places.
    let mut stranger = Via::new(app.clone(), "192.0.2.77:1000", None);
    stranger.login("onbekend@example.nl", "geraden").await;
    let mut guesser = Via::new(app.clone(), "192.0.2.79:1000", None);
    guesser.login("aisha@example.nl", "geraden").await;
    let mut aisha = Via::new(app.clone(), "192.0.2.78:1000", None);
    aisha.login("aisha@example.nl", PASSWORD).await;
    let p = aisha.get("/inloggen/code").await;
    let csrf = hidden(&p.body, "csrf");
    aisha.post("/inloggen/sms", &[("csrf", &csrf)]).await;
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'code_sent' AND source_addr = '192.0.2.78'")
            .await,
        1,
        "code_sent records the source"
    );
    // Two organisations: the unnamed attempt belongs to the installation.
    // Neither privacy officer sees it (by trying an address, one could
    // learn whether the other organisation has an account for it) ...
    let mut pieter = w.signed_in("pieter@zorg.nl").await;
    let p = pieter.get("/audit?actie=login&geweigerd=1").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("192.0.2.79"),
        "Aisha's own failure: {}",
        p.body
    );
    assert!(!p.body.contains("192.0.2.77"), "{}", p.body);
    let mut paula = w.signed_in("paula@ander.nl").await;
    let p = paula.get("/audit?actie=login&geweigerd=1").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("192.0.2.77"));
    // ... the operator on the server does.
    let lines = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                limit: 100,
                action: Some("login".into()),
                denied_only: true,
                ..Default::default()
            },
        )
        .await
        .expect("search")
        .into_inner();
    assert!(lines
        .iter()
        .any(|l| l.source_addr.as_deref() == Some("192.0.2.77")));
    // Each search is itself an event, with its criteria.
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'audit_log' \
             AND reason LIKE 'criteria:%action=login;denied_only=1%'"
        )
        .await,
        3,
        "two privacy officers and the operator"
    );
}
