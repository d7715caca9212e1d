//! Issue 16 item 2: crash durability, shown. `inzage serve` is killed with
//! SIGKILL in the middle of a burst of writes (reports, uploads, plan
//! versions, invitations with their outbox messages, and the audit events
//! of all of them), round after round, on the test backend. After every
//! crash each write that was acknowledged (303) is there; at the end
//! SQLite's `integrity_check`, `inzage audit verify` and the outbox pass:
//! every message delivered once, none twice.
//!
//! What this shows is a *process* crash: SIGKILL leaves the operating
//! system's page cache alone, so it proves that nothing is acknowledged
//! before it is committed (and an upload before its file is stored), and
//! that recovery (SQLite's cold WAL recovery: the test holds no connection
//! while the server runs) leaves a whole database. A power cut needs the
//! commits to reach the disk as well: `synchronous = FULL` (asserted by
//! `migrations_apply_once_and_sqlite_is_durable`) and an fsync of every
//! stored file and its folder; this test does not cut the power.
//!
//! `CRASH_ROUNDS` (default 20) and `CRASH_WRITES` (the most writes before
//! the kill, default 24) make it bigger: `scripts/crash-test` runs it at
//! full size.
use inzage_service::testing::{backend_is_postgres, TestDb};
use std::io::{Read, Write};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const PASSWORD: &str = "Inzage-demo-2026";
const STAFF: &str = "anna.bakker@demo.inzage.nl";

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One HTTP/1.1 exchange over a fresh connection (no client library: the
/// server is killed under it, and every error must stay an error).
struct Answer {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let mut location = None;
    let mut cookies = Vec::new();
    for l in lines {
        let (k, v) = l.split_once(':').unwrap_or((l, ""));
        match k.to_ascii_lowercase().as_str() {
            "location" => location = Some(v.trim().to_owned()),
            "set-cookie" => cookies.push(v.trim().split(';').next().unwrap_or("").to_owned()),
            _ => {}
        }
    }
    Ok(Answer {
        status,
        location,
        cookies,
        body: body.to_owned(),
    })
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn hidden(body: &str, name: &str) -> String {
    let pat = format!("name=\"{name}\" value=\"");
    body.find(&pat)
        .map(|i| {
            body[i + pat.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect()
        })
        .unwrap_or_default()
}

struct Server {
    child: Child,
    port: u16,
}

/// A test that fails mid-round leaves no server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &TestDb) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("INZAGE_CONFIG")
        .env("INZAGE_LOG_LEVEL", "error")
        .env("INZAGE_JOB_POLL_SECONDS", "1")
        .env("INZAGE_SECURE_COOKIES", "false")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn serve");
    for _ in 0..400 {
        if http(port, "GET", "/healthz", "", None, b"").is_ok_and(|a| a.status == 200) {
            return Server { child, port };
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up");
}

fn kill(mut s: Server) {
    // SAFETY: SIGKILL to our own child process.
    unsafe {
        libc::kill(s.child.id() as i32, libc::SIGKILL);
    }
    let _ = s.child.wait();
}

/// The test's own connections close while the server runs, so that the
/// next opener after a kill recovers the database cold, as a restart does.
async fn reconnect(db: &mut TestDb) {
    db.db = inzage_service::db::Db::connect(&db.url, 2)
        .await
        .expect("reconnect");
}

fn outbox_files(db: &TestDb) -> Vec<String> {
    std::fs::read_dir(db.dir.path().join("outbox"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Signs the demo caregiver in (password, then the SMS code from the
/// outbox); the session lives in the database, so it survives the crashes.
fn sign_in(db: &TestDb, port: u16) -> String {
    let login = http(port, "GET", "/inloggen", "", None, b"").expect("login page");
    let mut jar: Vec<String> = login.cookies.clone();
    let csrf = hidden(&login.body, "csrf");
    let before = outbox_files(db).len();
    let a = http(
        port,
        "POST",
        "/inloggen",
        &jar.join("; "),
        Some("application/x-www-form-urlencoded"),
        &form(&[
            ("csrf", &csrf),
            ("email", STAFF),
            ("password", PASSWORD),
            ("next", "/"),
        ]),
    )
    .expect("password");
    assert_eq!(a.status, 303, "{}", a.body);
    jar.extend(a.cookies);
    let to = a.location.expect("to the code page");
    let mut code = String::new();
    for _ in 0..400 {
        let mut sms: Vec<String> = outbox_files(db)
            .into_iter()
            .filter(|n| n.ends_with(".txt"))
            .collect();
        sms.sort();
        if outbox_files(db).len() > before {
            if let Some(last) = sms.last() {
                let text = std::fs::read_to_string(db.dir.path().join("outbox").join(last))
                    .unwrap_or_default();
                if let Some(i) = text.find("code is ") {
                    code = text[i + 8..i + 14].to_owned();
                    break;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(code.len(), 6, "an SMS code arrived");
    let page = http(port, "GET", &to, &jar.join("; "), None, b"").expect("code page");
    let csrf = hidden(&page.body, "csrf");
    let a = http(
        port,
        "POST",
        "/inloggen/code",
        &jar.join("; "),
        Some("application/x-www-form-urlencoded"),
        &form(&[("csrf", &csrf), ("code", &code), ("method", "sms")]),
    )
    .expect("code");
    assert_eq!(a.status, 303, "{}", a.body);
    // Keep the newest value of each cookie.
    let mut last: std::collections::BTreeMap<String, String> = Default::default();
    for c in jar.into_iter().chain(a.cookies) {
        if let Some((k, v)) = c.split_once('=') {
            last.insert(k.to_owned(), v.to_owned());
        }
    }
    last.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the writers had acknowledged (a 303), by kind.
#[derive(Default)]
struct Acked {
    reports: Vec<String>,
    documents: Vec<String>,
    /// The plan versions acknowledged (their ids, from the redirect).
    plans: Vec<String>,
    invitations: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_acknowledged_before_a_sigkill_survive_it() {
    let rounds = env_num("CRASH_ROUNDS", 20);
    let max_writes = env_num("CRASH_WRITES", 24);
    let mut db = TestDb::empty().await;
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .arg("demo")
        .env("INZAGE_LOG_LEVEL", "warn")
        .output()
        .expect("demo");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let client = db
        .text(&format!(
            "SELECT c.id FROM client c JOIN team_membership tm ON tm.team_id = c.team_id \
             JOIN staff_member s ON s.id = tm.staff_id WHERE s.email = '{STAFF}' \
             AND c.id IN (SELECT client_id FROM episode WHERE end_date IS NULL) ORDER BY c.client_number LIMIT 1"
        ))
        .await;
    // A client without an account yet: inviting them queues an e-mail
    // (and a new invitation replaces the last, so it can be repeated).
    let (org, team) = (
        db.text(&format!(
            "SELECT organisation_id FROM staff_member WHERE email = '{STAFF}'"
        ))
        .await,
        db.text(&format!(
            "SELECT tm.team_id FROM team_membership tm JOIN staff_member s ON s.id = tm.staff_id \
             WHERE s.email = '{STAFF}' ORDER BY tm.team_id LIMIT 1"
        ))
        .await,
    );
    let o = Command::new(env!("CARGO_BIN_EXE_inzage"))
        .args(["--database-url", &db.url, "--data-dir"])
        .arg(db.dir.path())
        .args([
            "admin",
            "client",
            "create",
            "--org",
            &org,
            "--number",
            "CRASH-1",
            "--given-name",
            "Kees",
            "--family-name",
            "Crash",
            "--birth-date",
            "01-02-2001",
            "--email",
            "kees.crash@example.nl",
            "--mobile",
            "06 1111 2299",
            "--team",
            &team,
        ])
        .env("INZAGE_LOG_LEVEL", "warn")
        .output()
        .expect("client");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let invitee = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let first = serve(&db);
    let cookie = Arc::new(sign_in(&db, first.port));
    kill(first);

    let acked = Arc::new(Mutex::new(Acked::default()));
    for round in 0..rounds {
        db.db.close().await;
        let server = serve(&db);
        let port = server.port;
        let page = http(
            port,
            "GET",
            &format!("/clienten/{client}/rapportages/nieuw"),
            &cookie,
            None,
            b"",
        )
        .expect("form");
        assert_eq!(page.status, 200, "round {round}: still signed in");
        let csrf = Arc::new(hidden(&page.body, "csrf"));
        // Kill after a different number of acknowledged writes each round.
        let kill_after = 1 + (round * 7 + 3) % max_writes.max(1);
        let count = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for lane in 0..4usize {
            let (cookie, csrf, count, stop, acked, client, invitee) = (
                cookie.clone(),
                csrf.clone(),
                count.clone(),
                stop.clone(),
                acked.clone(),
                client.clone(),
                invitee.clone(),
            );
            writers.push(std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let tag = format!("crash-{round}-{lane}-{i}");
                    let answer = match lane {
                        0 | 1 => http(
                            port,
                            "POST",
                            &format!("/clienten/{client}/rapportages"),
                            &cookie,
                            Some("application/x-www-form-urlencoded"),
                            &form(&[
                                ("csrf", &csrf),
                                ("category", "Dagrapportage"),
                                ("body", &tag),
                                ("zichtbaar", "nee"),
                            ]),
                        ),
                        2 => {
                            let field = |n: &str, v: &str| {
                                format!("--M\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                            };
                            let body = format!(
                                "{}{}{}{}{}--M\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"a.pdf\"\r\n\
                                 Content-Type: application/pdf\r\n\r\n%PDF-1.4\n% {tag}\n%%EOF\n\r\n--M--\r\n",
                                field("csrf", &csrf),
                                field("titel", &tag),
                                field("soort", "Brief"),
                                field("datum", "01-11-2026"),
                                field("zichtbaar", "ja"),
                            );
                            http(
                                port,
                                "POST",
                                &format!("/clienten/{client}/documenten"),
                                &cookie,
                                Some("multipart/form-data; boundary=M"),
                                body.as_bytes(),
                            )
                        }
                        _ => {
                            // An invitation (with its e-mail in the outbox)
                            // and now and then a new plan version.
                            if i % 3 == 0 {
                                let date = "01-11-2026";
                                http(
                                    port,
                                    "POST",
                                    &format!("/clienten/{client}/clientplan"),
                                    &cookie,
                                    Some("application/x-www-form-urlencoded"),
                                    &form(&[("csrf", &csrf), ("datum", date)]),
                                )
                                .map(|a| Answer {
                                    body: "plan".into(),
                                    ..a
                                })
                            } else {
                                http(
                                    port,
                                    "POST",
                                    &format!("/clienten/{invitee}/netwerk/uitnodigen"),
                                    &cookie,
                                    Some("application/x-www-form-urlencoded"),
                                    &form(&[("csrf", &csrf), ("contactpersoon", "")]),
                                )
                            }
                        }
                    };
                    let Ok(a) = answer else { break };
                    if a.status != 303 {
                        continue;
                    }
                    {
                        let mut k = acked.lock().expect("acked");
                        match lane {
                            0 | 1 => k.reports.push(tag),
                            2 => k.documents.push(tag),
                            _ if a.body == "plan" => k.plans.push(
                                a.location
                                    .as_deref()
                                    .and_then(|l| l.split('?').next())
                                    .and_then(|l| l.rsplit('/').next())
                                    .unwrap_or("")
                                    .to_owned(),
                            ),
                            _ => k.invitations += 1,
                        }
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                }
                i
            }));
        }
        for _ in 0..2000 {
            if count.load(Ordering::SeqCst) >= kill_after {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        kill(server);
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.join().expect("writer");
        }
        reconnect(&mut db).await;
        assert!(
            count.load(Ordering::SeqCst) >= 1,
            "round {round}: writes went through"
        );

        // Everything acknowledged so far is there.
        let (reports, documents, plans) = {
            let k = acked.lock().expect("acked");
            (k.reports.clone(), k.documents.clone(), k.plans.clone())
        };
        // A new version redirects to it; one already in the making
        // redirects to the list (nothing new to keep).
        for plan in plans.iter().filter(|p| p.as_str() != "clientplan") {
            assert_eq!(
                db.scalar(&format!(
                    "SELECT COUNT(*) FROM plan_version WHERE id = '{plan}' AND client_id = '{client}'"
                ))
                .await,
                1,
                "round {round}: acknowledged plan version {plan}"
            );
        }
        for tag in &reports {
            assert_eq!(
                db.scalar(&format!("SELECT COUNT(*) FROM report WHERE body = '{tag}'"))
                    .await,
                1,
                "round {round}: acknowledged report {tag}"
            );
        }
        let svc = db.services(&inzage_core::FixedClock::new(chrono::Utc::now()));
        for tag in &documents {
            let hash = db
                .text(&format!(
                    "SELECT sha256 FROM document WHERE title = '{tag}'"
                ))
                .await;
            assert!(
                svc.blob_for_tests(&hash).is_ok(),
                "round {round}: acknowledged document {tag} has its content"
            );
        }
        if !backend_is_postgres() {
            assert_eq!(
                db.text("PRAGMA integrity_check").await,
                "ok",
                "round {round}"
            );
        }
    }

    // Afterwards: the trail is whole, and every message goes out once.
    let inzage = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_inzage"))
            .args(["--database-url", &db.url, "--data-dir"])
            .arg(db.dir.path())
            .args(args)
            .env("INZAGE_LOG_LEVEL", "warn")
            .output()
            .expect("inzage")
    };
    let o = inzage(&["audit", "verify"]);
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // Jobs cut off by a kill hold a claim for its lease: run them as if
    // the lease had run out.
    db.exec_raw(
        "UPDATE job SET locked_until = '2000-01-01T00:00:00.000000Z' WHERE status = 'running'",
    )
    .await;
    let o = inzage(&["jobs", "run"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (n_reports, n_documents, n_plans, n_invitations) = {
        let k = acked.lock().expect("acked");
        (
            k.reports.len(),
            k.documents.len(),
            k.plans.len(),
            k.invitations,
        )
    };
    eprintln!(
        "{rounds} rounds killed: {n_reports} reports, {n_documents} documents, {n_plans} plan versions, {n_invitations} invitations acknowledged"
    );
    assert!(
        n_reports + n_documents >= rounds,
        "every round acknowledged writes ({} reports, {} documents, {} plans, {} invitations)",
        n_reports,
        n_documents,
        n_plans,
        n_invitations
    );
    let invites = db
        .scalar("SELECT COUNT(*) FROM message WHERE purpose = 'invite'")
        .await;
    assert!(
        invites as usize >= n_invitations,
        "{invites} invitation e-mails for {n_invitations} acknowledged"
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM message WHERE status <> 'sent'")
            .await,
        0,
        "every message went out"
    );
    // Once: the outbox has exactly one file per message (a redelivery
    // after a crash writes the same name; SMTP gets the same Message-ID).
    let files = outbox_files(&db);
    let ids: Vec<String> = {
        let n = db.scalar("SELECT COUNT(*) FROM message").await;
        let mut v = Vec::new();
        for i in 0..n {
            v.push(
                db.text(&format!(
                    "SELECT id FROM message ORDER BY id LIMIT 1 OFFSET {i}"
                ))
                .await,
            );
        }
        v
    };
    for id in &ids {
        assert_eq!(
            files.iter().filter(|f| f.contains(id.as_str())).count(),
            1,
            "message {id} in the outbox once"
        );
    }
    assert_eq!(files.len(), ids.len(), "no file without its message");
}
