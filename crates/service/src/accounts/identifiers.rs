//! Changing an account's e-mail address or mobile number (ADR 0013). The
//! login identifiers belong to the holder:
//!
//! - the holder changes them in "Mijn account" with the current password
//!   (and the current app code when an app is linked); the change takes
//!   effect once a code sent to the new address or number comes back;
//! - staff change them directly only while nobody holds the account
//!   (invited, no password); otherwise staff start a change that the
//!   holder confirms, signed in, through a link sent to the old address.
//!
//! Every change ends the account's other sessions, voids its open links
//! and pending changes, and tells the old address and the old number.
use super::{account_ctx, audit_account, random_token, sha, six_digits, AccountRow};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::messages::{queue, Channel, NewMessage};
use crate::row::{os, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::model::{AccountKind, AuditAction, AuditOutcome};
use inzage_core::policy::accounts::holder_only;
use inzage_core::types::{display_datetime, ts, Email, MobileNumber};
use serde::Serialize;

/// How long a code for the holder's own change is valid.
pub const OWN_CHANGE_VALID: Duration = Duration::minutes(30);
/// Wrong codes before the holder's change is cancelled.
pub const OWN_CHANGE_TRIES: i64 = 5;

/// What the holder changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewIdentifier {
    Email(Email),
    Mobile(MobileNumber),
}

/// The current password (and app code) given to confirm it is the holder.
#[derive(Clone, Copy, Debug)]
pub struct Reauth<'a> {
    pub password: &'a str,
    /// The current code of the linked app; ignored when none is linked.
    pub app_code: &'a str,
}

/// The answer to a re-authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReauthOutcome {
    Ok,
    WrongPassword,
    WrongAppCode,
    Paused { until: DateTime<Utc> },
}

/// Starting the holder's own change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnChangeStart {
    /// A code went to the new address or number.
    CodeSent,
    /// The new value is the current one.
    Unchanged,
    /// A staff member's login address is their work address, which the
    /// organisation keeps (their mobile number is theirs to change).
    ManagedByOrganisation,
    Refused(ReauthOutcome),
}

/// Finishing a change (the holder's code, or confirming staff's request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeDone {
    Changed,
    WrongCode,
    /// No change is waiting (expired, cancelled, or too many wrong codes).
    NothingWaiting,
    /// The new e-mail address belongs to another account.
    AddressInUse,
}

/// What staff asked to change, as the holder sees it before confirming.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StaffChangeView {
    pub new_email: Option<String>,
    pub new_mobile: Option<String>,
    pub organisation_name: String,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The holder's own change waiting for its code.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OwnChangeView {
    pub new_email: Option<String>,
    pub new_mobile: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// What became of staff's change of a row's contact details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DetailsChange {
    /// Changed now (nobody held the account, or there is none).
    Changed,
    /// The holder was asked to confirm through their old address.
    AwaitingHolder,
}

/// A change of contact details as applied: what it became, and the
/// values before and after (for the client's version history).
#[derive(Clone, Debug)]
pub(crate) struct AppliedDetails {
    pub outcome: DetailsChange,
    pub old_email: Option<String>,
    pub old_mobile: Option<String>,
    pub new_email: Option<String>,
    pub new_mobile: Option<String>,
}

