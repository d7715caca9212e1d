//! Notifications without content (issue 15, item 5; ADR 0021): opt-in in
//! Mijn account, at most one "something new" a day, a reminder the day
//! before an appointment with the time only, never a word of the dossier,
//! and one-click unsubscribe.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::care::NewAppointment;
use inzage_service::writes::NewReport;
use inzage_service::Ctx;

mod common;
use common::world::{label, world, World};
use common::{hidden, Browser};

/// Words that appear only in the dossier: none may reach a notification.
const MARKERS: [&str; 7] = [
    "Zwaluwstaart",
    "Kolibrie",
    "Pelikaanstraat",
    "Flamingo",
    "Toekan",
    "Aisha",
    "Anna",
];

fn anna(w: &World) -> Ctx {
    Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    })
}

async fn final_report(w: &World, body: &str) {
    let id = w
        .svc
        .create_report(
            &anna(w),
            &w.aisha,
            NewReport {
                category: label("Zwaluwstaart"),
                body: Text::parse("body", body, 20_000).expect("text"),
                visible_to_client: true,
            },
        )
        .await
        .expect("report");
    w.svc
        .finalise_report(&anna(w), &id, 1)
        .await
        .expect("final");
}

async fn choose(b: &mut Browser, fields: &[(&str, &str)]) -> common::Page {
    let csrf = hidden(&b.get("/mijn-account").await.body, "csrf");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post("/mijn-account/berichten", &form).await
}

/// The e-mails and SMS messages delivered since `seen` outbox files.
async fn delivered_since(w: &World, seen: usize) -> Vec<String> {
    w.deliver().await.into_iter().skip(seen).collect()
}

