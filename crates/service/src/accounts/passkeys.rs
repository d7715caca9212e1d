//! Passkeys (WebAuthn; issue 17, ADR 0029). The holder adds one in "Mijn
//! account" (after re-authentication) and then uses it instead of the SMS
//! or app code; a passkey the holder marked "instead of the password too"
//! signs in on its own, found by the browser without an address. Every
//! passkey requires user verification (PIN, fingerprint, face), so it is
//! two factors by itself: something you have, and something you know or
//! are. Removing one needs re-authentication; adding and removing tell
//! the holder by e-mail and end every other session.
//!
//! The checks of a ceremony are webauthn-rs's (origin, relying party,
//! challenge, signature, user verification, signature counter); the
//! challenge state is kept here, server side, bound to its session, for
//! five minutes and used once.
use super::identifiers::{Reauth, ReauthOutcome};
use super::{
    account_ctx, anonymous, audit_account, end_half_session, mail_holder, random_token, sha,
    AccessEnd, SecondStepOutcome, SessionOpening, ACCOUNT_COLS_A,
};
use crate::error::{Result, ServiceError};
use crate::row::{b, os, ot, s, t};
use crate::{new_id, Ctx, Services};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use inzage_core::model::{AuditAction, AuditOutcome};
use inzage_core::types::{ts, FieldError};
use serde::Serialize;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder, WebauthnError,
};

/// How long a ceremony may take (the browser is told the same).
pub const CEREMONY_VALID: Duration = Duration::minutes(5);
/// Passkeys per account at most.
pub const MAX_PASSKEYS: usize = 10;
/// The longest name of a passkey, in characters.
pub const MAX_NAME: usize = 60;
/// The longest answer of a browser we read (a credential is ~1–2 KiB).
pub const MAX_RESPONSE: usize = 64 * 1024;

/// A passkey of the holder, for "Mijn account".
#[derive(Clone, Debug, Serialize)]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub instead_of_password: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A ceremony begun: the token for the page's form, and the options for
/// the browser's `navigator.credentials` (JSON).
#[derive(Clone, Debug)]
pub struct Ceremony {
    pub token: String,
    pub options: String,
}

/// Starting to add a passkey.
#[derive(Clone, Debug)]
pub enum PasskeyAdd {
    Started(Ceremony),
    Refused(ReauthOutcome),
    /// [`MAX_PASSKEYS`] already.
    TooMany,
    /// Passkeys cannot work at this installation's address (an IP address
    /// other than loopback): see ADR 0029.
    NotHere,
}

/// Finishing adding a passkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyAdded {
    Added,
    /// The browser's answer did not check out (or was cancelled).
    Failed,
    /// This passkey is added already (to this or another account).
    Known,
    /// [`MAX_PASSKEYS`] already (added meanwhile in another session).
    TooMany,
    /// No such ceremony (used, expired, another session's).
    Expired,
}

/// Removing a passkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyRemoval {
    Removed,
    NotFound,
    Refused(ReauthOutcome),
}

/// Signing in with a passkey alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasskeySignIn {
    SignedIn {
        session_token: String,
    },
    /// Not a passkey of any account here, or its answer did not check out.
    Rejected,
    /// No such ceremony (used or expired): start again.
    Expired,
    /// The holder's passkey, but one they did not choose for signing in
    /// without the password: password first, then this passkey.
    OnlySecondStep,
    /// Wrong answers for this passkey paused its account (a pause from
    /// wrong passwords does not stop a right passkey).
    Paused {
        until: DateTime<Utc>,
    },
    AccessEnded(AccessEnd),
}

