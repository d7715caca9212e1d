//! Real delivery: e-mail over SMTP to a local SMTP server the test starts,
//! SMS to a local HTTP gateway the test starts.
use chrono::{TimeZone, Utc};
use inzage_core::ids::*;
use inzage_core::FixedClock;
use inzage_service::accounts::*;
use inzage_service::admin::OrgSettings;
use inzage_service::jobs::{Runner, Tick};
use inzage_service::messages::{Delivery, Outbox, SmsGateway, Smtp, SmtpSecurity, SmtpSettings};
use inzage_service::testing::TestDb;
use inzage_service::{Ctx, Services};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server: accepts every message and keeps its DATA.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test ESMTP\r\n").await;
                let mut data = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store.lock().expect("lock").push(std::mem::take(&mut data));
                            let _ = w.write_all(b"250 OK queued\r\n").await;
                        } else {
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                            data.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

/// (Authorization header, JSON body) of each accepted request.
type Calls = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

#[derive(Clone, Default)]
struct Gateway {
    calls: Calls,
    fail: Arc<Mutex<bool>>,
}

async fn sms_gateway() -> (String, Gateway) {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    let g = Gateway::default();
    let app = axum::Router::new()
        .route(
            "/send",
            axum::routing::post(
                |State(g): State<Gateway>,
                 h: HeaderMap,
                 axum::Json(v): axum::Json<serde_json::Value>| async move {
                    if *g.fail.lock().expect("lock") {
                        return StatusCode::BAD_GATEWAY;
                    }
                    let auth = h
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    g.calls.lock().expect("lock").push((auth, v));
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/send", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, g)
}

async fn setup(svc: &Services) -> ClientId {
    let (org, team) =
        inzage_service::testing::organisation(svc, "Zorg", OrgSettings::default()).await;
    let new =
        inzage_service::testing::client("C-1", Some("test@example.nl"), Some("0612345678"), &team);
    svc.create_client(
        &Ctx::system("cli"),
        &org,
        new,
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
    )
    .await
    .expect("client")
}

#[tokio::test]
async fn invitation_goes_over_real_smtp_and_the_stored_body_is_erased() {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let (port, received) = smtp_server().await;
    let smtp = Smtp::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Zorg <noreply@zorg.nl>".into(),
    })
    .expect("smtp");
    let svc = db.services(&clock).with_transport(Arc::new(Delivery {
        email: Some(smtp),
        sms: None,
        outbox: Outbox::new(db.dir.path().join("outbox")),
    }));
    let client = setup(&svc).await;
    svc.invite(&Ctx::system("cli"), InviteTarget::Client(client))
        .await
        .expect("invite");
    let ticks = Runner::new(svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    assert!(
        ticks.iter().all(|t| matches!(t, Tick::Done { .. })),
        "{ticks:?}"
    );
    let mails = received.lock().expect("lock").clone();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: test@example.nl"), "{}", mails[0]);
    assert!(mails[0].contains("From: Zorg <noreply@zorg.nl>"));
    assert!(mails[0].contains("Subject: Je uitnodiging voor Inzage"));
    assert!(mails[0].contains("wachtwoord-instellen?token"));
    assert!(
        mails[0].contains("Message-ID: <") && mails[0].contains("@inzage>"),
        "stable Message-ID for de-duplication"
    );
    assert_eq!(db.scalar("SELECT COUNT(*) FROM message WHERE status = 'sent' AND transport = 'smtp' AND body = ''").await, 1);
    assert!(
        !db.dir.path().join("outbox").exists(),
        "nothing went to the outbox"
    );
}

#[tokio::test]
async fn sms_code_goes_to_the_http_gateway_and_a_failing_gateway_is_retried() {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let (url, gw) = sms_gateway().await;
    let svc = db.services(&clock).with_transport(Arc::new(Delivery {
        email: None,
        sms: Some(SmsGateway::new(&url, Some("geheim-token".into())).expect("gw")),
        outbox: Outbox::new(db.dir.path().join("outbox")),
    }));
    let client = setup(&svc).await;
    let account = svc
        .provision_account(
            &Ctx::system("cli"),
            InviteTarget::Client(client),
            "paarse olifant danst",
        )
        .await
        .expect("account");
    assert!(!account.is_empty());
    let LoginOutcome::SecondStep { session_token, .. } = svc
        .login("test@example.nl", "paarse olifant danst", false, None, None)
        .await
        .expect("login")
    else {
        panic!()
    };
    *gw.fail.lock().expect("lock") = true;
    svc.send_sms_code(&session_token, None).await.expect("sms");
    let runner = Runner::new(svc.clone(), "t");
    let ticks = runner.run_until_idle().await.expect("jobs");
    assert!(
        matches!(ticks.as_slice(), [Tick::Failed { gave_up: false, .. }]),
        "{ticks:?}"
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM message WHERE status = 'queued' AND last_error LIKE '%502%'"
        )
        .await,
        1
    );
    // A gateway (or database) that stays away longer than the job's five
    // attempts does not make it give up: those turns do not count
    // (review of issue 16), it is tried again every minute.
    for _ in 0..6 {
        clock.advance(chrono::Duration::minutes(1));
        let ticks = runner.run_until_idle().await.expect("jobs");
        assert!(
            matches!(ticks.as_slice(), [Tick::Failed { gave_up: false, .. }]),
            "{ticks:?}"
        );
    }
    *gw.fail.lock().expect("lock") = false;
    clock.advance(chrono::Duration::minutes(2));
    let ticks = runner.run_until_idle().await.expect("jobs");
    assert!(matches!(ticks.as_slice(), [Tick::Done { .. }]), "{ticks:?}");
    let calls = gw.calls.lock().expect("lock").clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0.as_deref(), Some("Bearer geheim-token"));
    assert_eq!(calls[0].1["to"], "+31612345678");
    let text = calls[0].1["text"].as_str().expect("text");
    assert!(text.starts_with("Je Inzage-code is "), "{text}");
    // The code from the gateway signs in.
    let code = &text[18..24];
    assert!(matches!(
        svc.verify_second_step(&session_token, code, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::SignedIn { .. }
    ));
}
