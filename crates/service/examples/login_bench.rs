//! Login throughput against the raw Argon2id rate, same parameters and
//! worker count, in one run (issue 3). Not a test: prints figures.
//!
//!   cargo run --release -p inzage-service --example login_bench [logins]
//!
//! Uses a fresh SQLite database (or PostgreSQL with
//! INZAGE_TEST_BACKEND=postgres). Each login is step one of sign-in:
//! account lookup, Argon2id verification in the bounded pool, session row
//! and audit event in one transaction.
use inzage_core::types::*;
use inzage_core::FixedClock;
use inzage_service::accounts::{InviteTarget, LoginOutcome};
use inzage_service::admin::{NewStaff, OrgSettings};
use inzage_service::passwords::Hasher;
use inzage_service::testing::TestDb;
use inzage_service::Ctx;
use std::time::Instant;

const PASSWORD: &str = "paarse olifant danst";

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let db = TestDb::migrated().await;
    let clock = FixedClock::new(chrono::Utc::now());
    let svc = db.services(&clock);
    let workers = svc.settings().hash_workers;
    let cli = Ctx::system("cli");
    let l = |s: &str| Label::parse("x", s).expect("label");
    let org = svc
        .create_organisation(&cli, l("Bench"), OrgSettings::default())
        .await
        .expect("org");
    // Enough accounts that no account hits the lockout or address limits.
    let accounts = 20usize;
    let mut emails = Vec::new();
    for k in 0..accounts {
        let email = format!("bench{k}@example.nl");
        let id = svc
            .create_staff(
                &cli,
                &org,
                NewStaff {
                    given_name: l("B"),
                    name_prefix: None,
                    family_name: l(&format!("Bench {k}")),
                    email: Email::parse(&email).expect("email"),
                    mobile: None,
                    roles: vec![],
                    team_ids: vec![],
                },
            )
            .await
            .expect("staff");
        svc.provision_account(&cli, InviteTarget::Staff(id), PASSWORD)
            .await
            .expect("account");
        emails.push(email);
    }

    // Raw: the same Argon2id parameters and worker count, verify only.
    // Measured before and after the logins (and after a warm-up), averaged,
    // so neither side profits from running second.
    let hasher = Hasher::new(workers);
    let phc = hasher.hash(PASSWORD).await.expect("hash");
    let raw_rate = |count: usize| {
        let hasher = hasher.clone();
        let phc = phc.clone();
        async move {
            let start = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..count {
                let h = hasher.clone();
                let p = phc.clone();
                tasks.push(tokio::spawn(
                    async move { h.verify(PASSWORD, Some(&p)).await },
                ));
            }
            for t in tasks {
                assert!(t.await.expect("join"));
            }
            count as f64 / start.elapsed().as_secs_f64()
        }
    };
    raw_rate(n / 5 + 1).await;
    let raw_before = raw_rate(n).await;

    // Login: the full first step through the service.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..n {
        let svc = svc.clone();
        let email = emails[k % accounts].clone();
        let addr = format!("10.0.{}.{}", k / 250, k % 250);
        tasks.push(tokio::spawn(async move {
            svc.login(&email, PASSWORD, false, None, Some(&addr)).await
        }));
    }
    for t in tasks {
        let out = t.await.expect("join").expect("login");
        assert!(matches!(out, LoginOutcome::SecondStep { .. }), "{out:?}");
    }
    let login = n as f64 / start.elapsed().as_secs_f64();
    let raw_after = raw_rate(n).await;
    let raw = (raw_before + raw_after) / 2.0;
    println!("backend            {}", svc.db().backend().name());
    println!("argon2id           m=19456 KiB, t=2, p=1, {workers} workers");
    println!("raw verify         {raw:.1}/s (mean of {raw_before:.1} before and {raw_after:.1} after, {n} each)");
    println!("login (step one)   {login:.1}/s ({n} logins)");
    println!("login / raw        {:.1} %", 100.0 * login / raw);
}
