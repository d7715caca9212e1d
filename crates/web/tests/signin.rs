//! The sign-in pages over HTTP, with a cookie jar, a real database and an
//! injected clock.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::accounts::InviteTarget;
use inzage_service::admin::OrgSettings;
use inzage_service::jobs::Runner;
use inzage_service::testing::TestDb;
use inzage_service::{Ctx, Services};
use inzage_web::{router, WebConfig};
use std::collections::BTreeMap;

mod common;
use common::{hidden, Browser};
use tower::ServiceExt;

const PASSWORD: &str = "paarse olifant danst";

struct World {
    db: TestDb,
    clock: FixedClock,
    svc: Services,
    browser: Browser,
}

async fn world() -> World {
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let svc = db.services(&clock);
    let cli = Ctx::system("cli");
    let settings = OrgSettings {
        servicedesk_email: Some("servicedesk@zorg.nl".into()),
        ..OrgSettings::default()
    };
    let (org, team) = inzage_service::testing::organisation(&svc, "Zorg", settings).await;
    let new =
        inzage_service::testing::client("C-1", Some("test@example.nl"), Some("0612345678"), &team);
    let client = svc
        .create_client(&cli, &org, new, chrono::NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .expect("client");
    svc.provision_account(&cli, InviteTarget::Client(client), PASSWORD)
        .await
        .expect("account");
    let browser = Browser {
        app: router(svc.clone(), WebConfig::default()),
        jar: BTreeMap::new(),
    };
    World {
        db,
        clock,
        svc,
        browser,
    }
}

impl World {
    async fn sms_code(&self) -> String {
        common::latest_sms_code(&self.svc, &self.db.dir.path().join("outbox")).await
    }

    async fn login_page_csrf(&mut self) -> String {
        let p = self.browser.get("/inloggen").await;
        hidden(&p.body, "csrf")
    }

    async fn sign_in(&mut self) {
        assert_eq!(self.sign_in_to("/").await.as_deref(), Some("/"));
    }

    /// Signs in through the pages; returns where the browser is sent after.
    async fn sign_in_to(&mut self, next: &str) -> Option<String> {
        let csrf = self.login_page_csrf().await;
        let p = self
            .browser
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf),
                    ("email", "Test@Example.nl "),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let p = self
            .browser
            .get(p.location.as_deref().expect("to code"))
            .await;
        // The SMS went out with the password step: no extra tap.
        assert!(
            p.body.contains("We hebben je een sms gestuurd"),
            "{}",
            p.body
        );
        let csrf = hidden(&p.body, "csrf");
        let code = self.sms_code().await;
        let p = self
            .browser
            .post(
                "/inloggen/code",
                &[("csrf", &csrf), ("code", &code), ("method", "sms")],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        p.location
    }
}

#[tokio::test]
async fn login_page_has_the_seed_labels_and_a_host_csrf_cookie() {
    let mut w = world().await;
    let p = w.browser.get("/inloggen").await;
    assert_eq!(p.status, StatusCode::OK);
    for label in [
        ">E-mail<",
        ">Wachtwoord<",
        ">Publieke computer<",
        ">Wachtwoord opvragen<",
        ">Inloggen<",
        ">Hulp nodig?<",
    ] {
        assert!(p.body.contains(label), "{label} missing");
    }
    let c = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-inzage-csrf="))
        .expect("csrf cookie");
    for attr in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(c.contains(attr), "{c}");
    }
    assert!(!c.contains("Domain"));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_nothing_happens() {
    let mut w = world().await;
    let _ = w.login_page_csrf().await;
    let p = w
        .browser
        .post(
            "/inloggen",
            &[("email", "test@example.nl"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("formulier is verlopen"));
    assert!(!w.browser.jar.contains_key("__Host-inzage-session"));
    let p = w
        .browser
        .post(
            "/wachtwoord-opvragen",
            &[
                ("csrf", "0123456789abcdef0123456789abcdef"),
                ("email", "test@example.nl"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn full_sign_in_rotates_the_session_and_shows_the_start_page() {
    let mut w = world().await;
    let csrf = w.login_page_csrf().await;
    let p = w
        .browser
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", "test@example.nl"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let half = w
        .browser
        .jar
        .get("__Host-inzage-session")
        .cloned()
        .expect("half session");
    // Half signed in: the start page sends you back to the code.
    let p = w.browser.get("/").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/code"));
    w.browser.jar.clear();
    w.sign_in().await;
    let full = w
        .browser
        .jar
        .get("__Host-inzage-session")
        .cloned()
        .expect("session");
    assert_ne!(half, full);
    let p = w.browser.get("/").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Dossier van "), "{}", p.body);
    assert!(p.body.contains(">Rapportages<"));
    assert!(p.body.contains("Uitloggen") && p.body.contains("Mijn sessies"));
    // The e-mail address is remembered (not a public computer).
    let p = w.browser.get("/inloggen").await;
    assert!(p.body.contains("value=\"test@example.nl\""), "{}", p.body);
}

#[tokio::test]
async fn three_wrong_passwords_show_the_pause() {
    let mut w = world().await;
    let csrf = w.login_page_csrf().await;
    let mut last = String::new();
    for _ in 0..3 {
        last = w
            .browser
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf),
                    ("email", "test@example.nl"),
                    ("password", "verkeerd wachtwoord"),
                ],
            )
            .await
            .body;
    }
    assert!(
        last.contains("Inloggen is gepauzeerd tot 22-11-2026 10:10"),
        "{last}"
    );
    let p = w
        .browser
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", "nobody@example.nl"),
                ("password", "x"),
            ],
        )
        .await;
    assert!(p
        .body
        .contains("Het e-mailadres of het wachtwoord klopt niet."));
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_known_and_unknown() {
    let mut w = world().await;
    let p = w.browser.get("/wachtwoord-opvragen").await;
    let csrf = hidden(&p.body, "csrf");
    let known = w
        .browser
        .post(
            "/wachtwoord-opvragen",
            &[("csrf", &csrf), ("email", "test@example.nl")],
        )
        .await;
    let unknown = w
        .browser
        .post(
            "/wachtwoord-opvragen",
            &[("csrf", &csrf), ("email", "nobody@example.nl")],
        )
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.body, unknown.body);
    assert!(known.body.contains("Als je e-mailadres bij ons bekend is"));
}

#[tokio::test]
async fn idle_timeout_returns_to_login_with_an_explanation_and_back() {
    let mut w = world().await;
    w.sign_in().await;
    assert_eq!(w.browser.get("/mijn-sessies").await.status, StatusCode::OK);
    w.clock.advance(Duration::minutes(15));
    let p = w.browser.get("/mijn-sessies").await;
    assert_eq!(
        p.location.as_deref(),
        Some("/inloggen?verlopen=1&next=/mijn-sessies")
    );
    let p = w
        .browser
        .get("/inloggen?verlopen=1&next=/mijn-sessies")
        .await;
    assert!(p.body.contains("Daarom ben je uitgelogd"));
    assert_eq!(hidden(&p.body, "next"), "/mijn-sessies");
    assert_eq!(
        w.sign_in_to("/mijn-sessies").await.as_deref(),
        Some("/mijn-sessies"),
        "back where the user was"
    );
    // An outside address is never a place to return to.
    w.clock.advance(Duration::minutes(15));
    assert_eq!(w.sign_in_to("//evil.example/x").await.as_deref(), Some("/"));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let mut w = world().await;
    w.sign_in().await;
    let token = w
        .browser
        .jar
        .get("__Host-inzage-session")
        .cloned()
        .expect("session");
    let p = w.browser.get("/").await;
    let csrf = hidden(&p.body, "csrf");
    let p = w.browser.post("/uitloggen", &[("csrf", &csrf)]).await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"));
    assert!(w.svc.session(&token).await.expect("lookup").is_none());
    assert_eq!(
        w.browser.get("/").await.location.as_deref(),
        Some("/inloggen?next=/")
    );
}

#[tokio::test]
async fn set_password_page_refuses_bad_passwords_in_plain_words() {
    let mut w = world().await;
    let p = w.browser.get("/wachtwoord-instellen?token=nonsense").await;
    assert!(p.body.contains("Deze link werkt niet meer"));
    w.svc
        .request_password_reset("test@example.nl", None)
        .await
        .expect("reset");
    Runner::new(w.svc.clone(), "t")
        .run_until_idle()
        .await
        .expect("jobs");
    let dir = w.db.dir.path().join("outbox");
    let mail = std::fs::read_dir(dir)
        .expect("outbox")
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).expect("r"))
        .find(|m| m.contains("Nieuw wachtwoord"))
        .expect("mail");
    let flat = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let i = flat.find("token=").expect("token") + 6;
    let token: String = flat[i..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let p = w
        .browser
        .get(&format!("/wachtwoord-instellen?token={token}"))
        .await;
    assert!(p.body.contains("test@example.nl"));
    let csrf = hidden(&p.body, "csrf");
    let p = w
        .browser
        .post(
            "/wachtwoord-instellen",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", "kort"),
                ("password2", "kort"),
            ],
        )
        .await;
    assert!(p.body.contains("Je wachtwoord is te kort"), "{}", p.body);
    let p = w
        .browser
        .post(
            "/wachtwoord-instellen",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", "qwertyuiop12"),
                ("password2", "qwertyuiop12"),
            ],
        )
        .await;
    assert!(p.body.contains("door veel mensen gebruikt"));
    let p = w
        .browser
        .post(
            "/wachtwoord-instellen",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", "een nieuw goed wachtwoord"),
                ("password2", "een ander wachtwoord!!"),
            ],
        )
        .await;
    assert!(p.body.contains("niet hetzelfde"));
    let p = w
        .browser
        .post(
            "/wachtwoord-instellen",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("password", "een nieuw goed wachtwoord"),
                ("password2", "een nieuw goed wachtwoord"),
            ],
        )
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/inloggen/code?met=sms&verstuurd=1"),
        "straight on to the second step"
    );
    let p = w.browser.get("/inloggen/code?met=sms").await;
    assert!(p.body.contains("Stuur mij een sms-code"));
}

