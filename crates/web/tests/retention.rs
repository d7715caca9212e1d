//! Retention (issue 16 item 5, ADR 0024) over HTTP with an injected
//! clock: a dossier is listed only once its term has passed, a functional
//! admin destroys it by typing the client number and a reason, nothing
//! else goes, and `audit verify` walks over the sanctioned gap while it
//! still finds any other change.
use axum::http::StatusCode;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::OrgSettings;
use inzage_service::writes::{
    DocumentImport, DossierImport, NewContactPerson, NewGrant, ReportImport,
};
use inzage_service::Ctx;

mod common;
use common::hidden;
use common::world::{client, label, world, PASSWORD};

#[tokio::test]
async fn a_dossier_past_its_term_is_destroyed_by_an_admin_and_leaves_a_sanctioned_gap() {
    let w = world().await;
    let cli = Ctx::system("cli");
    // Dora: her care ended 2006-11-23. The world's clock says 2026-11-22:
    // one day before her twenty years are over.
    let dora = client(
        &w.svc,
        &w.zorg,
        "D-1",
        "Dora",
        ("dora@example.nl", "0612345609"),
        &w.team_a,
    )
    .await;
    let (henk, _) = w
        .svc
        .add_contact_person(
            &cli,
            &dora,
            NewContactPerson {
                given_name: label("Henk"),
                name_prefix: None,
                family_name: label("Broer"),
                relation: Relation::Family,
                email: Some(Email::parse("henk@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0612340009").expect("m")),
            },
            NewGrant {
                parts: vec![DossierPart::Reports],
                valid_from: w.clock.now_for_test() - chrono::Duration::days(1),
                valid_until: None,
                consent_recorded_by: w.anna.clone(),
            },
        )
        .await
        .expect("henk");
    w.svc
        .provision_account(&cli, InviteTarget::ContactPerson(henk), PASSWORD)
        .await
        .expect("henk's account");
    let day = w.clock.now_for_test().date_naive();
    let pdf = |text: &str| DocumentImport {
        title: "Brief".into(),
        doc_type: "Brief".into(),
        doc_date: day,
        content_type: "application/pdf".into(),
        bytes: format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes(),
        visible_to_client: true,
        uploaded_by: w.anna.clone(),
    };
    let report = |body: &str| ReportImport {
        author: w.anna.clone(),
        author_role: Role::PrimaryCaregiver,
        category: "Dagrapportage".into(),
        body: body.into(),
        status: DocStatus::Final,
        visible_to_client: true,
        created_at: w.clock.now_for_test() - chrono::Duration::days(2),
    };
    for (who, docs) in [
        (&dora, vec![pdf("alleen van Dora"), pdf("dezelfde brief")]),
        (&w.aisha, vec![pdf("dezelfde brief")]),
    ] {
        w.svc
            .import_dossier(
                &cli,
                who,
                DossierImport {
                    plans: vec![],
                    reports: vec![report("Een dag.")],
                    appointments: vec![],
                    documents: docs,
                },
            )
            .await
            .expect("import");
    }
    let aisha_docs = format!(
        "SELECT sha256 FROM document WHERE client_id = '{}'",
        w.aisha
    );
    let only_dora = w
        .db
        .text(&format!(
            "SELECT sha256 FROM document WHERE client_id = '{dora}' AND sha256 NOT IN ({aisha_docs})"
        ))
        .await;
    let shared =
        w.db.text(&format!(
            "SELECT sha256 FROM document WHERE client_id = '{dora}' AND sha256 IN ({aisha_docs})"
        ))
        .await;
    // Henk and Dora leave traces in the audit trail.
    let mut henk_b = w.signed_in("henk@example.nl").await;
    assert_eq!(
        henk_b.get("/dossier/rapportages").await.status,
        StatusCode::OK
    );
    let about = |sql: &str| sql.replace("{dora}", dora.as_str());
    assert!(
        w.db.scalar(&about(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{dora}'"
        ))
        .await
            > 3
    );

    // Then her care ended, long ago (and nothing was written after).
    common::world::discharged_on(&w, &dora, "2006-11-23").await;
    // Not yet: the term ends tomorrow. (Housekeeping also prunes rows
    // that only served a moment, such as an old rate counter.)
    w.db.exec_raw("INSERT INTO rate_counter (counter_key, window_start, hits) VALUES ('oud', '2020-01-01T00:00:00.000000Z', 1)")
        .await;
    let report_now = w.svc.housekeeping_now().await.expect("housekeeping");
    assert_eq!(report_now.retention_due, 0);
    assert!(report_now.rows_pruned >= 1);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM rate_counter WHERE counter_key = 'oud'")
            .await,
        0
    );
    let mut ria = w.signed_in("ria@zorg.nl").await;
    let page = ria.get("/beheer/bewaartermijn").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("20 jaar"),
        "the setting, not a fixed text"
    );
    assert!(!page.body.contains("D-1"));
    assert_eq!(
        ria.get(&format!("/beheer/bewaartermijn/{dora}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Tomorrow it is listed.
    w.clock.advance(chrono::Duration::days(1));
    assert_eq!(w.svc.housekeeping_now().await.expect("hk").retention_due, 1);
    // (A day later her session has timed out: sign in again.)
    let mut ria = w.signed_in("ria@zorg.nl").await;
    let page = ria.get("/beheer/bewaartermijn").await;
    assert!(
        page.body.contains("D-1") && page.body.contains("23-11-2006"),
        "{}",
        page.body
    );
    let confirm = ria.get(&format!("/beheer/bewaartermijn/{dora}")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("2 documenten"), "{}", confirm.body);
    let csrf = hidden(&confirm.body, "csrf");
    let path = format!("/beheer/bewaartermijn/{dora}");
    let clients_before = w.db.scalar("SELECT COUNT(*) FROM client").await;

    // A caregiver of her team may not; a wrong number or no reason
    // destroys nothing.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let anna_csrf = hidden(&anna.get("/mijn-account").await.body, "csrf");
    let refused = anna
        .post(
            &path,
            &[("csrf", &anna_csrf), ("nummer", "D-1"), ("reden", "Weg")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = ria
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("nummer", "D-2"),
                ("reden", "Termijn voorbij"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(wrong.body.contains("klopt niet"));
    assert!(
        wrong.body.contains("Termijn voorbij"),
        "what was typed stays"
    );
    let no_reason = ria
        .post(
            &path,
            &[("csrf", &csrf), ("nummer", "D-1"), ("reden", "  ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM client").await,
        clients_before
    );

    let events_before = w.db.scalar("SELECT COUNT(*) FROM audit_event").await;
    let about_dora =
        w.db.scalar(&about(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{dora}'",
        ))
        .await;
    let done = ria
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("nummer", "d-1"),
                ("reden", "Termijn voorbij, geen bezwaar"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // Her dossier is gone, with Henk's account (he serves nobody else).
    for sql in [
        "SELECT COUNT(*) FROM client WHERE id = '{dora}'",
        "SELECT COUNT(*) FROM episode WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM report WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM document WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM contact_person WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM access_grant WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM account WHERE email IN ('dora@example.nl', 'henk@example.nl')",
        "SELECT COUNT(*) FROM audit_event WHERE client_id = '{dora}'",
        "SELECT COUNT(*) FROM retention_due",
    ] {
        assert_eq!(w.db.scalar(&about(sql)).await, 0, "{sql}");
    }
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM client").await,
        clients_before - 1
    );
    // Her own file is gone (to the trash, deleted after its days); the
    // bytes Aisha has too stay hers.
    assert!(!w
        .db
        .dir
        .path()
        .join("blobs")
        .join(&only_dora[..2])
        .join(&only_dora)
        .exists());
    assert!(w
        .db
        .dir
        .path()
        .join("blobs")
        .join("trash")
        .join(&only_dora)
        .exists());
    assert!(w.svc.blob_for_tests(&shared).is_ok());
    assert!(
        w.db.scalar("SELECT COUNT(*) FROM report WHERE client_id IN (SELECT id FROM client)")
            .await
            >= 1
    );

    // What stays: that it happened, never what it held.
    let gaps = w.db.scalar("SELECT COUNT(*) FROM audit_gap").await;
    assert!(
        gaps >= about_dora,
        "{gaps} gaps for {about_dora} events about her"
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event").await,
        events_before - gaps + 1,
        "one event records the destruction"
    );
    assert_eq!(
        w.db.text("SELECT reason FROM dossier_destruction").await,
        "Termijn voorbij, geen bezwaar"
    );
    assert_eq!(
        w.db.text("SELECT data_kind FROM audit_event ORDER BY seq DESC LIMIT 1")
            .await,
        "dossier_destruction"
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE client_id IS NULL AND data_kind = 'dossier_destruction' AND actor_kind = 'staff'").await,
        1
    );
    let page = ria.get("/beheer/bewaartermijn?melding=vernietigd").await;
    assert!(page.body.contains("Het dossier is vernietigd."));
    assert!(page.body.contains("Termijn voorbij, geen bezwaar"));
    assert!(!page.body.contains("D-1"), "the list says that, not who");

    // The chain walks over the sanctioned gap...
    let report = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.sanctioned_gaps, u64::try_from(gaps).expect("n"));
    // ...and still finds a gap row that was changed,
    let first_gap = w.db.scalar("SELECT MIN(seq) FROM audit_gap").await;
    let link =
        w.db.text(&format!(
            "SELECT prev_hash FROM audit_gap WHERE seq = {first_gap}"
        ))
        .await;
    w.db.exec_raw(&format!(
        "UPDATE audit_gap SET prev_hash = 'x' WHERE seq = {first_gap}"
    ))
    .await;
    let broken = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(!broken.intact);
    assert_eq!(broken.broken_at_seq, Some(first_gap));
    w.db.exec_raw(&format!(
        "UPDATE audit_gap SET prev_hash = '{link}' WHERE seq = {first_gap}"
    ))
    .await;
    assert!(w.svc.verify_audit_chain(None).await.expect("verify").intact);
    // ...and an event someone removed later and dressed up as a gap of
    // this destruction: its event names exactly the gaps it left.
    let victim = w
        .db
        .scalar(&about(
            "SELECT MAX(seq) FROM audit_event WHERE data_kind <> 'dossier_destruction' AND (client_id IS NULL OR client_id <> '{dora}')",
        ))
        .await;
    w.db.exec_raw(&format!(
        "INSERT INTO audit_gap (seq, hash, prev_hash, destruction_id) \
         SELECT seq, hash, prev_hash, (SELECT id FROM dossier_destruction) FROM audit_event WHERE seq = {victim}"
    ))
    .await;
    w.db.exec_raw(&format!("DELETE FROM audit_event WHERE seq = {victim}"))
        .await;
    let hidden = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(!hidden.intact, "{hidden:?}");
}

#[tokio::test]
async fn the_term_is_the_organisations_setting_and_never_under_twenty_years() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let too_short = OrgSettings {
        retention_years: 19,
        ..OrgSettings::default()
    };
    assert!(w
        .svc
        .update_organisation_settings(&cli, &w.zorg, too_short)
        .await
        .is_err());
    let dora = common::world::long_discharged_client(&w, &w.team_a, "D-2").await;
    let listed = format!("SELECT COUNT(*) FROM retention_due WHERE client_id = '{dora}'");
    assert_eq!(w.db.scalar(&listed).await, 1);
    // A change written after the discharge (here: her address in 2010)
    // starts the term again.
    w.db.exec_raw(&format!(
        "UPDATE client_change SET changed_at = '2010-03-01T09:00:00.000000Z' WHERE client_id = '{dora}'"
    ))
    .await;
    assert_eq!(w.svc.review_retention().await.expect("review"), 0);
    common::world::discharged_on(&w, &dora, "2005-06-30").await;
    assert_eq!(w.svc.review_retention().await.expect("review"), 1);
    // Kept 25 years: her care ended in 2005, so not yet.
    let longer = OrgSettings {
        retention_years: 25,
        staff_sms_allowed: true,
        ..OrgSettings::default()
    };
    w.svc
        .update_organisation_settings(&cli, &w.zorg, longer)
        .await
        .expect("settings");
    assert_eq!(w.svc.review_retention().await.expect("review"), 0);
    let mut ria = w.signed_in("ria@zorg.nl").await;
    assert!(ria
        .get("/beheer/bewaartermijn")
        .await
        .body
        .contains("25 jaar"));
    assert_eq!(
        ria.get(&format!("/beheer/bewaartermijn/{dora}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Housekeeping (issue 16): a content file no row refers to (a crash
/// between storing it and committing its row) goes after an hour; a file
/// a document refers to stays; a temporary upload file goes after a day.
#[tokio::test]
async fn housekeeping_removes_files_no_row_refers_to() {
    let w = world().await;
    let cli = Ctx::system("cli");
    w.svc
        .import_dossier(
            &cli,
            &w.aisha,
            DossierImport {
                plans: vec![],
                reports: vec![],
                appointments: vec![],
                documents: vec![DocumentImport {
                    title: "Brief".into(),
                    doc_type: "Brief".into(),
                    doc_date: w.clock.now_for_test().date_naive(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4\n% kept\n%%EOF\n".to_vec(),
                    visible_to_client: true,
                    uploaded_by: w.anna.clone(),
                }],
            },
        )
        .await
        .expect("import");
    let kept =
        w.db.text(&format!(
            "SELECT sha256 FROM document WHERE client_id = '{}'",
            w.aisha
        ))
        .await;
    let blobs = w.db.dir.path().join("blobs");
    let orphan = "ab".to_owned() + &"0".repeat(62);
    std::fs::create_dir_all(blobs.join("ab")).expect("dir");
    std::fs::write(blobs.join("ab").join(&orphan), b"left by a crash").expect("orphan");
    std::fs::create_dir_all(blobs.join("tmp")).expect("tmp");
    std::fs::write(blobs.join("tmp").join(".upload-x"), b"half").expect("tmp file");
    // Young files are left alone (a row may be on its way).
    w.clock.set(chrono::Utc::now());
    let r = w.svc.housekeeping_now().await.expect("housekeeping");
    assert_eq!((r.orphan_files_removed, r.temp_files_removed), (0, 0));
    assert!(blobs.join("ab").join(&orphan).exists());
    // Two days on: the orphan goes to the trash, the temporary file goes,
    // the document's content stays.
    w.clock.set(chrono::Utc::now() + chrono::Duration::days(2));
    let r = w.svc.housekeeping_now().await.expect("housekeeping");
    assert_eq!((r.orphan_files_removed, r.temp_files_removed), (1, 1));
    assert!(!blobs.join("ab").join(&orphan).exists());
    assert!(blobs.join("trash").join(&orphan).exists());
    assert!(w.svc.blob_for_tests(&kept).is_ok());
    // A file a row refers to that ended in the trash anyway (a row that
    // committed just after the check) comes back when it is read...
    let kept_path = blobs.join(&kept[..2]).join(&kept);
    std::fs::rename(&kept_path, blobs.join("trash").join(&kept)).expect("trash it");
    assert!(w.svc.blob_for_tests(&kept).is_ok());
    assert!(kept_path.exists());
    // ...or when housekeeping finds it referenced.
    std::fs::rename(&kept_path, blobs.join("trash").join(&kept)).expect("trash it");
    let r = w.svc.housekeeping_now().await.expect("housekeeping");
    assert_eq!(r.trash_restored, 1);
    assert!(kept_path.exists());
    // After its days in the trash, the orphan is deleted for good.
    w.clock.set(chrono::Utc::now() + chrono::Duration::days(10));
    let r = w.svc.housekeeping_now().await.expect("housekeeping");
    assert_eq!(r.trash_purged, 1);
    assert!(!blobs.join("trash").join(&orphan).exists());
    assert!(w.svc.blob_for_tests(&kept).is_ok());
    // The job is queued once, by a runner, and runs again within the hour.
    w.svc.ensure_housekeeping().await.expect("queue");
    w.svc.ensure_housekeeping().await.expect("queue twice");
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM job WHERE kind = 'housekeeping' AND status = 'queued'")
            .await,
        1
    );
    let ticks = inzage_service::jobs::Runner::new(w.svc.clone(), "test")
        .run_until_idle()
        .await
        .expect("run");
    assert!(
        ticks.iter().any(|t| matches!(
            t,
            inzage_service::jobs::Tick::Rescheduled { run_at, .. }
                if *run_at == w.clock.now_for_test() + chrono::Duration::hours(1)
        )),
        "{ticks:?}"
    );
}
