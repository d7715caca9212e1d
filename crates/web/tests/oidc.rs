//! Staff sign in through their organisation's OpenID Connect provider
//! (issue 17 item 3, ADR 0028), against a real provider the test starts:
//! npm `oidc-provider` (e2e/oidc-provider.mjs; `scripts/ensure-tools`
//! installs it). The provider runs on the real clock, so the test's clock
//! is set to it.
use axum::http::StatusCode;
use inzage_service::seal::SealKey;
use std::collections::BTreeMap;
use std::io::BufRead;

mod common;
use common::world::*;
use common::{hidden, latest_sms_code, Browser};

const SECRET: &str = "inzage-test-secret";
const CALLBACK: &str = "http://127.0.0.1:8080/inloggen/oidc";
/// The cookies (the test router sets `Secure` ones, with `__Host-`).
const SESSION: &str = "__Host-inzage-session";
const STATE: &str = "__Host-inzage-oidc";

/// The provider, stopped when dropped.
struct Idp {
    child: std::process::Child,
    issuer: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_idp() -> Idp {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        root.join("e2e/node_modules/oidc-provider").is_dir(),
        "npm oidc-provider is missing: run scripts/ensure-tools"
    );
    let mut child = std::process::Command::new("node")
        .arg(root.join("e2e/oidc-provider.mjs"))
        .env("OIDC_REDIRECT_URIS", CALLBACK)
        .env("OIDC_CLIENT_SECRET", SECRET)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("node runs e2e/oidc-provider.mjs");
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut line).expect("the provider's first line");
    // Whatever it writes later is read (a closed pipe would stop it).
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let v: serde_json::Value = serde_json::from_str(&line).expect("issuer line");
    Idp {
        issuer: v["issuer"].as_str().expect("issuer").to_owned(),
        child,
    }
}

/// Who signs in at the provider.
struct Person<'a> {
    sub: &'a str,
    email: Option<&'a str>,
    verified: bool,
    mfa: bool,
}

