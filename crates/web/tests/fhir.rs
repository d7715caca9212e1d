//! The FHIR R4 API and SMART Backend Services (issue 17), over the router,
//! on the engine `INZAGE_TEST_BACKEND` names. Systems sign their
//! assertions with keys the test makes (ES384 with ring); every FHIR
//! answer is checked by an independent model of R4 (Python's
//! `fhir.resources` 6.x, scripts/validate-fhir.py).
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use inzage_core::model::Principal;
use inzage_core::smart::SmartScope;
use inzage_service::fhir::smart::{Jwks, NewFhirClient};
use inzage_service::Ctx;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};

mod common;
use common::world::*;
use common::{hidden, Browser, Page};

const TOKEN_URL: &str = "http://127.0.0.1:8080/oauth/token";
/// The default naming system of an organisation's client numbers: one per
/// organisation.
fn naming(w: &World) -> String {
    format!(
        "http://127.0.0.1:8080/fhir/NamingSystem/client-number/{}",
        w.zorg
    )
}

/// A system's key pair: the private half as PKCS#8 (for signing), the
/// public half as a JWK set.
struct Key {
    pkcs8: Vec<u8>,
    kid: String,
    jwks: String,
}

fn key(kid: &str) -> Key {
    use base64::Engine;
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
        .expect("key")
        .as_ref()
        .to_vec();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &pkcs8, &rng).expect("pair");
    let point = pair.public_key().as_ref(); // 0x04 || x || y
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let jwks = serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-384", "kid": kid, "use": "sig", "alg": "ES384",
        "x": b64(&point[1..49]), "y": b64(&point[49..97])
    }]})
    .to_string();
    Key {
        pkcs8,
        kid: kid.into(),
        jwks,
    }
}

/// A signed assertion for `client` with `exp` seconds from the world's now.
fn assertion(w: &World, k: &Key, client: &str, aud: &str, exp_in: i64, jti: &str) -> String {
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES384);
    h.kid = Some(k.kid.clone());
    let now = w.clock.now_for_test().timestamp();
    let claims = serde_json::json!({
        "iss": client, "sub": client, "aud": aud, "exp": now + exp_in, "jti": jti
    });
    jsonwebtoken::encode(
        &h,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_der(&k.pkcs8),
    )
    .expect("sign")
}

async fn register(w: &World, k: &Key, scopes: &str) -> String {
    w.svc
        .create_fhir_client(
            &Ctx::system("cli"),
            NewFhirClient {
                organisation_id: w.zorg.clone(),
                name: label("ECD Zorg"),
                jwks: Jwks::parse(&k.jwks).expect("jwks"),
                scopes: SmartScope::parse_list(scopes).expect("scopes"),
            },
        )
        .await
        .expect("registered")
}

async fn ask_token(b: &mut Browser, assertion: &str, scope: &str) -> Page {
    let form = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("scope", scope),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ])
    .expect("form");
    let req = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("req");
    b.send(req).await
}

async fn token(w: &World, b: &mut Browser, k: &Key, client: &str, scope: &str) -> String {
    let jti = uuid_like();
    let p = ask_token(b, &assertion(w, k, client, TOKEN_URL, 240, &jti), scope).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let v: serde_json::Value = serde_json::from_str(&p.body).expect("json");
    v["access_token"].as_str().expect("token").to_owned()
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "jti-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn fhir(
    b: &mut Browser,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    if_match: Option<&str>,
) -> Page {
    let mut r = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    if let Some(v) = if_match {
        r = r.header("if-match", v);
    }
    let req = match body {
        Some(b) => r
            .header("content-type", "application/fhir+json")
            .body(Body::from(b.to_owned())),
        None => r.body(Body::empty()),
    }
    .expect("req");
    b.send(req).await
}

