//! Sign-in rules (issue 3) against a real database with an injected clock.
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use inzage_core::ids::*;
use inzage_core::model::*;
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::accounts::*;
use inzage_service::admin::{NewClient, NewStaff, OrgSettings};
use inzage_service::jobs::Runner;
use inzage_service::testing::TestDb;
use inzage_service::writes::{NewContactPerson, NewGrant};
use inzage_service::{Ctx, ServiceError, Services};

const PASSWORD: &str = "paarse olifant danst";

fn label(s: &str) -> Label {
    Label::parse("t", s).expect("label")
}

struct W {
    svc: Services,
    clock: FixedClock,
    db: TestDb,
    client: ClientId,
    caregiver: StaffId,
    runner: Runner,
}

async fn world() -> W {
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
    let org = svc
        .create_organisation(&cli, label("Zorg"), settings)
        .await
        .expect("org");
    let loc = svc
        .create_location(&cli, &org, label("L"))
        .await
        .expect("loc");
    let team = svc.create_team(&cli, &loc, label("T")).await.expect("team");
    let caregiver = svc
        .create_staff(
            &cli,
            &org,
            NewStaff {
                given_name: label("Anna"),
                name_prefix: None,
                family_name: label("Bakker"),
                email: Email::parse("anna@zorg.nl").expect("e"),
                mobile: None,
                roles: vec![Role::PrimaryCaregiver],
                team_ids: vec![team.clone()],
            },
        )
        .await
        .expect("staff");
    let client = svc
        .create_client(
            &cli,
            &org,
            NewClient {
                client_number: ClientNumber::parse("C-1").expect("n"),
                given_name: label("Test"),
                name_prefix: None,
                family_name: label("Client"),
                birth_date: BirthDate::parse(
                    "01-01-1990",
                    NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"),
                )
                .expect("bd"),
                street: None,
                house_number: None,
                postal_code: None,
                city: None,
                email: Some(Email::parse("Test.Client@Example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("06 1234 5678").expect("m")),
                team_id: Some(team),
                primary_caregiver_id: None,
            },
            NaiveDate::from_ymd_opt(2025, 1, 1),
        )
        .await
        .expect("client");
    let runner = Runner::new(svc.clone(), "test");
    W {
        svc,
        clock,
        db,
        client,
        caregiver,
        runner,
    }
}

impl W {
    fn staff(&self) -> Ctx {
        Ctx::new(Principal::Staff {
            staff_id: self.caregiver.clone(),
        })
    }
    /// Delivers queued messages, then returns the outbox files' text, oldest first.
    async fn outbox(&self) -> Vec<String> {
        self.runner.run_until_idle().await.expect("jobs");
        let dir = self.db.dir.path().join("outbox");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect()
    }
    async fn last_token(&self) -> String {
        let mails = self.outbox().await;
        let m = mails
            .iter()
            .rev()
            .find(|m| m.contains("token="))
            .expect("a mail with a link");
        // Quoted-printable or base64 bodies: decode via lettre's format is 7bit/QP; find the token pattern.
        let flat = m
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let i = flat.find("token=").expect("token") + 6;
        let tok: String = flat[i..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        assert_eq!(tok.len(), 64, "{flat}");
        tok
    }
    async fn last_sms_code(&self) -> String {
        let msgs = self.outbox().await;
        let sms = msgs
            .iter()
            .rev()
            .find(|m| m.starts_with("To: +31612345678"))
            .expect("an sms");
        let i = sms.find("code is ").expect("code") + 8;
        sms[i..i + 6].to_owned()
    }
    async fn invited_with_password(&self) {
        self.svc
            .invite(&self.staff(), InviteTarget::Client(self.client.clone()))
            .await
            .expect("invite");
        let tok = self.last_token().await;
        self.svc
            .set_password_with_token(&tok, PASSWORD, None)
            .await
            .expect("set");
    }
    async fn sign_in(&self) -> String {
        let LoginOutcome::SecondStep {
            session_token, sms, ..
        } = self
            .svc
            .login(
                " TEST.client@example.nl ",
                PASSWORD,
                false,
                Some("test"),
                Some("10.0.0.1"),
            )
            .await
            .expect("login")
        else {
            panic!("no second step")
        };
        assert!(sms);
        assert_eq!(
            self.svc
                .send_sms_code(&session_token, None)
                .await
                .expect("sms"),
            SmsOutcome::Sent
        );
        let code = self.last_sms_code().await;
        match self
            .svc
            .verify_second_step(&session_token, &code, false, Some("10.0.0.1"))
            .await
            .expect("verify")
        {
            SecondStepOutcome::SignedIn { session_token } => session_token,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn invitation_link_sets_a_password_once_and_a_new_invitation_replaces_it() {
    let w = world().await;
    let inv = w
        .svc
        .invite(&w.staff(), InviteTarget::Client(w.client.clone()))
        .await
        .expect("invite");
    assert_eq!(inv.email, "test.client@example.nl");
    assert_eq!(inv.expires_at, w.clock.now_for_test() + Duration::days(7));
    let first = w.last_token().await;
    assert_eq!(
        w.svc.token_email(&first).await.expect("valid"),
        "test.client@example.nl"
    );
    // Sending again works and makes the first link useless.
    w.svc
        .invite(&w.staff(), InviteTarget::Client(w.client.clone()))
        .await
        .expect("again");
    let second = w.last_token().await;
    assert_ne!(first, second);
    assert!(matches!(
        w.svc.set_password_with_token(&first, PASSWORD, None).await,
        Err(ServiceError::NotFound)
    ));
    w.svc
        .set_password_with_token(&second, PASSWORD, None)
        .await
        .expect("set");
    // Single use.
    assert!(matches!(
        w.svc.set_password_with_token(&second, PASSWORD, None).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn invitation_links_expire_and_bad_passwords_are_refused_without_using_the_link() {
    let w = world().await;
    w.svc
        .invite(&w.staff(), InviteTarget::Client(w.client.clone()))
        .await
        .expect("invite");
    let tok = w.last_token().await;
    for (bad, msg) in [
        ("kort", "at least 12"),
        ("qwertyuiop12", "common"),
        (&"x".repeat(129) as &str, "longer than 128"),
    ] {
        match w.svc.set_password_with_token(&tok, bad, None).await {
            Err(ServiceError::Invalid(f)) => assert!(f.message.contains(msg), "{bad}: {f:?}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    w.clock.advance(Duration::days(7));
    assert!(matches!(
        w.svc.set_password_with_token(&tok, PASSWORD, None).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        w.svc
            .set_password_with_token("nonsense", PASSWORD, None)
            .await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn no_invitation_without_mobile_and_not_by_a_client_or_admin_outside_the_team() {
    let w = world().await;
    let r = w
        .svc
        .invite(
            &Ctx::new(Principal::Client {
                client_id: w.client.clone(),
            }),
            InviteTarget::Client(w.client.clone()),
        )
        .await;
    assert!(matches!(r, Err(ServiceError::Denied(_))), "{r:?}");
    w.db.exec_raw("UPDATE client SET mobile = NULL").await;
    let r = w
        .svc
        .invite(&w.staff(), InviteTarget::Client(w.client.clone()))
        .await;
    assert!(
        matches!(&r, Err(ServiceError::Conflict(m)) if m.contains("mobile")),
        "{r:?}"
    );
}

#[tokio::test]
async fn two_step_login_with_sms_code_gives_a_client_session() {
    let w = world().await;
    w.invited_with_password().await;
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login(
            "test.client@example.nl",
            PASSWORD,
            false,
            None,
            Some("10.0.0.1"),
        )
        .await
        .expect("login")
    else {
        panic!("second step expected")
    };
    // Half signed in: no principal, no dossier.
    let info = w
        .svc
        .session(&half)
        .await
        .expect("s")
        .expect("half session");
    assert!(info.second_factor_pending);
    assert_eq!(info.principal, None);
    assert_eq!(
        w.svc.send_sms_code(&half, None).await.expect("sms"),
        SmsOutcome::Sent
    );
    // A new code only after 60 s.
    w.clock.advance(Duration::seconds(59));
    assert!(matches!(
        w.svc.send_sms_code(&half, None).await.expect("sms"),
        SmsOutcome::TooSoon { .. }
    ));
    w.clock.advance(Duration::seconds(1));
    assert_eq!(
        w.svc.send_sms_code(&half, None).await.expect("sms"),
        SmsOutcome::Sent
    );
    let code = w.last_sms_code().await;
    let SecondStepOutcome::SignedIn { session_token } = w
        .svc
        .verify_second_step(&half, &code, false, None)
        .await
        .expect("v")
    else {
        panic!("not signed in")
    };
    assert_ne!(
        session_token, half,
        "a new session id after the second step"
    );
    assert!(
        w.svc.session(&half).await.expect("s").is_none(),
        "the half session is gone"
    );
    let info = w
        .svc
        .session(&session_token)
        .await
        .expect("s")
        .expect("session");
    assert_eq!(
        info.principal,
        Some(Principal::Client {
            client_id: w.client.clone()
        })
    );
    // The code cannot be used again.
    assert_eq!(
        w.svc
            .verify_second_step(&half, &code, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::CodeExpired
    );
}

#[tokio::test]
async fn sms_code_expires_after_ten_minutes() {
    let w = world().await;
    w.invited_with_password().await;
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    w.svc.send_sms_code(&half, None).await.expect("sms");
    let code = w.last_sms_code().await;
    w.clock.advance(Duration::minutes(10));
    assert_eq!(
        w.svc
            .verify_second_step(&half, &code, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::CodeExpired
    );
}

#[tokio::test]
async fn three_failures_pause_login_for_ten_minutes_and_mail_the_holder() {
    let w = world().await;
    w.invited_with_password().await;
    for n in 1..=2 {
        assert_eq!(
            w.svc
                .login(
                    "test.client@example.nl",
                    "verkeerd wachtwoord",
                    false,
                    None,
                    None
                )
                .await
                .expect("l"),
            LoginOutcome::Rejected,
            "try {n}"
        );
    }
    let third = w
        .svc
        .login(
            "test.client@example.nl",
            "verkeerd wachtwoord",
            false,
            None,
            None,
        )
        .await
        .expect("l");
    let LoginOutcome::Paused { until } = third else {
        panic!("{third:?}")
    };
    assert_eq!(until, w.clock.now_for_test() + Duration::minutes(10));
    // The right password during the pause: still paused.
    assert!(matches!(
        w.svc
            .login("test.client@example.nl", PASSWORD, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::Paused { .. }
    ));
    let mails = w.outbox().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Subject: Inloggen is even gepauzeerd")),
        "{mails:?}"
    );
    w.clock.advance(Duration::minutes(10));
    assert!(matches!(
        w.svc
            .login("test.client@example.nl", PASSWORD, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::SecondStep { .. }
    ));
}

#[tokio::test]
async fn wrong_codes_count_toward_the_pause() {
    let w = world().await;
    w.invited_with_password().await;
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    w.svc.send_sms_code(&half, None).await.expect("sms");
    let code = w.last_sms_code().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        w.svc
            .verify_second_step(&half, wrong, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::Rejected
    );
    assert_eq!(
        w.svc
            .verify_second_step(&half, "12ab56", false, None)
            .await
            .expect("v"),
        SecondStepOutcome::Rejected
    );
    assert!(matches!(
        w.svc
            .verify_second_step(&half, wrong, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::Paused { .. }
    ));
    // The pause also ends the half-signed-in session: the right code no longer works.
    assert_eq!(
        w.svc
            .verify_second_step(&half, &code, false, None)
            .await
            .expect("v"),
        SecondStepOutcome::CodeExpired
    );
}

#[tokio::test]
async fn unknown_and_known_addresses_pause_alike_and_a_failing_source_is_slowed_not_refused() {
    let w = world().await;
    let (svc, pacer) = w.db.services_with_pacer(&w.clock);
    w.invited_with_password().await;
    // An address without an account and one with: the same answers after
    // the same number of tries (the organisation's threshold, 3), and the
    // same pause.
    for email in ["nobody@example.nl", "test.client@example.nl"] {
        let mut answers = Vec::new();
        let work = svc.password_verifications();
        for _ in 0..4 {
            answers.push(
                svc.login(email, "verkeerd wachtwoord", false, None, Some("10.0.0.7"))
                    .await
                    .expect("login"),
            );
        }
        let until = w.clock.now_for_test() + Duration::minutes(10);
        assert_eq!(
            answers,
            vec![
                LoginOutcome::Rejected,
                LoginOutcome::Rejected,
                LoginOutcome::Paused { until },
                LoginOutcome::Paused { until },
            ],
            "{email}"
        );
        // The same work for every answer: one Argon2id run per attempt,
        // paused or not, known or not.
        assert_eq!(svc.password_verifications() - work, 4, "{email}");
    }
    // Not an address at all, and an over-long password: refused the same
    // way, and counted (audited) too.
    assert_eq!(
        svc.login("not an address", PASSWORD, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::Rejected
    );
    let long = "x".repeat(200);
    assert_eq!(
        svc.login("someone@example.nl", &long, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::Rejected
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'password_too_long'")
            .await,
        1
    );
    assert!(
        w.db.scalar("SELECT COUNT(*) FROM login_throttle").await >= 2,
        "unknown addresses are counted under a hash"
    );
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM login_throttle WHERE key_hash LIKE '%@%'")
            .await,
        0,
        "never the address itself"
    );
    w.clock.advance(Duration::minutes(10));
    // One source fails 20 times (the limit): nothing is slowed yet.
    for i in 0..20 {
        svc.login(
            &format!("guess{i}@example.nl"),
            "geraden wachtwoord",
            false,
            None,
            Some("10.9.9.9"),
        )
        .await
        .expect("l");
    }
    assert!(pacer.waits().is_empty(), "{:?}", pacer.waits());
    // From then on every attempt from it waits its turn, longer each time
    // (1 s, 2 s, 4 s …), but a correct password still gets in.
    let held = svc
        .login(
            "test.client@example.nl",
            PASSWORD,
            false,
            None,
            Some("10.9.9.9"),
        )
        .await
        .expect("l");
    assert!(matches!(held, LoginOutcome::SecondStep { .. }), "{held:?}");
    svc.login("guess@example.nl", "x", false, None, Some("10.9.9.9"))
        .await
        .expect("l");
    svc.login("guess@example.nl", "x", false, None, Some("10.9.9.9"))
        .await
        .expect("l");
    let waits: Vec<u64> = pacer.waits().iter().map(|d| d.as_secs()).collect();
    // The clock stands still here, so the turns queue: +1 s, +1 s, +2 s.
    assert_eq!(waits, vec![1, 2, 4]);
    // Another source is not slowed.
    svc.login(
        "test.client@example.nl",
        PASSWORD,
        false,
        None,
        Some("10.0.0.2"),
    )
    .await
    .expect("l");
    assert_eq!(pacer.waits().len(), 3);
}

#[tokio::test]
async fn an_ipv6_client_changing_addresses_within_its_64_is_one_source() {
    let w = world().await;
    let (svc, pacer) = w.db.services_with_pacer(&w.clock);
    // 20 failures, each from a new address of one /64 (as a client's own
    // router hands them out): together they reach the limit.
    for i in 0..20 {
        svc.login(
            &format!("guess{i}@example.nl"),
            "geraden wachtwoord",
            false,
            None,
            Some(&format!("2001:db8:7:7::{:x}", i + 1)),
        )
        .await
        .expect("l");
    }
    assert!(pacer.waits().is_empty());
    svc.login(
        "guess@example.nl",
        "x",
        false,
        None,
        Some("2001:db8:7:7:ffff::1"),
    )
    .await
    .expect("l");
    assert_eq!(pacer.waits().len(), 1, "the /64 is slowed");
    // The neighbouring /64 is someone else.
    svc.login(
        "guess@example.nl",
        "x",
        false,
        None,
        Some("2001:db8:7:8::1"),
    )
    .await
    .expect("l");
    assert_eq!(pacer.waits().len(), 1);
    // The audit trail keeps each full address.
    assert_eq!(
        w.db.scalar("SELECT COUNT(DISTINCT source_addr) FROM audit_event WHERE source_addr LIKE '2001:db8:7:7:%'")
            .await,
        21
    );
}

#[tokio::test]
async fn idle_timeout_absolute_lifetime_and_logout() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    w.clock.advance(Duration::minutes(14));
    assert!(
        w.svc.session(&s).await.expect("s").is_some(),
        "activity extends"
    );
    w.clock.advance(Duration::minutes(14));
    assert!(w.svc.session(&s).await.expect("s").is_some());
    w.clock.advance(Duration::minutes(15));
    let (none, timed_out) = w.svc.session_lookup(&s).await.expect("s");
    assert!(none.is_none() && timed_out);
    // Absolute lifetime: active every 10 minutes, still out after 12 h.
    let s = w.sign_in().await;
    for _ in 0..71 {
        w.clock.advance(Duration::minutes(10));
        assert!(w.svc.session(&s).await.expect("s").is_some());
    }
    w.clock.advance(Duration::minutes(10));
    assert!(w.svc.session(&s).await.expect("s").is_none());
    let s = w.sign_in().await;
    w.svc.logout(&s, None).await.expect("logout");
    assert!(w.svc.session(&s).await.expect("s").is_none());
}

#[tokio::test]
async fn forgot_password_same_answer_link_for_known_only_and_reset_ends_sessions() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    let before = w.outbox().await.len();
    w.svc
        .request_password_reset("unknown@example.nl", None)
        .await
        .expect("same answer");
    // An address without an account gets no link: an e-mail that says the
    // secretariat must register its e-mail and mobile first (once per
    // interval).
    let mails = w.outbox().await;
    assert_eq!(mails.len(), before + 1);
    let m = mails.last().expect("mail");
    assert!(
        m.contains("unknown@example.nl") && m.contains("secretariaat"),
        "{m}"
    );
    assert!(!m.contains("wachtwoord-instellen"), "no link: {m}");
    w.svc
        .request_password_reset("unknown@example.nl", None)
        .await
        .expect("same answer");
    assert_eq!(
        w.outbox().await.len(),
        before + 1,
        "not twice in the interval"
    );
    w.svc
        .request_password_reset("TEST.client@example.nl", None)
        .await
        .expect("same answer");
    let tok = w.last_token().await;
    w.clock.advance(Duration::minutes(59));
    w.svc
        .set_password_with_token(&tok, "een heel nieuw wachtwoord", None)
        .await
        .expect("reset");
    assert!(
        w.svc.session(&s).await.expect("s").is_none(),
        "all sessions end"
    );
    let mails = w.outbox().await;
    assert!(mails
        .iter()
        .any(|m| m.contains("Subject: Je wachtwoord is veranderd")));
    // The payload of the reset job (an e-mail address) is erased.
    assert!(matches!(
        w.svc
            .login("test.client@example.nl", PASSWORD, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::Rejected
    ));
}

#[tokio::test]
async fn reset_link_expires_after_an_hour() {
    let w = world().await;
    w.invited_with_password().await;
    w.svc
        .request_password_reset("test.client@example.nl", None)
        .await
        .expect("ok");
    let tok = w.last_token().await;
    w.clock.advance(Duration::hours(1));
    assert!(matches!(
        w.svc
            .set_password_with_token(&tok, "een heel nieuw wachtwoord", None)
            .await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn after_discharge_login_works_for_the_grace_period_only() {
    let w = world().await;
    w.invited_with_password().await;
    let today = local_date(w.clock.now_for_test());
    w.svc
        .end_episode(&w.staff(), &w.client, today)
        .await
        .expect("discharge");
    w.clock.advance(Duration::days(29));
    let s = w.sign_in().await;
    w.clock.advance(Duration::days(1));
    assert!(
        w.svc.session(&s).await.expect("s").is_none(),
        "an open session ends with the access"
    );
    assert_eq!(
        w.svc
            .login("test.client@example.nl", PASSWORD, false, None, None)
            .await
            .expect("l"),
        LoginOutcome::AccessEnded(inzage_service::accounts::AccessEnd::Ended)
    );
}

#[tokio::test]
async fn authenticator_app_codes_work_once() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    let (secret, url) = w.svc.begin_totp_enrolment(&s).await.expect("begin");
    assert!(url.starts_with("otpauth://totp/Inzage:test.client%40example.nl?secret="));
    let now = w.clock.now_for_test();
    let code = inzage_service::totp::code_at(&secret, now).expect("code");
    let reauth = inzage_service::accounts::identifiers::Reauth {
        password: PASSWORD,
        app_code: "",
    };
    assert_eq!(
        w.svc
            .confirm_totp_enrolment(&s, &code, reauth, None)
            .await
            .expect("confirm"),
        inzage_service::accounts::credentials::AppChange::Linked
    );
    w.clock.advance(Duration::seconds(30));
    let LoginOutcome::SecondStep {
        session_token: half,
        totp,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    assert!(totp);
    let code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    assert!(matches!(
        w.svc
            .verify_second_step(&half, &code, true, None)
            .await
            .expect("v"),
        SecondStepOutcome::SignedIn { .. }
    ));
    // The same code again (next login within the same step) is refused.
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    assert_eq!(
        w.svc
            .verify_second_step(&half, &code, true, None)
            .await
            .expect("v"),
        SecondStepOutcome::Rejected
    );
    // Recorded as a reuse, and the holder is told once (ASVS 2.8.5).
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'totp_reused'")
            .await,
        1
    );
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    assert_eq!(
        w.svc
            .verify_second_step(&half, &code, true, None)
            .await
            .expect("v"),
        SecondStepOutcome::Rejected
    );
    let told: Vec<String> = w
        .outbox()
        .await
        .into_iter()
        .filter(|m| m.contains("Iemand gebruikte een code van je app opnieuw"))
        .collect();
    assert_eq!(told.len(), 1, "one notice an hour");
    // A wrong code is not called a reuse.
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let _ = w.svc.verify_second_step(&half, wrong, true, None).await;
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'totp_reused'")
            .await,
        2
    );
}

#[tokio::test]
async fn contact_person_account_opens_the_granted_dossier() {
    let w = world().await;
    let now = w.clock.now_for_test();
    let (cp, grant) = w
        .svc
        .add_contact_person(
            &w.staff(),
            &w.client,
            NewContactPerson {
                given_name: label("Mila"),
                name_prefix: None,
                family_name: label("Vries"),
                relation: Relation::Mentor,
                email: Some(Email::parse("mila@example.nl").expect("e")),
                mobile: Some(MobileNumber::parse("0687654321").expect("m")),
            },
            NewGrant {
                parts: vec![DossierPart::ClientPlan],
                valid_from: now,
                valid_until: None,
                consent_recorded_by: w.caregiver.clone(),
            },
        )
        .await
        .expect("cp");
    w.svc
        .invite(&w.staff(), InviteTarget::ContactPerson(cp.clone()))
        .await
        .expect("invite");
    let tok = w.last_token().await;
    w.svc
        .set_password_with_token(&tok, PASSWORD, None)
        .await
        .expect("set");
    let LoginOutcome::SecondStep {
        session_token: half,
        ..
    } = w
        .svc
        .login("mila@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    w.svc.send_sms_code(&half, None).await.expect("sms");
    let msgs = w.outbox().await;
    let sms = msgs
        .iter()
        .rev()
        .find(|m| m.starts_with("To: +31687654321"))
        .expect("sms");
    let i = sms.find("code is ").expect("code") + 8;
    let SecondStepOutcome::SignedIn { session_token } = w
        .svc
        .verify_second_step(&half, &sms[i..i + 6], false, None)
        .await
        .expect("v")
    else {
        panic!()
    };
    let info = w
        .svc
        .session(&session_token)
        .await
        .expect("s")
        .expect("session");
    assert_eq!(
        info.principal,
        Some(Principal::ContactPerson {
            contact_person_id: cp
        })
    );
    // Revocation ends the open session at once.
    w.svc
        .revoke_grant(&w.staff(), &grant)
        .await
        .expect("revoke");
    assert!(w.svc.session(&session_token).await.expect("s").is_none());
}

#[tokio::test]
async fn every_sign_in_event_is_audited_without_secrets() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    w.svc.logout(&s, None).await.expect("logout");
    w.svc
        .login(
            "test.client@example.nl",
            "verkeerd wachtwoord",
            false,
            None,
            Some("10.0.0.7"),
        )
        .await
        .expect("l");
    let log = w
        .svc
        .search_audit(
            &Ctx::system("cli"),
            inzage_service::AuditQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    let actions: Vec<(String, String)> = log
        .iter()
        .filter(|e| e.data_kind == "account")
        .map(|e| (e.action.clone(), e.outcome.clone()))
        .collect();
    for want in [
        ("invite", "allowed"),
        ("password_set", "allowed"),
        ("login", "allowed"),
        ("code_sent", "allowed"),
        ("second_factor", "allowed"),
        ("session_start", "allowed"),
        ("logout", "allowed"),
        ("login", "denied"),
    ] {
        assert!(
            actions.contains(&(want.0.into(), want.1.into())),
            "{want:?} missing from {actions:?}"
        );
    }
    let text = format!("{log:?}");
    assert!(!text.contains(PASSWORD) && !text.contains("verkeerd wachtwoord"));
    assert!(log
        .iter()
        .any(|e| e.source_addr.as_deref() == Some("10.0.0.7")));
}

#[tokio::test]
async fn staff_enrol_an_authenticator_app_at_their_first_sign_in_only() {
    let w = world().await;
    let cli = Ctx::system("cli");
    w.svc
        .provision_account(&cli, InviteTarget::Staff(w.caregiver.clone()), PASSWORD)
        .await
        .expect("account");
    let LoginOutcome::SecondStep {
        session_token: half,
        enrol,
        sms,
        totp,
    } = w
        .svc
        .login("anna@zorg.nl", PASSWORD, false, None, None)
        .await
        .expect("login")
    else {
        panic!("second step expected")
    };
    assert!(enrol && !sms && !totp, "staff: app only, enrol now");
    // No SMS for staff in this organisation.
    assert_eq!(
        w.svc.send_sms_code(&half, None).await.expect("sms"),
        SmsOutcome::NoMobile
    );
    let (secret, _) = w
        .svc
        .begin_totp_enrolment(&half)
        .await
        .expect("begin in step two");
    let code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    let SecondStepOutcome::SignedIn { session_token } = w
        .svc
        .verify_second_step(&half, &code, true, None)
        .await
        .expect("v")
    else {
        panic!("not signed in")
    };
    let info = w
        .svc
        .session(&session_token)
        .await
        .expect("s")
        .expect("session");
    assert_eq!(
        info.principal,
        Some(Principal::Staff {
            staff_id: w.caregiver.clone()
        })
    );
    assert!(info.has_totp);
    // Later sign-ins use the app; enrolling again in step two is not possible.
    w.clock.advance(Duration::seconds(30));
    let LoginOutcome::SecondStep {
        session_token: half,
        enrol,
        totp,
        ..
    } = w
        .svc
        .login("anna@zorg.nl", PASSWORD, false, None, None)
        .await
        .expect("login")
    else {
        panic!()
    };
    assert!(!enrol && totp);
    assert!(matches!(
        w.svc.begin_totp_enrolment(&half).await,
        Err(ServiceError::NotFound)
    ));
    let code = inzage_service::totp::code_at(&secret, w.clock.now_for_test()).expect("code");
    assert!(matches!(
        w.svc
            .verify_second_step(&half, &code, true, None)
            .await
            .expect("v"),
        SecondStepOutcome::SignedIn { .. }
    ));
}

#[tokio::test]
async fn change_password_needs_the_current_one_and_ends_other_sessions() {
    let w = world().await;
    w.invited_with_password().await;
    let here = w.sign_in().await;
    let elsewhere = w.sign_in().await;
    assert_eq!(
        w.svc
            .change_password(&here, "niet het huidige", "een nieuw lang wachtwoord", None)
            .await
            .expect("c"),
        ChangePassword::WrongCurrent
    );
    assert!(matches!(
        w.svc.change_password(&here, PASSWORD, "kort", None).await,
        Err(ServiceError::Invalid(_))
    ));
    assert_eq!(
        w.svc
            .change_password(&here, PASSWORD, "een nieuw lang wachtwoord", None)
            .await
            .expect("c"),
        ChangePassword::Changed
    );
    assert!(
        w.svc.session(&here).await.expect("s").is_some(),
        "this session stays"
    );
    assert!(
        w.svc.session(&elsewhere).await.expect("s").is_none(),
        "other sessions end"
    );
    assert!(w
        .outbox()
        .await
        .iter()
        .any(|m| m.contains("Subject: Je wachtwoord is veranderd")));
    assert!(matches!(
        w.svc
            .login(
                "test.client@example.nl",
                "een nieuw lang wachtwoord",
                false,
                None,
                None
            )
            .await
            .expect("l"),
        LoginOutcome::SecondStep { .. }
    ));
    w.svc.set_language(&here, "en").await.expect("lang");
    assert_eq!(
        w.svc.session(&here).await.expect("s").expect("s").language,
        "en"
    );
    assert!(matches!(
        w.svc.set_language(&here, "de").await,
        Err(ServiceError::Invalid(_))
    ));
}

#[tokio::test]
async fn messages_follow_the_accounts_language() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    assert!(w
        .outbox()
        .await
        .iter()
        .any(|m| m.contains("Je Inzage-code is")));
    w.svc.set_language(&s, "en").await.expect("lang");
    let LoginOutcome::SecondStep { session_token, .. } = w
        .svc
        .login("test.client@example.nl", PASSWORD, false, None, None)
        .await
        .expect("l")
    else {
        panic!()
    };
    w.clock.advance(Duration::seconds(1));
    w.svc
        .send_sms_code(&session_token, None)
        .await
        .expect("sms");
    let msgs = w.outbox().await;
    assert!(
        msgs.iter().any(|m| m.contains("Your Inzage code is")),
        "{msgs:?}"
    );
    w.svc
        .request_password_reset("test.client@example.nl", None)
        .await
        .expect("reset");
    assert!(w
        .outbox()
        .await
        .iter()
        .any(|m| m.contains("Subject: Set a new password")));
}

#[tokio::test]
async fn automatic_invitation_goes_out_once_when_email_and_mobile_are_known() {
    let w = world().await;
    let cli = Ctx::system("cli");
    let org = w
        .svc
        .create_organisation(
            &cli,
            label("Auto"),
            OrgSettings {
                auto_invite: true,
                ..OrgSettings::default()
            },
        )
        .await
        .expect("org");
    let loc = w
        .svc
        .create_location(&cli, &org, label("A"))
        .await
        .expect("loc");
    let team = w
        .svc
        .create_team(&cli, &loc, label("AT"))
        .await
        .expect("team");
    let client = |num: &str, email: &str, mobile: Option<&str>| NewClient {
        client_number: ClientNumber::parse(num).expect("n"),
        given_name: label("Auto"),
        name_prefix: None,
        family_name: label("Matisch"),
        birth_date: BirthDate::parse(
            "01-01-1980",
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("d"),
        )
        .expect("bd"),
        street: None,
        house_number: None,
        postal_code: None,
        city: None,
        email: Some(Email::parse(email).expect("e")),
        mobile: mobile.map(|m| MobileNumber::parse(m).expect("m")),
        team_id: Some(team.clone()),
        primary_caregiver_id: None,
    };
    w.svc
        .create_client(
            &cli,
            &org,
            client("A-1", "auto1@example.nl", Some("0611112222")),
            NaiveDate::from_ymd_opt(2025, 1, 1),
        )
        .await
        .expect("c1");
    w.svc
        .create_client(
            &cli,
            &org,
            client("A-2", "auto2@example.nl", None),
            NaiveDate::from_ymd_opt(2025, 1, 1),
        )
        .await
        .expect("c2");
    let mails = w.outbox().await;
    let invites: Vec<_> = mails
        .iter()
        .filter(|m| m.contains("Subject: Je uitnodiging voor Inzage"))
        .collect();
    assert_eq!(invites.len(), 1, "{mails:?}");
    assert!(invites[0].contains("To: auto1@example.nl"));
    // Nothing more on a second run.
    assert_eq!(w.outbox().await.len(), mails.len());
    // The organisation of the world() has it off: no mail for its client.
    assert!(!mails.iter().any(|m| m.contains("test.client@example.nl")));
    let log = w
        .svc
        .search_audit(
            &cli,
            inzage_service::AuditQuery {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .expect("audit")
        .into_inner();
    assert!(log
        .iter()
        .any(|e| e.action == "invite" && e.actor_id == "job:auto_invite"));
}

/// Counts the SQL statements that `matches` while the guard lives (this
/// thread only: a `#[tokio::test]` runs its services on it).
fn count_statements(
    matches: fn(&str) -> bool,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tracing::subscriber::DefaultGuard,
) {
    use tracing_subscriber::layer::SubscriberExt;
    struct Count(
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
        fn(&str) -> bool,
    );
    struct Sql(Option<String>);
    impl tracing::field::Visit for Sql {
        fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
            if f.name() == "sql" {
                self.0 = Some(v.to_owned());
            }
        }
        fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
            if f.name() == "sql" {
                self.0 = Some(format!("{v:?}").trim_matches('"').to_owned());
            }
        }
    }
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
        fn on_event(&self, e: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            if e.metadata().target() != "inzage::sql" {
                return;
            }
            let mut sql = Sql(None);
            e.record(&mut sql);
            if sql.0.is_some_and(|s| (self.1)(&s)) {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(Count(n.clone(), matches));
    (n, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn a_clients_session_brings_the_clients_facts_so_a_page_loads_them_once() {
    let w = world().await;
    w.invited_with_password().await;
    let s = w.sign_in().await;
    let subject_statement = |sql: &str| sql.trim_start().starts_with("SELECT c.id AS sub_id");
    let (loaded, _guard) = count_statements(subject_statement);
    let info = w.svc.session(&s).await.expect("s").expect("session");
    let principal = info.principal.clone().expect("a client principal");
    let request = Ctx::new(principal.clone()).with_facts(&info.facts);
    let header = w.svc.dossier_header(&request).await.expect("header");
    assert_eq!(header.client_id, w.client);
    w.svc
        .client_profile(&request, &w.client)
        .await
        .expect("profile")
        .into_inner();
    assert_eq!(
        loaded.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the session statement brought the facts for the check, the header and the gate"
    );
    // Without the session's facts (a context of its own) they are loaded:
    // the count above can see them.
    w.svc
        .client_profile(&Ctx::new(principal), &w.client)
        .await
        .expect("profile")
        .into_inner();
    assert_eq!(loaded.load(std::sync::atomic::Ordering::SeqCst), 1);
}

mod soft_authenticator;
use inzage_service::accounts::identifiers::{Reauth, ReauthOutcome};
use inzage_service::accounts::passkeys::*;
use soft_authenticator::SoftKey;

/// The tests' installation answers at http://127.0.0.1:8080: passkeys
/// belong to http://localhost:8080 (ADR 0029).
fn soft_key() -> SoftKey {
    SoftKey::new("http://localhost:8080", "localhost")
}

fn reauth() -> Reauth<'static> {
    Reauth {
        password: PASSWORD,
        app_code: "",
    }
}

impl W {
    /// Adds a passkey to the signed-in `session`, answered by `key`.
    async fn add_passkey(&self, session: &str, key: &mut SoftKey, instead: bool) {
        let PasskeyAdd::Started(c) = self
            .svc
            .begin_passkey_registration(session, "Telefoon", instead, reauth(), None)
            .await
            .expect("begin")
        else {
            panic!("not started")
        };
        let answer = key.create(&c.options);
        assert_eq!(
            self.svc
                .finish_passkey_registration(session, &c.token, &answer, None)
                .await
                .expect("finish"),
            PasskeyAdded::Added
        );
    }
    /// The outbox, quoted-printable soft breaks and escapes undone.
    async fn flat_mails(&self) -> Vec<String> {
        self.outbox()
            .await
            .iter()
            .map(|m| {
                m.replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=22", "\"")
                    .replace("=3D", "=")
            })
            .collect()
    }
    async fn half_signed_in(&self) -> String {
        match self
            .svc
            .login("test.client@example.nl", PASSWORD, false, None, None)
            .await
            .expect("login")
        {
            LoginOutcome::SecondStep { session_token, .. } => session_token,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_passkey_is_added_after_reauthentication_and_then_replaces_the_code() {
    let w = world().await;
    w.invited_with_password().await;
    let session = w.sign_in().await;
    let other = w.sign_in().await;
    let mut key = soft_key();
    // The current password first.
    let refused = w
        .svc
        .begin_passkey_registration(
            &session,
            "Telefoon",
            false,
            Reauth {
                password: "niet het wachtwoord",
                app_code: "",
            },
            None,
        )
        .await
        .expect("begin");
    assert!(matches!(
        refused,
        PasskeyAdd::Refused(ReauthOutcome::WrongPassword)
    ));
    // A name is required.
    assert!(matches!(
        w.svc
            .begin_passkey_registration(&session, "  ", false, reauth(), None)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    let PasskeyAdd::Started(c) = w
        .svc
        .begin_passkey_registration(&session, "Telefoon", false, reauth(), None)
        .await
        .expect("begin")
    else {
        panic!("not started")
    };
    let opts: serde_json::Value = serde_json::from_str(&c.options).expect("json");
    assert_eq!(opts["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    // Another session cannot finish this ceremony.
    let answer = key.create(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_registration(&other, &c.token, &answer, None)
            .await
            .expect("other"),
        PasskeyAdded::Expired
    );
    // That try used it up: a new ceremony, and an answer from another
    // origin is refused.
    let PasskeyAdd::Started(c) = w
        .svc
        .begin_passkey_registration(&session, "Telefoon", false, reauth(), None)
        .await
        .expect("begin")
    else {
        panic!("not started")
    };
    let mut phished = SoftKey::new("http://localhost:9999", "localhost");
    let answer = phished.create(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_registration(&session, &c.token, &answer, None)
            .await
            .expect("phished"),
        PasskeyAdded::Failed
    );
    assert!(w.svc.my_passkeys(&session).await.expect("list").is_empty());
    w.add_passkey(&session, &mut key, false).await;
    let mine = w.svc.my_passkeys(&session).await.expect("list");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "Telefoon");
    assert!(!mine[0].instead_of_password);
    // The holder hears of it; other sessions end.
    let mails = w.flat_mails().await;
    assert!(
        mails.iter().any(
            |m| m.contains("passkey met de naam \"Telefoon\" toegevoegd")
                && !m.contains("zonder wachtwoord")
        ),
        "{mails:?}"
    );
    assert!(w.svc.session(&other).await.expect("s").is_none());
    // The same passkey cannot be added twice (the ceremony excludes the
    // account's passkeys; a browser refuses it before it gets here).
    let PasskeyAdd::Started(c) = w
        .svc
        .begin_passkey_registration(&session, "Nog eens", false, reauth(), None)
        .await
        .expect("begin")
    else {
        panic!("not started")
    };
    let again = key.create(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_registration(&session, &c.token, &again, None)
            .await
            .expect("again"),
        PasskeyAdded::Failed
    );
    assert_eq!(w.svc.my_passkeys(&session).await.expect("list").len(), 1);

    // Signing in: the password, then the passkey instead of the code.
    let half = w.half_signed_in().await;
    let c = w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .expect("the account has a passkey");
    let answer = key.get(&c.options);
    // An answer without user verification is refused (and counted).
    let mut unverified = key.clone();
    let c2 = w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .expect("again");
    let no_uv = unverified.get_flags(&c2.options, 0x01);
    assert_eq!(
        w.svc
            .finish_passkey_second_step(&half, &c2.token, &no_uv, None)
            .await
            .expect("no uv"),
        SecondStepOutcome::Rejected
    );
    // The second begin replaced the first ceremony.
    assert_eq!(
        w.svc
            .finish_passkey_second_step(&half, &c.token, &answer, None)
            .await
            .expect("replaced"),
        SecondStepOutcome::CodeExpired
    );
    let c = w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .expect("again");
    // Five minutes, no more (the injected clock).
    w.clock.advance(Duration::minutes(5));
    let late = key.get(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_second_step(&half, &c.token, &late, None)
            .await
            .expect("late"),
        SecondStepOutcome::CodeExpired
    );
    let c = w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .expect("again");
    let answer = key.get(&c.options);
    let SecondStepOutcome::SignedIn { session_token } = w
        .svc
        .finish_passkey_second_step(&half, &c.token, &answer, Some("10.0.0.1"))
        .await
        .expect("passkey")
    else {
        panic!("not signed in")
    };
    let info = w
        .svc
        .session(&session_token)
        .await
        .expect("s")
        .expect("session");
    assert_eq!(
        info.principal,
        Some(Principal::Client {
            client_id: w.client.clone()
        })
    );
    // Used once: the same answer again finds no ceremony.
    assert_eq!(
        w.svc
            .finish_passkey_second_step(&half, &c.token, &answer, None)
            .await
            .expect("twice"),
        SecondStepOutcome::CodeExpired
    );
    let used = w.svc.my_passkeys(&session_token).await.expect("list");
    assert!(used[0].last_used_at.is_some());
    // Audited as the second factor it was, without the answer.
    for reason in [
        "passkey",
        "passkey_added",
        "wrong_passkey",
        "passkey_not_added",
    ] {
        let n =
            w.db.scalar(&format!(
                "SELECT COUNT(*) FROM audit_event WHERE reason = '{reason}'"
            ))
            .await;
        assert!(n >= 1, "{reason}: {n}");
    }
}

#[tokio::test]
async fn a_passkey_signs_in_alone_only_when_its_holder_chose_so() {
    let w = world().await;
    w.invited_with_password().await;
    let session = w.sign_in().await;
    let mut second_step_only = soft_key();
    w.add_passkey(&session, &mut second_step_only, false).await;
    let sign_in = |answer_of: &mut SoftKey| {
        let svc = w.svc.clone();
        let mut k = answer_of.clone();
        async move {
            let c = svc
                .begin_passkey_sign_in(Some("10.0.0.7"))
                .await
                .expect("begin")
                .expect("ceremony");
            let opts: serde_json::Value = serde_json::from_str(&c.options).expect("json");
            // The browser finds the passkey: no address, no list.
            assert!(opts["publicKey"]["allowCredentials"]
                .as_array()
                .is_none_or(|a| a.is_empty()));
            let answer = k.get(&c.options);
            let out = svc
                .finish_passkey_sign_in(&c.token, &answer, false, Some("test"), Some("10.0.0.7"))
                .await
                .expect("finish");
            (out, k)
        }
    };
    let (out, k) = sign_in(&mut second_step_only).await;
    second_step_only = k;
    assert_eq!(out, PasskeySignIn::OnlySecondStep);
    let mut alone = soft_key();
    w.add_passkey(&session, &mut alone, true).await;
    let before_use = alone.clone();
    let (out, k) = sign_in(&mut alone).await;
    alone = k;
    let PasskeySignIn::SignedIn { session_token } = out else {
        panic!("{out:?}")
    };
    let info = w
        .svc
        .session(&session_token)
        .await
        .expect("s")
        .expect("session");
    assert!(!info.second_factor_pending);
    assert_eq!(
        info.principal,
        Some(Principal::Client {
            client_id: w.client.clone()
        })
    );
    // A copy of the key whose counter did not move on (a cloned
    // authenticator) is refused.
    let mut clone = before_use;
    let (out, _) = sign_in(&mut clone).await;
    assert_eq!(out, PasskeySignIn::Rejected);
    // A ceremony's copy of the passkey may be minutes old: a clone that
    // answers it after the real key signed in meanwhile is refused
    // against the stored counter, not the copy's.
    let mut late_clone = alone.clone();
    let half = w.half_signed_in().await;
    let c = w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .expect("ceremony");
    let (out, k) = sign_in(&mut alone).await;
    alone = k;
    assert!(matches!(out, PasskeySignIn::SignedIn { .. }), "{out:?}");
    let stale = late_clone.get(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_second_step(&half, &c.token, &stale, None)
            .await
            .expect("clone"),
        SecondStepOutcome::Rejected
    );
    // Both copies are recorded as such; the holder hears of it once an
    // hour at most.
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'passkey_counter'")
            .await,
        2
    );
    let copies = w
        .flat_mails()
        .await
        .iter()
        .filter(|m| m.contains("kopie van je passkey"))
        .count();
    assert_eq!(copies, 1);
    // A key nobody added is refused, and counted for the source.
    let mut stranger = soft_key();
    let PasskeyAdd::Started(c) = w
        .svc
        .begin_passkey_registration(&session, "x", false, reauth(), None)
        .await
        .expect("begin")
    else {
        panic!("not started")
    };
    let _ = stranger.create(&c.options); // learns the user handle only
    let (out, _) = sign_in(&mut stranger).await;
    assert_eq!(out, PasskeySignIn::Rejected);
    // Someone keeps the address paused with wrong passwords: the holder
    // still gets in with her passkey.
    let mut paused = false;
    for _ in 0..10 {
        if let LoginOutcome::Paused { .. } = w
            .svc
            .login("test.client@example.nl", "fout", false, None, None)
            .await
            .expect("login")
        {
            paused = true;
            break;
        }
    }
    assert!(paused);
    let (out, k) = sign_in(&mut alone).await;
    alone = k;
    assert!(matches!(out, PasskeySignIn::SignedIn { .. }), "{out:?}");
    assert_eq!(
        w.db.scalar("SELECT COUNT(*) FROM audit_event WHERE reason = 'passkey_while_paused'")
            .await,
        1
    );
    // A ceremony is used once.
    let c = w
        .svc
        .begin_passkey_sign_in(None)
        .await
        .expect("begin")
        .expect("ceremony");
    let answer = alone.get(&c.options);
    assert!(matches!(
        w.svc
            .finish_passkey_sign_in(&c.token, &answer, false, None, None)
            .await
            .expect("first"),
        PasskeySignIn::SignedIn { .. }
    ));
    assert_eq!(
        w.svc
            .finish_passkey_sign_in(&c.token, &answer, false, None, None)
            .await
            .expect("second"),
        PasskeySignIn::Expired
    );
    let mails = w.flat_mails().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Met deze passkey kun je inloggen zonder wachtwoord")),
        "the mail says it signs in alone"
    );
    // A password set through a reset link takes "without password" back:
    // a passkey added by whoever had the old password and a session does
    // not outlive the reset (it still serves as the second step).
    w.clock.advance(Duration::minutes(30));
    w.svc
        .request_password_reset("test.client@example.nl", None)
        .await
        .expect("reset");
    let tok = w.last_token().await;
    w.svc
        .set_password_with_token(&tok, "een heel nieuw wachtwoord", None)
        .await
        .expect("new password");
    let (out, k) = sign_in(&mut alone).await;
    alone = k;
    assert_eq!(out, PasskeySignIn::OnlySecondStep);
    let _ = (second_step_only, alone);
}

#[tokio::test]
async fn removing_a_passkey_needs_reauthentication_and_tells_the_holder() {
    let w = world().await;
    w.invited_with_password().await;
    let session = w.sign_in().await;
    let mut key = soft_key();
    w.add_passkey(&session, &mut key, true).await;
    let id = w.svc.my_passkeys(&session).await.expect("list")[0]
        .id
        .clone();
    let other = w.sign_in().await;
    assert_eq!(
        w.svc
            .remove_passkey(
                &session,
                &id,
                Reauth {
                    password: "fout",
                    app_code: ""
                },
                None
            )
            .await
            .expect("wrong"),
        PasskeyRemoval::Refused(ReauthOutcome::WrongPassword)
    );
    assert_eq!(
        w.svc
            .remove_passkey(&session, "no-such-passkey", reauth(), None)
            .await
            .expect("unknown"),
        PasskeyRemoval::NotFound
    );
    assert_eq!(
        w.svc
            .remove_passkey(&session, &id, reauth(), None)
            .await
            .expect("remove"),
        PasskeyRemoval::Removed
    );
    assert!(w.svc.my_passkeys(&session).await.expect("list").is_empty());
    assert!(w.svc.session(&other).await.expect("s").is_none());
    let mails = w.flat_mails().await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("passkey met de naam \"Telefoon\" is zojuist verwijderd")),
        "{mails:?}"
    );
    // Gone: no second step by passkey, no sign-in with it.
    let half = w.half_signed_in().await;
    assert!(w
        .svc
        .begin_passkey_second_step(&half)
        .await
        .expect("begin")
        .is_none());
    let c = w
        .svc
        .begin_passkey_sign_in(None)
        .await
        .expect("begin")
        .expect("ceremony");
    let answer = key.get(&c.options);
    assert_eq!(
        w.svc
            .finish_passkey_sign_in(&c.token, &answer, false, None, None)
            .await
            .expect("gone"),
        PasskeySignIn::Rejected
    );
}