/// The rows that carry an account's contact details and change with it.
async fn sync_rows(tx: &mut Tx, a: &AccountRow, email: &str, mobile: Option<&str>) -> Result<()> {
    let q = match a.kind {
        AccountKind::Client => {
            "UPDATE client SET email = $2, mobile = $3 WHERE id = (SELECT subject_id FROM account WHERE id = $1)"
        }
        AccountKind::ContactPerson => {
            "UPDATE contact_person SET email = $2, mobile = $3 WHERE account_id = $1"
        }
        AccountKind::Staff => {
            "UPDATE staff_member SET email = $2, mobile = $3 WHERE id = (SELECT subject_id FROM account WHERE id = $1)"
        }
    };
    crate::sql::query(q)
        .bind(&a.id)
        .bind(email)
        .bind(mobile)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Voids what an old address or number could still be used for: open
/// invitation and reset links, changes waiting for the holder, and links
/// to dossiers asked of the old address.
pub(crate) async fn void_open_links(
    tx: &mut Tx,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    crate::sql::query(
        "UPDATE account_token SET revoked_at = $2 WHERE account_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(account_id)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    crate::sql::query(
        "UPDATE identifier_change SET decided_at = $2, decision = 'cancelled' WHERE account_id = $1 AND decided_at IS NULL",
    )
    .bind(account_id)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    super::links::withdraw_links_to(tx, now, account_id).await?;
    Ok(())
}

/// Tells the old address and the old number that the account's details
/// changed (the new ones are not named: they may be an attacker's).
pub(crate) async fn notify_old(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account_id: Option<&str>,
    voice: crate::texts::Voice<'_>,
    old_email: Option<&str>,
    old_mobile: Option<&str>,
) -> Result<()> {
    if let Some(old) = old_email {
        let (subject, body) = crate::texts::identifiers_changed(voice);
        queue(
            tx,
            now,
            NewMessage {
                channel: Channel::Email,
                recipient: old,
                subject: Some(&subject),
                body: &body,
                purpose: "identifiers_changed",
                account_id,
            },
        )
        .await?;
    }
    if let Some(old) = old_mobile {
        let body = crate::texts::identifiers_changed_sms(voice);
        queue(
            tx,
            now,
            NewMessage {
                channel: Channel::Sms,
                recipient: old,
                subject: None,
                body: &body,
                purpose: "identifiers_changed",
                account_id,
            },
        )
        .await?;
    }
    Ok(())
}

impl Services {
    /// Whether `email` is free for `account_id` (no other account has it).
    async fn email_free(&self, tx: &mut Tx, email: &str, account_id: &str) -> Result<bool> {
        Ok(
            crate::sql::query("SELECT id FROM account WHERE email = $1 AND id <> $2")
                .bind(email)
                .bind(account_id)
                .fetch_optional(&mut **tx)
                .await?
                .is_none(),
        )
    }

    /// Applies a change the holder agreed to: the account and the rows that
    /// carry its details get the new values; every other session ends;
    /// open links and waiting changes are void; the old address and number
    /// hear of it. `keep` is the session the holder agreed in.
    #[allow(clippy::too_many_arguments)]
    async fn apply_identifier_change(
        &self,
        tx: &mut Tx,
        a: &AccountRow,
        new_email: Option<&str>,
        new_mobile: Option<&str>,
        keep: &str,
        ctx: &Ctx,
        reason: &str,
    ) -> Result<ChangeDone> {
        let now = self.now();
        let email = new_email.unwrap_or(&a.email).to_owned();
        let mobile = new_mobile.or(a.mobile.as_deref()).map(str::to_owned);
        if !self.email_free(tx, &email, &a.id).await? {
            return Ok(ChangeDone::AddressInUse);
        }
        crate::sql::query("UPDATE account SET email = $2, mobile = $3 WHERE id = $1")
            .bind(&a.id)
            .bind(&email)
            .bind(&mobile)
            .execute(&mut **tx)
            .await?;
        sync_rows(tx, a, &email, mobile.as_deref()).await?;
        if let (AccountKind::Client, Some(client)) = (a.kind, &a.subject_id) {
            crate::clients::record_changes(
                tx,
                ctx,
                now,
                client,
                &[
                    ("email", Some(a.email.clone()), Some(email.clone())),
                    ("mobile", a.mobile.clone(), mobile.clone()),
                ],
            )
            .await?;
        }
        self.end_sessions(tx, &a.id, Some(keep), "identifiers_changed")
            .await?;
        void_open_links(tx, &a.id, now).await?;
        // Both old channels hear of any change, so a change of either is
        // seen by the holder on the other.
        notify_old(
            tx,
            now,
            Some(&a.id),
            a.voice(),
            Some(&a.email),
            a.mobile.as_deref(),
        )
        .await?;
        audit_account(
            tx,
            ctx,
            now,
            Some(a),
            AuditAction::Update,
            AuditOutcome::Allowed,
            Some(reason),
        )
        .await?;
        Ok(ChangeDone::Changed)
    }

    /// Checks that the holder is at the keyboard: the current password,
    /// and the current app code when an app is linked. Wrong answers count
    /// toward the account's pause like wrong logins.
    pub(super) async fn reauthenticate(
        &self,
        a: &AccountRow,
        r: Reauth<'_>,
        ctx: &Ctx,
    ) -> Result<ReauthOutcome> {
        let now = self.now();
        if let Some(until) = a.paused_until.filter(|u| *u > now) {
            // The same work as a check, then the same answer.
            self.hasher().verify(r.password, None).await;
            return Ok(ReauthOutcome::Paused { until });
        }
        let ok = r.password.chars().count() <= crate::passwords::MAX_CHARS
            && self
                .hasher()
                .verify(r.password, a.password_hash.as_deref())
                .await;
        if !ok {
            return Ok(
                match self.count_failure(a, ctx, "wrong_current_password").await? {
                    Some(until) => ReauthOutcome::Paused { until },
                    None => ReauthOutcome::WrongPassword,
                },
            );
        }
        if let Some(secret) = &a.totp_secret {
            let code = r.app_code.trim();
            let step = crate::totp::matching_step(secret, code, now)
                .filter(|s| a.totp_last_step.is_none_or(|last| *s > last));
            let used = match step {
                Some(step) => crate::sql::query(
                    "UPDATE account SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(&a.id)
                .execute(self.db())
                .await?
                .rows_affected()
                    == 1,
                None => false,
            };
            if !used {
                return Ok(match self.count_failure(a, ctx, "wrong_totp").await? {
                    Some(until) => ReauthOutcome::Paused { until },
                    None => ReauthOutcome::WrongAppCode,
                });
            }
        }
        Ok(ReauthOutcome::Ok)
    }

    /// "Mijn account": the holder starts changing their e-mail address or
    /// mobile number. After re-authentication a code goes to the new
    /// address or number; [`Services::confirm_own_change`] finishes it.
    pub async fn start_own_change(
        &self,
        session_token: &str,
        new: NewIdentifier,
        reauth: Reauth<'_>,
        source: Option<&str>,
    ) -> Result<OwnChangeStart> {
        let a = self.active_account(session_token).await?;
        let unchanged = match &new {
            NewIdentifier::Email(e) => e.as_str() == a.email,
            NewIdentifier::Mobile(m) => a.mobile.as_deref() == Some(m.as_str()),
        };
        if unchanged {
            return Ok(OwnChangeStart::Unchanged);
        }
        if a.kind == AccountKind::Staff && matches!(new, NewIdentifier::Email(_)) {
            return Ok(OwnChangeStart::ManagedByOrganisation);
        }
        let ctx = account_ctx(&a, source);
        match self.reauthenticate(&a, reauth, &ctx).await? {
            ReauthOutcome::Ok => {}
            other => return Ok(OwnChangeStart::Refused(other)),
        }
        let now = self.now();
        let code = six_digits()?;
        let id = new_id();
        let mut tx = self.db().begin().await?;
        crate::sql::query(
            "UPDATE identifier_change SET decided_at = $2, decision = 'cancelled' \
             WHERE account_id = $1 AND origin = 'holder' AND decided_at IS NULL",
        )
        .bind(&a.id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let (new_email, new_mobile) = match &new {
            NewIdentifier::Email(e) => (Some(e.as_str()), None),
            NewIdentifier::Mobile(m) => (None, Some(m.as_str())),
        };
        crate::sql::query(
            "INSERT INTO identifier_change (id, account_id, origin, new_email, new_mobile, requested_by, requested_at, \
             expires_at, secret_hash) VALUES ($1, $2, 'holder', $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&a.id)
        .bind(new_email)
        .bind(new_mobile)
        .bind(format!("account:{}", a.id))
        .bind(ts(now))
        .bind(ts(now + OWN_CHANGE_VALID))
        .bind(sha(&format!("{id}:{code}")))
        .execute(&mut *tx)
        .await?;
        let minutes = OWN_CHANGE_VALID.num_minutes();
        match &new {
            NewIdentifier::Email(e) => {
                let (subject, body) = crate::texts::confirm_code_mail(a.voice(), &code, minutes);
                queue(
                    &mut tx,
                    now,
                    NewMessage {
                        channel: Channel::Email,
                        recipient: e.as_str(),
                        subject: Some(&subject),
                        body: &body,
                        purpose: "confirm_address",
                        account_id: Some(&a.id),
                    },
                )
                .await?;
            }
            NewIdentifier::Mobile(m) => {
                let body = crate::texts::confirm_code_sms(a.voice(), &code, minutes);
                queue(
                    &mut tx,
                    now,
                    NewMessage {
                        channel: Channel::Sms,
                        recipient: m.as_str(),
                        subject: None,
                        body: &body,
                        purpose: "confirm_number",
                        account_id: Some(&a.id),
                    },
                )
                .await?;
            }
        }
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&a),
            AuditAction::Update,
            AuditOutcome::Allowed,
            Some("identifier_change_started"),
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(OwnChangeStart::CodeSent)
    }

    /// The holder's own change waiting for its code, if any.
    pub async fn own_change(&self, session_token: &str) -> Result<Option<OwnChangeView>> {
        let a = self.active_account(session_token).await?;
        let r = crate::sql::query(
            "SELECT new_email, new_mobile, expires_at FROM identifier_change WHERE account_id = $1 \
             AND origin = 'holder' AND decided_at IS NULL AND expires_at > $2 ORDER BY requested_at DESC LIMIT 1",
        )
        .bind(&a.id)
        .bind(ts(self.now()))
        .fetch_optional(self.db())
        .await?;
        r.map(|r| {
            Ok(OwnChangeView {
                new_email: os(&r, "new_email")?,
                new_mobile: os(&r, "new_mobile")?,
                expires_at: t(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    /// Finishes the holder's own change with the code sent to the new
    /// address or number.
    pub async fn confirm_own_change(
        &self,
        session_token: &str,
        code: &str,
        source: Option<&str>,
    ) -> Result<ChangeDone> {
        let a = self.active_account(session_token).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "SELECT id, new_email, new_mobile, secret_hash FROM identifier_change WHERE account_id = $1 \
             AND origin = 'holder' AND decided_at IS NULL AND expires_at > $2 ORDER BY requested_at DESC LIMIT 1",
        )
        .bind(&a.id)
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(r) = r else {
            return Ok(ChangeDone::NothingWaiting);
        };
        let id = s(&r, "id")?;
        let code = code.trim();
        let well_formed = code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit());
        if !well_formed || sha(&format!("{id}:{code}")) != s(&r, "secret_hash")? {
            // Counted in the statement itself, so wrong codes sent at the
            // same time cannot undercount.
            let attempts: i64 = crate::sql::query(
                "UPDATE identifier_change SET attempts = attempts + 1, \
                 decided_at = CASE WHEN attempts + 1 >= $2 THEN $3 ELSE NULL END, \
                 decision = CASE WHEN attempts + 1 >= $2 THEN 'cancelled' ELSE NULL END \
                 WHERE id = $1 AND decided_at IS NULL RETURNING attempts",
            )
            .bind(&id)
            .bind(OWN_CHANGE_TRIES)
            .bind(ts(now))
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| crate::row::i(&r, "attempts"))
            .transpose()?
            .unwrap_or(OWN_CHANGE_TRIES);
            audit_account(
                &mut tx,
                &account_ctx(&a, source),
                now,
                Some(&a),
                AuditAction::Update,
                AuditOutcome::Denied,
                Some("wrong_confirmation_code"),
            )
            .await?;
            tx.commit().await?;
            return Ok(if attempts >= OWN_CHANGE_TRIES {
                ChangeDone::NothingWaiting
            } else {
                ChangeDone::WrongCode
            });
        }
        let done = self
            .apply_identifier_change(
                &mut tx,
                &a,
                os(&r, "new_email")?.as_deref(),
                os(&r, "new_mobile")?.as_deref(),
                session_token,
                &account_ctx(&a, source),
                "identifiers_changed_by_holder",
            )
            .await?;
        if done == ChangeDone::Changed {
            crate::sql::query(
                "UPDATE identifier_change SET decided_at = $2, decision = 'confirmed' WHERE id = $1",
            )
            .bind(&id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            self.wake_jobs();
        }
        Ok(done)
    }

    /// A change staff asked for, for its holder (signed in) to look at.
    /// Anyone else, or a used or expired link, gets `NotFound`.
    pub async fn staff_change_for_holder(
        &self,
        session_token: &str,
        link_token: &str,
    ) -> Result<StaffChangeView> {
        let a = self.active_account(session_token).await?;
        let r = self.waiting_staff_change(&a, link_token).await?;
        Ok(StaffChangeView {
            new_email: os(&r, "new_email")?,
            new_mobile: os(&r, "new_mobile")?,
            organisation_name: s(&r, "org_name")?,
            requested_at: t(&r, "requested_at")?,
            expires_at: t(&r, "expires_at")?,
        })
    }

    async fn waiting_staff_change(
        &self,
        a: &AccountRow,
        link_token: &str,
    ) -> Result<crate::sql::Row> {
        if link_token.len() != 64 || !link_token.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(ServiceError::NotFound);
        }
        let r = crate::sql::query(
            "SELECT x.id, x.account_id, x.new_email, x.new_mobile, x.requested_at, x.expires_at, o.name AS org_name \
             FROM identifier_change x JOIN account a ON a.id = x.account_id \
             LEFT JOIN client c ON c.id = x.client_id \
             JOIN organisation o ON o.id = COALESCE(c.organisation_id, a.organisation_id) \
             WHERE x.secret_hash = $1 AND x.origin = 'staff' AND x.decided_at IS NULL AND x.expires_at > $2",
        )
        .bind(sha(link_token))
        .bind(ts(self.now()))
        .fetch_optional(self.db())
        .await?
        .ok_or(ServiceError::NotFound)?;
        if !holder_only(&a.id, &s(&r, "account_id")?) {
            return Err(ServiceError::NotFound);
        }
        Ok(r)
    }

    /// The holder confirms (or declines) the change staff asked for.
    pub async fn decide_staff_change(
        &self,
        session_token: &str,
        link_token: &str,
        accept: bool,
        source: Option<&str>,
    ) -> Result<ChangeDone> {
        let a = self.active_account(session_token).await?;
        let ctx = account_ctx(&a, source);
        let r = match self.waiting_staff_change(&a, link_token).await {
            Ok(r) => r,
            Err(ServiceError::NotFound) => return Ok(ChangeDone::NothingWaiting),
            Err(e) => return Err(e),
        };
        let id = s(&r, "id")?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let taken = crate::sql::query(
            "UPDATE identifier_change SET decided_at = $2, decision = $3 WHERE id = $1 AND decided_at IS NULL",
        )
        .bind(&id)
        .bind(ts(now))
        .bind(if accept { "confirmed" } else { "declined" })
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Ok(ChangeDone::NothingWaiting);
        }
        if !accept {
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&a),
                AuditAction::Update,
                AuditOutcome::Allowed,
                Some("identifier_change_declined"),
            )
            .await?;
            tx.commit().await?;
            return Ok(ChangeDone::NothingWaiting);
        }
        let done = self
            .apply_identifier_change(
                &mut tx,
                &a,
                os(&r, "new_email")?.as_deref(),
                os(&r, "new_mobile")?.as_deref(),
                session_token,
                &ctx,
                "identifiers_changed_confirmed",
            )
            .await?;
        if done == ChangeDone::Changed {
            tx.commit().await?;
            self.wake_jobs();
        }
        Ok(done)
    }

    /// Staff's side (Network write, gate passed): asks the holder of
    /// `account` to confirm new details through a link to the old address.
    async fn request_staff_change(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        a: &AccountRow,
        (client, organisation): (&str, &str),
        new_email: Option<&str>,
        new_mobile: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        crate::sql::query(
            "UPDATE identifier_change SET decided_at = $2, decision = 'cancelled' \
             WHERE account_id = $1 AND origin = 'staff' AND decided_at IS NULL",
        )
        .bind(&a.id)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
        let token = random_token()?;
        let expires_at = now + self.settings().invite_valid;
        let (kind, who) = ctx.principal.audit_actor();
        crate::sql::query(
            "INSERT INTO identifier_change (id, account_id, origin, new_email, new_mobile, requested_by, requested_at, \
             expires_at, secret_hash, client_id) VALUES ($1, $2, 'staff', $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(&a.id)
        .bind(new_email)
        .bind(new_mobile)
        .bind(format!("{kind}:{who}"))
        .bind(ts(now))
        .bind(ts(expires_at))
        .bind(sha(&token))
        .bind(client)
        .execute(&mut **tx)
        .await?;
        let link = format!(
            "{}/mijn-account/wijziging?token={token}",
            self.settings().public_base_url.trim_end_matches('/')
        );
        let mail = crate::texts::staff_change_request(
            a.voice(),
            organisation,
            new_email,
            new_mobile,
            &link,
            &display_datetime(expires_at),
        );
        super::mail_holder(tx, now, a, mail, "identifier_change_request").await?;
        Ok(())
    }

    /// Staff change an account nobody holds yet (policy: `Direct`). The
    /// account takes the new details when it can (a free address, a
    /// number); otherwise the row lets go of it, and the next invitation
    /// finds the address's own way (a new account, or a link for its
    /// holder). Either way the invitation link stops working, and the
    /// answer to staff is the same: the page does not tell whether the
    /// address has an account elsewhere.
    async fn change_unheld_account(
        &self,
        tx: &mut Tx,
        a: &AccountRow,
        row: Option<&inzage_core::ids::ContactPersonId>,
        new_email: Option<&str>,
        new_mobile: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        void_open_links(tx, &a.id, now).await?;
        let keep = match (new_email, new_mobile) {
            (Some(e), Some(_)) => self.email_free(tx, e, &a.id).await?,
            _ => false,
        };
        let done = if keep {
            crate::sql::query(
                "UPDATE account SET email = $2, mobile = $3 WHERE id = $1 AND password_hash IS NULL",
            )
            .bind(&a.id)
            .bind(new_email)
            .bind(new_mobile)
            .execute(&mut **tx)
            .await?
        } else {
            match row {
                Some(cp) => crate::sql::query(
                    "UPDATE contact_person SET account_id = NULL WHERE id = $2 AND account_id = $1 \
                     AND EXISTS (SELECT 1 FROM account x WHERE x.id = $1 AND x.password_hash IS NULL)",
                )
                .bind(&a.id)
                .bind(cp.as_str()),
                None => crate::sql::query(
                    "UPDATE account SET subject_id = NULL WHERE id = $1 AND password_hash IS NULL",
                )
                .bind(&a.id),
            }
            .execute(&mut **tx)
            .await?
        };
        if done.rows_affected() != 1 {
            // The holder set a password meanwhile: ask again, as for an
            // account in use.
            return Err(ServiceError::Stale);
        }
        Ok(())
    }
}

impl Services {
    /// Staff (Network write) change the e-mail address and mobile number
    /// of the client or one of their contact persons. A row without an
    /// account, or with one nobody holds yet, changes now; an account in
    /// use changes only when its holder confirms (ADR 0013), and until
    /// then the row keeps its details.
    pub async fn change_contact_details(
        &self,
        ctx: &Ctx,
        client: &inzage_core::ids::ClientId,
        who: Option<&inzage_core::ids::ContactPersonId>,
        email: Option<Email>,
        mobile: Option<MobileNumber>,
    ) -> Result<DetailsChange> {
        use inzage_core::model::DossierPart;
        let a = crate::access::Attempt {
            part: DossierPart::Network,
            access: inzage_core::policy::Access::Write,
            action: AuditAction::Update,
            data_kind: "contact_details",
            data_id: who.map(inzage_core::ids::ContactPersonId::as_str),
            hide_denial: false,
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let Some(applied) = self
            .apply_contact_details(&mut tx, ctx, client, who, email, mobile)
            .await?
        else {
            return Err(ServiceError::Stale);
        };
        if who.is_none() && applied.outcome == DetailsChange::Changed {
            crate::clients::record_contact_change(&mut tx, ctx, self.now(), client, &applied)
                .await?;
        }
        crate::clients::auto_invite_if_due(&mut tx, self.now(), client).await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, None)
            .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(applied.outcome)
    }

    /// The change of contact details itself, inside the caller's
    /// transaction after its gate (Network write) allowed it. `None` when
    /// nothing changes.
    pub(crate) async fn apply_contact_details(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        client: &inzage_core::ids::ClientId,
        who: Option<&inzage_core::ids::ContactPersonId>,
        email: Option<Email>,
        mobile: Option<MobileNumber>,
    ) -> Result<Option<AppliedDetails>> {
        use inzage_core::policy::accounts::{staff_identifier_change, AccountFacts, ChangePath};
        let (account_id, _, old_email, old_mobile) = self.access_subject(tx, client, who).await?;
        let new_email = email.as_ref().map(|e| e.as_str().to_owned());
        let new_mobile = mobile.as_ref().map(|m| m.as_str().to_owned());
        if new_email == old_email && new_mobile == old_mobile {
            return Ok(None);
        }
        let account = match &account_id {
            Some(id) => Some(self.account_by_id(tx, id).await?),
            None => None,
        };
        let facts = match &account {
            Some(acct) => {
                let rows = match acct.kind {
                    AccountKind::ContactPerson => crate::row::i(
                        &crate::sql::query(
                            "SELECT COUNT(*) AS n FROM contact_person WHERE account_id = $1",
                        )
                        .bind(&acct.id)
                        .fetch_one(&mut **tx)
                        .await?,
                        "n",
                    )?,
                    _ => 1,
                };
                Some(AccountFacts {
                    kind: acct.kind,
                    has_password: acct.password_hash.is_some(),
                    linked_rows: u32::try_from(rows).unwrap_or(u32::MAX),
                })
            }
            None => None,
        };
        let outcome = match (staff_identifier_change(facts.as_ref()), &account) {
            (ChangePath::HolderConfirms, Some(acct)) => {
                // The holder signs in with an address and gets codes on a
                // number: neither can be taken away, only replaced.
                if new_email.is_none() || (new_mobile.is_none() && acct.mobile.is_some()) {
                    return Err(inzage_core::types::FieldError::new(
                        "email",
                        "an account in use needs an e-mail address and a mobile number",
                    )
                    .into());
                }
                // The message names the organisation that asks: this
                // client's, which may not be the account's.
                let organisation: String = crate::sql::query(
                    "SELECT o.name FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1",
                )
                .bind(client.as_str())
                .fetch_one(&mut **tx)
                .await?
                .try_get("name")?;
                self.request_staff_change(
                    tx,
                    ctx,
                    acct,
                    (client.as_str(), &organisation),
                    new_email.as_deref().filter(|e| *e != acct.email),
                    new_mobile
                        .as_deref()
                        .filter(|m| Some(*m) != acct.mobile.as_deref()),
                )
                .await?;
                DetailsChange::AwaitingHolder
            }
            (_, account) => {
                match who {
                    None => {
                        crate::sql::query("UPDATE client SET email = $2, mobile = $3 WHERE id = $1")
                            .bind(client.as_str())
                    }
                    Some(cp) => crate::sql::query(
                        "UPDATE contact_person SET email = $2, mobile = $3 WHERE id = $1",
                    )
                    .bind(cp.as_str()),
                }
                .bind(&new_email)
                .bind(&new_mobile)
                .execute(&mut **tx)
                .await?;
                if let Some(cp) = who {
                    if new_email != old_email {
                        // A link asked of the old address's holder no longer fits.
                        super::links::withdraw_links(tx, self.now(), cp.as_str()).await?;
                    }
                }
                if let Some(acct) = account {
                    self.change_unheld_account(
                        tx,
                        acct,
                        who,
                        new_email.as_deref(),
                        new_mobile.as_deref(),
                    )
                    .await?;
                    notify_old(
                        tx,
                        self.now(),
                        Some(&acct.id),
                        acct.voice(),
                        Some(&acct.email),
                        acct.mobile.as_deref(),
                    )
                    .await?;
                }
                DetailsChange::Changed
            }
        };
        Ok(Some(AppliedDetails {
            outcome,
            old_email,
            old_mobile,
            new_email,
            new_mobile,
        }))
    }
}

/// What "Mijn account" shows of the account.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MyAccount {
    pub email: String,
    pub mobile: Option<String>,
    pub has_totp: bool,
    /// The holder's own change waiting for its code.
    pub own_change: Option<OwnChangeView>,
}

impl Services {
    /// The signed-in holder's own account, for "Mijn account".
    pub async fn my_account(&self, session_token: &str) -> Result<MyAccount> {
        let a = self.active_account(session_token).await?;
        Ok(MyAccount {
            own_change: self.own_change(session_token).await?,
            email: a.email,
            mobile: a.mobile,
            has_totp: a.totp_secret.is_some(),
        })
    }
}