/// Checks `json` with the independent R4 model; returns its report.
fn valid(json: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("r.json");
    std::fs::write(&path, json).expect("write");
    let out = std::process::Command::new(root.join(".venv-fhir/bin/python"))
        .arg(root.join("scripts/validate-fhir.py"))
        .arg(&path)
        .output()
        .expect("the FHIR validator (scripts/ensure-tools installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}\n{json}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn json(p: &Page) -> serde_json::Value {
    serde_json::from_str(&p.body).unwrap_or_else(|_| panic!("not JSON: {}", p.body))
}

#[tokio::test]
async fn a_system_gets_a_short_token_for_a_signed_assertion_and_every_bad_one_is_refused() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Patient.rs system/Appointment.r").await;

    // SMART configuration names the token endpoint and what it accepts.
    let conf = b.get("/.well-known/smart-configuration").await;
    assert_eq!(conf.status, StatusCode::OK);
    let c = json(&conf);
    assert_eq!(c["token_endpoint"], TOKEN_URL);
    assert_eq!(
        c["token_endpoint_auth_methods_supported"][0],
        "private_key_jwt"
    );

    // Asked scopes are narrowed to the registered ones.
    let a = assertion(&w, &k, &id, TOKEN_URL, 240, "once");
    let p = ask_token(&mut b, &a, "system/Patient.cruds system/Appointment.rs").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let t = json(&p);
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 300);
    assert_eq!(t["scope"], "system/Patient.rs system/Appointment.r");
    assert_eq!(p.headers["cache-control"], "no-store");

    // The same assertion again is a replay.
    let p = ask_token(&mut b, &a, "system/Patient.rs").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert_eq!(json(&p)["error"], "invalid_grant");

    let other = key("k1");
    for (why, assertion, scope, status, code) in [
        (
            "wrong audience",
            assertion(&w, &k, &id, "https://elders/token", 240, "a1"),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
        (
            "expired",
            assertion(&w, &k, &id, TOKEN_URL, -120, "a2"),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
        (
            "too long",
            assertion(&w, &k, &id, TOKEN_URL, 3600, "a3"),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
        (
            "another key, same kid",
            assertion(&w, &other, &id, TOKEN_URL, 240, "a4"),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
        (
            "unknown client",
            assertion(&w, &k, "nobody", TOKEN_URL, 240, "a5"),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
        (
            "scope not registered",
            assertion(&w, &k, &id, TOKEN_URL, 240, "a6"),
            "system/DocumentReference.rs",
            400,
            "invalid_scope",
        ),
        (
            "a patient scope",
            assertion(&w, &k, &id, TOKEN_URL, 240, "a7"),
            "patient/Patient.rs",
            400,
            "invalid_scope",
        ),
        (
            "not a JWT",
            "x.y.z".to_owned(),
            "system/Patient.rs",
            401,
            "invalid_client",
        ),
    ] {
        let p = ask_token(&mut b, &assertion, scope).await;
        assert_eq!(p.status.as_u16(), status, "{why}: {}", p.body);
        assert_eq!(json(&p)["error"], code, "{why}");
    }
    // HS256 with the public key as secret (the classic confusion) is refused.
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some("k1".into());
    let now = w.clock.now_for_test().timestamp();
    let forged = jsonwebtoken::encode(
        &h,
        &serde_json::json!({"iss": id, "sub": id, "aud": TOKEN_URL, "exp": now + 60, "jti": "h"}),
        &jsonwebtoken::EncodingKey::from_secret(k.jwks.as_bytes()),
    )
    .expect("sign");
    let p = ask_token(&mut b, &forged, "system/Patient.rs").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);

    // Without aud, or valid only later: refused.
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES384);
    h.kid = Some("k1".into());
    let sign = |claims: serde_json::Value| {
        jsonwebtoken::encode(
            &h,
            &claims,
            &jsonwebtoken::EncodingKey::from_ec_der(&k.pkcs8),
        )
        .expect("sign")
    };
    let no_aud = sign(serde_json::json!({"iss": id, "sub": id, "exp": now + 60, "jti": "n1"}));
    let later = sign(
        serde_json::json!({"iss": id, "sub": id, "aud": TOKEN_URL, "exp": now + 200, "nbf": now + 180, "jti": "n2"}),
    );
    for (why, a) in [("no aud", no_aud), ("nbf ahead", later)] {
        let p = ask_token(&mut b, &a, "system/Patient.rs").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{why}: {}", p.body);
        assert!(p.headers.contains_key("www-authenticate"), "{why}");
    }

    // Not a form, or another grant.
    let req = Request::post("/oauth/token")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("req");
    assert_eq!(b.send(req).await.status, StatusCode::BAD_REQUEST);

    // The token works for minutes only (the injected clock).
    let tok = token(&w, &mut b, &k, &id, "system/Patient.rs").await;
    let aisha = w.aisha.to_string();
    let path = format!("/fhir/Patient/{aisha}");
    assert_eq!(
        fhir(&mut b, "GET", &path, Some(&tok), None, None)
            .await
            .status,
        StatusCode::OK
    );
    w.clock.advance(Duration::minutes(6));
    let p = fhir(&mut b, "GET", &path, Some(&tok), None, None).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    assert!(p.headers.contains_key("www-authenticate"));

    // A disabled system gets no token, and its tokens stop at once.
    let tok = token(&w, &mut b, &k, &id, "system/Patient.rs").await;
    w.svc
        .set_fhir_client_disabled(&Ctx::system("cli"), &id, true)
        .await
        .expect("disabled");
    assert_eq!(
        fhir(&mut b, "GET", &path, Some(&tok), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let p = ask_token(
        &mut b,
        &assertion(&w, &k, &id, TOKEN_URL, 240, "d1"),
        "system/Patient.rs",
    )
    .await;
    assert_eq!(json(&p)["error"], "invalid_client");

    // Every token asked for is in the audit trail, given or refused.
    let given = w
        .db
        .scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'fhir_token' AND outcome = 'allowed' AND actor_kind = 'integration'")
        .await;
    let refused = w
        .db
        .scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'fhir_token' AND outcome = 'denied'")
        .await;
    assert_eq!(given, 3);
    // 13 token requests refused, and 2 calls with a token no longer
    // valid (past its time, its client disabled).
    assert_eq!(refused, 15);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'invalid_bearer'")
            .await,
        2
    );
    // Before the signature is checked, nothing tells an unknown client
    // from a wrong key: and such attempts are nobody's (anonymous).
    let unverified = w
        .db
        .scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'fhir_token' AND outcome = 'denied' AND actor_kind = 'anonymous'")
        .await;
    assert!(unverified >= 4, "{unverified}");
}

#[test]
fn a_key_set_with_a_private_key_or_a_weak_key_is_not_registered() {
    let k = key("k");
    let mut v: serde_json::Value = serde_json::from_str(&k.jwks).expect("json");
    v["keys"][0]["d"] = serde_json::json!("secret");
    assert!(Jwks::parse(&v.to_string()).is_err());
    let mut v: serde_json::Value = serde_json::from_str(&k.jwks).expect("json");
    v["keys"][0]["crv"] = serde_json::json!("P-256");
    assert!(Jwks::parse(&v.to_string()).is_err());
    let mut v: serde_json::Value = serde_json::from_str(&k.jwks).expect("json");
    v["keys"][0].as_object_mut().expect("o").remove("kid");
    assert!(Jwks::parse(&v.to_string()).is_err());
    assert!(Jwks::parse(r#"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}"#).is_err());
    assert!(Jwks::parse("not json").is_err());
    assert!(Jwks::parse(&k.jwks).is_ok());
}

#[tokio::test]
async fn patients_are_read_searched_and_paged_as_the_scopes_and_the_organisation_allow() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Patient.rs system/Appointment.rs").await;
    let tok = token(&w, &mut b, &k, &id, "system/Patient.rs").await;
    let aisha = w.aisha.to_string();

    // No token, a made-up token: 401 with an OperationOutcome.
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{aisha}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&p)["resourceType"], "OperationOutcome");
    valid(&p.body);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{aisha}"),
        Some(&"f".repeat(64)),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    // A session cookie of a signed-in person is not a token.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get(&format!("/fhir/Patient/{aisha}")).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);

    // The scheme's name is case-insensitive.
    let req = Request::get(format!("/fhir/Patient/{aisha}"))
        .header("authorization", format!("bearer {tok}"))
        .body(Body::empty())
        .expect("req");
    assert_eq!(b.send(req).await.status, StatusCode::OK);
    // A search-only token learns nothing: a search needs read too.
    let search_only = tok_for(&w, &mut b, "system/Patient.s").await;
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient",
        Some(&search_only),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    // A parameter twice is refused, not overridden.
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?name=a&name=b",
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);

    // Read: the nl-core shape, validated by the independent model.
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{aisha}"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        p.headers["content-type"],
        "application/fhir+json; charset=utf-8"
    );
    assert_eq!(p.headers["etag"], "W/\"1\"");
    assert!(p.headers["content-location"]
        .to_str()
        .expect("cl")
        .ends_with(&format!("/fhir/Patient/{aisha}/_history/1")));
    assert_eq!(valid(&p.body).trim(), "Patient");
    let v = json(&p);
    assert_eq!(v["identifier"][0]["system"], naming(&w).as_str());
    assert_eq!(v["name"][0]["given"][0], "Aisha");
    assert_eq!(v["meta"]["versionId"], "1");

    // Another organisation's patient does not exist for this system; an
    // id that exists nowhere neither.
    let otto = w.otto.to_string();
    for path in [
        format!("/fhir/Patient/{otto}"),
        "/fhir/Patient/nope".to_owned(),
    ] {
        let p = fhir(&mut b, "GET", &path, Some(&tok), None, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
        valid(&p.body);
    }
    // A token without Patient scopes: 403, and nothing read.
    let appt = token(&w, &mut b, &k, &id, "system/Appointment.rs").await;
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{aisha}"),
        Some(&appt),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    // Read-only: no create.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Patient",
        Some(&tok),
        Some("{}"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    // Search by identifier: a searchset of one, validated.
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient?identifier={}|{}", urlenc(&naming(&w)), "C-1"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let v = json(&p);
    assert_eq!(v["type"], "searchset");
    assert_eq!(v["total"], 1, "{}", p.body);
    assert_eq!(v["entry"][0]["resource"]["id"], aisha.as_str());
    assert!(valid(&p.body).contains("Patient 1"));
    // Another system's numbers match nothing.
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?identifier=urn:other|C-1",
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["total"], 0);

    // Paging: the organisation's two patients one per page, with next links.
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?_count=1",
        Some(&tok),
        None,
        None,
    )
    .await;
    let v = json(&p);
    assert_eq!(v["total"], 2, "{}", p.body);
    assert_eq!(v["entry"].as_array().map(Vec::len), Some(1));
    let next = v["link"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["relation"] == "next"))
        .and_then(|x| x["url"].as_str())
        .expect("a next link")
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();
    let p2 = fhir(&mut b, "GET", &next, Some(&tok), None, None).await;
    let v2 = json(&p2);
    assert_eq!(v2["entry"].as_array().map(Vec::len), Some(1));
    assert_ne!(
        v2["entry"][0]["resource"]["id"],
        v["entry"][0]["resource"]["id"]
    );
    assert!(v2["link"]
        .as_array()
        .is_some_and(|l| l.iter().all(|x| x["relation"] != "next")));
    valid(&p2.body);
    // Otto (organisation Ander) is in no page.
    assert!(!p.body.contains(&otto) && !p2.body.contains(&otto));

    // A name folded like the staff search; _lastUpdated.
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?name=AISHA",
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["total"], 1, "{}", p.body);
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?_lastUpdated=ge2030-01-01",
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["total"], 0, "{}", p.body);
    // An unknown parameter is refused, not ignored.
    let p = fhir(
        &mut b,
        "GET",
        "/fhir/Patient?gender=female",
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    valid(&p.body);
    // Unknown types: an OperationOutcome, not a page.
    let p = fhir(&mut b, "GET", "/fhir/Medication/1", Some(&tok), None, None).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    valid(&p.body);

    // The capability statement tells what is served.
    let p = fhir(&mut b, "GET", "/fhir/metadata", None, None, None).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(valid(&p.body).trim(), "CapabilityStatement");

    // The organisation's own naming system replaces the default one.
    assert!(inzage_service::fhir::smart::parse_naming_system("urn:oid:2.16.x").is_err());
    assert!(inzage_service::fhir::smart::parse_naming_system("urn:oid:2.16.528 .1").is_err());
    let oid =
        inzage_service::fhir::smart::parse_naming_system("urn:oid:2.16.528.1.1234.1").expect("oid");
    w.svc
        .set_client_number_system(&Ctx::system("cli"), &w.zorg, Some(oid.clone()))
        .await
        .expect("set");
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{aisha}"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["identifier"][0]["system"], oid.as_str());
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient?identifier={}|C-1", urlenc(&naming(&w))),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["total"], 0);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient?identifier={}|C-1", urlenc(&oid)),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["total"], 1);

    // Every read is Aisha's to see in "Wie keek mee", by the system's name.
    let lines = w
        .svc
        .who_looked(
            &Ctx::new(Principal::Client {
                client_id: w.aisha.clone(),
            }),
            &w.aisha,
            w.clock.now_for_test().date_naive() - Duration::days(1),
            w.clock.now_for_test().date_naive(),
        )
        .await
        .expect("who looked")
        .into_inner();
    assert!(
        lines.iter().any(|l| matches!(&l.who, inzage_service::who_looked::Who::Integration { name } if name == "ECD Zorg")),
        "{lines:?}"
    );
    let reads = w
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{aisha}' AND actor_kind = 'integration' AND outcome = 'allowed'"
        ))
        .await;
    // The read (twice: the lowercase scheme), the search by number, one
    // of the two pages, the name search, and the two reads with the
    // organisation's own system.
    assert_eq!(reads, 7);
    let denied = w
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE actor_kind = 'integration' AND outcome = 'denied' AND (client_id = '{otto}' OR data_kind = 'Patient')"
        ))
        .await;
    assert!(denied >= 2, "{denied}");
}