#[tokio::test]
async fn notifications_say_that_not_what_and_come_at_most_once_a_day() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let account = aisha.get("/mijn-account").await.body;
    assert!(account.contains("Berichten over je dossier"), "{account}");
    assert!(account.contains("hoogstens 1 keer per dag"));
    let saved = choose(
        &mut aisha,
        &[
            ("nieuws", "ja"),
            ("herinnering", "ja"),
            ("email", "ja"),
            ("sms", "ja"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved
        .body
        .contains("Je keuze voor berichten is opgeslagen."));
    let mut vera = w.signed_in("vera@example.nl").await;
    let saved = choose(
        &mut vera,
        &[("nieuws", "ja"), ("herinnering", "ja"), ("email", "ja")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    // Staff are not offered notifications, and cannot set them.
    let mut anna_b = w.signed_in("anna@zorg.nl").await;
    assert!(!anna_b
        .get("/mijn-account")
        .await
        .body
        .contains("Berichten over je dossier"));
    assert_eq!(
        choose(&mut anna_b, &[("nieuws", "ja"), ("email", "ja")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let seen = w.deliver().await.len();

    // Nothing new yet: nothing is sent (switching on says nothing of the past).
    assert_eq!(
        w.svc.send_notifications().await.expect("sweep"),
        inzage_service::notifications::SweepReport::default()
    );

    // The dossier gets marker words everywhere a notification could leak them.
    w.clock.advance(Duration::minutes(5));
    final_report(&w, "Kolibrie geheim verhaal").await;
    let now = w.clock.now_for_test();
    let tomorrow_ten = inzage_core::types::local_midnight_utc(local_date(now) + Duration::days(1))
        + Duration::hours(10);
    w.svc
        .create_appointment(
            &anna(&w),
            &w.aisha,
            NewAppointment {
                starts_at: tomorrow_ten,
                ends_at: tomorrow_ten + Duration::hours(1),
                practitioner: w.anna.clone(),
                place: label("Pelikaanstraat 1"),
                description: Text::parse("description", "Flamingo gesprek", 2000).expect("t"),
            },
        )
        .await
        .expect("appointment");
    let q = w
        .svc
        .ask_team(
            &Ctx::new(Principal::Client {
                client_id: w.aisha.clone(),
            }),
            &w.aisha,
            "Mag ik iets vragen?",
        )
        .await
        .expect("question");
    w.svc
        .add_to_question(&anna(&w), &w.aisha, &q, "Toekan antwoord")
        .await
        .expect("answer");
    w.clock.advance(Duration::minutes(5));

    let report = w.svc.send_notifications().await.expect("sweep");
    assert_eq!(report.news, 2, "Aisha and Vera: {report:?}");
    assert_eq!(
        report.reminders, 1,
        "Vera may not see appointments: {report:?}"
    );
    let sent = delivered_since(&w, seen).await;
    assert_eq!(
        sent.len(),
        5,
        "Aisha: news and reminder by mail and SMS; Vera: news by mail"
    );
    for m in &sent {
        for marker in MARKERS {
            assert!(!m.contains(marker), "{marker} in a notification: {m}");
        }
    }
    let mail_to = |who: &str, what: &str| {
        sent.iter()
            .filter(|m| m.contains(&format!("To: {who}")) && m.contains(what))
            .count()
    };
    assert_eq!(
        mail_to("aisha@example.nl", "Er staat iets nieuws in je dossier."),
        1
    );
    assert_eq!(
        mail_to(
            "aisha@example.nl",
            "Je hebt morgen om 10:00 een afspraak. Kijk in het portaal."
        ),
        1
    );
    assert_eq!(
        mail_to(
            "vera@example.nl",
            "Er staat iets nieuws in een dossier dat je mag lezen."
        ),
        1
    );
    assert_eq!(
        sent.iter()
            .filter(
                |m| m.contains("Er staat iets nieuws in je dossier. Kijk in het portaal.")
                    && !m.contains("Subject:")
            )
            .count(),
        1,
        "one SMS with news: {sent:?}"
    );
    let mails: Vec<&String> = sent.iter().filter(|m| m.contains("Subject:")).collect();
    assert_eq!(mails.len(), 3);
    for m in &mails {
        assert!(m.contains("List-Unsubscribe: <http"), "{m}");
        assert!(
            m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{m}"
        );
    }

    // The same day: more news, no second notification; the reminder is
    // not sent again.
    w.clock.advance(Duration::minutes(1));
    final_report(&w, "Kolibrie tweede verhaal").await;
    w.clock.advance(Duration::hours(2));
    assert_eq!(
        w.svc.send_notifications().await.expect("sweep"),
        inzage_service::notifications::SweepReport::default()
    );
    // The next day there is news again (nobody signed in since)…
    w.clock.advance(Duration::hours(22));
    let report = w.svc.send_notifications().await.expect("sweep");
    assert_eq!(report.news, 2, "{report:?}");
    // …but not for news someone already read by signing in.
    w.clock.advance(Duration::minutes(1));
    final_report(&w, "Kolibrie derde verhaal").await;
    w.clock.advance(Duration::minutes(1));
    let _vera_again = w.signed_in("vera@example.nl").await;
    w.clock.advance(Duration::days(1));
    let report = w.svc.send_notifications().await.expect("sweep");
    assert_eq!(
        report.news, 1,
        "only Aisha, who did not sign in: {report:?}"
    );

    // Every notification is in the audit trail, and in Wie keek mee.
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'notify'")
            .await,
        6
    );
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let log = aisha.get("/dossier/wie-keek-mee").await.body;
    assert!(log.contains("bericht gestuurd (zonder inhoud)"), "{log}");
}

#[tokio::test]
async fn one_click_in_the_mail_stops_every_notification() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    choose(
        &mut aisha,
        &[("nieuws", "ja"), ("herinnering", "ja"), ("email", "ja")],
    )
    .await;
    let seen = w.deliver().await.len();
    w.clock.advance(Duration::minutes(5));
    final_report(&w, "Kolibrie").await;
    w.clock.advance(Duration::minutes(5));
    assert_eq!(w.svc.send_notifications().await.expect("sweep").news, 1);
    let mail = delivered_since(&w, seen).await.join("\n");
    let url = mail
        .split("List-Unsubscribe: <")
        .nth(1)
        .and_then(|r| r.split('>').next())
        .expect("a List-Unsubscribe header")
        .to_owned();
    let path = url
        .split_once("/afmelden")
        .map(|(_, rest)| format!("/afmelden{rest}"))
        .expect("our address");
    assert!(
        mail.replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=")
            .contains(&url),
        "the same link in the text"
    );

    // The link opens a page with one button; without its form token (and
    // not a mail program's one-click) the POST changes nothing.
    let mut visitor = w.browser();
    let form = visitor.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Geen berichten meer"), "{}", form.body);
    let refused = visitor.post(&path, &[("csrf", "x")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.db.scalar("SELECT notify_news FROM account WHERE email = 'aisha@example.nl'")
            .await,
        1
    );
    // A wrong code: nothing happens.
    let wrong = w
        .browser()
        .send(
            Request::post(format!("/afmelden?code={}", "ab".repeat(32)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("req"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    // The mail program's own button: one POST, no cookie (RFC 8058).
    let done = w
        .browser()
        .send(
            Request::post(path.as_str())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("req"),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Je krijgt geen berichten meer"));
    assert_eq!(
        w.db.scalar(
            "SELECT notify_news + notify_reminders FROM account WHERE email = 'aisha@example.nl'"
        )
        .await,
        0
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'unsubscribed'")
            .await,
        1
    );
    // The code is spent: a second click (or anyone with the old mail)
    // changes nothing and writes nothing.
    let again = w
        .browser()
        .send(
            Request::post(path.as_str())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .expect("req"),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'unsubscribed'")
            .await,
        1
    );
    // Nothing more is sent.
    final_report(&w, "Kolibrie").await;
    w.clock.advance(Duration::days(1));
    assert_eq!(
        w.svc.send_notifications().await.expect("sweep"),
        inzage_service::notifications::SweepReport::default()
    );
    // Mijn account shows it off.
    let account = aisha.get("/mijn-account").await.body;
    assert!(
        !account.contains("name=\"nieuws\" value=\"ja\" checked"),
        "{account}"
    );
}

#[tokio::test]
async fn a_choice_without_a_way_to_send_it_is_refused_with_a_clear_message() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let page = choose(&mut aisha, &[("nieuws", "ja")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("Kies per e-mail of per sms."),
        "{}",
        page.body
    );
    assert_eq!(
        w.db.scalar("SELECT notify_news FROM account WHERE email = 'aisha@example.nl'")
            .await,
        0,
        "nothing saved"
    );
    // Switching everything off is always possible.
    assert_eq!(choose(&mut aisha, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_sweep_job_keeps_to_daytime_and_comes_back_by_itself() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    choose(&mut aisha, &[("nieuws", "ja"), ("email", "ja")]).await;
    let seen = w.deliver().await.len();
    // 21:30 in Amsterdam (20:30 UTC in November): something new, but it waits.
    let now = w.clock.now_for_test();
    let evening = local_midnight_utc(local_date(now)) + Duration::minutes(21 * 60 + 30);
    w.clock.advance(evening - now);
    final_report(&w, "Kolibrie").await;
    w.clock.advance(Duration::minutes(1));
    assert!(
        delivered_since(&w, seen).await.is_empty(),
        "not in the evening"
    );
    let run_at =
        w.db.text("SELECT run_at FROM job WHERE kind = 'notification_sweep'")
            .await;
    let next_morning = local_midnight_utc(local_date(now) + Duration::days(1)) + Duration::hours(8);
    assert_eq!(run_at, ts(next_morning));
    // At 08:00 the job runs again by itself and sends.
    w.clock.advance(next_morning - w.clock.now_for_test());
    let sent = delivered_since(&w, seen).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Er staat iets nieuws in je dossier."));
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM job WHERE kind = 'notification_sweep' AND status = 'queued'"
        )
        .await,
        1,
        "one sweep job, waiting for its next turn"
    );
}

#[tokio::test]
async fn a_contact_person_whose_access_ended_hears_of_nothing() {
    let w = world().await;
    let mut vera = w.signed_in("vera@example.nl").await;
    choose(&mut vera, &[("nieuws", "ja"), ("email", "ja")]).await;
    w.clock.advance(Duration::minutes(5));
    // A report hidden from the client is no news for anyone in the portal.
    let hidden_report = w
        .svc
        .create_report(
            &anna(&w),
            &w.aisha,
            NewReport {
                category: label("Zwaluwstaart"),
                body: Text::parse("body", "Kolibrie verborgen", 20_000).expect("text"),
                visible_to_client: false,
            },
        )
        .await
        .expect("report");
    w.svc
        .finalise_report(&anna(&w), &hidden_report, 1)
        .await
        .expect("final");
    w.clock.advance(Duration::minutes(5));
    assert_eq!(w.svc.send_notifications().await.expect("sweep").news, 0);
    // Her grant is revoked: a visible report is no news for her either.
    let grant = w
        .db
        .text("SELECT id FROM access_grant WHERE revoked_at IS NULL AND contact_person_id IN (SELECT id FROM contact_person WHERE email = 'vera@example.nl')")
        .await;
    w.svc
        .revoke_grant(
            &Ctx::system("cli"),
            &inzage_core::ids::AccessGrantId::from_raw(grant),
        )
        .await
        .expect("revoke");
    final_report(&w, "Kolibrie zichtbaar").await;
    w.clock.advance(Duration::minutes(5));
    assert_eq!(w.svc.send_notifications().await.expect("sweep").news, 0);
}

#[tokio::test]
async fn a_failing_sweep_is_tried_again_at_its_next_turn_and_never_given_up() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    choose(&mut aisha, &[("nieuws", "ja"), ("email", "ja")]).await;
    let seen = w.deliver().await.len();
    // Many turns behind it, then the database fails under it.
    w.db.exec_raw("UPDATE job SET attempts = 50 WHERE kind = 'notification_sweep'")
        .await;
    w.db.exec_raw("ALTER TABLE notification_sent RENAME TO notification_gone")
        .await;
    w.clock.advance(Duration::minutes(5));
    final_report(&w, "Kolibrie").await;
    w.clock.advance(Duration::minutes(15));
    assert!(delivered_since(&w, seen).await.is_empty());
    assert_eq!(
        w.db.text("SELECT status FROM job WHERE kind = 'notification_sweep'")
            .await,
        "queued",
        "not given up"
    );
    // The database is well again: the next turn sends.
    w.db.exec_raw("ALTER TABLE notification_gone RENAME TO notification_sent")
        .await;
    w.clock.advance(Duration::minutes(15));
    let sent = delivered_since(&w, seen).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
}