/// Plays the browser at the provider: from the authorization address
/// through its sign-in page (or its cancel button) to the address it sends
/// the browser back to (ours).
async fn at_provider(idp: &Idp, authorize: &str, who: &Person<'_>, cancel: bool) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut url = authorize.to_owned();
    let mut form: Option<Vec<(&str, String)>> = None;
    for _ in 0..12 {
        if url.starts_with(CALLBACK) {
            return url;
        }
        let cookies = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = match form.take() {
            Some(f) => http.post(&url).form(&f),
            None => http.get(&url),
        };
        let res = req
            .header("cookie", cookies)
            .send()
            .await
            .expect("provider");
        for c in res.headers().get_all("set-cookie") {
            let c = c.to_str().expect("cookie");
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').expect("cookie");
            if attrs
                .to_ascii_lowercase()
                .contains("expires=thu, 01 jan 1970")
                || v.is_empty()
            {
                jar.remove(k);
            } else {
                jar.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.expect("body");
        if let Some(to) = location {
            url = if to.starts_with('/') {
                format!("{}{to}", idp.issuer)
            } else {
                to
            };
            continue;
        }
        assert_eq!(status, 200, "at {url}: {body}");
        // The provider's sign-in page: fill it in, or cancel.
        let action = |name: &str| {
            let i = body.find(&format!("/{name}\"")).expect("form");
            let start = body[..i].rfind('"').expect("action") + 1;
            format!("{}{}/{name}", idp.issuer, &body[start..i])
        };
        if cancel {
            url = action("abort");
            form = Some(vec![]);
        } else {
            url = action("login");
            let mut f = vec![("sub", who.sub.to_owned())];
            if let Some(e) = who.email {
                f.push(("email", e.to_owned()));
            }
            if who.verified {
                f.push(("verified", "1".into()));
            }
            if who.mfa {
                f.push(("mfa", "1".into()));
            }
            form = Some(f);
        }
    }
    panic!("the provider did not send the browser back: {url}");
}

/// The world with a settings key, its clock on the real time (the
/// provider's), and the provider set up by Ria (functional admin) on the
/// admin page.
async fn setup(trust_mfa: bool) -> (World, Idp, Browser) {
    let mut w = world().await;
    w.clock.set(chrono::Utc::now());
    let settings = inzage_service::ServiceSettings {
        settings_key: Some(SealKey::parse(&"k".repeat(43)).expect("key")),
        ..w.svc.settings().clone()
    };
    w.svc = w.svc.clone().with_settings(settings);
    let idp = start_idp();
    let mut ria = w.signed_in("ria@zorg.nl").await;
    let p = ria.get("/beheer/inloggen-via-organisatie").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains(CALLBACK), "the redirect URI to register");
    let csrf = hidden(&p.body, "csrf");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("actie", "instellingen"),
        ("issuer", idp.issuer.as_str()),
        ("client_id", "inzage"),
        ("client_secret", SECRET),
        ("enabled", "1"),
    ];
    if trust_mfa {
        form.push(("trust_mfa", "1"));
    }
    let p = ria.post("/beheer/inloggen-via-organisatie", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    (w, idp, ria)
}

/// From the sign-in page's button to the provider's authorization address.
async fn press_button(w: &World, b: &mut Browser) -> String {
    let p = b.get("/inloggen").await;
    assert!(p.body.contains("Inloggen via Zorg"), "{}", p.body);
    let csrf = hidden(&p.body, "csrf");
    let p = b
        .post(
            "/inloggen/organisatie",
            &[("csrf", &csrf), ("organisatie", w.zorg.as_str())],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.expect("to the provider");
    assert!(to.contains("code_challenge_method=S256"), "{to}");
    assert!(to.contains("code_challenge=") && to.contains("nonce=") && to.contains("state="));
    assert!(b.jar.contains_key(STATE), "state bound to this browser");
    to
}

fn path_of(url: &str) -> String {
    url.strip_prefix("http://127.0.0.1:8080")
        .expect("ours")
        .to_owned()
}

#[tokio::test]
async fn staff_sign_in_through_their_provider_by_verified_address_and_still_do_our_second_step() {
    let (w, idp, _ria) = setup(false).await;
    // The secret is stored sealed, never as typed.
    let stored =
        w.db.text("SELECT client_secret_sealed FROM org_identity_provider")
            .await;
    assert!(!stored.is_empty() && !stored.contains(SECRET));

    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let anna = Person {
        sub: "emp-anna",
        email: Some("anna@zorg.nl"),
        verified: true,
        mfa: false,
    };
    let back = at_provider(&idp, &authorize, &anna, false).await;
    let p = b.get(&path_of(&back)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = p.location.expect("next step");
    assert!(to.starts_with("/inloggen/code?met=sms"), "{to}");
    // Not signed in yet: the second step is ours.
    let p = b.get("/").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/code"), "{}", p.body);
    let p = b.get(&to).await;
    let csrf = hidden(&p.body, "csrf");
    let code = latest_sms_code(&w.svc, &w.outbox()).await;
    let p = b
        .post(
            "/inloggen/code",
            &[("csrf", &csrf), ("code", &code), ("method", "sms")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    // The subject is now linked, and Anna was told.
    assert_eq!(
        w.db.text("SELECT how FROM account_oidc_subject WHERE subject = 'emp-anna'")
            .await,
        "email"
    );
    let mails = w.deliver().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("anna@zorg.nl") && m.contains(&idp.issuer)),
        "{mails:?}"
    );
    // Audited: the sign-in through the provider, then the second step.
    assert!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'login' AND reason = 'oidc' AND outcome = 'allowed'")
            .await
            >= 1
    );
    // The same return again (a replay of the address): nothing.
    let mut again = w.browser();
    again
        .jar
        .insert(STATE.into(), b.jar.get(STATE).cloned().unwrap_or_default());
    let p = again.get(&path_of(&back)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("niet gelukt"), "{}", p.body);
    assert!(!again.jar.contains_key(SESSION));
}

#[tokio::test]
async fn nobody_is_signed_in_without_a_staff_account_a_verified_address_or_this_browsers_state() {
    let (w, idp, _ria) = setup(false).await;
    let refused = |body: &str| body.contains("nog geen account in Inzage");
    for (who, why) in [
        (
            Person {
                sub: "x1",
                email: Some("bob@zorg.nl"),
                verified: false,
                mfa: false,
            },
            "an address the provider did not verify",
        ),
        (
            Person {
                sub: "x2",
                email: Some("aisha@example.nl"),
                verified: true,
                mfa: false,
            },
            "a client's address (staff only)",
        ),
        (
            Person {
                sub: "x3",
                email: Some("olga@ander.nl"),
                verified: true,
                mfa: false,
            },
            "staff of another organisation",
        ),
        (
            Person {
                sub: "x4",
                email: None,
                verified: false,
                mfa: false,
            },
            "no address and no link",
        ),
    ] {
        let mut b = w.browser();
        let authorize = press_button(&w, &mut b).await;
        let back = at_provider(&idp, &authorize, &who, false).await;
        let p = b.get(&path_of(&back)).await;
        assert_eq!(p.status, StatusCode::OK, "{why}");
        assert!(refused(&p.body), "{why}: {}", p.body);
        assert!(!b.jar.contains_key(SESSION), "{why}");
    }
    // Nothing was created.
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM account WHERE email IN ('x1', 'x2', 'x3', 'x4')")
            .await,
        0
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM account_oidc_subject")
            .await,
        0
    );
    assert!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'login' AND reason = 'oidc_no_account'")
            .await
            >= 4
    );

    // Another browser's return (its state cookie is not this one's): refused.
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let anna = Person {
        sub: "emp-anna",
        email: Some("anna@zorg.nl"),
        verified: true,
        mfa: false,
    };
    let back = at_provider(&idp, &authorize, &anna, false).await;
    let mut other = w.browser();
    let p = other.get(&path_of(&back)).await;
    assert!(p.body.contains("niet gelukt"), "{}", p.body);
    assert!(!other.jar.contains_key(SESSION));

    // Cancelled at the provider.
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &anna, true).await;
    let p = b.get(&path_of(&back)).await;
    assert!(p.body.contains("gestopt"), "{}", p.body);
    assert!(!b.jar.contains_key(SESSION));

    // Anna signs in once (linked to emp-anna); someone else at the
    // provider with her verified address does not take her account over.
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &anna, false).await;
    let p = b.get(&path_of(&back)).await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen/code")));
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let imposter = Person {
        sub: "emp-other",
        email: Some("anna@zorg.nl"),
        verified: true,
        mfa: false,
    };
    let back = at_provider(&idp, &authorize, &imposter, false).await;
    let p = b.get(&path_of(&back)).await;
    assert!(refused(&p.body), "{}", p.body);
}

