//! HTTP skeleton tests: health, security headers, 404 page.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use inzage_core::FixedClock;
use inzage_service::testing::TestDb;
use inzage_web::{router, WebConfig};
use tower::ServiceExt;

async fn get(app: axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app
        .oneshot(Request::get(path).body(Body::empty()).expect("req"))
        .await
        .expect("resp");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn healthz_is_ok_while_the_database_answers_and_503_after() {
    let db = TestDb::migrated().await;
    let svc = db.services(&FixedClock::new(chrono::Utc::now()));
    let app = router(svc.clone(), WebConfig::default());
    let (status, _, body) = get(app.clone(), "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    svc.db().close().await;
    let (status, _, body) = get(app, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unavailable");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let db = TestDb::migrated().await;
    let svc = db.services(&FixedClock::new(chrono::Utc::now()));
    for path in ["/", "/healthz", "/no/such/page"] {
        let (_, h, _) = get(router(svc.clone(), WebConfig::default()), path).await;
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        assert_eq!(
            h.get("referrer-policy").map(|v| v.as_bytes()),
            Some(&b"no-referrer"[..])
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
    let (_, h, _) = get(
        router(
            svc,
            WebConfig {
                tls: true,
                ..WebConfig::default()
            },
        ),
        "/",
    )
    .await;
    assert!(h.get("strict-transport-security").is_some());
}

#[tokio::test]
async fn unknown_path_is_a_dutch_404_page() {
    let db = TestDb::migrated().await;
    let svc = db.services(&FixedClock::new(chrono::Utc::now()));
    let (status, _, body) = get(router(svc, WebConfig::default()), "/nope%3Cscript%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Deze pagina bestaat niet."));
    assert!(!body.contains("<script>"));
}

#[tokio::test]
async fn dev_outbox_exists_only_when_configured() {
    let db = TestDb::migrated().await;
    let svc = db.services(&FixedClock::new(chrono::Utc::now()));
    let (status, _, _) = get(router(svc.clone(), WebConfig::default()), "/dev/outbox").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let dir = db.dir.path().join("outbox");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("20261122T090000-x.txt"),
        "To: +31612345678\n\nJe Inzage-code is 123456.",
    )
    .expect("write");
    std::fs::write(
        dir.join("20261122T090001-y.eml"),
        "Subject: x\n\nlink: http://h/wachtwoord-instellen?token=3Dab<b>",
    )
    .expect("write");
    let cfg = WebConfig {
        dev_outbox: Some(dir),
        ..WebConfig::default()
    };
    let (status, _, body) = get(router(svc, cfg), "/dev/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Je Inzage-code is 123456."));
    assert!(
        body.contains("token=ab&#60;b&#62;"),
        "decoded and escaped: {body}"
    );
}
