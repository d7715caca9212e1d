//! ASVS level 2 requirements that docs/security.md once marked "no test":
//! each test here names the requirement it shows.
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};

mod common;
use common::world::world;
use common::{hidden, Browser};

/// 7.4.1: an unexpected failure answers a short page in the viewer's
/// language with a reference the servicedesk can look up in the log, and
/// none of the details.
#[tokio::test]
async fn an_unexpected_failure_shows_a_reference_and_no_details() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    assert_eq!(
        aisha.get("/dossier/rapportages").await.status,
        StatusCode::OK
    );
    // Something the user did not cause: a table has gone.
    w.db.exec_raw("ALTER TABLE report RENAME TO report_gone")
        .await;
    let page = aisha.get("/dossier/rapportages").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("Er ging iets mis"), "{}", page.body);
    let reference = page
        .body
        .split("Noem dan dit nummer: ")
        .nth(1)
        .map(|r| r.chars().take(8).collect::<String>())
        .unwrap_or_default();
    assert!(
        reference.len() == 8 && reference.chars().all(|c| c.is_ascii_hexdigit()),
        "a reference on the page: {}",
        page.body
    );
    let again = aisha.get("/dossier/rapportages").await.body;
    assert!(
        !again.contains(&reference),
        "each incident its own reference"
    );
    for detail in ["report", "table", "sql", "SQL", "panicked"] {
        assert!(!page.body.contains(detail), "{detail} shown: {}", page.body);
    }
}

/// 14.5.1: a method a route does not have is refused with 405 and the
/// methods it does have; nothing is written.
#[tokio::test]
async fn other_methods_are_refused_with_the_allowed_ones_named() {
    let w = world().await;
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let before = w.db.scalar("SELECT COUNT(*) FROM audit_event").await;
    for (method, path) in [
        (Method::DELETE, "/dossier/rapportages"),
        (Method::PUT, "/inloggen"),
        (Method::PATCH, "/mijn-account"),
        (Method::OPTIONS, "/"),
        (Method::TRACE, "/healthz"),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("cookie", aisha.cookie_header())
            .body(Body::empty())
            .expect("req");
        let page = aisha.send(req).await;
        assert_eq!(
            page.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let allow = page
            .headers
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(allow.contains("GET"), "{method} {path}: Allow {allow}");
        assert!(
            page.headers.get("access-control-allow-origin").is_none(),
            "no CORS"
        );
    }
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event").await,
        before,
        "nothing happened"
    );
}