fn urlenc(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).expect("enc")[2..].to_owned()
}

fn patient_json(naming: &str, number: &str, city: &str, birth: &str) -> String {
    serde_json::json!({
        "resourceType": "Patient",
        "identifier": [{"system": naming, "value": number}],
        "name": [{"use": "official", "given": ["Sem"],
                  "family": "de Vries",
                  "_family": {"extension": [
                      {"url": "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix", "valueString": "de"},
                      {"url": "http://hl7.org/fhir/StructureDefinition/humanname-own-name", "valueString": "Vries"}]}}],
        "birthDate": birth,
        "address": [{"use": "home", "line": ["Dorpsstraat 12"], "postalCode": "1234 AB", "city": city}]
    })
    .to_string()
}

#[tokio::test]
async fn an_ecd_creates_and_updates_a_patient_by_its_client_number_and_a_stale_version_writes_nothing(
) {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Patient.cruds").await;
    let tok = token(&w, &mut b, &k, &id, "system/Patient.cruds").await;
    let clients = || w.db.scalar("SELECT COUNT(*) FROM client");
    let before = clients().await;

    // Not acceptable: every problem with its path, and nothing written.
    let bad = r#"{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}],"active":"yes"}"#;
    let p = fhir(&mut b, "POST", "/fhir/Patient", Some(&tok), Some(bad), None).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    valid(&p.body);
    assert!(p.body.contains("Patient.active"), "{}", p.body);
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Patient",
        Some(&tok),
        Some(r#"{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}]}"#),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    for path in ["Patient.identifier", "Patient.name", "Patient.birthDate"] {
        assert!(p.body.contains(path), "{path}: {}", p.body);
    }
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Patient",
        Some(&tok),
        Some("{not json"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let req = Request::post("/fhir/Patient")
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", "text/plain")
        .body(Body::from(patient_json(
            &naming(&w),
            "E-1",
            "Utrecht",
            "1990-04-01",
        )))
        .expect("req");
    assert_eq!(b.send(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(clients().await, before);

    // Create.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Patient",
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-1", "Utrecht", "1990-04-01")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    valid(&p.body);
    let v = json(&p);
    let pid = v["id"].as_str().expect("id").to_owned();
    assert_eq!(v["name"][0]["family"], "de Vries");
    assert!(p.headers["location"]
        .to_str()
        .expect("loc")
        .ends_with(&format!("/fhir/Patient/{pid}/_history/1")));
    assert_eq!(clients().await, before + 1);
    // The same number again is a duplicate, not a second client.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Patient",
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-1", "Utrecht", "1990-04-01")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert_eq!(clients().await, before + 1);

    // Conditional update by identifier: a move to Zeist is version 2.
    let cond = format!("/fhir/Patient?identifier={}|E-1", urlenc(&naming(&w)));
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-1", "Zeist", "1990-04-01")),
        Some("W/\"1\""),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.headers["etag"], "W/\"2\"");
    assert_eq!(json(&p)["address"][0]["city"], "Zeist");
    // The same again writes nothing and stays version 2.
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-1", "Zeist", "1990-04-01")),
        None,
    )
    .await;
    assert_eq!(p.headers["etag"], "W/\"2\"");
    // A stale If-Match: 412, nothing written.
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Patient/{pid}"),
        Some(&tok),
        Some(&patient_json(
            &naming(&w),
            "E-1",
            "Amersfoort",
            "1990-04-01",
        )),
        Some("W/\"1\""),
    )
    .await;
    assert_eq!(p.status, StatusCode::PRECONDITION_FAILED, "{}", p.body);
    valid(&p.body);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{pid}"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["address"][0]["city"], "Zeist");
    // A new number by identifier creates; a body with another number is refused.
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Patient?identifier={}|E-2", urlenc(&naming(&w))),
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-2", "Ede", "1980-01-01")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Patient?identifier={}|E-3", urlenc(&naming(&w))),
        Some(&tok),
        Some(&patient_json(&naming(&w), "E-4", "Ede", "1980-01-01")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(clients().await, before + 2);

    // History and vread: version 1 still lives in Utrecht.
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{pid}/_history"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(valid(&p.body).contains("Patient 2"), "{}", p.body);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{pid}/_history/1"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(json(&p)["address"][0]["city"], "Utrecht", "{}", p.body);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Patient/{pid}/_history/9"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // Another organisation's patient is not there to update: 404, recorded.
    let otto = w.otto.to_string();
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Patient/{otto}"),
        Some(&tok),
        Some(&patient_json(&naming(&w), "X-1", "Ede", "1980-01-01")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert_eq!(
        w.db.scalar(&format!("SELECT COUNT(*) FROM audit_event WHERE data_id = '{otto}' AND actor_kind = 'integration' AND outcome = 'denied'")).await,
        1
    );
    assert_eq!(
        w.db.scalar(&format!("SELECT version FROM client WHERE id = '{otto}'"))
            .await,
        1
    );

    // Staff see who made the change: the registration's history names it.
    let changed_by = w
        .db
        .text(&format!(
            "SELECT changed_by_kind FROM client_change WHERE client_id = '{pid}' AND version = 2 LIMIT 1"
        ))
        .await;
    assert_eq!(changed_by, "integration");
}

#[tokio::test]
async fn every_served_type_is_read_and_searched_one_dossier_at_a_time_and_validated() {
    let (w, it) = matrix_world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/*.rs").await;
    let tok = token(&w, &mut b, &k, &id, "system/*.rs").await;
    let aisha = w.aisha.to_string();
    let get = |path: String| {
        let tok = tok.clone();
        let mut b = w.browser();
        async move { fhir(&mut b, "GET", &path, Some(&tok), None, None).await }
    };

    // EpisodeOfCare: searched within Aisha's dossier, then read by id.
    let p = get(format!("/fhir/EpisodeOfCare?patient=Patient/{aisha}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(valid(&p.body).contains("EpisodeOfCare 1"), "{}", p.body);
    let ep = json(&p)["entry"][0]["resource"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(json(&p)["entry"][0]["resource"]["status"], "active");
    let p = get(format!("/fhir/EpisodeOfCare/{ep}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "EpisodeOfCare");
    let p = get(format!(
        "/fhir/EpisodeOfCare?patient=Patient/{aisha}&status=finished"
    ))
    .await;
    assert_eq!(json(&p)["total"], 0);

    // DocumentReference: her reports (text inline) and her documents (at Binary).
    let p = get(format!(
        "/fhir/DocumentReference?patient=Patient/{aisha}&_count=100"
    ))
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    valid(&p.body);
    let ids: Vec<String> = json(&p)["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        ids.contains(&it.report) && ids.contains(&it.document),
        "{ids:?}"
    );
    let p = get(format!(
        "/fhir/DocumentReference?patient=Patient/{aisha}&category=document"
    ))
    .await;
    assert!(json(&p)["entry"]
        .as_array()
        .expect("e")
        .iter()
        .all(|e| e["resource"]["category"].is_null()));
    let p = get(format!("/fhir/DocumentReference/{}", it.report)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "DocumentReference");
    let v = json(&p);
    assert_eq!(v["category"][0]["coding"][0]["code"], "clinical-note");
    assert!(v["author"][0]["reference"]
        .as_str()
        .is_some_and(|r| r.starts_with("Practitioner/")));
    let p = get(format!("/fhir/DocumentReference/{}", it.document)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    valid(&p.body);
    let url = json(&p)["content"][0]["attachment"]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(
        url.ends_with(&format!("/fhir/Binary/{}", it.document)),
        "{url}"
    );
    let p = get(format!("/fhir/Binary/{}", it.document)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "Binary");
    assert!(json(&p)["data"].as_str().is_some_and(|d| !d.is_empty()));
    // Binary is read through its DocumentReference, never searched.
    let p = get(format!("/fhir/Binary?patient=Patient/{aisha}")).await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);

    // Appointment.
    let p = get(format!("/fhir/Appointment?patient=Patient/{aisha}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    valid(&p.body);
    let p = get(format!("/fhir/Appointment/{}", it.appointment)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "Appointment");
    assert_eq!(
        json(&p)["participant"][0]["actor"]["reference"],
        format!("Patient/{aisha}")
    );

    // The plan and its goals, the network and its consents, questions,
    // the access log: each searched in Aisha's dossier, then read by id.
    for (ty, min) in [
        ("CarePlan", 1),
        ("Goal", 1),
        ("RelatedPerson", 1),
        ("Consent", 1),
        ("Communication", 1),
        ("AuditEvent", 1),
    ] {
        let p = get(format!("/fhir/{ty}?patient=Patient/{aisha}&_count=100")).await;
        assert_eq!(p.status, StatusCode::OK, "{ty}: {}", p.body);
        let report = valid(&p.body);
        let v = json(&p);
        let n = v["entry"].as_array().map_or(0, Vec::len);
        assert!(n >= min, "{ty}: {report}");
        assert!(report.contains(&format!("{ty} {n}")), "{ty}: {report}");
        let one = v["entry"][0]["resource"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let p = get(format!("/fhir/{ty}/{one}")).await;
        assert_eq!(p.status, StatusCode::OK, "{ty}/{one}: {}", p.body);
        assert_eq!(valid(&p.body).trim(), ty);
        // Another organisation's dossier has none of them for this system.
        let p = get(format!("/fhir/{ty}?patient=Patient/{}", w.otto)).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{ty}: {}", p.body);
        // An id nobody has: 404, and the attempt is recorded.
        let not_found = || {
            w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'not_found' AND data_id = 'no-such-id'")
        };
        let before = not_found().await;
        let p = get(format!("/fhir/{ty}/no-such-id")).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{ty}: {}", p.body);
        assert_eq!(not_found().await, before + 1, "{ty}");
    }
    // The plan's goals are its sections; a consent names the tiles.
    let p = get(format!("/fhir/CarePlan/{}", it.plan)).await;
    assert!(
        p.body.contains(&format!("Goal/{}", it.section)),
        "{}",
        p.body
    );
    let p = get(format!("/fhir/Consent?patient=Patient/{aisha}")).await;
    assert!(
        p.body.contains("/fhir/CodeSystem/dossier-part"),
        "{}",
        p.body
    );
    // The access log names the system itself among those who looked, and
    // Vera, her contact person, once she has looked.
    let mut vera = w.signed_in("vera@example.nl").await;
    // She has another link waiting: she chooses Aisha's dossier first.
    let csrf = hidden(&vera.get("/mijn-account").await.body, "csrf");
    let choice = vera.get("/kiezen").await.body;
    let dossier = hidden(&choice, "dossier");
    vera.post("/kiezen", &[("csrf", &csrf), ("dossier", &dossier)])
        .await;
    let seen = vera
        .get(&format!("/dossier/rapportages/{}", it.report))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let p = get(format!(
        "/fhir/AuditEvent?patient=Patient/{aisha}&_count=100"
    ))
    .await;
    assert!(p.body.contains("ECD Zorg"), "{}", p.body);
    assert!(p.body.contains("Vera Mentor"), "{}", p.body);
    // A token for the access log alone does not name the contact persons
    // (ADR 0027): reading them needs a RelatedPerson scope.
    let log_only = tok_for(&w, &mut b, "system/AuditEvent.rs").await;
    let p = fhir(
        &mut w.browser(),
        "GET",
        &format!("/fhir/AuditEvent?patient=Patient/{aisha}&_count=100"),
        Some(&log_only),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    valid(&p.body);
    assert!(!p.body.contains("Mentor"), "{}", p.body);
    assert!(p.body.contains("contactpersoon"), "{}", p.body);

    // Organization: its own; Practitioner: its own staff.
    let p = get(format!("/fhir/Organization/{}", w.zorg)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "Organization");
    let p = get("/fhir/Organization".to_owned()).await;
    assert_eq!(json(&p)["total"], 1);
    let p = get("/fhir/Practitioner?name=anna".to_owned()).await;
    assert_eq!(json(&p)["total"], 1, "{}", p.body);
    valid(&p.body);
    let p = get(format!("/fhir/Practitioner/{}", w.anna)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "Practitioner");
    let p = get(format!(
        "/fhir/PractitionerRole?practitioner=Practitioner/{}",
        w.anna
    ))
    .await;
    assert_eq!(json(&p)["total"], 1, "{}", p.body);
    valid(&p.body);
    let role = json(&p)["entry"][0]["resource"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let p = get(format!("/fhir/PractitionerRole/{role}")).await;
    assert_eq!(valid(&p.body).trim(), "PractitionerRole");

    // Another organisation's dossier, staff and organisation do not exist
    // for this system.
    let otto = w.otto.to_string();
    for path in [
        format!("/fhir/EpisodeOfCare?patient=Patient/{otto}"),
        format!("/fhir/DocumentReference?patient=Patient/{otto}"),
        format!("/fhir/Appointment?patient={otto}"),
    ] {
        let p = get(path.clone()).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
        valid(&p.body);
    }
    let olga: String =
        w.db.text("SELECT id FROM staff_member WHERE email = 'olga@ander.nl'")
            .await;
    assert_eq!(
        get(format!("/fhir/Practitioner/{olga}")).await.status,
        StatusCode::NOT_FOUND
    );
    let ander: String =
        w.db.text("SELECT id FROM organisation WHERE name = 'Ander'")
            .await;
    assert_eq!(
        get(format!("/fhir/Organization/{ander}")).await.status,
        StatusCode::NOT_FOUND
    );

    // One dossier at a time: a search without patient is refused, as is a
    // parameter the type does not take.
    let p = get("/fhir/DocumentReference".to_owned()).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    let p = get(format!(
        "/fhir/Appointment?patient=Patient/{aisha}&identifier=x"
    ))
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    valid(&p.body);
    // A type that is not served, and a deeper path: OperationOutcomes.
    for path in ["/fhir/Medication/1", "/fhir/Patient/1/$everything/x"] {
        let p = get(path.to_owned()).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        valid(&p.body);
    }
    // Only what the scopes name: a Patient-only token reads no documents.
    let mut b2 = w.browser();
    let patient_only = tok_for(&w, &mut b2, "system/Patient.rs").await;
    let p = fhir(
        &mut b2,
        "GET",
        &format!("/fhir/DocumentReference/{}", it.report),
        Some(&patient_only),
        None,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);

    // The capability statement lists every served type.
    let p = get("/fhir/metadata".to_owned()).await;
    valid(&p.body);
    for ty in inzage_service::fhir::resources::SERVED {
        assert!(p.body.contains(&format!("\"type\":\"{ty}\"")), "{ty}");
    }

    // Every dossier read is Aisha's to see; the staff list is recorded too.
    let reads = w
        .db
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE client_id = '{aisha}' AND actor_kind = 'integration' AND outcome = 'allowed'"
        ))
        .await;
    assert!(reads >= 10, "{reads}");
    let staff_reads = w
        .db
        .scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'staff' AND actor_kind = 'integration'")
        .await;
    // Practitioner search and read, PractitionerRole search and read.
    assert_eq!(staff_reads, 4);
}

/// A token for a new system with its own key and these scopes.
async fn tok_for(w: &World, b: &mut Browser, scopes: &str) -> String {
    let k = key("kx");
    let id = register(w, &k, scopes).await;
    token(w, b, &k, &id, scopes).await
}

/// The ECD round trip (issue 17): a system pushes a patient, an episode
/// and a document by FHIR; the client, invited by staff, reads them in the
/// portal; the system's reads and writes are in the audit trail.
#[tokio::test]
async fn an_ecd_pushes_a_patient_an_episode_and_a_document_and_the_client_reads_them_in_the_portal()
{
    use base64::Engine;
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let scopes = "system/Patient.cruds system/EpisodeOfCare.cruds system/DocumentReference.cruds";
    let id = register(&w, &k, scopes).await;
    let tok = token(&w, &mut b, &k, &id, scopes).await;
    let ecd = "urn:oid:2.16.528.1.9999.2";

    // 1. The patient, with her contact details: no episode, no invitation yet.
    let patient = serde_json::json!({
        "resourceType": "Patient",
        "identifier": [{"system": naming(&w), "value": "ECD-7"}],
        "name": [{"use": "official", "family": "Bakker", "given": ["Lotte"]}],
        "birthDate": "1991-02-03",
        "telecom": [{"system": "email", "value": "lotte@example.nl"},
                    {"system": "phone", "use": "mobile", "value": "0612340007"}]
    })
    .to_string();
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Patient?identifier={}|ECD-7", urlenc(&naming(&w))),
        Some(&tok),
        Some(&patient),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let pid = json(&p)["id"].as_str().expect("id").to_owned();
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM episode WHERE client_id = '{pid}'"
        ))
        .await,
        0
    );

    // An episode that ends before it starts, or an identifier too long:
    // refused before anything is written.
    let bad = serde_json::json!({
        "resourceType": "EpisodeOfCare", "status": "finished",
        "patient": {"reference": format!("Patient/{pid}")},
        "period": {"start": "2026-11-01", "end": "2026-10-01"}
    })
    .to_string();
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/EpisodeOfCare",
        Some(&tok),
        Some(&bad),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let long = serde_json::json!({
        "resourceType": "EpisodeOfCare", "status": "active",
        "identifier": [{"system": ecd, "value": "x".repeat(200)}],
        "patient": {"reference": format!("Patient/{pid}")},
        "period": {"start": "2026-11-01"}
    })
    .to_string();
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/EpisodeOfCare",
        Some(&tok),
        Some(&long),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM episode WHERE client_id = '{pid}'"
        ))
        .await,
        0
    );

    // 2. The episode, by the ECD's own identifier; sent again, nothing changes.
    let episode = serde_json::json!({
        "resourceType": "EpisodeOfCare",
        "identifier": [{"system": ecd, "value": "ZP-1"}],
        "status": "active",
        "patient": {"reference": format!("Patient/{pid}")},
        "period": {"start": "2026-11-01"}
    })
    .to_string();
    let cond = format!("/fhir/EpisodeOfCare?identifier={}|ZP-1", urlenc(ecd));
    let p = fhir(&mut b, "PUT", &cond, Some(&tok), Some(&episode), None).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "EpisodeOfCare");
    let p = fhir(&mut b, "PUT", &cond, Some(&tok), Some(&episode), None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM episode WHERE client_id = '{pid}'"
        ))
        .await,
        1
    );
    // A second create with the same identifier is a duplicate.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/EpisodeOfCare",
        Some(&tok),
        Some(&episode),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);

    // Staff place her in team A (a Patient does not carry the team): only
    // then may its members be named as authors of her documents.
    w.db.exec_raw(&format!(
        "UPDATE client SET team_id = '{}' WHERE id = '{pid}'",
        w.team_a
    ))
    .await;

    // 3. A letter for her eyes too, authored by Anna; one only for staff.
    let pdf = base64::engine::general_purpose::STANDARD
        .encode(b"%PDF-1.4\n% Brief van de behandelaar\n%%EOF\n");
    let doc = |ident: &str, title: &str, visible: bool, author: &str| {
        serde_json::json!({
            "resourceType": "DocumentReference",
            "extension": [{"url": "http://127.0.0.1:8080/fhir/StructureDefinition/visible-to-client", "valueBoolean": visible}],
            "identifier": [{"system": ecd, "value": ident}],
            "status": "current",
            "type": {"text": "Brief"},
            "subject": {"reference": format!("Patient/{pid}")},
            "date": "2026-11-20T10:00:00+01:00",
            "author": [{"reference": format!("Practitioner/{author}")}],
            "description": title,
            "content": [{"attachment": {"contentType": "application/pdf", "data": pdf, "title": title}}]
        })
        .to_string()
    };
    let anna = w.anna.to_string();
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&doc("D-1", "Brief over je zorg", true, &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "DocumentReference");
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&doc("D-2", "Intern verslag", false, &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    // A scan of 3 MB fits (the body limit is the inline content's);
    // a body beyond the limit is refused with an OperationOutcome.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(3 * 1024 * 1024, b' ');
    let big_doc = doc("D-5", "Scan", false, &anna).replace(
        &pdf,
        &base64::engine::general_purpose::STANDARD.encode(&big),
    );
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&big_doc),
        None,
    )
    .await;
    assert_eq!(
        p.status,
        StatusCode::CREATED,
        "{}",
        &p.body[..p.body.len().min(300)]
    );
    let huge = "x".repeat(22 * 1024 * 1024);
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&huge),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    valid(&p.body);
    // Without a token the body is not even read: 401, not 413.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        None,
        Some(&huge),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    // The author must be staff of this organisation; the content a PDF, PNG or JPEG.
    let olga: String =
        w.db.text("SELECT id FROM staff_member WHERE email = 'olga@ander.nl'")
            .await;
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&doc("D-3", "Van elders", true, &olga)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let not_pdf = doc("D-4", "Geen pdf", true, &anna).replace(
        &pdf,
        &base64::engine::general_purpose::STANDARD.encode(b"<html>"),
    );
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/DocumentReference",
        Some(&tok),
        Some(&not_pdf),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(
        w.db.scalar(&format!(
            "SELECT COUNT(*) FROM document WHERE client_id = '{pid}'"
        ))
        .await,
        3
    );

    // 4. Staff invite her (the system never does); she signs in and reads.
    w.svc
        .provision_account(
            &Ctx::system("cli"),
            inzage_service::accounts::InviteTarget::Client(inzage_core::ids::ClientId::from_raw(
                pid.clone(),
            )),
            PASSWORD,
        )
        .await
        .expect("account");
    let mut lotte = w.signed_in("lotte@example.nl").await;
    let page = lotte.get("/dossier/documenten").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Brief over je zorg"), "{}", page.body);
    assert!(!page.body.contains("Intern verslag"));
    let page = lotte.get("/dossier/gegevens").await;
    assert!(
        page.body.contains("Lotte") && page.body.contains("ECD-7"),
        "{}",
        page.body
    );

    // A document is not changed through the API: made invisible by a
    // resend, it is refused (and stays as it was).
    let hidden_now = doc("D-1", "Brief over je zorg", false, &anna);
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/DocumentReference?identifier={}|D-1", urlenc(ecd)),
        Some(&tok),
        Some(&hidden_now),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(lotte
        .get("/dossier/documenten")
        .await
        .body
        .contains("Brief over je zorg"));

    // 5. The ECD withdraws the letter: gone from the portal, kept for the audit.
    let withdrawn = doc("D-1", "Brief over je zorg", true, &anna)
        .replace("\"current\"", "\"entered-in-error\"");
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/DocumentReference?identifier={}|D-1", urlenc(ecd)),
        Some(&tok),
        Some(&withdrawn),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(!lotte
        .get("/dossier/documenten")
        .await
        .body
        .contains("Brief over je zorg"));
    // Withdrawn twice is withdrawn once.
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/DocumentReference?identifier={}|D-1", urlenc(ecd)),
        Some(&tok),
        Some(&withdrawn),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);

    // 6. The discharge: the same episode with its end.
    let ended = episode.replace(
        "\"start\":\"2026-11-01\"",
        "\"start\":\"2026-11-01\",\"end\":\"2026-11-21\"",
    );
    let p = fhir(&mut b, "PUT", &cond, Some(&tok), Some(&ended), None).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(json(&p)["status"], "finished");

    // Lotte sees the system's work in Wie keek mee, under its name.
    let page = lotte.get("/dossier/wie-keek-mee").await;
    assert!(page.body.contains("ECD Zorg"), "{}", page.body);
}

#[tokio::test]
async fn an_ecd_plans_changes_and_cancels_an_appointment_and_a_stale_version_writes_nothing() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Appointment.cruds").await;
    let tok = token(&w, &mut b, &k, &id, "system/Appointment.cruds").await;
    let (aisha, anna) = (w.aisha.to_string(), w.anna.to_string());
    let bob: String =
        w.db.text("SELECT id FROM staff_member WHERE email = 'bob@zorg.nl'")
            .await;
    let plan = "urn:oid:2.16.528.1.9999.3";
    let appt = |start: &str, status: &str, who: &str| {
        serde_json::json!({
            "resourceType": "Appointment",
            "identifier": [{"system": plan, "value": "A-1"}],
            "status": status,
            "description": "Gesprek over je plan",
            "comment": "Kantoor Oost",
            "start": start,
            "end": "2026-12-03T11:00:00+01:00",
            "participant": [
                {"actor": {"reference": format!("Patient/{aisha}")}, "status": "accepted"},
                {"actor": {"reference": format!("Practitioner/{who}")}, "status": "accepted"}
            ]
        })
        .to_string()
    };
    let count = || w.db.scalar("SELECT COUNT(*) FROM appointment");
    let before = count().await;
    // Planned with someone outside Aisha's team: refused, nothing written.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Appointment",
        Some(&tok),
        Some(&appt("2026-12-03T10:00:00+01:00", "booked", &bob)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(count().await, before);
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Appointment",
        Some(&tok),
        Some(&appt("2026-12-03T10:00:00+01:00", "booked", &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "Appointment");
    let aid = json(&p)["id"].as_str().expect("id").to_owned();
    let cond = format!("/fhir/Appointment?identifier={}|A-1", urlenc(plan));
    // The same again: unchanged, still version 1.
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&appt("2026-12-03T10:00:00+01:00", "booked", &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.headers["etag"], "W/\"1\"");
    // Half an hour later: version 2.
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&appt("2026-12-03T10:30:00+01:00", "booked", &anna)),
        Some("W/\"1\""),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.headers["etag"], "W/\"2\"");
    // A stale version by id: 412, nothing written.
    let p = fhir(
        &mut b,
        "PUT",
        &format!("/fhir/Appointment/{aid}"),
        Some(&tok),
        Some(&appt("2026-12-03T09:00:00+01:00", "booked", &anna)),
        Some("W/\"1\""),
    )
    .await;
    assert_eq!(p.status, StatusCode::PRECONDITION_FAILED, "{}", p.body);
    let p = fhir(
        &mut b,
        "GET",
        &format!("/fhir/Appointment/{aid}"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert!(
        json(&p)["start"]
            .as_str()
            .is_some_and(|s| s.contains("09:30") || s.contains("10:30")),
        "{}",
        p.body
    );
    // Cancelled: it stays, marked cancelled; Aisha sees it so in the portal.
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&appt("2026-12-03T10:30:00+01:00", "cancelled", &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(json(&p)["status"], "cancelled");
    assert_eq!(count().await, before + 1);
    let mut portal = w.signed_in("aisha@example.nl").await;
    let page = portal.get("/dossier/afspraken").await;
    assert!(page.body.contains("Gesprek over je plan"), "{}", page.body);
    // An appointment that is not there (or another organisation's): 404,
    // recorded, nothing learnt about it.
    let p = fhir(
        &mut b,
        "PUT",
        "/fhir/Appointment/nope",
        Some(&tok),
        Some(&appt("2026-12-03T10:00:00+01:00", "booked", &anna)),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Appointment",
        Some(&tok),
        Some(&appt("2026-12-03T10:00:00+01:00", "noshow", &anna).replace("A-1", "A-2")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    // Not the types a system writes: 405 with an OperationOutcome.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/Consent",
        Some(&tok),
        Some("{}"),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::METHOD_NOT_ALLOWED);
    valid(&p.body);
}

#[tokio::test]
async fn an_ecd_sends_a_care_plan_as_a_new_version_in_one_step() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/CarePlan.cruds").await;
    let tok = token(&w, &mut b, &k, &id, "system/CarePlan.cruds").await;
    let (aisha, anna) = (w.aisha.to_string(), w.anna.to_string());
    let ecd = "urn:oid:2.16.528.1.9999.4";
    let plan = |agreements: &str, goals: &str| {
        serde_json::json!({
            "resourceType": "CarePlan",
            "identifier": [{"system": ecd, "value": "PLAN-1"}],
            "status": "active",
            "intent": "plan",
            "subject": {"reference": format!("Patient/{aisha}")},
            "created": "2026-11-15",
            "author": {"reference": format!("Practitioner/{anna}")},
            "contained": [{"resourceType": "Goal", "id": "g1", "lifecycleStatus": "active",
                           "description": {"text": goals}, "subject": {"reference": format!("Patient/{aisha}")}}],
            "activity": [{"detail": {"code": {"text": "Wonen"}, "status": "in-progress",
                                     "goal": [{"reference": "#g1"}], "description": agreements}}]
        })
        .to_string()
    };
    let versions = || w.db.scalar("SELECT COUNT(*) FROM plan_version");
    // Drafts are the staff's, and a plan has its date.
    let draft = plan("Elke dag koken", "Zelf wonen").replace("\"active\"", "\"draft\"");
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/CarePlan",
        Some(&tok),
        Some(&draft),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let undated = plan("Elke dag koken", "Zelf wonen").replace("\"created\":\"2026-11-15\",", "");
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/CarePlan",
        Some(&tok),
        Some(&undated),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    let before = versions().await;
    // A final plan with an empty goal: refused with its path, nothing written.
    let p = fhir(
        &mut b,
        "POST",
        "/fhir/CarePlan",
        Some(&tok),
        Some(&plan("Elke dag koken", "")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(versions().await, before);
    let cond = format!("/fhir/CarePlan?identifier={}|PLAN-1", urlenc(ecd));
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&plan("Elke dag koken", "Zelf wonen")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    assert_eq!(valid(&p.body).trim(), "CarePlan");
    assert_eq!(json(&p)["status"], "active");
    // The same again: nothing new. Other agreements: a new version.
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&plan("Elke dag koken", "Zelf wonen")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(versions().await, before + 1);
    let p = fhir(
        &mut b,
        "PUT",
        &cond,
        Some(&tok),
        Some(&plan("Twee keer per week koken", "Zelf wonen")),
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(versions().await, before + 2);
    // Aisha reads the newest final plan in the portal.
    let mut portal = w.signed_in("aisha@example.nl").await;
    let page = portal.get("/dossier/clientplan").await;
    assert_eq!(page.status, StatusCode::OK);
    let all = format!("{}{}", page.body, {
        let link = page
            .body
            .split("href=\"/dossier/clientplan/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(|x| format!("/dossier/clientplan/{x}"));
        match link {
            Some(l) => portal.get(&l).await.body,
            None => String::new(),
        }
    });
    assert!(
        all.contains("Twee keer per week koken") || all.contains("Wonen"),
        "{all}"
    );
}

#[tokio::test]
async fn refused_token_requests_from_one_address_are_cut_off_without_writing() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Patient.rs").await;
    let from = |ip: [u8; 4], a: &str| {
        let form = serde_urlencoded::to_string([
            ("grant_type", "client_credentials"),
            ("scope", "system/Patient.rs"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", a),
        ])
        .expect("form");
        let mut req = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("req");
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                ip, 4000,
            ))));
        req
    };
    let wrong = key("k1");
    let limit = w.svc.settings().address_failure_limit;
    for n in 0..limit {
        let a = assertion(&w, &wrong, &id, TOKEN_URL, 240, &format!("w{n}"));
        assert_eq!(
            b.send(from([10, 0, 0, 9], &a)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let events = || {
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'fhir_token'")
    };
    let before = events().await;
    // Past the limit: 429 at once, nothing written, even with a good key.
    let good = assertion(&w, &k, &id, TOKEN_URL, 240, "g1");
    let p = b.send(from([10, 0, 0, 9], &good)).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
    assert_eq!(json(&p)["error"], "temporarily_unavailable");
    assert_eq!(events().await, before);
    // Another address is not held up.
    let p = b.send(from([10, 0, 0, 10], &good)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // And after the window the first one may try again.
    w.clock.advance(w.svc.settings().address_window);
    let again = assertion(&w, &k, &id, TOKEN_URL, 240, "g2");
    assert_eq!(
        b.send(from([10, 0, 0, 9], &again)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_invalid_bearer_token_is_recorded_and_a_flood_of_them_is_cut_off() {
    let w = world().await;
    let mut b = w.browser();
    let k = key("k1");
    let id = register(&w, &k, "system/Patient.rs").await;
    let good = token(&w, &mut b, &k, &id, "system/Patient.rs").await;
    let call = |ip: [u8; 4], bearer: &str| {
        let mut req = Request::get("/fhir/Patient")
            .header("authorization", format!("Bearer {bearer}"))
            .body(Body::empty())
            .expect("req");
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                ip, 4000,
            ))));
        req
    };
    let refused = || {
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE data_kind = 'fhir_token' AND reason = 'invalid_bearer'")
    };
    let limit = w.svc.settings().address_failure_limit;
    for n in 0..limit {
        let p = b.send(call([10, 0, 0, 7], &format!("{n:064x}"))).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    }
    assert_eq!(refused().await, limit, "each invalid token is recorded");
    // Past the limit: 429, nothing more written; a valid token from the
    // same address still gets in, and another address is not held up.
    let p = b.send(call([10, 0, 0, 7], &"f".repeat(64))).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
    assert_eq!(refused().await, limit);
    let p = b.send(call([10, 0, 0, 7], &good)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = b.send(call([10, 0, 0, 8], &"e".repeat(64))).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    assert_eq!(refused().await, limit + 1);
}