/// The relying party of `public_base_url`: its host name and origin. A
/// loopback IP address (development) becomes `localhost` with the same
/// port: WebAuthn takes no IP address as relying party. Any other IP
/// address: none (no passkeys).
pub fn relying_party(public_base_url: &str) -> Option<(String, Url)> {
    let u = Url::parse(public_base_url).ok()?;
    let host = u.host_str()?.trim_start_matches('[').trim_end_matches(']');
    let rp = match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_loopback() => "localhost".to_owned(),
        Ok(_) => return None,
        Err(_) => host.to_ascii_lowercase(),
    };
    let origin = match u.port() {
        Some(p) => format!("{}://{rp}:{p}", u.scheme()),
        None => format!("{}://{rp}", u.scheme()),
    };
    Some((rp, Url::parse(&origin).ok()?))
}

/// The signature counter a stored passkey has seen (webauthn-rs keeps it
/// inside; its JSON shows it).
fn stored_counter(key: &Passkey) -> u32 {
    serde_json::to_value(key)
        .ok()
        .and_then(|v| v["cred"]["counter"].as_u64())
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0)
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn internal(what: &str) -> impl Fn(webauthn_rs::prelude::WebauthnError) -> ServiceError + '_ {
    move |e| ServiceError::Internal(format!("webauthn {what}: {e}"))
}

fn json_err(e: serde_json::Error) -> ServiceError {
    ServiceError::Internal(format!("passkey state: {e}"))
}

/// The holder's name for a passkey: trimmed, 1 to [`MAX_NAME`] characters,
/// no control characters.
pub fn passkey_name(raw: &str) -> std::result::Result<String, FieldError> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(FieldError::new("name", "name is empty"));
    }
    if n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            "name is too long or has control characters",
        ));
    }
    Ok(n.to_owned())
}

/// A ceremony taken from the table (once).
struct Taken {
    account_id: Option<String>,
    session_hash: Option<String>,
    state: String,
    name: Option<String>,
    instead_of_password: bool,
}

/// What became of a passkey's use ([`Services::passkey_used`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    Recorded,
    /// Removed or changed meanwhile.
    Gone,
    /// Its signature counter did not move on: a copy may be in use.
    Copied,
}

/// A stored passkey of an account.
struct Stored {
    id: String,
    key: Passkey,
}

impl Services {
    /// The relying party's origin (`https://portaal.example.nl`), where
    /// passkeys work; `None` when they cannot here.
    pub fn passkey_origin(&self) -> Option<Url> {
        relying_party(&self.settings().public_base_url).map(|(_, o)| o)
    }

    fn webauthn(&self) -> Option<Webauthn> {
        let (rp, origin) = relying_party(&self.settings().public_base_url)?;
        WebauthnBuilder::new(&rp, &origin)
            .ok()?
            .rp_name("Inzage")
            .timeout(std::time::Duration::from_secs(
                u64::try_from(CEREMONY_VALID.num_seconds()).unwrap_or(300),
            ))
            .build()
            .ok()
    }