/// Through the provider, then our SMS step: signed in.
async fn finish_with_sms(w: &World, b: &mut Browser, to: &str) {
    assert!(to.starts_with("/inloggen/code?met=sms"), "{to}");
    let p = b.get(to).await;
    let csrf = hidden(&p.body, "csrf");
    let code = latest_sms_code(&w.svc, &w.outbox()).await;
    let p = b
        .post(
            "/inloggen/code",
            &[("csrf", &csrf), ("code", &code), ("method", "sms")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(b.jar.contains_key(SESSION), "signed in");
}

#[tokio::test]
async fn the_providers_multi_factor_counts_only_for_a_link_the_holder_confirmed_and_while_trusted()
{
    let (w, idp, mut ria) = setup(true).await;
    let with_mfa = Person {
        sub: "emp-anna",
        email: Some("anna@zorg.nl"),
        verified: true,
        mfa: true,
    };
    // The first sign-in makes the link: our own step even with the
    // provider's (an admin's or a provider's say-so alone takes no
    // account over).
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &with_mfa, false).await;
    let p = b.get(&path_of(&back)).await;
    finish_with_sms(&w, &mut b, p.location.as_deref().unwrap_or("")).await;
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM account_oidc_subject WHERE subject = 'emp-anna' AND confirmed_at IS NOT NULL")
            .await,
        1,
        "confirmed by her own SMS code"
    );
    // Confirmed and trusted: the provider's second factor counts.
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &with_mfa, false).await;
    let p = b.get(&path_of(&back)).await;
    assert_eq!(p.location.as_deref(), Some("/"), "signed in at once");
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    assert!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'second_factor' AND reason = 'provider_mfa'")
            .await
            == 1
    );
    // Without the provider's second factor: ours.
    let without = Person {
        mfa: false,
        ..with_mfa
    };
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &without, false).await;
    let p = b.get(&path_of(&back)).await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen/code")));

    // The organisation stops trusting it: ours again, even with it.
    let p = ria.get("/beheer/inloggen-via-organisatie").await;
    let csrf = hidden(&p.body, "csrf");
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "instellingen"),
                ("issuer", &idp.issuer),
                ("client_id", "inzage"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(
        p.status,
        StatusCode::SEE_OTHER,
        "the stored secret is kept: {}",
        p.body
    );
    // Another client id keeps no secret: it is bound to the old one (a
    // secret kept while the provider changes would go to the new one).
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "instellingen"),
                ("issuer", &idp.issuer),
                ("client_id", "another-client"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("client secret"), "{}", p.body);
    assert_eq!(
        w.db.text("SELECT client_id FROM org_identity_provider")
            .await,
        "inzage"
    );
    let with_mfa = Person {
        mfa: true,
        ..without
    };
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &with_mfa, false).await;
    let p = b.get(&path_of(&back)).await;
    assert!(p
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/inloggen/code")));
}