/// 5.1.1: a parameter sent twice is refused, not merged or silently
/// picked; nothing is written.
#[tokio::test]
async fn a_repeated_parameter_is_refused_and_nothing_is_written() {
    let w = world().await;
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let path = format!("/clienten/{}/rapportages", w.aisha);
    let form = anna.get(&format!("{path}/nieuw")).await.body;
    let csrf = hidden(&form, "csrf");
    let before = w.db.scalar("SELECT COUNT(*) FROM report").await;
    let body = format!("csrf={csrf}&category=Wonen&body=een&body=twee&zichtbaar=ja&zichtbaar=nee");
    let req = Request::post(path.as_str())
        .header("cookie", anna.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("req");
    let page = anna.send(req).await;
    assert!(
        page.status.is_client_error(),
        "{} {}",
        page.status,
        page.body
    );
    assert!(
        page.body.contains("We konden dit formulier niet lezen"),
        "our page, not the framework's text: {}",
        page.body
    );
    assert_eq!(w.db.scalar("SELECT COUNT(*) FROM report").await, before);
    // In a query string too.
    let mut aisha = w.signed_in("aisha@example.nl").await;
    let page = aisha.get("/dossier/rapportages?woorden=a&woorden=b").await;
    assert!(page.status.is_client_error(), "{}", page.status);
}

/// 13.1.5 and 13.2.5: the JSON API takes only `application/json`; another
/// type is 415 with a JSON error, never a 500.
#[tokio::test]
async fn the_api_refuses_a_body_that_is_not_json_with_415() {
    let w = world().await;
    let mut b = w.browser();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = Request::post("/api/v1/auth/login");
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let page = b
            .send(
                req.body(Body::from(r#"{"email":"aisha@example.nl","password":"x"}"#))
                    .expect("req"),
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {}",
            page.body
        );
        let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
        assert_eq!(json["error"], "unsupported_media_type");
    }
    // The right type with a broken body stays a 400.
    let page = b
        .send(
            Request::post("/api/v1/auth/login")
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .expect("req"),
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

/// 3.2.2 and 3.2.4: the session cookie is 256 random bits (64 hex
/// characters), new at every sign-in; 3.3.4: the holder sees their
/// sessions and ends the others.
#[tokio::test]
async fn sessions_are_random_per_sign_in_and_the_holder_ends_the_others() {
    let w = world().await;
    let session = |b: &Browser| {
        b.jar
            .iter()
            .find(|(k, _)| k.ends_with("inzage-session"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut phone = w.signed_in("aisha@example.nl").await;
    let mut laptop = w.signed_in("aisha@example.nl").await;
    let (a, b) = (session(&phone), session(&laptop));
    for t in [&a, &b] {
        assert_eq!(t.len(), 64, "{t}");
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()), "{t}");
    }
    assert_ne!(a, b);
    let list = laptop.get("/mijn-sessies").await.body;
    assert_eq!(
        list.matches("laatst actief").count(),
        2,
        "both sessions listed: {list}"
    );
    assert!(list.contains("(deze sessie)"));
    let csrf = hidden(&list, "csrf");
    let ended = laptop
        .post("/mijn-sessies/andere-beeindigen", &[("csrf", &csrf)])
        .await;
    assert_eq!(ended.status, StatusCode::OK);
    assert!(ended.body.contains("Je bent op 1 andere"), "{}", ended.body);
    let gone = phone.get("/dossier/rapportages").await;
    assert_eq!(
        gone.status,
        StatusCode::SEE_OTHER,
        "the phone is signed out"
    );
    assert_eq!(
        laptop.get("/dossier/rapportages").await.status,
        StatusCode::OK
    );
}

/// 14.4.1: every page a signed-in client, a caregiver or a visitor opens
/// without an id has a Content-Type, and text comes with its charset.
#[tokio::test]
async fn every_answer_names_its_content_type_and_charset() {
    let w = world().await;
    let routes: Vec<&str> = inzage_web::route_list()
        .into_iter()
        .filter(|(m, p)| *m == Method::GET && !p.contains('{'))
        .map(|(_, p)| p)
        .collect();
    assert!(routes.len() > 20, "{routes:?}");
    let mut checked = 0;
    for mut who in [
        w.browser(),
        w.signed_in("aisha@example.nl").await,
        w.signed_in("anna@zorg.nl").await,
    ] {
        for path in &routes {
            let page = who.get(path).await;
            if page.body.is_empty() {
                assert!(
                    page.status.is_redirection() || page.status == StatusCode::NO_CONTENT,
                    "{path}: {} without a body",
                    page.status
                );
                continue;
            }
            let ct = page
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert!(!ct.is_empty(), "{path}: no Content-Type");
            if ct.starts_with("text/") || ct.starts_with("application/json") {
                assert!(
                    ct.starts_with("application/json") || ct.contains("charset=utf-8"),
                    "{path}: {ct}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}

/// 2.1.11: every password field lets password managers and paste work:
/// it says which password it wants, and nothing blocks paste.
#[test]
fn password_fields_work_with_password_managers_and_paste() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut fields = 0;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("templates") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("read");
            assert!(
                !text.contains("onpaste") && !text.contains("oncopy"),
                "{}",
                p.display()
            );
            for input in text.split("<input").skip(1) {
                let tag = input.split('>').next().unwrap_or_default();
                if tag.contains("type=\"password\"") {
                    fields += 1;
                    assert!(
                        tag.contains("autocomplete=\"current-password\"")
                            || tag.contains("autocomplete=\"new-password\""),
                        "{}: {tag}",
                        p.display()
                    );
                }
            }
        }
    }
    let js = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/inzage.js"),
    )
    .expect("inzage.js");
    assert!(!js.contains("paste"), "the script leaves paste alone");
    assert!(fields >= 8, "{fields}");
}

/// docs/security.md stays true: every test it names exists, under that
/// name, in that file (a renamed test must take its row along).
#[test]
fn every_test_named_in_the_security_map_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("docs/security.md")).expect("security.md");
    let mut named = 0;
    for part in map.split('`').skip(1).step_by(2) {
        let Some((file, test)) = part.split_once("::") else {
            continue;
        };
        let a_test = file.starts_with("crates/")
            && file.ends_with(".rs")
            && test.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !a_test {
            continue;
        }
        let text = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|_| panic!("security.md names {file}, which does not exist"));
        assert!(
            text.contains(&format!("fn {test}(")),
            "security.md names {file}::{test}, which does not exist"
        );
        named += 1;
    }
    assert!(named > 150, "{named}");
}