    async fn stored_passkeys(&self, account_id: &str) -> Result<Vec<Stored>> {
        let rows = crate::sql::query(
            "SELECT id, credential FROM passkey WHERE account_id = $1 ORDER BY created_at, id",
        )
        .bind(account_id)
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Stored {
                    id: s(r, "id")?,
                    key: serde_json::from_str(&s(r, "credential")?).map_err(json_err)?,
                })
            })
            .collect()
    }

    /// The holder's passkeys, for "Mijn account".
    pub async fn my_passkeys(&self, session_token: &str) -> Result<Vec<PasskeySummary>> {
        let a = self.active_account(session_token).await?;
        let rows = crate::sql::query(
            "SELECT id, name, instead_of_password, created_at, last_used_at FROM passkey \
             WHERE account_id = $1 ORDER BY created_at, id",
        )
        .bind(&a.id)
        .fetch_all(self.db())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PasskeySummary {
                    id: s(r, "id")?,
                    name: s(r, "name")?,
                    instead_of_password: b(r, "instead_of_password")?,
                    created_at: t(r, "created_at")?,
                    last_used_at: ot(r, "last_used_at")?,
                })
            })
            .collect()
    }

    /// Keeps a ceremony's `state` (for `account_id` and the session with
    /// `session_hash`, when it has them); a session's earlier ceremony of
    /// the same kind ends (one at a time). Returns the token for the form
    /// with the browser's `options`.
    #[allow(clippy::too_many_arguments)]
    async fn keep_ceremony(
        &self,
        purpose: &str,
        account_id: Option<&str>,
        session_hash: Option<&str>,
        state: &impl Serialize,
        options: &impl Serialize,
        name: Option<&str>,
        instead_of_password: bool,
    ) -> Result<Ceremony> {
        let state = serde_json::to_string(state).map_err(json_err)?;
        let options = serde_json::to_string(options).map_err(json_err)?;
        let now = self.now();
        let token = random_token()?;
        let mut tx = self.db().begin().await?;
        if let Some(h) = session_hash {
            crate::sql::query(
                "DELETE FROM passkey_ceremony WHERE session_hash = $1 AND purpose = $2",
            )
            .bind(h)
            .bind(purpose)
            .execute(&mut *tx)
            .await?;
        }
        crate::sql::query(
            "INSERT INTO passkey_ceremony (id_hash, purpose, account_id, session_hash, state, name, \
             instead_of_password, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(sha(&token))
        .bind(purpose)
        .bind(account_id)
        .bind(session_hash)
        .bind(state)
        .bind(name)
        .bind(i64::from(instead_of_password))
        .bind(ts(now))
        .bind(ts(now + CEREMONY_VALID))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ceremony { token, options })
    }

    /// Takes a ceremony of `purpose` (once): `None` when unknown or expired.
    async fn take_ceremony(&self, token: &str, purpose: &str) -> Result<Option<Taken>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "DELETE FROM passkey_ceremony WHERE id_hash = $1 AND purpose = $2 \
             RETURNING account_id, session_hash, state, name, instead_of_password, expires_at",
        )
        .bind(sha(token))
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(r) = r else { return Ok(None) };
        if t(&r, "expires_at")? <= self.now() {
            return Ok(None);
        }
        Ok(Some(Taken {
            account_id: os(&r, "account_id")?,
            session_hash: os(&r, "session_hash")?,
            state: s(&r, "state")?,
            name: os(&r, "name")?,
            instead_of_password: b(&r, "instead_of_password")?,
        }))
    }

    /// A ceremony token came from another session than its own: refused
    /// by the caller, recorded here (someone may be replaying a page).
    async fn ceremony_of_another(&self, a: &super::AccountRow, source: Option<&str>) -> Result<()> {
        let mut tx = self.db().begin().await?;
        audit_account(
            &mut tx,
            &account_ctx(a, source),
            self.now(),
            Some(a),
            AuditAction::Login,
            AuditOutcome::Denied,
            Some("passkey_ceremony_of_another_session"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's WebAuthn user handle, made at its first passkey.
    async fn passkey_user(&self, account_id: &str) -> Result<Uuid> {
        let mut tx = self.db().begin().await?;
        crate::sql::query(
            "UPDATE account SET passkey_user = $1 WHERE id = $2 AND passkey_user IS NULL",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let r = crate::sql::query("SELECT passkey_user FROM account WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Uuid::parse_str(&s(&r, "passkey_user")?)
            .map_err(|e| ServiceError::Internal(format!("passkey user: {e}")))
    }

    /// "Mijn account": starts adding a passkey named `name`, after
    /// re-authentication (the current password, and the app code when an
    /// app is linked). `instead_of_password`: the holder may sign in with
    /// it alone; the browser is then asked for a passkey it can find
    /// without an address (a discoverable credential).
    pub async fn begin_passkey_registration(
        &self,
        session_token: &str,
        name: &str,
        instead_of_password: bool,
        reauth: Reauth<'_>,
        source: Option<&str>,
    ) -> Result<PasskeyAdd> {
        let Some(wa) = self.webauthn() else {
            return Ok(PasskeyAdd::NotHere);
        };
        let name = passkey_name(name)?;
        let a = self.active_account(session_token).await?;
        let existing = self.stored_passkeys(&a.id).await?;
        if existing.len() >= MAX_PASSKEYS {
            return Ok(PasskeyAdd::TooMany);
        }
        let ctx = account_ctx(&a, source);
        match self.reauthenticate(&a, reauth, &ctx).await? {
            ReauthOutcome::Ok => {}
            other => return Ok(PasskeyAdd::Refused(other)),
        }
        let user = self.passkey_user(&a.id).await?;
        let exclude = existing.iter().map(|p| p.key.cred_id().clone()).collect();
        let (ccr, state) = wa
            .start_passkey_registration(user, &a.email, &a.email, Some(exclude))
            .map_err(internal("registration"))?;
        let mut options = serde_json::to_value(&ccr).map_err(json_err)?;
        if let Some(sel) = options
            .get_mut("publicKey")
            .and_then(|p| p.get_mut("authenticatorSelection"))
            .and_then(|s| s.as_object_mut())
        {
            sel.insert(
                "residentKey".into(),
                (if instead_of_password {
                    "required"
                } else {
                    "preferred"
                })
                .into(),
            );
            sel.insert("requireResidentKey".into(), instead_of_password.into());
        }
        Ok(PasskeyAdd::Started(
            self.keep_ceremony(
                "register",
                Some(&a.id),
                Some(&sha(session_token)),
                &state,
                &options,
                Some(&name),
                instead_of_password,
            )
            .await?,
        ))
    }

    /// Finishes adding a passkey with the browser's answer (JSON).
    pub async fn finish_passkey_registration(
        &self,
        session_token: &str,
        ceremony: &str,
        response: &str,
        source: Option<&str>,
    ) -> Result<PasskeyAdded> {
        let a = self.active_account(session_token).await?;
        let (Some(wa), Some(c)) = (
            self.webauthn(),
            self.take_ceremony(ceremony, "register").await?,
        ) else {
            return Ok(PasskeyAdded::Expired);
        };
        if c.account_id.as_deref() != Some(a.id.as_str())
            || c.session_hash.as_deref() != Some(sha(session_token).as_str())
        {
            self.ceremony_of_another(&a, source).await?;
            return Ok(PasskeyAdded::Expired);
        }
        let ctx = account_ctx(&a, source);
        let now = self.now();
        let state: PasskeyRegistration = serde_json::from_str(&c.state).map_err(json_err)?;
        let key = (response.len() <= MAX_RESPONSE)
            .then(|| serde_json::from_str::<RegisterPublicKeyCredential>(response).ok())
            .flatten()
            .and_then(|reg| wa.finish_passkey_registration(&reg, &state).ok());
        let mut tx = self.db().begin().await?;
        let Some(key) = key else {
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&a),
                AuditAction::Update,
                AuditOutcome::Denied,
                Some("passkey_not_added"),
            )
            .await?;
            tx.commit().await?;
            return Ok(PasskeyAdded::Failed);
        };
        let credential_id = b64url(key.cred_id().as_ref());
        let count: i64 =
            crate::sql::query("SELECT COUNT(*) AS n FROM passkey WHERE account_id = $1")
                .bind(&a.id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if count >= MAX_PASSKEYS as i64 {
            tx.rollback().await?;
            return Ok(PasskeyAdded::TooMany);
        }
        // Once per credential, in any account: a second (or a racing)
        // registration of it adds nothing.
        let inserted = crate::sql::query(
            "INSERT INTO passkey (id, account_id, credential_id, credential, name, instead_of_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(&a.id)
        .bind(&credential_id)
        .bind(serde_json::to_string(&key).map_err(json_err)?)
        .bind(c.name.as_deref().unwrap_or_default())
        .bind(i64::from(c.instead_of_password))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted != 1 {
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&a),
                AuditAction::Update,
                AuditOutcome::Denied,
                Some("passkey_known"),
            )
            .await?;
            tx.commit().await?;
            return Ok(PasskeyAdded::Known);
        }
        let mail = crate::texts::passkey_changed(
            a.voice(),
            true,
            c.name.as_deref().unwrap_or_default(),
            c.instead_of_password,
        );
        let reason = if c.instead_of_password {
            "passkey_added_instead_of_password"
        } else {
            "passkey_added"
        };
        self.sign_in_changed(
            &mut tx,
            &a,
            &ctx,
            session_token,
            mail,
            "passkey_changed",
            reason,
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(PasskeyAdded::Added)
    }

    /// Removes one of the holder's passkeys, after re-authentication.
    pub async fn remove_passkey(
        &self,
        session_token: &str,
        passkey_id: &str,
        reauth: Reauth<'_>,
        source: Option<&str>,
    ) -> Result<PasskeyRemoval> {
        let a = self.active_account(session_token).await?;
        if !self
            .stored_passkeys(&a.id)
            .await?
            .iter()
            .any(|p| p.id == passkey_id)
        {
            return Ok(PasskeyRemoval::NotFound);
        }
        let ctx = account_ctx(&a, source);
        match self.reauthenticate(&a, reauth, &ctx).await? {
            ReauthOutcome::Ok => {}
            other => return Ok(PasskeyRemoval::Refused(other)),
        }
        let mut tx = self.db().begin().await?;
        let gone = crate::sql::query(
            "DELETE FROM passkey WHERE id = $1 AND account_id = $2 RETURNING name",
        )
        .bind(passkey_id)
        .bind(&a.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(gone) = gone else {
            tx.rollback().await?;
            return Ok(PasskeyRemoval::NotFound);
        };
        let name = s(&gone, "name")?;
        let mail = crate::texts::passkey_changed(a.voice(), false, &name, false);
        self.sign_in_changed(
            &mut tx,
            &a,
            &ctx,
            session_token,
            mail,
            "passkey_changed",
            "passkey_removed",
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(PasskeyRemoval::Removed)
    }

    /// The second step with a passkey: a ceremony for the half-signed-in
    /// session, over the account's passkeys; `None` when it has none (or
    /// passkeys cannot work here).
    pub async fn begin_passkey_second_step(&self, session_token: &str) -> Result<Option<Ceremony>> {
        let Some(wa) = self.webauthn() else {
            return Ok(None);
        };
        let mut tx = self.db().begin().await?;
        let pending = self.pending_session(&mut tx, session_token).await?;
        tx.rollback().await?;
        let Some((_, account)) = pending else {
            return Ok(None);
        };
        let keys: Vec<Passkey> = self
            .stored_passkeys(&account.id)
            .await?
            .into_iter()
            .map(|p| p.key)
            .collect();
        if keys.is_empty() {
            return Ok(None);
        }
        let (rcr, state) = wa
            .start_passkey_authentication(&keys)
            .map_err(internal("authentication"))?;
        self.keep_ceremony(
            "second_step",
            Some(&account.id),
            Some(&sha(session_token)),
            &state,
            &rcr,
            None,
            false,
        )
        .await
        .map(Some)
    }

    /// Finishes the second step with the browser's answer: a passkey of
    /// the account, verified by its holder. A wrong answer counts toward
    /// the account's pause like a wrong code.
    pub async fn finish_passkey_second_step(
        &self,
        session_token: &str,
        ceremony: &str,
        response: &str,
        source: Option<&str>,
    ) -> Result<SecondStepOutcome> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let pending = self.pending_session(&mut tx, session_token).await?;
        tx.rollback().await?;
        let Some((r, account)) = pending else {
            return Ok(SecondStepOutcome::CodeExpired);
        };
        if let Some(until) = account.paused_until.filter(|u| *u > now) {
            return Ok(SecondStepOutcome::Paused { until });
        }
        let (Some(wa), Some(c)) = (
            self.webauthn(),
            self.take_ceremony(ceremony, "second_step").await?,
        ) else {
            return Ok(SecondStepOutcome::CodeExpired);
        };
        if c.account_id.as_deref() != Some(account.id.as_str())
            || c.session_hash.as_deref() != Some(sha(session_token).as_str())
        {
            self.ceremony_of_another(&account, source).await?;
            return Ok(SecondStepOutcome::CodeExpired);
        }
        let ctx = account_ctx(&account, source);
        let state: PasskeyAuthentication = serde_json::from_str(&c.state).map_err(json_err)?;
        let answer = (response.len() <= MAX_RESPONSE)
            .then(|| serde_json::from_str::<PublicKeyCredential>(response).ok())
            .flatten();
        let checked = answer
            .as_ref()
            .map(|cred| wa.finish_passkey_authentication(cred, &state));
        let refused = |p: Option<DateTime<Utc>>| match p {
            Some(until) => SecondStepOutcome::Paused { until },
            None => SecondStepOutcome::Rejected,
        };
        let result = match checked {
            Some(Ok(result)) => result,
            Some(Err(WebauthnError::CredentialPossibleCompromise)) => {
                return self.passkey_copied(&account, &ctx).await.map(refused);
            }
            _ => {
                return self
                    .count_failure(&account, &ctx, "wrong_passkey")
                    .await
                    .map(refused);
            }
        };
        let mut tx = self.db().begin().await?;
        match self.passkey_used(&mut tx, &account.id, &result).await? {
            Use::Recorded => {}
            Use::Copied => {
                tx.rollback().await?;
                return self.passkey_copied(&account, &ctx).await.map(refused);
            }
            Use::Gone => {
                tx.rollback().await?;
                return self
                    .count_failure(&account, &ctx, "wrong_passkey")
                    .await
                    .map(refused);
            }
        }
        if !end_half_session(&mut tx, &s(&r, "id_hash")?, now).await? {
            return Ok(SecondStepOutcome::CodeExpired);
        }
        let token = self
            .second_step_done(&mut tx, &r, &account, &ctx, "passkey")
            .await?;
        tx.commit().await?;
        Ok(SecondStepOutcome::SignedIn {
            session_token: token,
        })
    }

    /// Records a passkey's use: its new signature counter and backup
    /// state, and when. `false` (nothing written) when the passkey is gone,
    /// changed meanwhile, or its counter did not move on past the stored
    /// one (the ceremony's copy may be minutes old: a cloned authenticator
    /// answering in between is caught here).
    async fn passkey_used(
        &self,
        tx: &mut crate::db::Tx,
        account_id: &str,
        result: &webauthn_rs::prelude::AuthenticationResult,
    ) -> Result<Use> {
        let credential_id = b64url(result.cred_id().as_ref());
        let r = crate::sql::query(
            "SELECT credential FROM passkey WHERE credential_id = $1 AND account_id = $2",
        )
        .bind(&credential_id)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(r) = r else { return Ok(Use::Gone) };
        let stored = s(&r, "credential")?;
        let mut key: Passkey = serde_json::from_str(&stored).map_err(json_err)?;
        let before = stored_counter(&key);
        if (result.counter() > 0 || before > 0) && result.counter() <= before {
            return Ok(Use::Copied);
        }
        key.update_credential(result);
        let done = crate::sql::query(
            "UPDATE passkey SET credential = $1, last_used_at = $2 \
             WHERE credential_id = $3 AND account_id = $4 AND credential = $5",
        )
        .bind(serde_json::to_string(&key).map_err(json_err)?)
        .bind(ts(self.now()))
        .bind(&credential_id)
        .bind(account_id)
        .bind(&stored)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(if done == 1 { Use::Recorded } else { Use::Gone })
    }

    /// A passkey answered with a signature counter that did not move on:
    /// a copy of it may be in use. Refused by the caller; counted toward
    /// the pause, recorded (`passkey_counter`), and the holder is told (at
    /// most once an hour). Returns the pause's end if it paused.
    async fn passkey_copied(
        &self,
        account: &super::AccountRow,
        ctx: &Ctx,
    ) -> Result<Option<DateTime<Utc>>> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let recent: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM message WHERE account_id = $1 AND purpose = 'passkey_copied' AND created_at > $2",
        )
        .bind(&account.id)
        .bind(ts(now - Duration::hours(1)))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if recent == 0 {
            let mail = crate::texts::passkey_copied(account.voice());
            mail_holder(&mut tx, now, account, mail, "passkey_copied").await?;
        }
        tx.commit().await?;
        self.wake_jobs();
        self.count_failure(account, ctx, "passkey_counter").await
    }

    /// Signing in with a passkey alone: a ceremony in which the browser
    /// finds the passkey (no address is asked). A source with many failed
    /// sign-ins waits its turn (`pacing`); `None` when its queue is full,
    /// or when passkeys cannot work here.
    pub async fn begin_passkey_sign_in(&self, source: Option<&str>) -> Result<Option<Ceremony>> {
        let Some(wa) = self.webauthn() else {
            return Ok(None);
        };
        // A source with many failures waits its turn (as a password does);
        // only a full queue is refused. Starts themselves are not counted:
        // a right passkey must not be turned away for its neighbours.
        if self.pace(source).await?.is_some() {
            return Ok(None);
        }
        let (mut rcr, state) = wa
            .start_discoverable_authentication()
            .map_err(internal("discoverable authentication"))?;
        // A button starts it, not the address field's autofill.
        rcr.mediation = None;
        self.keep_ceremony("sign_in", None, None, &state, &rcr, None, false)
            .await
            .map(Some)
    }

    /// Finishes signing in with a passkey alone. Only a passkey its holder
    /// chose for this signs in; a failed answer is counted for the source
    /// address (and, when it names a passkey, for its account) like a
    /// wrong password. A right one signs in even while wrong passwords
    /// keep the account paused.
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony: &str,
        response: &str,
        public_computer: bool,
        device: Option<&str>,
        source: Option<&str>,
    ) -> Result<PasskeySignIn> {
        // Not paced, and a pause from wrong passwords does not stop it: a
        // passkey's signature cannot be guessed, so neither a flood from a
        // shared address nor someone who keeps an address paused keeps
        // its holder out (docs/security.md, "Lockout as denial of service").
        let (Some(wa), Some(c)) = (
            self.webauthn(),
            self.take_ceremony(ceremony, "sign_in").await?,
        ) else {
            return Ok(PasskeySignIn::Expired);
        };
        let now = self.now();
        let state: DiscoverableAuthentication = serde_json::from_str(&c.state).map_err(json_err)?;
        let answer = (response.len() <= MAX_RESPONSE)
            .then(|| serde_json::from_str::<PublicKeyCredential>(response).ok())
            .flatten();
        // Whose passkey the answer names: by its credential id and the
        // account's user handle, both.
        let named = match &answer {
            Some(cred) => match wa.identify_discoverable_authentication(cred) {
                Ok((user, cred_id)) => crate::sql::query(&format!(
                    "SELECT p.credential, p.instead_of_password, {ACCOUNT_COLS_A} FROM passkey p \
                     JOIN account a ON a.id = p.account_id WHERE p.credential_id = $1 AND a.passkey_user = $2"
                ))
                .bind(b64url(cred_id))
                .bind(user.to_string())
                .fetch_optional(self.db())
                .await?,
                Err(_) => None,
            },
            None => None,
        };
        let (Some(cred), Some(row)) = (answer, named) else {
            let mut tx = self.db().begin().await?;
            audit_account(
                &mut tx,
                &anonymous(source),
                now,
                None,
                AuditAction::Login,
                AuditOutcome::Denied,
                Some("unknown_passkey"),
            )
            .await?;
            tx.commit().await?;
            self.count_source_failure(source).await?;
            return Ok(PasskeySignIn::Rejected);
        };
        let account = super::account_from_row(&row)?;
        let key: Passkey = serde_json::from_str(&s(&row, "credential")?).map_err(json_err)?;
        let ctx = account_ctx(&account, source);
        let paused = account.paused_until.is_some_and(|u| u > now);
        let refused = |p: Option<DateTime<Utc>>| match p {
            Some(until) => PasskeySignIn::Paused { until },
            None => PasskeySignIn::Rejected,
        };
        let result = match wa.finish_discoverable_authentication(
            &cred,
            state,
            &[DiscoverableKey::from(&key)],
        ) {
            Ok(result) => result,
            Err(e) => {
                self.count_source_failure(source).await?;
                return if matches!(e, WebauthnError::CredentialPossibleCompromise) {
                    self.passkey_copied(&account, &ctx).await.map(refused)
                } else {
                    self.count_failure(&account, &ctx, "wrong_passkey")
                        .await
                        .map(refused)
                };
            }
        };
        let mut tx = self.db().begin().await?;
        if !b(&row, "instead_of_password")? {
            audit_account(
                &mut tx,
                &ctx,
                now,
                Some(&account),
                AuditAction::Login,
                AuditOutcome::Denied,
                Some("passkey_not_instead_of_password"),
            )
            .await?;
            tx.commit().await?;
            return Ok(PasskeySignIn::OnlySecondStep);
        }
        if let Some(why) = self.closed_to(&mut tx, &account, &ctx).await? {
            tx.commit().await?;
            return Ok(PasskeySignIn::AccessEnded(why));
        }
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&account),
            AuditAction::Login,
            AuditOutcome::Allowed,
            Some(if paused {
                "passkey_while_paused"
            } else {
                "passkey"
            }),
        )
        .await?;
        match self.passkey_used(&mut tx, &account.id, &result).await? {
            Use::Recorded => {}
            Use::Copied => {
                tx.rollback().await?;
                self.count_source_failure(source).await?;
                return self.passkey_copied(&account, &ctx).await.map(refused);
            }
            Use::Gone => {
                tx.rollback().await?;
                self.count_source_failure(source).await?;
                return self
                    .count_failure(&account, &ctx, "wrong_passkey")
                    .await
                    .map(refused);
            }
        }
        let token = self
            .open_session(
                &mut tx,
                &account,
                &ctx,
                SessionOpening {
                    public: public_computer,
                    device,
                    how: "passkey",
                    via: None,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(PasskeySignIn::SignedIn {
            session_token: token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_host_and_loopback_becomes_localhost() {
        let (rp, o) = relying_party("https://portaal.Example.nl/").expect("domain");
        assert_eq!(rp, "portaal.example.nl");
        assert_eq!(o.as_str(), "https://portaal.example.nl/");
        let (rp, o) = relying_party("http://127.0.0.1:8080").expect("loopback");
        assert_eq!(rp, "localhost");
        assert_eq!(o.as_str(), "http://localhost:8080/");
        let (rp, _) = relying_party("http://[::1]:9000").expect("loopback v6");
        assert_eq!(rp, "localhost");
        assert!(relying_party("https://10.1.2.3").is_none());
        assert!(relying_party("not a url").is_none());
    }

    #[test]
    fn a_passkey_name_is_short_and_plain() {
        assert_eq!(passkey_name("  Telefoon ").expect("ok"), "Telefoon");
        assert!(passkey_name("   ").is_err());
        assert!(passkey_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert!(passkey_name("a\u{0}b").is_err());
        assert!(passkey_name(&"é".repeat(MAX_NAME)).is_ok());
    }
}