#[tokio::test]
async fn staff_link_an_app_at_first_sign_in_through_the_pages() {
    let mut w = world().await;
    let cli = Ctx::system("cli");
    let org = w.svc.list_organisations().await.expect("orgs")[0]
        .id
        .clone();
    let staff = w
        .svc
        .create_staff(
            &cli,
            &org,
            inzage_service::admin::NewStaff {
                given_name: Label::parse("g", "Eva").expect("l"),
                name_prefix: None,
                family_name: Label::parse("f", "Kok").expect("l"),
                email: Email::parse("eva@zorg.nl").expect("e"),
                mobile: None,
                roles: vec![inzage_core::model::Role::Caregiver],
                team_ids: vec![],
            },
        )
        .await
        .expect("staff");
    w.svc
        .provision_account(&cli, InviteTarget::Staff(staff), PASSWORD)
        .await
        .expect("account");
    let csrf = w.login_page_csrf().await;
    let p = w
        .browser
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", "eva@zorg.nl"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/app-koppelen"));
    let p = w.browser.get("/inloggen/app-koppelen").await;
    assert!(
        p.body.contains("<svg role=\"img\" aria-label=\"QR-code\""),
        "QR code shown"
    );
    let i = p.body.find("inzage-secret\">").expect("secret") + 15;
    let secret: String = p.body[i..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    let csrf = hidden(&p.body, "csrf");
    let p = w
        .browser
        .post(
            "/inloggen/code",
            &[("csrf", &csrf), ("code", &code), ("method", "app")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/"), "{}", p.body);
    let p = w.browser.get("/?zoek=%25").await;
    assert!(p.body.contains("Je bent ingelogd als eva@zorg.nl"));
    // Staff start on "Mijn cliënten" (Eva is in no team yet: an empty list).
    assert!(p
        .body
        .contains("<h1 class=\"utrecht-heading-1\">Mijn cliënten</h1>"));
    assert!(p.body.contains("0 cliënten") && p.body.contains("value=\"%\""));
}

#[tokio::test]
async fn my_account_changes_password_and_language() {
    let mut w = world().await;
    w.sign_in().await;
    let p = w.browser.get("/mijn-account").await;
    assert!(p.body.contains("Wachtwoord veranderen") && p.body.contains("Koppel een app"));
    let csrf = hidden(&p.body, "csrf");
    let p = w
        .browser
        .post(
            "/mijn-account/wachtwoord",
            &[
                ("csrf", &csrf),
                ("current", "fout"),
                ("password", "een nieuw lang wachtwoord"),
                ("password2", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert!(p.body.contains("Je huidige wachtwoord klopt niet."));
    let p = w
        .browser
        .post(
            "/mijn-account/wachtwoord",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", "een nieuw lang wachtwoord"),
                ("password2", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert!(p.body.contains("Je wachtwoord is veranderd."), "{}", p.body);
    let p = w
        .browser
        .post("/mijn-account/taal", &[("csrf", &csrf), ("language", "en")])
        .await;
    // The page answers in the chosen language at once, and remembers it.
    assert!(p
        .body
        .contains("<option value=\"en\" lang=\"en\" selected>"));
    assert!(p.body.contains("<html lang=\"en\""), "{}", p.body);
    assert!(p.body.contains("Your choice has been saved."));
    assert!(p
        .set_cookies
        .iter()
        .any(|c| c.starts_with("inzage-lang=en")));
    let p = w
        .browser
        .post(
            "/mijn-account/taal",
            &[("csrf", "wrong"), ("language", "nl")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Error pages follow the account's language too.
    assert!(p.body.contains("This form has expired"), "{}", p.body);
    // A client can always fall back to the SMS code, so unlinking is
    // allowed, with the current password (ADR 0013).
    let p = w
        .browser
        .post("/mijn-account/app/verwijderen", &[("csrf", &csrf)])
        .await;
    assert!(
        p.body.contains("Your current password is not right."),
        "{}",
        p.body
    );
    let p = w
        .browser
        .post(
            "/mijn-account/app/verwijderen",
            &[("csrf", &csrf), ("wachtwoord", "een nieuw lang wachtwoord")],
        )
        .await;
    assert!(
        p.body
            .contains("Your app is unlinked. You now sign in with a text message code."),
        "{}",
        p.body
    );
}

async fn api(
    app: &axum::Router,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_owned())).expect("req"))
        .await
        .expect("res");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn json_api_signs_in_with_bearer_tokens_and_explains_errors() {
    let w = world().await;
    let app = w.browser.app.clone();
    let (s, v) = api(&app, "POST", "/api/v1/auth/login", None, "{not json").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, v) = api(
        &app,
        "POST",
        "/api/v1/auth/login",
        None,
        r#"{"email":"test@example.nl","password":"fout"}"#,
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("rejected"))
    );
    let (s, v) = api(
        &app,
        "POST",
        "/api/v1/auth/login",
        None,
        &format!(r#"{{"email":"test@example.nl","password":"{PASSWORD}"}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sms"], true);
    let half = v["session_token"].as_str().expect("token").to_owned();
    // Half signed in: no account data yet.
    assert_eq!(
        api(&app, "GET", "/api/v1/me", Some(&half), "").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = api(&app, "POST", "/api/v1/auth/sms", Some(&half), "").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("sent")));
    let (s, v) = api(&app, "POST", "/api/v1/auth/sms", Some(&half), "").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_soon"))
    );
    assert!(v["until"].is_string());
    let code = w.sms_code().await;
    let (s, v) = api(
        &app,
        "POST",
        "/api/v1/auth/code",
        Some(&half),
        &format!(r#"{{"code":"{code}"}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["session_token"].as_str().expect("token").to_owned();
    let (s, v) = api(&app, "GET", "/api/v1/me", Some(&token), "").await;
    assert_eq!(
        (s, v["email"].as_str(), v["kind"].as_str()),
        (StatusCode::OK, Some("test@example.nl"), Some("client"))
    );
    // Cookies are not read by the API.
    let req = Request::get("/api/v1/me")
        .header("cookie", format!("__Host-inzage-session={token}"))
        .body(Body::empty())
        .expect("req");
    assert_eq!(
        app.clone().oneshot(req).await.expect("res").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api(&app, "POST", "/api/v1/auth/logout", Some(&token), "")
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api(&app, "GET", "/api/v1/me", Some(&token), "").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Logging out an ended token is not answered as a success
    // (schemathesis' "accepts invalid authentication" check).
    let (s, v) = api(&app, "POST", "/api/v1/auth/logout", Some(&token), "").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    // Reset: the same 202 for known and unknown addresses.
    for email in ["test@example.nl", "nobody@example.nl"] {
        let (s, v) = api(
            &app,
            "POST",
            "/api/v1/auth/password-reset",
            None,
            &format!(r#"{{"email":"{email}"}}"#),
        )
        .await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::ACCEPTED, Some("accepted"))
        );
    }
    let (s, v) = api(
        &app,
        "POST",
        "/api/v1/auth/password",
        None,
        r#"{"token":"nope","password":"een goed wachtwoord"}"#,
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn openapi_document_describes_every_api_route() {
    let w = world().await;
    let (s, v) = api(&w.browser.app, "GET", "/api/v1/openapi.json", None, "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["openapi"].as_str().is_some_and(|o| o.starts_with("3.")));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/sms",
        "/api/v1/auth/code",
        "/api/v1/auth/logout",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password",
        "/api/v1/me",
    ] {
        assert!(v["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        v["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