#[tokio::test]
async fn a_subject_the_admin_links_signs_in_and_the_holder_is_told() {
    let (w, idp, mut ria) = setup(false).await;
    let p = ria.get("/beheer/inloggen-via-organisatie").await;
    let csrf = hidden(&p.body, "csrf");
    // Only staff of this organisation.
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "koppelen"),
                ("email", "olga@ander.nl"),
                ("subject", "emp-7"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("geen medewerker met dit e-mailadres"),
        "{}",
        p.body
    );
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "koppelen"),
                ("email", "bob@zorg.nl"),
                ("subject", "emp-7"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mails = w.deliver().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("bob@zorg.nl") && m.contains("gekoppeld")),
        "{mails:?}"
    );
    // A second link of the same subject: refused.
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "koppelen"),
                ("email", "anna@zorg.nl"),
                ("subject", "emp-7"),
            ],
        )
        .await;
    assert!(p.body.contains("al gekoppeld"), "{}", p.body);

    // An address where no provider answers: refused, the settings kept.
    let nope = format!("{}/nope", idp.issuer);
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "instellingen"),
                ("issuer", &nope),
                ("client_id", "inzage"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("antwoordt geen identity provider"),
        "{}",
        p.body
    );
    assert_eq!(
        w.db.text("SELECT issuer FROM org_identity_provider").await,
        idp.issuer
    );

    // Bob signs in by the linked subject, without any address, and with
    // his own SMS code.
    let bob = Person {
        sub: "emp-7",
        email: None,
        verified: false,
        mfa: false,
    };
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &bob, false).await;
    let p = b.get(&path_of(&back)).await;
    finish_with_sms(&w, &mut b, p.location.as_deref().unwrap_or("")).await;
    assert_eq!(b.get("/").await.status, StatusCode::OK);

    // Unlinked: no longer.
    let p = ria
        .post(
            "/beheer/inloggen-via-organisatie",
            &[
                ("csrf", &csrf),
                ("actie", "ontkoppelen"),
                ("subject", "emp-7"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The session opened through the link ends with it.
    let p = b.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "signed out by the unlink");
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let back = at_provider(&idp, &authorize, &bob, false).await;
    let p = b.get(&path_of(&back)).await;
    assert!(p.body.contains("nog geen account in Inzage"), "{}", p.body);

    // A caregiver cannot open the settings.
    let mut anna = w.signed_in("anna@zorg.nl").await;
    let p = anna.get("/beheer/inloggen-via-organisatie").await;
    assert_ne!(p.status, StatusCode::OK);
    assert!(!p.body.contains(&idp.issuer));
}

#[tokio::test]
async fn a_provider_is_refused_without_a_settings_key_or_when_its_address_is_no_provider() {
    let w = world().await;
    let idp = start_idp();
    let mut ria = w.signed_in("ria@zorg.nl").await;
    let p = ria.get("/beheer/inloggen-via-organisatie").await;
    assert!(
        p.body.contains("settings_key"),
        "the page says why: {}",
        p.body
    );
    let csrf = hidden(&p.body, "csrf");
    let save = |issuer: String| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("actie".to_owned(), "instellingen".to_owned()),
            ("issuer".to_owned(), issuer),
            ("client_id".to_owned(), "inzage".to_owned()),
            ("client_secret".to_owned(), SECRET.to_owned()),
            ("enabled".to_owned(), "1".to_owned()),
        ]
    };
    let as_refs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    let f = as_refs(&save(idp.issuer.clone()));
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let p = ria.post("/beheer/inloggen-via-organisatie", &f).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("settings_key"), "{}", p.body);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM org_identity_provider")
            .await,
        0
    );
    // Not https (off this machine): refused, nothing stored.
    let f = as_refs(&save("http://login.example.nl".to_owned()));
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let p = ria.post("/beheer/inloggen-via-organisatie", &f).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("https-adres"), "{}", p.body);
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM org_identity_provider")
            .await,
        0
    );
    // No button on the sign-in page.
    let p = w.browser().get("/inloggen").await;
    assert!(!p.body.contains("/inloggen/organisatie"));
}

