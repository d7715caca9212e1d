//! Issue 16 item 3: a stopped database and a full disk. Pages answer a
//! clear Dutch page (503 / 507), `/healthz` says 503 while the database
//! is gone, nothing acknowledged is lost, nothing is half-written, and
//! everything works again without a restart when the database or the
//! space returns.
use axum::http::StatusCode;
use inzage_service::testing::backend_is_postgres;
use inzage_web::{router, WebConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

mod common;
use common::world::world;
use common::{hidden, Browser};

/// A TCP relay between the server and PostgreSQL that the test can cut
/// (every connection dropped, new ones refused) and mend: a database
/// server stopped and started again, as the server sees it.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (u, l, target) = (up.clone(), links.clone(), target.to_owned());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !u.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                l.lock().expect("links").push(task);
            }
        });
        Relay { port, up, links }
    }

    /// The database "stops": every open connection breaks.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for t in self.links.lock().expect("links").drain(..) {
            t.abort();
        }
    }

    fn mend(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn report_form<'a>(csrf: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("category", "Dagrapportage"),
        ("body", body),
        ("zichtbaar", "nee"),
    ]
}

#[tokio::test]
async fn a_stopped_database_gives_a_clear_page_and_everything_works_again_when_it_returns() {
    if !backend_is_postgres() {
        eprintln!("PostgreSQL only (SQLite has no server to stop)");
        return;
    }
    let w = world().await;
    let relay = Relay::start("127.0.0.1:5432").await;
    let url =
        w.db.url
            .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", relay.port));
    assert_ne!(
        url, w.db.url,
        "the test database is reached through the relay"
    );
    let db = inzage_service::db::Db::connect(&url, 4)
        .await
        .expect("connect");
    let svc = inzage_service::Services::new(db, Arc::new(w.clock.clone()), w.db.dir.path());
    // Signed in through the direct connection; the session is in the
    // database, so the relayed server knows it too.
    let signed = w.signed_in("anna@zorg.nl").await;
    let mut b = Browser {
        app: router(svc.clone(), WebConfig::default()),
        jar: signed.jar.clone(),
    };
    let reports = format!("/clienten/{}/rapportages", w.aisha);
    let page = b.get(&format!("{reports}/nieuw")).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page.body, "csrf");
    let before = b
        .post(&reports, &report_form(&csrf, "Voor de storing."))
        .await;
    assert_eq!(before.status, StatusCode::SEE_OTHER, "{}", before.body);

    relay.cut();
    let down = b.get(&reports).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        down.body
    );
    assert!(
        down.body.contains("Inzage is even niet bereikbaar"),
        "{}",
        down.body
    );
    assert!(!down.body.contains("sqlx") && !down.body.contains("error returned"));
    let health = b.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    let lost = b
        .post(&reports, &report_form(&csrf, "Tijdens de storing."))
        .await;
    assert_eq!(
        lost.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        lost.body
    );

    // Back, without a restart: the pool makes new connections.
    relay.mend();
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    let again = b.get(&reports).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let after = b
        .post(&reports, &report_form(&csrf, "Na de storing."))
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
    let count = |text: &str| {
        let sql = format!("SELECT COUNT(*) FROM report WHERE body = '{text}'");
        let db = &w.db;
        async move { db.scalar(&sql).await }
    };
    assert_eq!(
        count("Voor de storing.").await,
        1,
        "acknowledged before: kept"
    );
    assert_eq!(
        count("Tijdens de storing.").await,
        0,
        "refused: not half-written"
    );
    assert_eq!(count("Na de storing.").await, 1);
    let verify = w.svc.verify_audit_chain(None).await.expect("verify");
    assert!(verify.intact, "{verify:?}");
}

#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_and_writing_resumes_when_space_returns() {
    if backend_is_postgres() {
        eprintln!("SQLite only (its size limit simulates a full disk)");
        return;
    }
    let w = world().await;
    let mut b = w.signed_in("anna@zorg.nl").await;
    let reports = format!("/clienten/{}/rapportages", w.aisha);
    let csrf = hidden(&b.get(&format!("{reports}/nieuw")).await.body, "csrf");
    let ok = b
        .post(&reports, &report_form(&csrf, "Voor het vollopen."))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let rows_before = w.db.scalar("SELECT COUNT(*) FROM report").await;

    // The disk fills up: the database may not grow past its pages, and
    // what room is left in them is filled.
    let pages = w.db.scalar("PRAGMA page_count").await;
    w.db.exec_raw(&format!("PRAGMA max_page_count = {pages}"))
        .await;
    // Fill what room is left, with ever smaller rows, until not even a
    // small one fits.
    let mut filled = false;
    let mut n = 0;
    for size in [2000, 200, 20, 1] {
        let filler = "x".repeat(size);
        for _ in 0..5000 {
            n += 1;
            if w.db
                .try_exec_raw(&format!(
                    "INSERT INTO rate_counter (counter_key, window_start, hits) VALUES ('{filler}{n}', 'x', 1)"
                ))
                .await
                .is_err()
            {
                filled = size == 1;
                break;
            }
        }
    }
    assert!(filled, "the database is full");

    let refused = b
        .post(
            &reports,
            &report_form(&csrf, &"Een lange rapportage. ".repeat(200)),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::INSUFFICIENT_STORAGE,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Er is niets bewaard"),
        "{}",
        refused.body
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM report").await,
        rows_before
    );
    // A dossier read must be recorded before it is shown (NEN 7513). Its
    // record is small and may still fit where the report did not; when it
    // does not, the read is refused with the same clear page. Never a
    // read without its record, never a 500.
    let events = w.db.scalar("SELECT COUNT(*) FROM audit_event").await;
    let read = b.get(&reports).await;
    let events_after = w.db.scalar("SELECT COUNT(*) FROM audit_event").await;
    match read.status {
        StatusCode::OK => assert_eq!(events_after, events + 1, "shown, so recorded"),
        StatusCode::INSUFFICIENT_STORAGE => {
            assert_eq!(events_after, events, "not recorded, so not shown");
            assert!(read.body.contains("laten we nu geen dossier zien"));
        }
        other => panic!("a read on a full disk answered {other}: {}", read.body),
    }
    // What records nothing goes on.
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(w.browser().get("/inloggen").await.status, StatusCode::OK);

    // Space returns: everything works again, without a restart.
    w.db.exec_raw("PRAGMA max_page_count = 1073741823").await;
    assert_eq!(b.get(&reports).await.status, StatusCode::OK);
    let after = b
        .post(&reports, &report_form(&csrf, "Na het vollopen."))
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM report").await,
        rows_before + 1
    );
    let check: String = w.db.text("PRAGMA integrity_check").await;
    assert_eq!(check, "ok");
    assert!(w.svc.verify_audit_chain(None).await.expect("verify").intact);
}
