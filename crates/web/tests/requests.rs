//! The client's voice over HTTP (issue 15): a correction asked on a report
//! goes to the care team with a due date, is declined with a reason the
//! client reads; an addition to the personal data shows beside them at
//! once, goes to the secretariat and is marked read; nobody else asks;
//! overdue requests are marked (injected clock); every step is audited.
use axum::http::StatusCode;
use chrono::Duration;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::writes::NewReport;
use inzage_service::Ctx;

mod common;
use common::hidden;
use common::world::{label, staff, world, World};

/// A final, client-visible report by Anna in Aisha's dossier; its id.
async fn final_report(w: &World, body: &str) -> String {
    let anna = Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let id = w
        .svc
        .create_report(
            &anna,
            &w.aisha,
            NewReport {
                category: label("Wonen"),
                body: Text::parse("body", body, 20_000).expect("text"),
                visible_to_client: true,
            },
        )
        .await
        .expect("report");
    w.svc.finalise_report(&anna, &id, 1).await.expect("final");
    id.to_string()
}

fn ask_form<'a>(
    csrf: &'a str,
    soort: &'a str,
    over: &'a str,
    id: &'a str,
    text: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("soort", soort),
        ("over", over),
        ("id", id),
        ("tekst", text),
    ]
}

#[tokio::test]
async fn a_correction_goes_to_the_care_team_and_the_client_reads_the_reason_it_was_declined() {
    let w = world().await;
    let report = final_report(&w, "Aisha was vandaag boos op haar buurman.").await;
    let kees = staff(
        &w.svc,
        &w.zorg,
        "Kees",
        ("kees@zorg.nl", "0677777771"),
        vec![Role::Secretariat],
        vec![w.team_a.clone()],
    )
    .await;
    let _ = kees;

    // The client finds the way on the report itself.
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let page = aisha.get(&format!("/dossier/rapportages/{report}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Klopt er iets niet?"), "{}", page.body);
    let link =
        format!("/dossier/verzoeken/nieuw?soort=verbetering&amp;over=rapportage&amp;id={report}");
    assert!(page.body.contains(&link), "{}", page.body);
    let form = aisha
        .get(&format!(
            "/dossier/verzoeken/nieuw?soort=verbetering&over=rapportage&id={report}"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Je begeleider leest je vraag."),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("Je krijgt binnen 28 dagen antwoord."),
        "{}",
        form.body
    );
    let csrf = hidden(&form.body, "csrf");

    // A forged form and an empty text change nothing; the text typed stays.
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form("fout", "verbetering", "rapportage", &report, "x"),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(&csrf, "verbetering", "rapportage", &report, "   "),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Schrijf je vraag op"), "{}", p.body);
    let long = "a".repeat(2001);
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(&csrf, "verbetering", "rapportage", &report, &long),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains(&long), "the text is kept");
    let none: i64 = w.db.scalar("SELECT COUNT(*) FROM dossier_request").await;
    assert_eq!(none, 0);

    // Sent: listed for the client with the due date four weeks out.
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(
                &csrf,
                "verbetering",
                "rapportage",
                &report,
                "Ik was niet boos. Ik was verdrietig.",
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mine = aisha.get("/dossier/verzoeken?melding=verstuurd").await;
    assert!(mine.body.contains("Verstuurd."), "{}", mine.body);
    assert!(mine.body.contains("Ik was niet boos. Ik was verdrietig."));
    let due = display_date(local_date(w.clock.now_for_test()) + Duration::days(28));
    assert!(
        mine.body
            .contains(&format!("Je krijgt uiterlijk {due} antwoord.")),
        "{}",
        mine.body
    );

    // The care team's queue has it; the secretariat's does not.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let q = anna.get("/verzoeken").await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(
        q.body.contains("Verbetering: Rapportage") && q.body.contains(&due),
        "{}",
        q.body
    );
    assert!(
        !q.body.contains("Ik was niet boos"),
        "no words in the queue"
    );
    let mut kees = w.signed_in("kees@zorg.nl").await;
    let q = kees.get("/verzoeken").await;
    assert!(
        q.body.contains("Er zijn geen open verzoeken."),
        "{}",
        q.body
    );
    // Nor does the secretariat read it on the client's page (review: its
    // words would tell what the report says).
    let rid: String = w.db.text("SELECT id FROM dossier_request").await;
    let list = kees.get(&format!("/clienten/{}/verzoeken", w.aisha)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.body.contains("Rapportage") && !list.body.contains(&rid),
        "{}",
        list.body
    );
    let one = kees
        .get(&format!("/clienten/{}/verzoeken/{rid}", w.aisha))
        .await;
    assert_eq!(one.status, StatusCode::NOT_FOUND);
    assert!(!one.body.contains("verdrietig"));
    // Under another client's address it is not found either (Bob's Bram).
    let mut bob_view = w.signed_in("bob@zorg.nl").await;
    let other = bob_view
        .get(&format!("/clienten/{}/verzoeken/{rid}", w.bram))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Staff of another team see nothing of it.
    let mut bob = w.signed_in("bob@zorg.nl").await;
    assert!(bob
        .get("/verzoeken")
        .await
        .body
        .contains("Er zijn geen open verzoeken."));

    // After the due date it is marked late.
    w.clock.advance(Duration::days(29));
    // (Everyone signs in again after four weeks.)
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let q = anna.get("/verzoeken").await;
    assert!(q.body.contains("te laat"), "{}", q.body);
    let i = q.body.find("/verzoeken/").expect("link");
    let start = q.body[..i].rfind("/clienten/").expect("client link");
    let href: String = q.body[start..].chars().take_while(|c| *c != '"').collect();

    // Declining needs a reason; the client reads it.
    let p = anna.get(&href).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Ik was niet boos. Ik was verdrietig."));
    let csrf = hidden(&p.body, "csrf");
    let r = anna
        .post(
            &href,
            &[
                ("csrf", csrf.as_str()),
                ("besluit", "niet-verbeteren"),
                ("antwoord", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Schrijf de reden op"), "{}", r.body);
    let r = anna
        .post(
            &href,
            &[
                ("csrf", csrf.as_str()),
                ("besluit", "niet-verbeteren"),
                (
                    "antwoord",
                    "Zo hebben wij het gezien. Je kunt een aanvulling schrijven.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Answered once only.
    let again = anna
        .post(
            &href,
            &[
                ("csrf", csrf.as_str()),
                ("besluit", "verbeterd"),
                ("antwoord", ""),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .contains("gewijzigd"));
    let status: String = w.db.text("SELECT status FROM dossier_request").await;
    assert_eq!(status, "declined");
    let mine = aisha.get("/dossier/verzoeken").await;
    assert!(mine.body.contains("Niet verbeterd."), "{}", mine.body);
    assert!(
        mine.body.contains("Zo hebben wij het gezien."),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("Anna Test"), "who answered");
    // The team's reads of her requests are in her "Wie keek mee".
    let log = aisha.get("/dossier/wie-keek-mee").await;
    assert!(log.body.contains("Verzoeken"), "{}", log.body);

    // Audited: the request, the team's reads and the decision.
    let events: i64 =
        w.db.scalar(
            "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'requests' AND outcome = 'allowed'",
        )
        .await;
    assert!(events >= 4, "ask, list, read, answer: {events}");
}

#[tokio::test]
async fn an_addition_shows_beside_the_personal_data_at_once_and_nobody_else_can_ask() {
    let w = world().await;
    staff(
        &w.svc,
        &w.zorg,
        "Kees",
        ("kees@zorg.nl", "0677777771"),
        vec![Role::Secretariat],
        vec![w.team_a.clone()],
    )
    .await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let profile = aisha.get("/dossier/gegevens").await;
    assert!(
        profile.body.contains("Schrijf je eigen aanvulling"),
        "{}",
        profile.body
    );
    let csrf = hidden(&profile.body, "csrf");
    // Characters that reorder what others are shown are refused, the
    // text comes back.
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(
                &csrf,
                "aanvulling",
                "gegevens",
                "",
                "Ik ben \u{202E}tsetnoc",
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Typ je tekst zelf"), "{}", p.body);
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(&csrf, "aanvulling", "gegevens", "", "Ik heet liever Ais."),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let profile = aisha.get("/dossier/gegevens").await;
    assert!(
        profile.body.contains("Jouw aanvulling") && profile.body.contains("Ik heet liever Ais.")
    );

    // Her mentor reads it beside the data, and cannot ask herself.
    let mut vera = w.signed_in("vera@example.nl").await;
    let seen = vera.get("/dossier/gegevens").await;
    assert!(
        seen.body.contains("Aanvulling van de cliënt") && seen.body.contains("Ik heet liever Ais."),
        "{}",
        seen.body
    );
    assert!(!seen.body.contains("Schrijf je eigen aanvulling"));
    let vcsrf = hidden(&seen.body, "csrf");
    let p = vera
        .post(
            "/dossier/verzoeken",
            &ask_form(&vcsrf, "aanvulling", "gegevens", "", "Namens Aisha."),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        vera.get("/dossier/verzoeken/nieuw?soort=aanvulling&over=gegevens")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Another client's report, or a made-up one, is not found.
    let other = final_report(&w, "Voor Aisha.").await;
    let bram_report = {
        let bob: String =
            w.db.text("SELECT id FROM staff_member WHERE email = 'bob@zorg.nl'")
                .await;
        let id = w
            .svc
            .create_report(
                &Ctx::new(Principal::Staff {
                    staff_id: inzage_core::ids::StaffId::from_raw(bob),
                }),
                &w.bram,
                NewReport {
                    category: label("Wonen"),
                    body: Text::parse("body", "Over Bram.", 100).expect("t"),
                    visible_to_client: true,
                },
            )
            .await
            .expect("bram's report");
        id.to_string()
    };
    let p = aisha
        .post(
            "/dossier/verzoeken",
            &ask_form(
                &csrf,
                "verbetering",
                "rapportage",
                &bram_report,
                "Niet van mij.",
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let count: i64 = w.db.scalar("SELECT COUNT(*) FROM dossier_request").await;
    assert_eq!(count, 1, "only the addition");
    let _ = other;

    // The secretariat answers about personal data: Kees marks it read,
    // and the client sees who read it. The addition stays.
    let mut kees = w.signed_in("kees@zorg.nl").await;
    let q = kees.get("/verzoeken").await;
    assert!(q.body.contains("Aanvulling: Mijn gegevens"), "{}", q.body);
    let staff_profile = kees.get(&format!("/clienten/{}", w.aisha)).await;
    assert!(
        staff_profile.body.contains("Ik heet liever Ais."),
        "{}",
        staff_profile.body
    );
    let i = q.body.find("/verzoeken/").expect("link");
    let start = q.body[..i].rfind("/clienten/").expect("client link");
    let href: String = q.body[start..].chars().take_while(|c| *c != '"').collect();
    let p = kees.get(&href).await;
    let csrf = hidden(&p.body, "csrf");
    // An addition is not "declined".
    let r = kees
        .post(
            &href,
            &[
                ("csrf", csrf.as_str()),
                ("besluit", "niet-verbeteren"),
                ("antwoord", "Nee."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = kees
        .post(&href, &[("csrf", csrf.as_str()), ("besluit", "gelezen")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mine = aisha.get("/dossier/verzoeken").await;
    assert!(
        mine.body.contains("Gelezen door Kees Test."),
        "{}",
        mine.body
    );
    assert!(aisha
        .get("/dossier/gegevens")
        .await
        .body
        .contains("Ik heet liever Ais."));
}

#[tokio::test]
async fn an_addition_to_a_plan_section_stays_beside_its_domain_in_later_plan_versions() {
    let w = world().await;
    let anna = Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let aisha = Ctx::new(Principal::Client {
        client_id: w.aisha.clone(),
    });
    let day = local_date(w.clock.now_for_test());
    let first = w
        .svc
        .new_plan_version(&anna, &w.aisha, day)
        .await
        .expect("plan");
    let draft_section = w
        .svc
        .plan(&anna, &first)
        .await
        .expect("draft")
        .into_inner()
        .sections
        .remove(0);
    w.svc
        .update_plan_section(
            &anna,
            &draft_section.id,
            draft_section.revision,
            inzage_service::plans::SectionEdit {
                domain: label("Wonen"),
                goals: Text::parse("goals", "Je ruimt je kamer op.", 100).expect("t"),
                agreements: Text::parse("agreements", "Op maandag.", 100).expect("t"),
            },
        )
        .await
        .expect("section");
    w.svc.finalise_plan(&anna, &first).await.expect("final");
    let section = w
        .svc
        .plan(&aisha, &first)
        .await
        .expect("read")
        .into_inner()
        .sections
        .remove(0);
    w.svc
        .ask(
            &aisha,
            &w.aisha,
            inzage_service::requests::RequestKind::Addition,
            inzage_service::requests::RequestAbout::PlanSection(section.id.clone()),
            "Ik wil zelf kiezen wanneer ik opruim.",
        )
        .await
        .expect("addition");
    w.clock.advance(Duration::days(1));
    let second = w
        .svc
        .new_plan_version(&anna, &w.aisha, day + Duration::days(1))
        .await
        .expect("second plan");
    w.svc.finalise_plan(&anna, &second).await.expect("final");
    let later = w
        .svc
        .plan(&aisha, &second)
        .await
        .expect("read")
        .into_inner();
    let same = later
        .sections
        .iter()
        .find(|s| s.domain == section.domain)
        .expect("the domain is copied");
    assert_ne!(same.id, section.id, "a new version has new sections");
    assert_eq!(same.additions.len(), 1, "the addition follows its domain");
    assert_eq!(
        same.additions[0].body,
        "Ik wil zelf kiezen wanneer ik opruim."
    );
    // And the staff page shows it too.
    let mut anna_web = w.signed_in("anna@zorg.nl").await;
    let page = anna_web
        .get(&format!("/clienten/{}/clientplan/{second}", w.aisha))
        .await;
    assert!(
        page.body.contains("Ik wil zelf kiezen wanneer ik opruim."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Aanvulling van de cliënt"));
}
