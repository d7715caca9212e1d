//! Test support: a fresh, migrated database per test, on SQLite (default)
//! or PostgreSQL when `INZAGE_TEST_BACKEND=postgres`. `.ci/run` runs the
//! whole suite once per backend. A PostgreSQL test database is created
//! with a random name and dropped when the `TestDb` is dropped.
use crate::db::Db;
use crate::Services;
use inzage_core::{Clock, FixedClock};
use std::sync::Arc;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

pub fn backend_is_postgres() -> bool {
    std::env::var("INZAGE_TEST_BACKEND").is_ok_and(|v| v == "postgres")
}

fn pg_admin_url() -> String {
    std::env::var("INZAGE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    /// A new empty database (not migrated).
    pub async fn empty() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        if backend_is_postgres() {
            let name = format!("inzage_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&pg_admin_url(), 1)
                .await
                .expect("connect to PostgreSQL for tests");
            crate::sql::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .expect("create db");
            admin.close().await;
            let base = pg_admin_url();
            let url = match base.rfind('/') {
                Some(i) => format!("{}/{name}", &base[..i]),
                None => base,
            };
            let db = Db::connect(&url, 8).await.expect("connect test db");
            Self {
                db,
                url,
                dir,
                pg_name: Some(name),
            }
        } else {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = Db::connect(&url, 4).await.expect("connect sqlite");
            Self {
                db,
                url,
                dir,
                pg_name: None,
            }
        }
    }

    /// A new database with all migrations applied.
    pub async fn migrated() -> Self {
        let t = Self::empty().await;
        t.db.migrate().await.expect("migrate");
        t
    }

    /// Services over this database with `clock`; a source that fails too
    /// often is slowed through a recording pacer (no test sleeps).
    pub fn services(&self, clock: &FixedClock) -> Services {
        self.services_with_pacer(clock).0
    }

    /// [`TestDb::services`] and the pacer that records its waits.
    pub fn services_with_pacer(
        &self,
        clock: &FixedClock,
    ) -> (Services, Arc<crate::pacing::RecordingPacer>) {
        let c: Arc<dyn Clock> = Arc::new(clock.clone());
        let pacer = Arc::new(crate::pacing::RecordingPacer::default());
        let svc = Services::new(self.db.clone(), c, self.dir.path()).with_pacer(pacer.clone());
        (svc, pacer)
    }

    /// A second, independent connection pool to the same database (as a
    /// second `inzage serve` process would have).
    pub async fn second_pool(&self) -> Db {
        Db::connect(&self.url, 8).await.expect("second pool")
    }

    /// One integer from a query (tests that check stored state).
    pub async fn scalar(&self, sql: &str) -> i64 {
        crate::sql::query(sql)
            .fetch_one(&self.db)
            .await
            .expect("scalar")
            .try_get::<i64, _>(0)
            .expect("i64")
    }

    /// [`TestDb::scalar`] in the background lane (ADR 0025): a thread of
    /// its own, after the start hook.
    pub async fn scalar_background(&self, sql: &str) -> i64 {
        crate::sql::query(sql)
            .background()
            .fetch_one(&self.db)
            .await
            .expect("scalar")
            .try_get::<i64, _>(0)
            .expect("i64")
    }

    /// [`TestDb::scalar`] in the slow lane (ADR 0025).
    pub async fn scalar_slow(&self, sql: &str) -> i64 {
        crate::sql::query(sql)
            .slow()
            .fetch_one(&self.db)
            .await
            .expect("scalar")
            .try_get::<i64, _>(0)
            .expect("i64")
    }

    /// One text value from a query (tests that need an id).
    pub async fn text(&self, sql: &str) -> String {
        crate::sql::query(sql)
            .fetch_one(&self.db)
            .await
            .expect("text")
            .try_get::<String, _>(0)
            .expect("string")
    }

    /// Runs raw SQL and says whether it worked (tests that fill the disk).
    pub async fn try_exec_raw(&self, sql: &str) -> Result<u64, String> {
        crate::sql::query(sql)
            .execute(&self.db)
            .await
            .map(|d| d.rows_affected())
            .map_err(|e| e.to_string())
    }

    /// Runs raw SQL: only for tests that tamper with storage on purpose.
    pub async fn exec_raw(&self, sql: &str) {
        crate::sql::query(sql)
            .execute(&self.db)
            .await
            .expect("raw sql");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Best effort: drop the database from a separate thread with its
            // own runtime (Drop cannot await).
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(db) = Db::connect(&admin, 1).await {
                            let _ = crate::sql::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&db)
                            .await;
                            db.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// An organisation with one location and one team, made by the operator.
pub async fn organisation(
    svc: &Services,
    name: &str,
    settings: crate::admin::OrgSettings,
) -> (inzage_core::ids::OrganisationId, inzage_core::ids::TeamId) {
    use inzage_core::types::Label;
    let cli = crate::Ctx::system("cli");
    let l = |s: &str| Label::parse("test", s).expect("label");
    let org = svc
        .create_organisation(&cli, l(name), settings)
        .await
        .expect("organisation");
    let loc = svc
        .create_location(&cli, &org, l(&format!("{name} locatie")))
        .await
        .expect("location");
    let team = svc
        .create_team(&cli, &loc, l(&format!("{name} team")))
        .await
        .expect("team");
    (org, team)
}

/// A client "Test Client", born 1990, in `team`, with the given contacts.
pub fn client(
    number: &str,
    email: Option<&str>,
    mobile: Option<&str>,
    team: &inzage_core::ids::TeamId,
) -> crate::admin::NewClient {
    use inzage_core::types::*;
    let l = |s: &str| Label::parse("test", s).expect("label");
    crate::admin::NewClient {
        client_number: ClientNumber::parse(number).expect("client number"),
        given_name: l("Test"),
        name_prefix: None,
        family_name: l("Client"),
        birth_date: BirthDate::from_stored(
            chrono::NaiveDate::from_ymd_opt(1990, 1, 1).expect("date"),
        ),
        street: None,
        house_number: None,
        postal_code: None,
        city: None,
        email: email.map(|e| Email::parse(e).expect("email")),
        mobile: mobile.map(|m| MobileNumber::parse(m).expect("mobile")),
        team_id: Some(team.clone()),
        primary_caregiver_id: None,
    }
}

impl TestDb {
    /// Forges the audit log as an attacker with write access to the whole
    /// table would: changes the action of event `seq` and recomputes every
    /// hash from there on, and the head, so the chain itself is consistent
    /// again. Only an anchor kept outside the database tells.
    pub async fn forge_audit_chain(&self, seq: i64, action: &str) {
        let rows = crate::sql::query(&format!(
            "SELECT {} FROM audit_event WHERE seq >= $1 ORDER BY seq",
            crate::audit::AUDIT_COLUMNS
        ))
        .bind(seq)
        .fetch_all(&self.db)
        .await
        .expect("events");
        let mut prev: Option<String> = None;
        let mut last = String::new();
        for row in &rows {
            let mut rec = crate::audit::record_from_row(row).expect("record");
            if rec.seq == seq {
                rec.action = action.to_owned();
            }
            if let Some(p) = prev.take() {
                rec.prev_hash = p;
            }
            rec.hash = rec.compute_hash();
            crate::sql::query(
                "UPDATE audit_event SET action = $2, prev_hash = $3, hash = $4 WHERE seq = $1",
            )
            .bind(rec.seq)
            .bind(&rec.action)
            .bind(&rec.prev_hash)
            .bind(&rec.hash)
            .execute(&self.db)
            .await
            .expect("rewrite");
            prev = Some(rec.hash.clone());
            last = rec.hash;
        }
        crate::sql::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&last)
            .execute(&self.db)
            .await
            .expect("head");
    }
}

impl Services {
    /// How many counted write transactions this process committed (read
    /// events excepted): a test shows that a read takes no write
    /// transaction by this figure staying the same.
    pub fn write_generation(&self) -> u64 {
        self.db().write_generation()
    }
}
