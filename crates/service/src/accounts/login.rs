//! Step one of signing in (e-mail and password), the account pause after
//! failures, and the slowing down of a source that fails too often
//! (issue 13, ADR 0006):
//!
//! - failures are counted for every address, known or not: an unknown
//!   address is counted under a hash of it (`login_throttle`), pauses after
//!   the same number of tries, for the same time, with the same answer and
//!   the same work (every attempt runs Argon2id, paused or not), so the
//!   answers do not tell which addresses have an account;
//! - a source address over its limit is slowed down (`pacing`), not
//!   refused, so a correct password plus second factor still gets in; only
//!   a flood that fills its 50-second queue is answered "busy, come back
//!   at …" without being tried (someone sharing the flooder's address
//!   waits with it);
//! - an over-long password is a failure like any other, counted and
//!   audited.
use super::{account_ctx, account_from_row, anonymous, audit_account, org_auth, random_token, sha};
use super::{AccountRow, LoginOutcome, OrgAuth, ACCOUNT_COLS, SMS_CODE_VALID};
use crate::db::Tx;
use crate::error::Result;
use crate::{Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::model::{AuditAction, AuditOutcome};
use inzage_core::types::{display_datetime, ts, Email};

/// A second step begun: its session token, and which ways it offers.
pub(super) struct SecondStepStart {
    pub token: String,
    pub enrol: bool,
    pub sms: bool,
}

/// The key under which failures for an address are counted when it has
/// no account: a hash, never the address itself.
fn throttle_key(email: &str) -> String {
    sha(&format!("inzage-login:{}", email.trim().to_lowercase()))
}

/// The start of the current window of `window`.
fn window_start(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    let secs = window.num_seconds().max(1);
    DateTime::from_timestamp(now.timestamp() - now.timestamp().rem_euclid(secs), 0).unwrap_or(now)
}

impl Services {
    /// Counts one more hit of `key` in the current window; returns the count.
    pub(crate) async fn count_hit(&self, key: &str, window: Duration) -> Result<i64> {
        let start = window_start(self.now(), window);
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "INSERT INTO rate_counter (counter_key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (counter_key, window_start) DO UPDATE SET hits = rate_counter.hits + 1 RETURNING hits",
        )
        .bind(key)
        .bind(ts(start))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.try_get("hits")?)
    }

    /// The hits of `key` in the current window.
    pub(crate) async fn hits(&self, key: &str, window: Duration) -> Result<i64> {
        let start = window_start(self.now(), window);
        Ok(crate::sql::query(
            "SELECT hits FROM rate_counter WHERE counter_key = $1 AND window_start = $2",
        )
        .bind(key)
        .bind(ts(start))
        .fetch_optional(self.db())
        .await?
        .map(|r| r.try_get::<i64, _>("hits"))
        .transpose()?
        .unwrap_or(0))
    }

    /// Slows a source that failed too often: waits for its next turn, or
    /// (queue full) returns when to come back.
    pub(super) async fn pace(&self, source: Option<&str>) -> Result<Option<DateTime<Utc>>> {
        let Some(addr) = source.map(crate::pacing::source_key) else {
            return Ok(None);
        };
        let addr = addr.as_str();
        let settings = self.settings();
        let failures = self
            .hits(&format!("login-fail:{addr}"), settings.address_window)
            .await?;
        let delay = crate::pacing::delay_for(failures, settings.address_failure_limit);
        if delay > Duration::zero() {
            match self.slots().take(addr, self.now(), delay) {
                Ok(wait) => self.pacer().wait(wait.to_std().unwrap_or_default()).await,
                Err(until) => return Ok(Some(until)),
            }
        }
        Ok(None)
    }

    pub(super) async fn count_source_failure(&self, source: Option<&str>) -> Result<()> {
        if let Some(addr) = source.map(crate::pacing::source_key) {
            self.count_hit(
                &format!("login-fail:{addr}"),
                self.settings().address_window,
            )
            .await?;
        }
        Ok(())
    }

    /// The rules for addresses without an account: the installation's
    /// default organisation's (the oldest).
    async fn default_org_auth(&self, tx: &mut Tx) -> Result<OrgAuth> {
        let org = crate::sql::query("SELECT id FROM organisation ORDER BY created_at, id LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
        match org {
            Some(r) => org_auth(tx, &r.try_get::<String, _>("id")?).await,
            None => Ok(OrgAuth::default()),
        }
    }

    /// Step one: e-mail and password.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        public_computer: bool,
        device: Option<&str>,
        source: Option<&str>,
    ) -> Result<LoginOutcome> {
        if let Some(until) = self.pace(source).await? {
            // Not evaluated, not counted: nothing was tried.
            return Ok(LoginOutcome::Busy { until });
        }
        let now = self.now();
        let too_long = password.chars().count() > crate::passwords::MAX_CHARS;
        let parsed = (email.len() <= 254)
            .then(|| Email::parse(email).ok())
            .flatten();
        let account = match &parsed {
            // A plain read: no write transaction (SQLite's write lock) for it.
            Some(e) => crate::sql::query(&format!(
                "SELECT {ACCOUNT_COLS} FROM account WHERE email = $1"
            ))
            .bind(e.as_str())
            .fetch_optional(self.db())
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()?,
            None => None,
        };
        let Some(account) = account else {
            let key = throttle_key(parsed.as_ref().map_or(email, |e| e.as_str()));
            return self.unknown_address(&key, password, too_long, source).await;
        };
        let ctx = account_ctx(&account, source);
        if let Some(until) = account.paused_until.filter(|u| *u > now) {
            // The same work as a check, then the pause.
            self.hasher().verify(password, None).await;
            let mut tx = self.db().begin().await?;
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&account),
                AuditAction::Login,
                AuditOutcome::Denied,
                Some("paused"),
            )
            .await?;
            tx.commit().await?;
            return Ok(LoginOutcome::Paused { until });
        }
        let ok = if too_long {
            self.hasher().verify("", None).await;
            false
        } else {
            self.hasher()
                .verify(password, account.password_hash.as_deref())
                .await
        };
        if !ok {
            self.count_source_failure(source).await?;
            let reason = if too_long {
                "password_too_long"
            } else {
                "wrong_password"
            };
            return self
                .count_failure(&account, &ctx, reason)
                .await
                .map(|p| match p {
                    Some(until) => LoginOutcome::Paused { until },
                    None => LoginOutcome::Rejected,
                });
        }
        let mut tx = self.db().begin().await?;
        if let Some(why) = self.closed_to(&mut tx, &account, &ctx).await? {
            tx.commit().await?;
            return Ok(LoginOutcome::AccessEnded(why));
        }
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&account),
            AuditAction::Login,
            AuditOutcome::Allowed,
            Some("password_ok"),
        )
        .await?;
        let step = self
            .start_second_step(&mut tx, &account, public_computer, device, source, None)
            .await?;
        tx.commit().await?;
        Ok(LoginOutcome::SecondStep {
            session_token: step.token,
            enrol: step.enrol,
            sms: step.sms,
            totp: account.totp_secret.is_some(),
        })
    }

    /// Whether the portal is closed to this account (discharge, age, an
    /// eligibility start): the reason, recorded in `tx` as a refused
    /// sign-in (the caller commits).
    pub(super) async fn closed_to(
        &self,
        tx: &mut Tx,
        account: &AccountRow,
        ctx: &Ctx,
    ) -> Result<Option<super::AccessEnd>> {
        if self
            .may_sign_in(tx, account, &crate::RequestFacts::default())
            .await?
        {
            return Ok(None);
        }
        let why = self.access_end(tx, account).await?;
        let reason = match why {
            super::AccessEnd::Ended => "access_ended",
            super::AccessEnd::TooYoung { .. } => "below_minimum_age",
            super::AccessEnd::BeforeStart { .. } => "before_eligibility_start",
        };
        audit_account(
            tx,
            ctx,
            self.now(),
            Some(account),
            AuditAction::Login,
            AuditOutcome::Denied,
            Some(reason),
        )
        .await?;
        Ok(Some(why))
    }

    /// A half-signed-in session for the second step, after a right
    /// password, or after a sign-in through the organisation's provider
    /// (`via`: its issuer and the person's subject there, ADR 0028). Only
    /// the password path may enrol an app (the invitation link proved the
    /// address, the password the rest); through a provider the holder's
    /// existing factor is asked.
    pub(super) async fn start_second_step(
        &self,
        tx: &mut Tx,
        account: &AccountRow,
        public_computer: bool,
        device: Option<&str>,
        source: Option<&str>,
        via: Option<(&str, &str)>,
    ) -> Result<SecondStepStart> {
        let now = self.now();
        let token = random_token()?;
        let csrf = random_token()?;
        let sms_ok = account.mobile.is_some() && self.sms_allowed(tx, account).await?;
        // Staff who must use an app and have never signed in enrol it now
        // (the invitation link proved the e-mail address, the password the rest).
        let enrol = via.is_none()
            && account.totp_secret.is_none()
            && !sms_ok
            && account.last_login_at.is_none();
        crate::sql::query(
            "INSERT INTO auth_session (id_hash, account_id, stage, created_at, last_seen_at, expires_at, public_computer, \
             device, source_addr, csrf_token, may_enrol, oidc_issuer, oidc_subject) \
             VALUES ($1, $2, 'second_factor', $3, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sha(&token))
        .bind(&account.id)
        .bind(ts(now))
        .bind(ts(now + SMS_CODE_VALID))
        .bind(i64::from(public_computer))
        .bind(device.map(|d| d.chars().take(120).collect::<String>()))
        .bind(source)
        .bind(&csrf)
        .bind(i64::from(enrol))
        .bind(via.map(|v| v.0))
        .bind(via.map(|v| v.1))
        .execute(&mut **tx)
        .await?;
        Ok(SecondStepStart {
            token,
            enrol,
            sms: sms_ok,
        })
    }

    /// An address without an account: the same work, counting and pause
    /// as for one with an account, under a hash of the address.
    async fn unknown_address(
        &self,
        key: &str,
        password: &str,
        too_long: bool,
        source: Option<&str>,
    ) -> Result<LoginOutcome> {
        let now = self.now();
        let ctx = anonymous(source);
        let paused: Option<DateTime<Utc>> =
            crate::sql::query("SELECT paused_until FROM login_throttle WHERE key_hash = $1")
                .bind(key)
                .fetch_optional(self.db())
                .await?
                .map(|r| crate::row::ot(&r, "paused_until"))
                .transpose()?
                .flatten()
                .filter(|u| *u > now);
        self.hasher()
            .verify(if too_long { "" } else { password }, None)
            .await;
        let mut tx = self.db().begin().await?;
        if let Some(until) = paused {
            audit_account(
                &mut tx,
                &ctx,
                now,
                None,
                AuditAction::Login,
                AuditOutcome::Denied,
                Some("paused"),
            )
            .await?;
            tx.commit().await?;
            return Ok(LoginOutcome::Paused { until });
        }
        let org = self.default_org_auth(&mut tx).await?;
        let failures: i64 = crate::sql::query(
            "INSERT INTO login_throttle (key_hash, failures, paused_until, updated_at) VALUES ($1, 1, NULL, $2) \
             ON CONFLICT (key_hash) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $2 \
             RETURNING failures",
        )
        .bind(key)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("failures")?;
        let outcome = if failures >= org.lockout_threshold {
            let until = now + org.lockout_pause;
            crate::sql::query(
                "UPDATE login_throttle SET failures = 0, paused_until = $2 WHERE key_hash = $1",
            )
            .bind(key)
            .bind(ts(until))
            .execute(&mut *tx)
            .await?;
            LoginOutcome::Paused { until }
        } else {
            LoginOutcome::Rejected
        };
        audit_account(
            &mut tx,
            &ctx,
            now,
            None,
            AuditAction::Login,
            AuditOutcome::Denied,
            Some(if too_long {
                "password_too_long"
            } else {
                "unknown_account"
            }),
        )
        .await?;
        tx.commit().await?;
        self.count_source_failure(source).await?;
        Ok(outcome)
    }

    /// A right app code used a second time: the holder hears of it (ASVS
    /// 2.8.5), at most once an hour; the attempt itself is counted and
    /// audited as `totp_reused` by [`Self::count_failure`].
    pub(super) async fn tell_of_reused_code(&self, account: &AccountRow) -> Result<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let recent: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM message WHERE account_id = $1 AND purpose = 'totp_reused' AND created_at > $2",
        )
        .bind(&account.id)
        .bind(ts(now - chrono::Duration::hours(1)))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if recent == 0 {
            let mail = crate::texts::code_reused(account.voice());
            super::mail_holder(&mut tx, now, account, mail, "totp_reused").await?;
        }
        tx.commit().await?;
        self.wake_jobs();
        Ok(())
    }

    /// Counts a failed password or code; pauses the account at the
    /// threshold and e-mails the holder. Returns the pause end if paused.
    pub(super) async fn count_failure(
        &self,
        account: &AccountRow,
        ctx: &Ctx,
        reason: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let org = org_auth(&mut tx, &account.organisation_id).await?;
        let r = crate::sql::query("UPDATE account SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts")
            .bind(&account.id)
            .fetch_one(&mut *tx)
            .await?;
        let failures: i64 = r.try_get("failed_attempts")?;
        audit_account(
            &mut tx,
            ctx,
            now,
            Some(account),
            AuditAction::Login,
            AuditOutcome::Denied,
            Some(reason),
        )
        .await?;
        let paused = if failures >= org.lockout_threshold {
            let until = now + org.lockout_pause;
            crate::sql::query(
                "UPDATE account SET failed_attempts = 0, paused_until = $1 WHERE id = $2",
            )
            .bind(ts(until))
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
            // Half-signed-in sessions of this account end too.
            crate::sql::query("UPDATE auth_session SET ended_at = $1, end_reason = 'paused' WHERE account_id = $2 AND stage = 'second_factor' AND ended_at IS NULL")
                .bind(ts(now))
                .bind(&account.id)
                .execute(&mut *tx)
                .await?;
            let mail = crate::texts::lockout(
                account.voice(),
                &display_datetime(until),
                org.lockout_threshold,
                org.servicedesk_email.as_deref(),
                org.servicedesk_phone.as_deref(),
            );
            super::mail_holder(&mut tx, now, account, mail, "lockout").await?;
            audit_account(
                &mut tx,
                ctx,
                now,
                Some(account),
                AuditAction::Lockout,
                AuditOutcome::Allowed,
                Some(reason),
            )
            .await?;
            Some(until)
        } else {
            None
        };
        tx.commit().await?;
        self.wake_jobs();
        Ok(paused)
    }
}