#[tokio::test]
async fn staff_without_a_factor_of_their_own_are_sent_to_the_password_first() {
    let (w, idp, _ria) = setup(false).await;
    // No mobile number and no app yet: nothing of their own to ask for the
    // second step, and no app is enrolled through a provider (ADR 0028).
    let cli = inzage_service::Ctx::system("cli");
    let id = w
        .svc
        .create_staff(
            &cli,
            &w.zorg,
            inzage_service::admin::NewStaff {
                given_name: inzage_core::types::Label::parse("t", "Nina").expect("label"),
                name_prefix: None,
                family_name: inzage_core::types::Label::parse("t", "Nieuw").expect("label"),
                email: inzage_core::types::Email::parse("nina@zorg.nl").expect("email"),
                mobile: None,
                roles: vec![inzage_core::model::Role::PrimaryCaregiver],
                team_ids: vec![w.team_a.clone()],
            },
        )
        .await
        .expect("staff");
    w.svc
        .provision_account(
            &cli,
            inzage_service::accounts::InviteTarget::Staff(id),
            PASSWORD,
        )
        .await
        .expect("account");
    let mut b = w.browser();
    let authorize = press_button(&w, &mut b).await;
    let who = Person {
        sub: "emp-nina",
        email: Some("nina@zorg.nl"),
        verified: true,
        mfa: true,
    };
    let back = at_provider(&idp, &authorize, &who, false).await;
    let p = b.get(&path_of(&back)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        p.body
            .contains("Log de eerste keer in met je e-mailadres en wachtwoord"),
        "{}",
        p.body
    );
    assert!(!b.jar.contains_key(SESSION));
    // Nothing half-done stays behind: no session, no link.
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM auth_session s JOIN account a ON a.id = s.account_id WHERE a.email = 'nina@zorg.nl'"
        )
        .await,
        0
    );
    assert_eq!(
        w.db.scalar(
            "SELECT COUNT(*) FROM account_oidc_subject l JOIN account a ON a.id = l.account_id WHERE a.email = 'nina@zorg.nl'"
        )
        .await,
        0
    );
}
