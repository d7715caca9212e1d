//! The afschrift (issue 15, item 1; ADR 0022): the client, or a contact
//! person marked as legal representative, asks for a full copy; a durable
//! job makes a tagged PDF/A-3a with the documents attached; only the
//! account that asked downloads it, for 7 days; everything is audited.
//! The PDF is read back with poppler's `pdftotext`, an independent reader.
use axum::http::StatusCode;
use chrono::Duration;

mod common;
use common::hidden;
use common::world::{matrix_world, World};

/// The text of a PDF, as poppler reads it.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/ensure-tools installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// pdfinfo's view: page count, tagged, the PDF/A claim in the metadata.
fn pdf_info(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, bytes).expect("write");
    let mut all = String::new();
    for args in [&[][..], &["-meta"][..]] {
        let out = std::process::Command::new("pdfinfo")
            .args(args)
            .arg(&path)
            .output()
            .expect("pdfinfo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        all.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    all
}

/// Python's fhir.resources 6.x (R4 4.0.1) reads the bundle: its entry
/// types and counts, or the test fails with every problem it found.
fn fhir_check(json: &[u8]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bundle.json");
    std::fs::write(&path, json).expect("write");
    let out = std::process::Command::new(root.join(".venv-fhir/bin/python"))
        .arg(root.join("scripts/validate-fhir.py"))
        .arg(&path)
        .output()
        .expect("the FHIR validator (scripts/ensure-tools installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

async fn ask(b: &mut common::Browser) -> common::Page {
    let page = b.get("/dossier/afschrift").await;
    let csrf = hidden(&page.body, "csrf");
    b.post("/dossier/afschrift", &[("csrf", &csrf)]).await
}

fn download_link(body: &str) -> String {
    body.split("href=\"/dossier/afschrift/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|id| format!("/dossier/afschrift/{id}"))
        .expect("a download link")
}

async fn hidden_report(w: &World, text: &str) {
    use inzage_core::model::Principal;
    use inzage_core::types::Text;
    let anna = inzage_service::Ctx::new(Principal::Staff {
        staff_id: w.anna.clone(),
    });
    let id = w
        .svc
        .create_report(
            &anna,
            &w.aisha,
            inzage_service::writes::NewReport {
                category: common::world::label("Intern"),
                body: Text::parse("body", text, 20_000).expect("text"),
                visible_to_client: false,
            },
        )
        .await
        .expect("report");
    w.svc.finalise_report(&anna, &id, 1).await.expect("final");
}

#[tokio::test]
async fn a_client_downloads_a_tagged_pdf_a_with_everything_they_may_read() {
    let (w, _) = matrix_world().await;
    hidden_report(&w, "Alleen voor het team: Geheimpje.").await;
    // (The world already holds an afschrift of Aisha's, made before its
    // request and question existed; one a day: this one is asked later.)
    w.clock.advance(Duration::days(1) + Duration::minutes(1));
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let start = aisha.get("/").await.body;
    assert!(
        start.contains("href=\"/dossier/afschrift\""),
        "a way there from the start page"
    );
    let page = aisha.get("/dossier/afschrift").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Download je dossier"), "{}", page.body);
    assert!(page.body.contains("7 dagen"), "the rule reads the setting");

    let before = w.deliver().await.len();
    let asked = ask(&mut aisha).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    // Asked again while it is being made: not a second one.
    let again = ask(&mut aisha).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let waiting = aisha.get("/dossier/afschrift").await.body;
    assert!(waiting.contains("Wacht op zijn beurt"), "{waiting}");
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM afschrift WHERE status = 'queued'")
            .await,
        1
    );

    // The job runs; the holder hears it is ready, and nothing more.
    let mails: Vec<String> = w.deliver().await.into_iter().skip(before).collect();
    let ready_mail: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("Je afschrift is klaar"))
        .collect();
    assert_eq!(ready_mail.len(), 1, "{mails:?}");
    assert!(
        !ready_mail[0].contains("Goede dag")
            && !ready_mail[0].contains("Content-Disposition: attachment")
    );
    let ready = aisha.get("/dossier/afschrift").await.body;
    assert!(ready.contains("Klaar"), "{ready}");
    let link = download_link(&ready);
    let pdf = aisha.get(&link).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(pdf
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|d| d.starts_with("attachment")));
    let id = link.rsplit('/').next().unwrap_or_default().to_owned();
    let bytes = w
        .svc
        .blob_for_tests(
            &w.db
                .text(&format!(
                    "SELECT pdf_sha256 FROM afschrift WHERE id = '{id}'"
                ))
                .await,
        )
        .expect("the stored file");
    assert!(bytes.starts_with(b"%PDF-"));

    let text = pdf_text(&bytes);
    for expected in [
        "Afschrift van het dossier van",
        "Mijn gegevens",
        "Rapportages",
        "Anna",
        "Afspraken",
        "Documenten",
        "Wie keek mee",
        "Mijn eigen woorden.",
        "Mijn verzoeken",
        "Vraag aan je team",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        !text.contains("Geheimpje"),
        "a hidden report is not in the copy"
    );
    let info = pdf_info(&bytes);
    assert!(info.contains("Tagged:") && info.contains("yes"), "{info}");
    assert!(
        info.contains("pdfaid:part>3") || info.contains("pdfaid:part=\"3\""),
        "{info}"
    );
    assert!(
        info.contains("pdfaid:conformance>A") || info.contains("pdfaid:conformance=\"A\""),
        "{info}"
    );
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/EmbeddedFile"), "the documents are attached");

    // The same dossier as a FHIR R4 Bundle, valid by an independent model.
    let fhir = aisha.get(&format!("{link}/fhir")).await;
    assert_eq!(fhir.status, StatusCode::OK);
    assert_eq!(
        fhir.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/fhir+json; charset=utf-8")
    );
    let json = fhir.body.clone();
    assert!(json.contains("\"type\": \"collection\""), "{json}");
    let counts = fhir_check(json.as_bytes());
    for expected in [
        "Bundle",
        "Patient 1",
        "EpisodeOfCare 1",
        "CarePlan 1",
        "Goal 1",
        "Appointment 1",
        "Binary 2",
        "RelatedPerson 3",
        "Practitioner 1",
        "PractitionerRole 1",
        "Task 1",
    ] {
        assert!(counts.contains(expected), "{expected} in {counts}");
    }
    for kind in [
        "DocumentReference",
        "Consent",
        "Communication",
        "AuditEvent",
    ] {
        assert!(counts.contains(&format!("{kind} ")), "{kind} in {counts}");
    }
    use base64::Engine;
    let secret =
        base64::engine::general_purpose::STANDARD.encode("Alleen voor het team: Geheimpje.");
    assert!(
        !json.contains(&secret),
        "a hidden report is not in the bundle"
    );

    // Asked, made as Aisha's reads, downloaded: all in the audit trail.
    for reason in ["asked", "downloaded", "downloaded_fhir"] {
        assert_eq!(
            w.db.scalar(&format!(
                "SELECT COUNT(*) FROM audit_event WHERE data_kind = 'afschrift' AND reason = '{reason}' \
             AND outcome = 'allowed' AND data_id = '{id}'"
            ))
            .await,
            1,
            "{reason}"
        );
    }
    assert!(
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE actor_id = '{}' AND data_kind = 'reports' AND action = 'list'",
            w.aisha
        ))
        .await
            >= 1
    );

    // After 7 days the file is gone.
    w.clock.advance(Duration::days(8));
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let gone = aisha.get(&link).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(aisha
        .get("/dossier/afschrift")
        .await
        .body
        .contains("Verlopen"));
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM afschrift WHERE pdf_sha256 IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn only_a_contact_person_marked_as_legal_representative_may_ask() {
    let (w, _) = matrix_world().await;
    let mut vera = w.signed_in("vera@example.nl").await;
    // Vera may have more than one dossier in this world: she opens Aisha's.
    let choice = vera.get("/kiezen").await.body;
    if choice.contains("name=\"dossier\"") {
        let csrf = hidden(&choice, "csrf");
        vera.post("/kiezen", &[("csrf", &csrf), ("dossier", w.vera.as_str())])
            .await;
    }
    let page = vera.get("/dossier/afschrift").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("wettelijk vertegenwoordiger"),
        "{}",
        page.body
    );
    let refused = ask(&mut vera).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'afschrift' AND reason = 'not_representative'")
            .await,
        1
    );

    // Anna marks her as legal representative; a reason is required.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let net = format!("/clienten/{}/netwerk", w.aisha);
    let csrf = hidden(&anna.get(&net).await.body, "csrf");
    let target = format!("{net}/vertegenwoordiger");
    let no_reason = anna
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("contactpersoon", w.vera.as_str()),
                ("vertegenwoordiger", "ja"),
                ("reden", "  "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason.body.contains("Schrijf de reden op."));
    let saved = anna
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("contactpersoon", w.vera.as_str()),
                ("vertegenwoordiger", "ja"),
                ("reden", "Mentorschap, beschikking 1 maart 2026"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let shown = anna.get(&net).await.body;
    assert!(
        shown.contains("Mentorschap, beschikking 1 maart 2026"),
        "who, when and why are shown"
    );

    let asked = ask(&mut vera).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    w.deliver().await;
    let ready = vera.get("/dossier/afschrift").await.body;
    let pdf = vera.get(&download_link(&ready)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let bytes = w
        .svc
        .blob_for_tests(
            &w.db
                .text("SELECT pdf_sha256 FROM afschrift WHERE asked_as_kind = 'contact_person'")
                .await,
        )
        .expect("file");
    let text = pdf_text(&bytes);
    // Her tiles (reports, personal data), not the rest.
    assert!(
        text.contains("Rapportages") && text.contains("Mijn gegevens"),
        "{text}"
    );
    assert!(
        !text.contains("Afspraken") && !text.contains("Wie keek mee"),
        "{text}"
    );
    // Aisha cannot download Vera's afschrift.
    let mut aisha = w.signed_in("aisha@example.nl").await;
    assert_eq!(
        aisha.get(&download_link(&ready)).await.status,
        StatusCode::NOT_FOUND
    );
    // The same day, no second one.
    let again = ask(&mut vera).await;
    assert_eq!(
        again.location.as_deref(),
        Some("/dossier/afschrift?melding=vandaag")
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM afschrift WHERE asked_as_kind = 'contact_person'")
            .await,
        1
    );
    // Family cannot be marked as representative.
    let wim =
        w.db.text("SELECT id FROM contact_person WHERE given_name = 'Wim'")
            .await;
    let family = anna
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("contactpersoon", &wim),
                ("vertegenwoordiger", "ja"),
                ("reden", "Familie"),
            ],
        )
        .await;
    assert_eq!(family.status, StatusCode::BAD_REQUEST);
    assert!(family
        .body
        .contains("Alleen een mentor, curator of wettelijk vertegenwoordiger"));
    // The mark cleared: her made copy can no longer be downloaded.
    let cleared = anna
        .post(
            &target,
            &[
                ("csrf", &csrf),
                ("contactpersoon", w.vera.as_str()),
                ("reden", ""),
            ],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    assert_eq!(
        vera.get(&download_link(&ready)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_build_that_keeps_crashing_the_server_is_given_up_and_the_holder_may_ask_again() {
    let (w, _) = matrix_world().await;
    w.clock.advance(Duration::days(2));
    let mut aisha = w.signed_in("aisha@example.nl").await;
    assert_eq!(ask(&mut aisha).await.status, StatusCode::SEE_OTHER);
    // As if the process died in the middle of this build five times: the
    // job is running with its claim run out after the last attempt.
    w.db.exec_raw(&format!(
        "UPDATE job SET status = 'running', attempts = 5, locked_by = 'dead', locked_until = '{}' \
         WHERE kind = 'build_afschrift' AND status = 'queued'",
        inzage_core::types::ts(w.clock.now_for_test() - Duration::minutes(1))
    ))
    .await;
    w.deliver().await;
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM job WHERE kind = 'build_afschrift' AND status = 'failed'"
        )
        .await,
        1,
        "given up, not taken again for ever"
    );
    // Hours later the copy counts as failed and she can ask again.
    w.clock.advance(Duration::hours(7));
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let page = ask(&mut aisha).await;
    assert_eq!(
        page.location.as_deref(),
        Some("/dossier/afschrift?melding=gevraagd")
    );
}
