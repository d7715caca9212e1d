//! The binary as an operator uses it: exit codes, messages, idempotency,
//! audit verification. Runs on the test backend (SQLite or PostgreSQL).
use inzage_service::testing::TestDb;
use std::process::{Command, Output};

fn inzage(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(args)
        .env_remove("INZAGE_CONFIG")
        .env("INZAGE_LOG_LEVEL", "warn")
        .current_dir(db.dir.path())
        .output()
        .expect("run inzage")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn unknown_subcommand_and_flag_exit_2_with_a_message() {
    let db = TestDb::empty().await;
    let o = inzage(&db, &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unrecognized subcommand"));
    let o = inzage(&db, &["migrate", "--colour"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--colour"));
}

#[tokio::test]
async fn database_unreachable_is_one_line_and_exit_5() {
    let db = TestDb::empty().await;
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args([
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
            "migrate",
        ])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(5));
    let err = text(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach the database"));
    assert!(!err.contains("panicked"));
    drop(db);
}

#[tokio::test]
async fn admin_set_up_prints_ids_and_bad_input_names_the_field_and_writes_nothing() {
    let db = TestDb::empty().await;
    let o = inzage(
        &db,
        &["admin", "org", "create", "--name", "Zorg Oost", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let org = v["id"].as_str().expect("id").to_owned();
    let o = inzage(
        &db,
        &[
            "admin", "location", "create", "--org", &org, "--name", "Oost",
        ],
    );
    let loc = text(&o.stdout).trim().to_owned();
    let o = inzage(
        &db,
        &[
            "admin",
            "team",
            "create",
            "--location",
            &loc,
            "--name",
            "Team Oost",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let team = text(&o.stdout).trim().to_owned();
    let o = inzage(
        &db,
        &[
            "admin",
            "staff",
            "create",
            "--org",
            &org,
            "--given-name",
            "Eva",
            "--family-name",
            "Kok",
            "--email",
            "Eva.Kok@Zorg.nl",
            "--role",
            "caregiver",
            "--role",
            "primary_caregiver",
            "--team",
            &team,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let base = [
        "admin",
        "client",
        "create",
        "--org",
        org.as_str(),
        "--number",
        "C-77",
        "--given-name",
        "Ties",
        "--family-name",
        "Bos",
        "--team",
        team.as_str(),
    ];
    for (extra, field) in [
        (vec!["--birth-date", "31-02-2001"], "--birth-date"),
        (
            vec!["--birth-date", "01-02-2001", "--email", "ties@"],
            "--email",
        ),
        (
            vec!["--birth-date", "01-02-2001", "--mobile", "0301234567"],
            "--mobile",
        ),
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(extra);
        let o = inzage(&db, &args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        assert!(text(&o.stderr).contains(field), "{}", text(&o.stderr));
    }
    let o = inzage(
        &db,
        &[
            "admin",
            "client",
            "create",
            "--org",
            &org,
            "--number",
            "bad number",
            "--given-name",
            "A",
            "--family-name",
            "B",
            "--birth-date",
            "2001-02-01",
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o.stderr).contains("--number"));
    // Nothing was written by the failures.
    let o = inzage(&db, &["admin", "client", "list", "--org", &org, "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(0));

    let mut ok: Vec<&str> = base.to_vec();
    ok.extend([
        "--birth-date",
        "01-02-2001",
        "--email",
        "Ties@Example.nl",
        "--mobile",
        "06 1111 2222",
    ]);
    let o = inzage(&db, &ok);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let again = inzage(&db, &ok);
    assert_eq!(again.status.code(), Some(4));
    assert!(text(&again.stderr).contains("client_number: another record has this value"));
    let o = inzage(&db, &["admin", "client", "list", "--org", &org]);
    assert!(text(&o.stdout).contains("C-77\tBos, Ties"));
    let o = inzage(&db, &["admin", "staff", "list", "--org", &org, "--json"]);
    let staff: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(staff[0]["email"], "eva.kok@zorg.nl");
    assert_eq!(
        staff[0]["roles"],
        serde_json::json!(["caregiver", "primary_caregiver"])
    );
    // The operator sets a member's whole state at once (four eyes: the
    // operator is the second pair): privacy officer, no team, then off.
    let eva = staff[0]["id"].as_str().expect("id").to_owned();
    let o = inzage(
        &db,
        &[
            "admin",
            "staff",
            "update",
            "--id",
            &eva,
            "--role",
            "privacy_officer",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = inzage(
        &db,
        &["admin", "staff", "update", "--id", &eva, "--role", "boss"],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("invalid --role"),
        "{}",
        text(&o.stderr)
    );
    let o = inzage(
        &db,
        &[
            "admin",
            "staff",
            "update",
            "--id",
            &eva,
            "--role",
            "privacy_officer",
            "--inactive",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = inzage(&db, &["admin", "staff", "list", "--org", &org]);
    assert!(
        text(&o.stdout).contains("privacy_officer\tinactive"),
        "{}",
        text(&o.stdout)
    );
}

#[tokio::test]
async fn demo_is_idempotent_and_audit_verify_catches_tampering() {
    let db = TestDb::empty().await;
    let o = inzage(&db, &["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("demo organisation loaded"));
    let o = inzage(&db, &["admin", "org", "list", "--json"]);
    let orgs: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let id_of = |name: &str| {
        orgs.as_array()
            .and_then(|a| a.iter().find(|o| o["name"] == name))
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned)
            .expect("organisation")
    };
    let org = id_of("Zorggroep De Linde (demo)");
    let ggz = id_of("GGZ Oost (demo)");
    let count_in = |db: &TestDb, org: &str| {
        let o = inzage(db, &["admin", "client", "list", "--org", org, "--json"]);
        serde_json::from_slice::<serde_json::Value>(&o.stdout)
            .ok()
            .and_then(|v| v.as_array().map(Vec::len))
    };
    let count = |db: &TestDb| count_in(db, &org);
    assert_eq!(count(&db), Some(4));
    // Both sectors: the GGZ organisation with its one client.
    assert_eq!(count_in(&db, &ggz), Some(1));
    // The two discharged demo clients: nothing in their dossiers is dated
    // after the discharge (the portal shows these dates in the grace
    // period).
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM episode WHERE end_date IS NOT NULL")
            .await,
        2
    );
    for (what, sql) in [
        ("report", "SELECT COUNT(*) FROM report x JOIN episode e ON e.id = x.episode_id WHERE e.end_date IS NOT NULL AND substr(x.created_at, 1, 10) > e.end_date"),
        ("appointment", "SELECT COUNT(*) FROM appointment x JOIN episode e ON e.id = x.episode_id WHERE e.end_date IS NOT NULL AND substr(x.starts_at, 1, 10) > e.end_date"),
        ("document", "SELECT COUNT(*) FROM document x JOIN episode e ON e.id = x.episode_id WHERE e.end_date IS NOT NULL AND x.doc_date > e.end_date"),
        ("plan", "SELECT COUNT(*) FROM plan_version x JOIN episode e ON e.id = x.episode_id WHERE e.end_date IS NOT NULL AND x.plan_date > e.end_date"),
    ] {
        assert_eq!(db.scalar(sql).await, 0, "{what} after a discharge");
    }
    assert!(
        db.scalar("SELECT COUNT(*) FROM report x JOIN episode e ON e.id = x.episode_id WHERE e.end_date IS NOT NULL")
            .await
            > 20,
        "the discharged clients still have their reports"
    );
    // The printed demo accounts really sign in (README promise).
    let svc = db.services(&inzage_core::FixedClock::new(chrono::Utc::now()));
    use inzage_service::accounts::LoginOutcome;
    for (email, expect_second_step) in [
        ("test.1@demo.inzage.nl", true),
        ("mila.vries@voorbeeld.nl", true),
        ("anna.bakker@demo.inzage.nl", true),
        ("ria.smit@demo.inzage.nl", true),
        ("mohamed.4@demo.inzage.nl", false),
    ] {
        let out = svc
            .login(email, "Inzage-demo-2026", false, None, None)
            .await
            .expect("login");
        match out {
            LoginOutcome::SecondStep { sms, .. } => {
                assert!(expect_second_step, "{email}");
                assert!(sms, "{email}: SMS code offered (demo allows it for staff)");
            }
            LoginOutcome::AccessEnded(_) => assert!(!expect_second_step, "{email}"),
            other => panic!("{email}: {other:?}"),
        }
    }
    let o = inzage(&db, &["demo"]);
    assert!(text(&o.stdout).contains("already present"));
    assert_eq!(count(&db), Some(4));
    let o = inzage(
        &db,
        &["demo", "--clients", "3", "--reports-per-client", "5"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = inzage(
        &db,
        &["demo", "--clients", "3", "--reports-per-client", "5"],
    );
    assert!(text(&o.stdout).contains("3 generated clients already present"));
    assert_eq!(count(&db), Some(7));

    let o = inzage(&db, &["audit", "verify"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("audit trail intact"));
    db.exec_raw("UPDATE audit_event SET action = 'read' WHERE seq = 5")
        .await;
    let o = inzage(&db, &["audit", "verify", "--json"]);
    assert_eq!(o.status.code(), Some(7));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["intact"], false);
    assert_eq!(v["broken_at_seq"], 5);
}

#[tokio::test]
async fn help_documents_every_setting() {
    let db = TestDb::empty().await;
    let o = inzage(&db, &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = text(&o.stdout);
    for s in [
        "INZAGE_DATABASE_URL",
        "INZAGE_DATA_DIR",
        "INZAGE_CONFIG",
        "INZAGE_BIND",
        "INZAGE_PUBLIC_URL",
        "INZAGE_DB_MAX_CONNECTIONS",
        "INZAGE_RUN_JOBS",
        "INZAGE_JOB_POLL_SECONDS",
        "INZAGE_LOG_FORMAT",
        "INZAGE_LOG_LEVEL",
        "INZAGE_TRUSTED_PROXIES",
        "INZAGE_HOST_ORGANISATIONS",
        "INZAGE_AUDIT_ANCHOR_DIR",
        "INZAGE_AUDIT_ANCHOR_KEY",
        "INZAGE_METRICS_TOKEN",
        "backup",
        "restore",
        "serve",
        "migrate",
        "demo",
        "admin",
        "audit",
    ] {
        assert!(help.contains(s), "{s} missing from --help");
    }
}

/// `inzage serve` on a free port: answers /healthz, then stops cleanly on
/// SIGTERM (graceful shutdown) with exit 0.
#[tokio::test]
async fn serve_answers_health_and_shuts_down_gracefully_on_sigterm() {
    use std::io::{Read, Write};
    let db = TestDb::empty().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let bind = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(["serve", "--bind", &bind])
        .env("INZAGE_LOG_LEVEL", "info")
        .env("INZAGE_JOB_POLL_SECONDS", "1")
        .env("INZAGE_PUBLIC_URL", "https://inzage.example.nl")
        .env("INZAGE_METRICS_TOKEN", "geheim-voor-prometheus")
        .env_remove("INZAGE_TRUSTED_PROXIES")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    // Wait (bounded) until the server accepts connections.
    let mut response = String::new();
    for _ in 0..200 {
        if let Ok(mut s) = std::net::TcpStream::connect(&bind) {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .expect("write");
            s.read_to_string(&mut response).expect("read");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
    assert!(response
        .to_ascii_lowercase()
        .contains("content-security-policy"));
    // No version details (ASVS 14.3.3): hyper and axum add no Server or
    // X-Powered-By header, and we set none.
    let head = response
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        !head.contains("\r\nserver:") && !head.contains("x-powered-by"),
        "{head}"
    );
    // Monitoring (issue 16): /metrics from this machine, directly; through
    // a proxy (a forwarding header) or with a wrong token it does not exist.
    let get = |extra: &str, path: &str| {
        let mut s = std::net::TcpStream::connect(&bind).expect("connect");
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, br\r\n{extra}Connection: close\r\n\r\n")
                .as_bytes(),
        )
        .expect("write");
        let mut r = Vec::new();
        s.read_to_end(&mut r).expect("read");
        String::from_utf8_lossy(&r).into_owned()
    };
    let m = get("", "/metrics");
    assert!(m.starts_with("HTTP/1.1 200"), "{m}");
    assert!(
        m.contains(
            "inzage_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"} 1"
        ),
        "{m}"
    );
    for series in [
        "inzage_jobs{status=\"queued\"}",
        "inzage_audit_writer_lag_seconds",
        "inzage_db_connections_max",
        "inzage_database_up 1",
    ] {
        assert!(m.contains(series), "{series} in {m}");
    }
    assert!(get("X-Forwarded-For: 203.0.113.9\r\n", "/metrics").starts_with("HTTP/1.1 404"));
    assert!(get(
        "Authorization: Bearer fout\r\nForwarded: for=203.0.113.9\r\n",
        "/metrics"
    )
    .starts_with("HTTP/1.1 404"));
    assert!(get(
        "Authorization: Bearer geheim-voor-prometheus\r\nX-Forwarded-For: 203.0.113.9\r\n",
        "/metrics"
    )
    .starts_with("HTTP/1.1 200"));
    // Static files: a hashed name, compressed, kept a year.
    let page = get("", "/inloggen");
    let css = page
        .split("href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.starts_with("/static/inzage.") && h.ends_with(".css"))
        .expect("hashed stylesheet link")
        .to_owned();
    assert_ne!(css, "/static/inzage.css");
    let r = get("", &css).to_ascii_lowercase();
    assert!(r.starts_with("http/1.1 200"), "{r}");
    assert!(r.contains("content-encoding: br"), "{r}");
    assert!(
        r.contains("cache-control: public, max-age=31536000, immutable"),
        "{r}"
    );
    assert!(get("", "/static/inzage.0000000000.css").starts_with("HTTP/1.1 404"));
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().expect("wait");
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(
        log.contains("shutting down") && log.contains("inzage stopped"),
        "{log}"
    );
    assert!(
        log.contains("route=/healthz"),
        "request log has the route template: {log}"
    );
    assert!(
        log.contains("outbox"),
        "serve says where the outbox is: {log}"
    );
    assert!(
        log.contains("trusted_proxies is empty"),
        "behind https without a trusted proxy, serve warns: {log}"
    );
}

#[tokio::test]
async fn a_bad_smtp_security_setting_is_a_clear_configuration_error() {
    let db = TestDb::empty().await;
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(["jobs", "status"])
        .env("INZAGE_SMTP_HOST", "mail.example.nl")
        .env("INZAGE_SMTP_SECURITY", "maybe")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("smtp_security must be starttls, tls or none"),
        "{}",
        text(&o.stderr)
    );
}

#[tokio::test]
async fn a_bad_proxy_header_stops_serve_with_a_clear_message() {
    let db = TestDb::empty().await;
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("INZAGE_TRUSTED_PROXIES", "127.0.0.1")
        .env("INZAGE_PROXY_HEADER", "x-real-ip")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(5));
    assert!(
        text(&o.stderr).contains("proxy_header: \"x-real-ip\" is not x-forwarded-for or forwarded"),
        "{}",
        text(&o.stderr)
    );
}

/// The binary with the audit anchor's settings.
fn with_anchor(db: &TestDb, key: Option<&str>, dir: &std::path::Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_inzage"));
    c.args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(args)
        .env_remove("INZAGE_CONFIG")
        .env_remove("INZAGE_AUDIT_ANCHOR_KEY")
        .env("INZAGE_LOG_LEVEL", "warn")
        .env("INZAGE_AUDIT_ANCHOR_DIR", dir)
        .current_dir(db.dir.path());
    if let Some(k) = key {
        c.env("INZAGE_AUDIT_ANCHOR_KEY", k);
    }
    c.output().expect("run inzage")
}

#[tokio::test]
async fn audit_anchor_detects_a_rewritten_log() {
    let db = TestDb::empty().await;
    let o = inzage(&db, &["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let anchors = db.dir.path().join("anchors");
    let none = db.dir.path().join("no-anchors");
    // Without a key no anchor can be written.
    let o = with_anchor(&db, None, &anchors, &["audit", "anchor"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("audit_anchor_key"));
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &anchors,
        &["audit", "anchor", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let anchor: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let seq = anchor["seq"].as_i64().expect("seq");
    assert!(seq > 10);
    let o = with_anchor(&db, Some("geheime sleutel"), &anchors, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains(&format!("matches the anchor at event {seq}")));
    // Anchors are copied off the machine, never moved: the log records
    // each one written, and a missing one is a break.
    std::fs::create_dir_all(&none).expect("empty folder");
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &none,
        &["audit", "verify", "--json"],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["broken_at_seq"], seq);
    assert!(v["problem"]
        .as_str()
        .unwrap_or_default()
        .contains("missing"));
    // Without the key, a log that records anchors is not silently passed;
    // nor is a folder that is not there (not mounted): a clear
    // configuration error, not "tampered".
    let o = with_anchor(&db, None, &none, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("records anchors"),
        "{}",
        text(&o.stderr)
    );
    let unmounted = db.dir.path().join("not-mounted");
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &unmounted,
        &["audit", "verify"],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("does not exist"),
        "{}",
        text(&o.stderr)
    );
    // A second anchor; every one in the folder is checked, not only the
    // newest.
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &anchors,
        &["audit", "anchor", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let second: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(second["seq"].as_i64().expect("seq") > seq);
    // Someone with write access rewrites the whole table consistently
    // from an event before the first anchor.
    db.forge_audit_chain(5, "read").await;
    // Against the anchors it is not intact: the first one finds it.
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &anchors,
        &["audit", "verify", "--json"],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["broken_at_seq"], seq);
    assert!(v["problem"]
        .as_str()
        .unwrap_or_default()
        .contains("rewritten"));
    // The newest anchor removed to hide the rewrite: the older one still
    // finds it, and the log says the newest is missing.
    std::fs::remove_file(anchors.join(format!(
        "anchor-{:012}.json",
        second["seq"].as_i64().expect("seq")
    )))
    .expect("remove");
    let o = with_anchor(
        &db,
        Some("geheime sleutel"),
        &anchors,
        &["audit", "verify", "--json"],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["broken_at_seq"], seq);
    // Anchors without their key are not silently skipped; a wrong key
    // cannot vouch for them.
    let o = with_anchor(&db, None, &anchors, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(5));
    let o = with_anchor(
        &db,
        Some("een andere sleutel"),
        &anchors,
        &["audit", "verify", "--json"],
    );
    assert_eq!(o.status.code(), Some(7));
    assert!(text(&o.stdout).contains("signature"));
}

#[tokio::test]
async fn dev_outbox_is_refused_off_loopback() {
    let db = TestDb::empty().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let bind = format!("0.0.0.0:{port}");
    // Without public_url a non-loopback bind is refused before anything
    // else: e-mail links would point to 0.0.0.0.
    let o = inzage(&db, &["serve", "--bind", &bind, "--dev-outbox"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("public_url (INZAGE_PUBLIC_URL) is required"),
        "{}",
        text(&o.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(["serve", "--bind", &bind, "--dev-outbox"])
        .env_remove("INZAGE_CONFIG")
        .env("INZAGE_LOG_LEVEL", "warn")
        .env("INZAGE_PUBLIC_URL", "https://portaal.example.nl")
        .current_dir(db.dir.path())
        .output()
        .expect("run inzage");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("only for a loopback address"),
        "{}",
        text(&o.stderr)
    );
}

/// Issue 16 item 4: a backup taken while writes go on restores into an
/// empty installation with the same rows, documents and an intact audit
/// trail; a non-empty installation and a damaged backup are refused
/// before anything is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writing_and_restore_round_trip() {
    let source = TestDb::empty().await;
    let o = inzage(&source, &["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let anchors = source.dir.path().join("audit-anchors");
    let o = with_anchor(&source, Some("sleutel"), &anchors, &["audit", "anchor"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // Writes go on while the backup runs: failed sign-ins, each an audit
    // event committed by this process.
    let svc = source.services(&inzage_core::FixedClock::new(chrono::Utc::now()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = svc
                    .login(
                        &format!("niemand{n}@example.org"),
                        "fout",
                        false,
                        None,
                        None,
                    )
                    .await;
                n += 1;
                tokio::task::yield_now().await;
            }
            n
        })
    };
    let to = source.dir.path().join("backup");
    let to_arg = to.display().to_string();
    let o = {
        let url = source.url.clone();
        let dir = source.dir.path().to_path_buf();
        let to_arg = to_arg.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_inzage"))
                .args(["--database-url", &url, "--data-dir"])
                .arg(&dir)
                .args(["backup", "--to", &to_arg, "--json"])
                .env_remove("INZAGE_CONFIG")
                .env("INZAGE_LOG_LEVEL", "warn")
                .output()
                .expect("run inzage")
        })
        .await
        .expect("backup")
    };
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.await.expect("writer");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let manifest: serde_json::Value = serde_json::from_slice(&o.stdout).expect("manifest");
    assert!(written > 0, "writes went on beside the backup");
    assert!(manifest["files"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("audit-anchors/")))));
    // Only the operator's account may open it: it holds every dossier.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&to), 0o700);
        assert_eq!(mode(&to.join("manifest.json")), 0o600);
        for f in manifest["files"].as_array().expect("files") {
            let p = to.join(f["path"].as_str().expect("path"));
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
    let documents = manifest["tables"]["document"].as_i64().expect("documents");
    assert!(documents > 5, "the demo's documents are in the backup");
    // A second backup into the same folder is refused.
    let o = inzage(&source, &["backup", "--to", &to_arg]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));

    // Restore into a new, empty installation.
    let mut target = TestDb::empty().await;
    target.db.close().await;
    let o = inzage(&target, &["restore", "--from", &to_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    target.db = inzage_service::db::Db::connect(&target.url, 2)
        .await
        .expect("reconnect");
    // Every table has the manifest's rows (the audit trail one more: the
    // restore itself).
    for (table, rows) in manifest["tables"].as_object().expect("tables") {
        let expected = rows.as_i64().expect("count") + i64::from(table == "audit_event");
        assert_eq!(
            target
                .scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .await,
            expected,
            "{table}"
        );
    }
    assert_eq!(
        target
            .text("SELECT data_kind FROM audit_event ORDER BY seq DESC LIMIT 1")
            .await,
        "restore"
    );
    // Every document's content came along and passes its hash check.
    let restored = target.services(&inzage_core::FixedClock::new(chrono::Utc::now()));
    for hash in document_hashes(&target).await {
        assert!(restored.blob_for_tests(&hash).is_ok(), "{hash}");
    }
    let o = with_anchor(
        &target,
        Some("sleutel"),
        &anchors_of(&target),
        &["audit", "verify"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("matches the anchor"),
        "{}",
        text(&o.stdout)
    );
    // Not twice: the installation is no longer empty.
    let o = inzage(&target, &["restore", "--from", &to_arg]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("not empty"));

    // A damaged backup is refused before anything is written.
    let blob = manifest["files"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find_map(|f| f["path"].as_str().filter(|p| p.starts_with("blobs/")))
        })
        .expect("a document file")
        .to_owned();
    let mut bytes = std::fs::read(to.join(&blob)).expect("read");
    bytes[0] ^= 1;
    std::fs::write(to.join(&blob), bytes).expect("damage");
    let mut third = TestDb::empty().await;
    third.db.close().await;
    let o = inzage(&third, &["restore", "--from", &to_arg]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("damaged"), "{}", text(&o.stderr));
    third.db = inzage_service::db::Db::connect(&third.url, 1)
        .await
        .expect("reconnect");
    assert_eq!(
        third
            .scalar(if inzage_service::testing::backend_is_postgres() {
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
            } else {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            })
            .await,
        0,
        "nothing was written"
    );
    // A folder without its manifest is not a backup.
    std::fs::remove_file(to.join("manifest.json")).expect("remove");
    let o = inzage(&third, &["restore", "--from", &to_arg]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("did not finish"));
}

fn anchors_of(db: &TestDb) -> std::path::PathBuf {
    db.dir.path().join("audit-anchors")
}

async fn document_hashes(db: &TestDb) -> Vec<String> {
    let n = db
        .scalar("SELECT COUNT(DISTINCT sha256) FROM document")
        .await;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            db.text(&format!(
                "SELECT sha256 FROM (SELECT DISTINCT sha256 FROM document) d ORDER BY sha256 LIMIT 1 OFFSET {i}"
            ))
            .await,
        );
    }
    assert!(!out.is_empty());
    out
}
