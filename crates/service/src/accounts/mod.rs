//! Accounts and sign-in: invitations, passwords, the two-step login
//! (password, then an SMS code or an authenticator-app code), lockout,
//! per-address limits, password reset and server-side sessions. Every
//! event is audited (never with a password or a code).
use crate::access::{actor_facts, subject_facts};
use crate::audit::{append, Event};
use crate::db::{Conn, Tx};
use crate::error::{Result, ServiceError};
use crate::messages::{queue, Channel, NewMessage};
use crate::row::{b, i, os, ot, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::ids::*;
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart, Principal};
use inzage_core::policy::{
    decide, decide_administration, Access, ActorFacts, Decision, DenyReason,
};
use inzage_core::types::{display_datetime, ts, Email, FieldError};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub mod credentials;
pub mod identifiers;
pub mod links;
mod login;
pub mod oidc;
pub mod passkeys;

pub const SMS_CODE_VALID: Duration = Duration::minutes(10);
pub const SMS_RESEND_AFTER: Duration = Duration::seconds(60);

pub use inzage_core::model::AccountKind;

/// How a signed-in session opens ([`Services::open_session`]): on a
/// public computer or not, the device, the second factor used (`sms`,
/// `totp`, `provider_mfa`), and the provider link it came through.
pub(crate) struct SessionOpening<'a> {
    pub public: bool,
    pub device: Option<&'a str>,
    pub how: &'a str,
    pub via: Option<(&'a str, &'a str)>,
}

/// Who an invitation is for.
#[derive(Clone, Debug)]
pub enum InviteTarget {
    Client(ClientId),
    ContactPerson(ContactPersonId),
    Staff(StaffId),
}

/// Why a right password does not open the portal: the organisation's
/// eligibility rules name their own reason (with the setting's value),
/// everything else is "access has ended" (discharge and grace, portal
/// stopped, every grant ended).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AccessEnd {
    Ended,
    /// Younger than the organisation's minimum age.
    TooYoung {
        min_age: u32,
    },
    /// In care since before the organisation's start date.
    BeforeStart {
        date: chrono::NaiveDate,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invited {
    /// The account the link went to; `None` when the address belongs to
    /// an account of its own holder (ADR 0013: the holder decides).
    pub account_id: Option<String>,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// The answer to "Wachtwoord opvragen".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetRequest {
    /// Taken: a link goes out if the address has an account (and none went
    /// out in the last minutes).
    Queued,
    /// Too many requests from this source address in this window.
    TooMany,
}

/// What the login page does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Password accepted; a half-signed-in session for the second step.
    SecondStep {
        session_token: String,
        /// No second factor yet: enrol an authenticator app now.
        enrol: bool,
        sms: bool,
        totp: bool,
    },
    /// Wrong e-mail or password (never says which).
    Rejected,
    /// Login for this address is paused until `until` (the same answer
    /// whether or not the address has an account).
    Paused { until: DateTime<Utc> },
    /// The password was right but the portal is closed to this person, for
    /// the reason given (discharge, too young, care from before the start).
    AccessEnded(AccessEnd),
    /// Too many attempts from this network at once: not tried; come back
    /// at `until` (the 50-second queue is full, see `pacing`).
    Busy { until: DateTime<Utc> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondStepOutcome {
    /// Signed in: the new session's cookie value.
    SignedIn {
        session_token: String,
    },
    Rejected,
    Paused {
        until: DateTime<Utc>,
    },
    /// No code was sent, or it expired: ask for a new one.
    CodeExpired,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsOutcome {
    Sent,
    /// A code was sent less than 60 s ago.
    TooSoon {
        retry_after: DateTime<Utc>,
    },
    /// No mobile number, or SMS is not allowed for this account (staff).
    NoMobile,
}

/// A signed-in (or half-signed-in) session as the web layer sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    pub account_id: String,
    pub kind: AccountKind,
    pub email: String,
    pub language: String,
    pub second_factor_pending: bool,
    pub csrf_token: String,
    /// The principal for service calls; `None` while the second step is
    /// pending, or while a contact person has not chosen a dossier.
    pub principal: Option<Principal>,
    pub public_computer: bool,
    pub tour_done: bool,
    pub has_totp: bool,
    /// Step two is pending and the account may enrol an app in it.
    pub may_enrol: bool,
    /// The account's organisation's sector (the words of every page).
    #[serde(skip)]
    pub sector: inzage_i18n::Sector,
    /// The facts the session check loaded, for this request's reads
    /// ([`Ctx::with_facts`]).
    #[serde(skip)]
    pub facts: crate::RequestFacts,
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionSummary {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub device: Option<String>,
    pub current: bool,
}

/// A random 256-bit token, hex.
pub(crate) fn random_token() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).map_err(|e| ServiceError::Internal(format!("random: {e}")))?;
    Ok(hex::encode(b))
}

/// At most this many "you are not registered" e-mails per hour, for the
/// whole installation.
const NOT_REGISTERED_PER_HOUR: i64 = 60;

pub(crate) fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn six_digits() -> Result<String> {
    six_digits_from(|b| {
        getrandom::getrandom(b).map_err(|e| ServiceError::Internal(format!("random: {e}")))
    })
}

/// Six decimal digits from 32-bit draws of `fill`, without modulo bias:
/// a draw at or above the largest multiple of 10^6 below 2^32 is drawn
/// again (ASVS 2.7.6; one draw in about 4,300 is).
fn six_digits_from(mut fill: impl FnMut(&mut [u8; 4]) -> Result<()>) -> Result<String> {
    const LIMIT: u32 = 4_294_000_000;
    loop {
        let mut b = [0u8; 4];
        fill(&mut b)?;
        let v = u32::from_le_bytes(b);
        if v < LIMIT {
            return Ok(format!("{:06}", v % 1_000_000));
        }
    }
}

struct AccountRow {
    id: String,
    organisation_id: String,
    kind: AccountKind,
    subject_id: Option<String>,
    email: String,
    mobile: Option<String>,
    password_hash: Option<String>,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    totp_pending_secret: Option<String>,
    paused_until: Option<DateTime<Utc>>,
    language: String,
    tour_done: bool,
    last_login_at: Option<DateTime<Utc>>,
    /// The account's organisation's sector: the words of its messages.
    sector: inzage_i18n::Sector,
}

impl AccountRow {
    /// The language and words the holder's messages are written in.
    fn voice(&self) -> crate::texts::Voice<'_> {
        crate::texts::Voice {
            lang: &self.language,
            sector: self.sector,
        }
    }
}

const ACCOUNT_COLS: &str =
    "id, organisation_id, kind, subject_id, email, mobile, password_hash, totp_secret, \
     totp_last_step, totp_pending_secret, paused_until, language, tour_done, last_login_at, \
     (SELECT o.sector FROM organisation o WHERE o.id = account.organisation_id) AS sector";

/// [`ACCOUNT_COLS`] of an account aliased `a` in a join.
const ACCOUNT_COLS_A: &str =
    "a.id, a.organisation_id, a.kind, a.subject_id, a.email, a.mobile, a.password_hash, a.totp_secret, \
     a.totp_last_step, a.totp_pending_secret, a.paused_until, a.language, a.tour_done, a.last_login_at, \
     (SELECT o.sector FROM organisation o WHERE o.id = a.organisation_id) AS sector";

fn account_from_row(r: &crate::sql::Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: s(r, "id")?,
        organisation_id: s(r, "organisation_id")?,
        kind: AccountKind::from_code(&s(r, "kind")?)
            .ok_or_else(|| ServiceError::Internal("account kind".into()))?,
        subject_id: os(r, "subject_id")?,
        email: s(r, "email")?,
        mobile: os(r, "mobile")?,
        password_hash: os(r, "password_hash")?,
        totp_secret: os(r, "totp_secret")?,
        totp_last_step: r.try_get::<Option<i64>, _>("totp_last_step")?,
        totp_pending_secret: os(r, "totp_pending_secret")?,
        paused_until: ot(r, "paused_until")?,
        language: s(r, "language")?,
        tour_done: b(r, "tour_done")?,
        last_login_at: ot(r, "last_login_at")?,
        sector: os(r, "sector")?
            .and_then(|c| inzage_i18n::Sector::parse(&c))
            .unwrap_or_default(),
    })
}

fn account_ctx(a: &AccountRow, source: Option<&str>) -> Ctx {
    let mut c = Ctx::new(Principal::Account {
        account_id: a.id.clone(),
    });
    c.source_addr = source.map(str::to_owned);
    c
}

fn anonymous(source: Option<&str>) -> Ctx {
    let mut c = Ctx::new(Principal::Anonymous);
    c.source_addr = source.map(str::to_owned);
    c
}

/// The client an account event concerns (for the client's own log).
fn event_client(a: &AccountRow) -> Option<&str> {
    match a.kind {
        AccountKind::Client => a.subject_id.as_deref(),
        _ => None,
    }
}

/// Ends a half-signed-in session once its second step is done; `false`
/// when it had ended already (the same step used twice at once).
async fn end_half_session(tx: &mut Tx, id_hash: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(crate::sql::query(
        "UPDATE auth_session SET ended_at = $1, end_reason = 'second_step_done' WHERE id_hash = $2 AND ended_at IS NULL",
    )
    .bind(ts(now))
    .bind(id_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Queues an e-mail (subject, body) to the account's own address.
async fn mail_holder(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account: &AccountRow,
    (subject, body): (String, String),
    purpose: &str,
) -> Result<()> {
    queue(
        tx,
        now,
        NewMessage {
            channel: Channel::Email,
            recipient: &account.email,
            subject: Some(&subject),
            body: &body,
            purpose,
            account_id: Some(&account.id),
        },
    )
    .await?;
    Ok(())
}

/// The e-mail that tells the holder their password was changed.
async fn queue_password_changed(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account: &AccountRow,
) -> Result<()> {
    let mail = crate::texts::password_changed(account.voice());
    mail_holder(tx, now, account, mail, "password_changed").await
}

async fn audit_account(
    tx: &mut Tx,
    ctx: &Ctx,
    now: DateTime<Utc>,
    a: Option<&AccountRow>,
    action: AuditAction,
    outcome: AuditOutcome,
    reason: Option<&str>,
) -> Result<()> {
    append(
        tx,
        ctx,
        now,
        Event {
            role: a.map(|a| a.kind.code()).unwrap_or("-"),
            client_id: a.and_then(event_client),
            data_kind: "account",
            data_id: a.map(|a| a.id.as_str()),
            action,
            outcome,
            reason,
        },
    )
    .await
}

struct OrgAuth {
    staff_sms_allowed: bool,
    lockout_threshold: i64,
    lockout_pause: Duration,
    servicedesk_email: Option<String>,
    servicedesk_phone: Option<String>,
}

impl Default for OrgAuth {
    /// The seeds' rules, for an installation without an organisation.
    fn default() -> Self {
        let d = crate::admin::OrgSettings::default();
        Self {
            staff_sms_allowed: d.staff_sms_allowed,
            lockout_threshold: d.lockout_threshold,
            lockout_pause: Duration::minutes(d.lockout_pause_minutes),
            servicedesk_email: None,
            servicedesk_phone: None,
        }
    }
}

async fn org_auth(tx: &mut Conn, org: &str) -> Result<OrgAuth> {
    let r = crate::sql::query(
        "SELECT staff_sms_allowed, lockout_threshold, lockout_pause_minutes, servicedesk_email, servicedesk_phone \
         FROM organisation WHERE id = $1",
    )
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    Ok(OrgAuth {
        staff_sms_allowed: b(&r, "staff_sms_allowed")?,
        lockout_threshold: i(&r, "lockout_threshold")?,
        lockout_pause: Duration::minutes(i(&r, "lockout_pause_minutes")?),
        servicedesk_email: os(&r, "servicedesk_email")?,
        servicedesk_phone: os(&r, "servicedesk_phone")?,
    })
}

impl Services {
    async fn account_by_email(&self, tx: &mut Tx, email: &str) -> Result<Option<AccountRow>> {
        let r = crate::sql::query(&format!(
            "SELECT {ACCOUNT_COLS} FROM account WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
        r.as_ref().map(account_from_row).transpose()
    }

    async fn account_by_id(&self, tx: &mut Conn, id: &str) -> Result<AccountRow> {
        let r = crate::sql::query(&format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        account_from_row(&r)
    }

    /// Whether the account may use the portal now (discharge + grace,
    /// minimum age, eligibility date, a valid grant, an active staff member).
    async fn may_sign_in(
        &self,
        tx: &mut Conn,
        a: &AccountRow,
        memo: &crate::RequestFacts,
    ) -> Result<bool> {
        let now = self.now();
        match a.kind {
            AccountKind::Staff => {
                let Some(id) = &a.subject_id else {
                    return Ok(false);
                };
                let facts = memo
                    .actor(
                        self.db(),
                        tx,
                        &Principal::Staff {
                            staff_id: StaffId::from_raw(id.clone()),
                        },
                    )
                    .await?;
                Ok(matches!(facts, ActorFacts::Staff(s) if s.active))
            }
            AccountKind::Client => {
                let Some(id) = &a.subject_id else {
                    return Ok(false);
                };
                let Some(crate::access::Subject {
                    facts: subject,
                    rules,
                    ..
                }) = memo.subject(self.db(), tx, id).await?
                else {
                    return Ok(false);
                };
                let actor = ActorFacts::Client {
                    client_id: ClientId::from_raw(id.clone()),
                };
                Ok(decide(
                    &actor,
                    &subject,
                    DossierPart::Profile,
                    Access::Read,
                    &rules,
                    now,
                )
                .is_allowed())
            }
            // A link waiting for the holder lets them sign in to decide.
            AccountKind::ContactPerson => Ok(!self.openable_dossiers(tx, &a.id).await?.is_empty()
                || links::has_pending_links(tx, &a.id, now - self.settings().invite_valid).await?),
        }
    }

    /// Why [`Services::may_sign_in`] said no: an eligibility rule of the
    /// organisation when that is what closes every dossier of the account
    /// (the client's own; for a contact person, each of theirs), else
    /// "ended".
    async fn access_end(&self, tx: &mut Conn, a: &AccountRow) -> Result<AccessEnd> {
        let today = inzage_core::types::local_date(self.now());
        let clients: Vec<String> = match a.kind {
            AccountKind::Staff => return Ok(AccessEnd::Ended),
            AccountKind::Client => a.subject_id.iter().cloned().collect(),
            AccountKind::ContactPerson => {
                // Only dossiers the contact person still has a grant for:
                // after a revocation the answer is "ended", nothing about
                // the client's age or care.
                crate::sql::query(
                    "SELECT DISTINCT cp.client_id FROM contact_person cp \
                     JOIN access_grant g ON g.contact_person_id = cp.id \
                     WHERE cp.account_id = $1 AND g.revoked_at IS NULL \
                     AND (g.valid_until IS NULL OR g.valid_until > $2)",
                )
                .bind(&a.id)
                .bind(ts(self.now()))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| s(r, "client_id"))
                .collect::<Result<_>>()?
            }
        };
        let mut found = None;
        for c in &clients {
            let Some(sub) = subject_facts(tx, c).await? else {
                continue;
            };
            match inzage_core::policy::eligible(&sub.facts, &sub.rules, today) {
                Ok(()) => return Ok(AccessEnd::Ended),
                Err(DenyReason::BelowMinimumAge) => {
                    found.get_or_insert(AccessEnd::TooYoung {
                        min_age: sub.rules.min_client_age,
                    });
                }
                Err(DenyReason::BeforeEligibilityStart) => {
                    if let Some(date) = sub.rules.eligibility_start_date {
                        found.get_or_insert(AccessEnd::BeforeStart { date });
                    }
                }
                Err(_) => return Ok(AccessEnd::Ended),
            }
        }
        Ok(found.unwrap_or(AccessEnd::Ended))
    }

    /// SMS as second step: clients and contact persons always; staff only
    /// where the organisation allows it.
    async fn sms_allowed(&self, tx: &mut Tx, a: &AccountRow) -> Result<bool> {
        Ok(a.kind != AccountKind::Staff
            || org_auth(tx, &a.organisation_id).await?.staff_sms_allowed)
    }

    /// Contact-person rows of this account whose dossier is open to them now.
    pub(crate) async fn openable_dossiers(
        &self,
        tx: &mut Conn,
        account_id: &str,
    ) -> Result<Vec<(ContactPersonId, ClientId)>> {
        let rows = crate::sql::query(
            "SELECT id, client_id FROM contact_person WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(account_id)
        .fetch_all(&mut *tx)
        .await?;
        let now = self.now();
        let mut out = Vec::new();
        for r in &rows {
            let cp = ContactPersonId::from_raw(s(r, "id")?);
            let client = s(r, "client_id")?;
            let actor = actor_facts(
                tx,
                &Principal::ContactPerson {
                    contact_person_id: cp.clone(),
                },
            )
            .await?;
            let Some(crate::access::Subject {
                facts: subject,
                rules,
                ..
            }) = subject_facts(tx, &client).await?
            else {
                continue;
            };
            let open = DossierPart::ALL
                .iter()
                .any(|p| decide(&actor, &subject, *p, Access::Read, &rules, now).is_allowed());
            if open {
                out.push((cp, ClientId::from_raw(client)));
            }
        }
        Ok(out)
    }

    /// Invites a client, contact person or staff member: creates the
    /// account if needed and e-mails a single-use link to set a password.
    /// A new invitation makes earlier links invalid.
    pub async fn invite(&self, ctx: &Ctx, target: InviteTarget) -> Result<Invited> {
        self.invite_inner(ctx, target, true).await
    }

    /// Creates (or finds) the account with a known password and no mail:
    /// only for the demo organisation and operator set-up.
    pub async fn provision_account(
        &self,
        ctx: &Ctx,
        target: InviteTarget,
        password: &str,
    ) -> Result<String> {
        if let Decision::Deny(reason) = inzage_core::policy::decide_operator(
            &ctx.principal,
            inzage_core::policy::OperatorAction::ProvisionAccount,
        ) {
            return Err(ServiceError::Denied(reason));
        }
        let invited = self.invite_inner(ctx, target, false).await?;
        let account_id = invited
            .account_id
            .ok_or_else(|| ServiceError::Conflict("no account was made".into()))?;
        self.set_password_for_demo(ctx, &account_id, password)
            .await?;
        Ok(account_id)
    }

    async fn invite_inner(&self, ctx: &Ctx, target: InviteTarget, send: bool) -> Result<Invited> {
        let mut tx = self.db().begin().await?;
        let now = self.now();
        // Who is invited, and may the actor do it?
        let (kind, subject, client_for_rule, email, mobile, org) = match &target {
            InviteTarget::Client(id) => {
                let r = crate::sql::query(
                    "SELECT id, email, mobile, organisation_id FROM client WHERE id = $1",
                )
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(ServiceError::NotFound)?;
                (
                    AccountKind::Client,
                    Some(id.to_string()),
                    Some(id.to_string()),
                    os(&r, "email")?,
                    os(&r, "mobile")?,
                    s(&r, "organisation_id")?,
                )
            }
            InviteTarget::ContactPerson(id) => {
                let r = crate::sql::query(
                    "SELECT cp.client_id, cp.email, cp.mobile, c.organisation_id FROM contact_person cp \
                     JOIN client c ON c.id = cp.client_id WHERE cp.id = $1",
                )
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(ServiceError::NotFound)?;
                (
                    AccountKind::ContactPerson,
                    None,
                    Some(s(&r, "client_id")?),
                    os(&r, "email")?,
                    os(&r, "mobile")?,
                    s(&r, "organisation_id")?,
                )
            }
            InviteTarget::Staff(id) => {
                let r = crate::sql::query(
                    "SELECT email, mobile, organisation_id FROM staff_member WHERE id = $1",
                )
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(ServiceError::NotFound)?;
                (
                    AccountKind::Staff,
                    Some(id.to_string()),
                    None,
                    Some(s(&r, "email")?),
                    os(&r, "mobile")?,
                    s(&r, "organisation_id")?,
                )
            }
        };
        // Permission: portal access of a client is Network write on that
        // client (persoonlijk begeleider, secretariaat); staff accounts are
        // administration.
        let role = match &client_for_rule {
            Some(client) => {
                let a = crate::access::Attempt {
                    part: DossierPart::Network,
                    access: Access::Write,
                    action: AuditAction::Invite,
                    data_kind: "account",
                    data_id: None,
                    hide_denial: false,
                };
                match self.decide_in(&mut tx, ctx, client, &a).await? {
                    Ok(scope) => scope.as_role,
                    Err(e) => {
                        tx.commit().await?;
                        return Err(e);
                    }
                }
            }
            None => {
                let actor = actor_facts(&mut tx, &ctx.principal).await?;
                // A functional admin invites staff of their own organisation only.
                match decide_administration(&actor, Some(&OrganisationId::from_raw(org.clone()))) {
                    Decision::Allow(scope) => scope.as_role,
                    Decision::Deny(reason) => {
                        return crate::audit::deny_and_commit(
                            tx,
                            ctx,
                            now,
                            None,
                            "account",
                            AuditAction::Invite,
                            reason,
                        )
                        .await;
                    }
                }
            }
        };
        // Requirements: an e-mail address always; a mobile number for
        // clients and contact persons (the SMS second step).
        let Some(email) = email else {
            return Err(ServiceError::Conflict(
                "no e-mail address is known, so no invitation can be sent".into(),
            ));
        };
        if kind != AccountKind::Staff && mobile.is_none() {
            return Err(ServiceError::Conflict("no mobile number is known, so no invitation can be sent (the second login step needs it)".into()));
        }
        let email = Email::parse(&email)?.as_str().to_owned();
        // Eligibility (clients): the same rule as reading the dossier.
        if let InviteTarget::Client(id) = &target {
            if let Some(crate::access::Subject {
                facts: subject,
                rules,
                ..
            }) = subject_facts(&mut tx, id.as_str()).await?
            {
                let d = decide(
                    &ActorFacts::Client {
                        client_id: id.clone(),
                    },
                    &subject,
                    DossierPart::Profile,
                    Access::Read,
                    &rules,
                    now,
                );
                if let Decision::Deny(reason) = d {
                    return Err(ServiceError::Conflict(format!(
                        "this client cannot use the portal now ({})",
                        reason.code()
                    )));
                }
            }
        }
        // The account this row signs in with, if it has one already.
        let own = match (&target, &subject) {
            (InviteTarget::ContactPerson(cp), _) => {
                let r = crate::sql::query(&format!(
                    "SELECT {} FROM contact_person cp JOIN account a ON a.id = cp.account_id WHERE cp.id = $1",
                    ACCOUNT_COLS_A
                ))
                .bind(cp.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                r.as_ref().map(account_from_row).transpose()?
            }
            (_, Some(subj)) => {
                let r = crate::sql::query(&format!(
                    "SELECT {ACCOUNT_COLS} FROM account WHERE kind = $1 AND subject_id = $2"
                ))
                .bind(kind.code())
                .bind(subj)
                .fetch_optional(&mut *tx)
                .await?;
                r.as_ref().map(account_from_row).transpose()?
            }
            _ => None,
        };
        // An account is never rewritten by an invitation (ADR 0013): an
        // account in use has nothing to be invited to; one that was invited
        // before gets a new link at its own address.
        let (account, mail_to, outcome, concerned) = match own {
            Some(a) if a.password_hash.is_some() => {
                return Err(ServiceError::Conflict(
                    "this account is in use already; its holder can ask for a new password".into(),
                ))
            }
            Some(a) => (Some(a.id.clone()), a.email, "reinvited", a.id),
            None => match self.account_by_email(&mut tx, &email).await? {
                None => {
                    let id = new_id();
                    crate::sql::query(
                        "INSERT INTO account (id, organisation_id, kind, subject_id, email, mobile, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&id)
                    .bind(&org)
                    .bind(kind.code())
                    .bind(&subject)
                    .bind(&email)
                    .bind(&mobile)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await?;
                    if let InviteTarget::ContactPerson(cp) = &target {
                        crate::sql::query(
                            "UPDATE contact_person SET account_id = $1 WHERE id = $2",
                        )
                        .bind(&id)
                        .bind(cp.as_str())
                        .execute(&mut *tx)
                        .await?;
                    }
                    (Some(id.clone()), email.clone(), "new_account", id)
                }
                // The address has an account of its holder's: it is not
                // touched. A contact person's holder accepts the new link
                // while signed in; any other holder is told to give
                // another address. Staff see the same as for a new account.
                Some(other) => {
                    let linkable = match (
                        &target,
                        inzage_core::policy::accounts::contact_person_link(Some(other.kind)),
                    ) {
                        (
                            InviteTarget::ContactPerson(cp),
                            inzage_core::policy::accounts::LinkPath::HolderAccepts,
                        ) => Some(cp),
                        _ => None,
                    };
                    if !send {
                        return Err(ServiceError::Conflict(
                            "this e-mail address belongs to an account already".into(),
                        ));
                    }
                    let (purpose, (mail_subject, body)) = match linkable {
                        Some(cp) => {
                            crate::accounts::links::request_link(
                                &mut tx,
                                ctx,
                                now,
                                cp,
                                &other.id,
                                &other.email,
                            )
                            .await?;
                            (
                                "link_pending",
                                crate::texts::link_pending(
                                    other.voice(),
                                    &self.settings().public_base_url,
                                ),
                            )
                        }
                        None => ("address_taken", crate::texts::address_taken(other.voice())),
                    };
                    queue(
                        &mut tx,
                        now,
                        NewMessage {
                            channel: Channel::Email,
                            recipient: &other.email,
                            subject: Some(&mail_subject),
                            body: &body,
                            purpose,
                            account_id: Some(&other.id),
                        },
                    )
                    .await?;
                    (None, String::new(), purpose, other.id)
                }
            },
        };
        // Provisioning (demo, operator) creates the account without a link.
        let expires_at = match (&account, send) {
            (Some(account_id), true) => {
                let (link, expires_at) = self.issue_token(&mut tx, account_id, "invite").await?;
                let holder = self.account_by_id(&mut tx, account_id).await?;
                let (subject, body) = crate::texts::invite(
                    holder.voice(),
                    &link,
                    &display_datetime(expires_at),
                    &mail_to,
                    holder.kind == AccountKind::ContactPerson,
                );
                queue(
                    &mut tx,
                    now,
                    NewMessage {
                        channel: Channel::Email,
                        recipient: &mail_to,
                        subject: Some(&subject),
                        body: &body,
                        purpose: "invite",
                        account_id: Some(account_id),
                    },
                )
                .await?;
                expires_at
            }
            (None, _) => now + self.settings().invite_valid,
            (Some(_), false) => now,
        };
        // The row shows "invited" to staff whatever became of the address.
        match &target {
            InviteTarget::Client(id) => {
                crate::sql::query("UPDATE client SET invited_at = $2 WHERE id = $1")
                    .bind(id.as_str())
            }
            InviteTarget::ContactPerson(id) => {
                crate::sql::query("UPDATE contact_person SET invited_at = $2 WHERE id = $1")
                    .bind(id.as_str())
            }
            InviteTarget::Staff(id) => {
                crate::sql::query("UPDATE staff_member SET invited_at = $2 WHERE id = $1")
                    .bind(id.as_str())
            }
        }
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        // The staff member's event reads the same whatever became of the
        // address (it shows in the organisation's audit search); what
        // became of it is recorded apart, with the account it concerns,
        // for the operator only.
        let row_id = match &target {
            InviteTarget::Client(id) => id.to_string(),
            InviteTarget::ContactPerson(id) => id.to_string(),
            InviteTarget::Staff(id) => id.to_string(),
        };
        append(
            &mut tx,
            ctx,
            now,
            Event {
                role: &role,
                client_id: client_for_rule.as_deref(),
                data_kind: "account",
                data_id: Some(&row_id),
                action: if send {
                    AuditAction::Invite
                } else {
                    AuditAction::Create
                },
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
        )
        .await?;
        append(
            &mut tx,
            &Ctx::system("accounts"),
            now,
            Event {
                role: "system:accounts",
                client_id: None,
                data_kind: "account",
                data_id: Some(&concerned),
                action: AuditAction::Invite,
                outcome: AuditOutcome::Allowed,
                reason: Some(outcome),
            },
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(Invited {
            account_id: account,
            email,
            expires_at,
        })
    }

    /// A new single-use link of `purpose` (`invite` or `reset`) for the
    /// account; earlier unused links of that purpose stop working. Only the
    /// token's hash is stored. Returns the link and its end of validity.
    async fn issue_token(
        &self,
        tx: &mut Tx,
        account_id: &str,
        purpose: &str,
    ) -> Result<(String, DateTime<Utc>)> {
        let now = self.now();
        let valid = if purpose == "reset" {
            self.settings().reset_valid
        } else {
            self.settings().invite_valid
        };
        if purpose != "reset" {
            // A new invitation replaces the earlier one (it went to the
            // account's address as it was). Reset links stay valid until
            // they expire or one is used.
            crate::sql::query(
                "UPDATE account_token SET revoked_at = $1 WHERE account_id = $2 AND purpose = $3 \
                 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(ts(now))
            .bind(account_id)
            .bind(purpose)
            .execute(&mut **tx)
            .await?;
        }
        let token = random_token()?;
        let expires_at = now + valid;
        crate::sql::query(
            "INSERT INTO account_token (id, token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(sha(&token))
        .bind(account_id)
        .bind(purpose)
        .bind(ts(now))
        .bind(ts(expires_at))
        .execute(&mut **tx)
        .await?;
        let link = format!(
            "{}/wachtwoord-instellen?token={token}",
            self.settings().public_base_url.trim_end_matches('/')
        );
        Ok((link, expires_at))
    }

    /// Checks a set-password link without using it: the e-mail it is for.
    pub async fn token_email(&self, token: &str) -> Result<String> {
        let mut tx = self.db().begin().await?;
        let r = self.valid_token(&mut tx, token).await?;
        tx.rollback().await?;
        Ok(r.1.email)
    }

    async fn valid_token(&self, tx: &mut Tx, token: &str) -> Result<(String, AccountRow, String)> {
        if token.len() != 64 || !token.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(ServiceError::NotFound);
        }
        let r = crate::sql::query(
            "SELECT id, account_id, purpose, expires_at, used_at, revoked_at FROM account_token WHERE token_hash = $1",
        )
        .bind(sha(token))
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(ServiceError::NotFound)?;
        if os(&r, "used_at")?.is_some()
            || os(&r, "revoked_at")?.is_some()
            || t(&r, "expires_at")? <= self.now()
        {
            return Err(ServiceError::NotFound);
        }
        let account = self.account_by_id(tx, &s(&r, "account_id")?).await?;
        Ok((s(&r, "id")?, account, s(&r, "purpose")?))
    }

    /// "Wachtwoord instellen": sets the password with a link's token. The
    /// rules are checked before any hashing. A reset ends every session of
    /// the account and sends a notice.
    pub async fn set_password_with_token(
        &self,
        token: &str,
        password: &str,
        source: Option<&str>,
    ) -> Result<()> {
        // Cheap checks first (length before anything else).
        let email_for_rule = {
            let mut tx = self.db().begin().await?;
            let (_, a, _) = self.valid_token(&mut tx, token).await?;
            tx.rollback().await?;
            a.email
        };
        crate::passwords::check_new_password(password, Some(&email_for_rule))?;
        let hash = self.hasher().hash(password).await?;
        let mut tx = self.db().begin().await?;
        let (token_id, account, purpose) = self.valid_token(&mut tx, token).await?;
        let now = self.now();
        let used = crate::sql::query(
            "UPDATE account_token SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
        )
        .bind(ts(now))
        .bind(&token_id)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Err(ServiceError::NotFound);
        }
        crate::sql::query(
            "UPDATE account SET password_hash = $1, password_set_at = $2, failed_attempts = 0, paused_until = NULL WHERE id = $3",
        )
        .bind(&hash)
        .bind(ts(now))
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
        // A passkey no longer signs in alone after a password set through
        // a link (ADR 0029): one added by someone who had the old password
        // and a session must not outlive the reset. It still serves as
        // the second step; the holder can add it anew for both.
        crate::sql::query("UPDATE passkey SET instead_of_password = 0 WHERE account_id = $1")
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        // The other open links of the account stop working too.
        crate::sql::query(
            "UPDATE account_token SET revoked_at = $1 WHERE account_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
        let ended = self
            .end_sessions(&mut tx, &account.id, None, "password_changed")
            .await?;
        if purpose == "reset" || ended > 0 {
            queue_password_changed(&mut tx, now, &account).await?;
        }
        let ctx = account_ctx(&account, source);
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&account),
            AuditAction::PasswordSet,
            AuditOutcome::Allowed,
            Some(&purpose),
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(())
    }

    async fn pending_session(
        &self,
        tx: &mut Tx,
        token: &str,
    ) -> Result<Option<(crate::sql::Row, AccountRow)>> {
        let r = crate::sql::query(
            "SELECT id_hash, account_id, expires_at, sms_code_hash, sms_code_expires_at, sms_code_sent_at, ended_at, may_enrol, \
             oidc_issuer, oidc_subject FROM auth_session WHERE id_hash = $1 AND stage = 'second_factor'",
        )
        .bind(sha(token))
        .fetch_optional(&mut **tx)
        .await?;
        let Some(r) = r else { return Ok(None) };
        if os(&r, "ended_at")?.is_some() || t(&r, "expires_at")? <= self.now() {
            return Ok(None);
        }
        let a = self.account_by_id(tx, &s(&r, "account_id")?).await?;
        Ok(Some((r, a)))
    }

    /// Sends (or re-sends after 60 s) the SMS code for a pending login.
    pub async fn send_sms_code(
        &self,
        session_token: &str,
        source: Option<&str>,
    ) -> Result<SmsOutcome> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some((r, account)) = self.pending_session(&mut tx, session_token).await? else {
            return Err(ServiceError::NotFound);
        };
        let Some(mobile) = account.mobile.clone() else {
            return Ok(SmsOutcome::NoMobile);
        };
        if !self.sms_allowed(&mut tx, &account).await? {
            return Ok(SmsOutcome::NoMobile);
        }
        if let Some(sent) = ot(&r, "sms_code_sent_at")? {
            if now < sent + SMS_RESEND_AFTER {
                return Ok(SmsOutcome::TooSoon {
                    retry_after: sent + SMS_RESEND_AFTER,
                });
            }
        }
        let code = six_digits()?;
        let id_hash = s(&r, "id_hash")?;
        crate::sql::query(
            "UPDATE auth_session SET sms_code_hash = $1, sms_code_expires_at = $2, sms_code_sent_at = $3, expires_at = $2 WHERE id_hash = $4",
        )
        .bind(sha(&format!("{id_hash}:{code}")))
        .bind(ts(now + SMS_CODE_VALID))
        .bind(ts(now))
        .bind(&id_hash)
        .execute(&mut *tx)
        .await?;
        let body = crate::texts::sms_code(account.voice(), &code);
        queue(
            &mut tx,
            now,
            NewMessage {
                channel: Channel::Sms,
                recipient: &mobile,
                subject: None,
                body: &body,
                purpose: "sms_code",
                account_id: Some(&account.id),
            },
        )
        .await?;
        audit_account(
            &mut tx,
            &account_ctx(&account, source),
            now,
            Some(&account),
            AuditAction::CodeSent,
            AuditOutcome::Allowed,
            Some("sms"),
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(SmsOutcome::Sent)
    }

    /// Step two: an SMS code or an authenticator-app code. Success ends the
    /// half-signed-in session and starts a new one with a new id.
    pub async fn verify_second_step(
        &self,
        session_token: &str,
        code: &str,
        totp: bool,
        source: Option<&str>,
    ) -> Result<SecondStepOutcome> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some((r, account)) = self.pending_session(&mut tx, session_token).await? else {
            return Ok(SecondStepOutcome::CodeExpired);
        };
        tx.rollback().await?;
        let ctx = account_ctx(&account, source);
        if let Some(until) = account.paused_until.filter(|u| *u > now) {
            return Ok(SecondStepOutcome::Paused { until });
        }
        let code = code.trim();
        let well_formed = code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit());
        let id_hash = s(&r, "id_hash")?;
        let mut totp_step = None;
        let mut reused = false;
        // First sign-in of staff who must use an app: the code confirms the
        // secret shown on the enrolment page.
        let enrolling = totp && account.totp_secret.is_none() && b(&r, "may_enrol")?;
        let secret = if enrolling {
            &account.totp_pending_secret
        } else {
            &account.totp_secret
        };
        let ok = if !well_formed {
            false
        } else if totp {
            match (
                secret,
                crate::totp::matching_step(secret.as_deref().unwrap_or(""), code, now),
            ) {
                (Some(_), Some(step)) if account.totp_last_step.is_none_or(|last| step > last) => {
                    totp_step = Some(step);
                    true
                }
                (Some(_), Some(_)) => {
                    // A right code used before: someone may have seen it
                    // (not while enrolling: the step then belongs to the
                    // old secret).
                    reused = !enrolling;
                    false
                }
                _ => false,
            }
        } else {
            match (os(&r, "sms_code_hash")?, ot(&r, "sms_code_expires_at")?) {
                (Some(h), Some(exp)) if exp > now => h == sha(&format!("{id_hash}:{code}")),
                (Some(_), Some(_)) => return Ok(SecondStepOutcome::CodeExpired),
                _ => return Ok(SecondStepOutcome::CodeExpired),
            }
        };
        if !ok {
            if reused {
                self.tell_of_reused_code(&account).await?;
            }
            return self
                .count_failure(
                    &account,
                    &ctx,
                    if reused {
                        "totp_reused"
                    } else if totp {
                        "wrong_totp"
                    } else {
                        "wrong_sms_code"
                    },
                )
                .await
                .map(|p| match p {
                    Some(until) => SecondStepOutcome::Paused { until },
                    None => SecondStepOutcome::Rejected,
                });
        }
        let mut tx = self.db().begin().await?;
        if !end_half_session(&mut tx, &id_hash, now).await? {
            return Ok(SecondStepOutcome::CodeExpired); // used twice at once
        }
        if let (Some(step), true) = (totp_step, enrolling) {
            let upd = crate::sql::query(
                "UPDATE account SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $1 \
                 WHERE id = $2 AND totp_secret IS NULL AND totp_pending_secret IS NOT NULL",
            )
            .bind(step)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
            if upd.rows_affected() != 1 {
                return Ok(SecondStepOutcome::Rejected);
            }
        } else if let Some(step) = totp_step {
            let upd = crate::sql::query("UPDATE account SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
                .bind(step)
                .bind(&account.id)
                .execute(&mut *tx)
                .await?;
            if upd.rows_affected() != 1 {
                return Ok(SecondStepOutcome::Rejected);
            }
        }
        let token = self
            .second_step_done(
                &mut tx,
                &r,
                &account,
                &ctx,
                if totp { "totp" } else { "sms" },
            )
            .await?;
        tx.commit().await?;
        Ok(SecondStepOutcome::SignedIn {
            session_token: token,
        })
    }

    /// The second step `how` was done in the half-signed-in session `r`
    /// (already ended by [`end_half_session`] in `tx`): confirms the
    /// provider link it came through (ADR 0028) and opens the session.
    pub(in crate::accounts) async fn second_step_done(
        &self,
        tx: &mut Tx,
        r: &crate::sql::Row,
        account: &AccountRow,
        ctx: &Ctx,
        how: &str,
    ) -> Result<String> {
        let id_hash = s(r, "id_hash")?;
        let opened = crate::sql::query(
            "SELECT public_computer, device FROM auth_session WHERE id_hash = $1",
        )
        .bind(&id_hash)
        .fetch_one(&mut **tx)
        .await?;
        let public: i64 = opened.try_get("public_computer")?;
        let device = os(&opened, "device")?;
        // Signed in through the organisation's provider: the holder's own
        // second step confirms the link (ADR 0028).
        let via = match (os(r, "oidc_issuer")?, os(r, "oidc_subject")?) {
            (Some(i), Some(s)) => Some((i, s)),
            _ => None,
        };
        if let Some((issuer, subject)) = &via {
            oidc::confirm_link(tx, &account.id, issuer, subject, self.now()).await?;
        }
        self.open_session(
            tx,
            account,
            ctx,
            SessionOpening {
                public: public == 1,
                device: device.as_deref(),
                how,
                via: via.as_ref().map(|(i, s)| (i.as_str(), s.as_str())),
            },
        )
        .await
    }

    /// Opens a signed-in session once the second factor is done (`how`:
    /// `sms`, `totp`, or `provider_mfa` when the organisation's provider
    /// asserted multi-factor, ADR 0028); audited; returns the cookie value.
    pub(in crate::accounts) async fn open_session(
        &self,
        tx: &mut Tx,
        account: &AccountRow,
        ctx: &Ctx,
        how: SessionOpening<'_>,
    ) -> Result<String> {
        let SessionOpening {
            public,
            device,
            how,
            via,
        } = how;
        let now = self.now();
        crate::sql::query(
            "UPDATE account SET failed_attempts = 0, last_login_at = $1 WHERE id = $2",
        )
        .bind(ts(now))
        .bind(&account.id)
        .execute(&mut **tx)
        .await?;
        let token = random_token()?;
        // A contact person with exactly one open dossier starts in it;
        // with a new link waiting, they start at the choice, which shows it.
        let active_cp = if account.kind == AccountKind::ContactPerson {
            let open = self.openable_dossiers(tx, &account.id).await?;
            let since = now - self.settings().invite_valid;
            if open.len() == 1 && !links::has_pending_links(tx, &account.id, since).await? {
                Some(open[0].0.to_string())
            } else {
                None
            }
        } else {
            None
        };
        crate::sql::query(
            "INSERT INTO auth_session (id_hash, account_id, stage, created_at, last_seen_at, expires_at, public_computer, \
             device, source_addr, csrf_token, active_contact_person_id, oidc_issuer, oidc_subject) \
             VALUES ($1, $2, 'active', $3, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(sha(&token))
        .bind(&account.id)
        .bind(ts(now))
        .bind(ts(now + self.settings().session_lifetime))
        .bind(i64::from(public))
        .bind(device.map(|d| d.chars().take(120).collect::<String>()))
        .bind(ctx.source_addr.as_deref())
        .bind(random_token()?)
        .bind(active_cp)
        .bind(via.map(|v| v.0))
        .bind(via.map(|v| v.1))
        .execute(&mut **tx)
        .await?;
        audit_account(
            tx,
            ctx,
            now,
            Some(account),
            AuditAction::SecondFactor,
            AuditOutcome::Allowed,
            Some(how),
        )
        .await?;
        audit_account(
            tx,
            ctx,
            now,
            Some(account),
            AuditAction::SessionStart,
            AuditOutcome::Allowed,
            Some(if public {
                "public_computer"
            } else {
                "own_device"
            }),
        )
        .await?;
        Ok(token)
    }

    /// Looks up a session cookie: checks the idle timeout (organisation
    /// setting) and the absolute lifetime, and records the activity.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        Ok(match self.session_lookup(token).await? {
            (Some(info), _) => Some(info),
            _ => None,
        })
    }

    /// Like [`Services::session`], but also says whether an unknown session
    /// ended by timing out (to explain it on the login page).
    pub async fn session_lookup(&self, token: &str) -> Result<(Option<SessionInfo>, bool)> {
        if token.len() != 64 || !token.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Ok((None, false));
        }
        let now = self.now();
        // Every request looks its session up: plain reads on one pooled
        // connection (no transaction, no SQLite write lock), session,
        // account and organisation in one statement, and a write only when
        // something changes. A client's own facts (for the check that the
        // portal is still open to them, the page's header and its gate)
        // come in the same statement. No credential leaves the database
        // here: the password hash and the TOTP secrets (and the contact
        // details and dates a request does not need) read as NULL in this
        // account row, and only whether an app is linked comes along. The
        // row is not returned; what it is handed to (`may_sign_in`,
        // `audit_account`, `account_ctx`) reads only its id, kind and
        // subject.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT s.id_hash, s.account_id, s.stage, s.last_seen_at, s.expires_at, s.public_computer, \
                 s.csrf_token, s.active_contact_person_id, s.ended_at, s.end_reason, s.may_enrol, \
                 a.id, a.organisation_id, a.kind, a.subject_id, a.email, a.language, a.tour_done, \
                 CAST(NULL AS TEXT) AS mobile, CAST(NULL AS TEXT) AS password_hash, \
                 CAST(NULL AS TEXT) AS totp_secret, CAST(NULL AS BIGINT) AS totp_last_step, \
                 CAST(NULL AS TEXT) AS totp_pending_secret, CAST(NULL AS TEXT) AS paused_until, \
                 CAST(NULL AS TEXT) AS last_login_at, \
                 CASE WHEN a.totp_secret IS NULL THEN 0 ELSE 1 END AS has_totp, \
                 o.idle_timeout_minutes, o.sector, o.name AS org_name, o.display_name AS org_display_name, \
                 o.logo_sha256 AS org_logo, {} \
                 FROM auth_session s JOIN account a ON a.id = s.account_id \
                 JOIN organisation o ON o.id = a.organisation_id \
                 LEFT JOIN client c ON a.kind = 'client' AND c.id = a.subject_id {} \
                 WHERE s.id_hash = $1",
                crate::access::SUBJECT_COLUMNS,
                crate::access::SUBJECT_JOINS
            )
        });
        let generation = self.db().write_generation();
        let mut conn = self.db().acquire().await?;
        let r = crate::sql::query(&SQL)
            .bind(sha(token))
            .fetch_optional(&mut *conn)
            .await?;
        let Some(r) = r else {
            return Ok((None, false));
        };
        if os(&r, "ended_at")?.is_some() {
            let timed_out = os(&r, "end_reason")?.as_deref() == Some("timeout");
            return Ok((None, timed_out));
        }
        let account = account_from_row(&r)?;
        let idle = Duration::minutes(i(&r, "idle_timeout_minutes")?);
        let facts = crate::RequestFacts::for_request();
        if account.kind == AccountKind::Client {
            if let (Some(client_id), Some(subject)) = (
                account.subject_id.as_deref(),
                crate::access::subject_from_row(&r)?,
            ) {
                facts.remember_subject(generation, client_id, Some(subject));
            }
        }
        let stage = s(&r, "stage")?;
        let last_seen = t(&r, "last_seen_at")?;
        let id_hash = s(&r, "id_hash")?;
        let idle_over = stage == "active" && now >= last_seen + idle;
        let end_reason = if idle_over || now >= t(&r, "expires_at")? {
            Some("timeout")
        } else if stage == "active" && !self.may_sign_in(&mut conn, &account, &facts).await? {
            // Access can end while signed in (discharge + grace, revoked grant).
            Some("access_ended")
        } else {
            None
        };
        drop(conn);
        if let Some(reason) = end_reason {
            let mut tx = self.db().begin().await?;
            let ended = crate::sql::query(
                "UPDATE auth_session SET ended_at = $1, end_reason = $2 WHERE id_hash = $3 AND ended_at IS NULL",
            )
            .bind(ts(now))
            .bind(reason)
            .bind(&id_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // A concurrent request may have ended it first: audit once.
            if ended == 1 {
                audit_account(
                    &mut tx,
                    &account_ctx(&account, None),
                    now,
                    Some(&account),
                    AuditAction::SessionEnd,
                    AuditOutcome::Allowed,
                    Some(reason),
                )
                .await?;
            }
            tx.commit().await?;
            return Ok((None, reason == "timeout"));
        }
        if stage == "active" && now - last_seen >= Duration::seconds(15) {
            crate::sql::query(
                "UPDATE auth_session SET last_seen_at = $1 WHERE id_hash = $2 AND ended_at IS NULL AND last_seen_at < $1",
            )
            .bind(ts(now))
            .bind(&id_hash)
            .execute(self.db())
            .await?;
        }
        let principal = if stage != "active" {
            None
        } else {
            match account.kind {
                AccountKind::Client => account.subject_id.clone().map(|c| Principal::Client {
                    client_id: ClientId::from_raw(c),
                }),
                AccountKind::Staff => account.subject_id.clone().map(|c| Principal::Staff {
                    staff_id: StaffId::from_raw(c),
                }),
                AccountKind::ContactPerson => {
                    os(&r, "active_contact_person_id")?.map(|c| Principal::ContactPerson {
                        contact_person_id: ContactPersonId::from_raw(c),
                    })
                }
            }
        };
        let info = SessionInfo {
            account_id: account.id.clone(),
            kind: account.kind,
            email: account.email.clone(),
            language: account.language.clone(),
            second_factor_pending: stage != "active",
            csrf_token: s(&r, "csrf_token")?,
            principal,
            public_computer: b(&r, "public_computer")?,
            tour_done: account.tour_done,
            has_totp: b(&r, "has_totp")?,
            may_enrol: b(&r, "may_enrol")?,
            sector: account.sector,
            facts,
        };
        Ok((Some(info), false))
    }

    /// Ends one session (logout).
    /// Ends the session of `token`; `false` when it had no open session
    /// (unknown, or already ended), so an API caller can tell.
    pub async fn logout(&self, token: &str, source: Option<&str>) -> Result<bool> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query(
            "SELECT account_id FROM auth_session WHERE id_hash = $1 AND ended_at IS NULL",
        )
        .bind(sha(token))
        .fetch_optional(&mut *tx)
        .await?;
        let ended = r.is_some();
        if let Some(r) = r {
            let account = self.account_by_id(&mut tx, &s(&r, "account_id")?).await?;
            crate::sql::query(
                "UPDATE auth_session SET ended_at = $1, end_reason = 'logout' WHERE id_hash = $2",
            )
            .bind(ts(now))
            .bind(sha(token))
            .execute(&mut *tx)
            .await?;
            audit_account(
                &mut tx,
                &account_ctx(&account, source),
                now,
                Some(&account),
                AuditAction::Logout,
                AuditOutcome::Allowed,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ended)
    }

    /// A way of signing in changed (the app, a passkey), in `tx`: every
    /// other session of the account ends, the holder gets `mail` (for
    /// `purpose`), and the change is audited as `reason`. The caller
    /// commits and wakes the jobs.
    #[allow(clippy::too_many_arguments)]
    async fn sign_in_changed(
        &self,
        tx: &mut Tx,
        a: &AccountRow,
        ctx: &Ctx,
        keep: &str,
        mail: (String, String),
        purpose: &str,
        reason: &str,
    ) -> Result<()> {
        let now = self.now();
        self.end_sessions(tx, &a.id, Some(keep), "credentials_changed")
            .await?;
        mail_holder(tx, now, a, mail, purpose).await?;
        audit_account(
            tx,
            ctx,
            now,
            Some(a),
            AuditAction::Update,
            AuditOutcome::Allowed,
            Some(reason),
        )
        .await
    }

    /// Ends every open session of an account except `keep`; returns how many.
    async fn end_sessions(
        &self,
        tx: &mut Tx,
        account_id: &str,
        keep: Option<&str>,
        reason: &str,
    ) -> Result<u64> {
        let r = crate::sql::query(
            "UPDATE auth_session SET ended_at = $1, end_reason = $2 WHERE account_id = $3 AND ended_at IS NULL \
             AND ($4 IS NULL OR id_hash <> $4)",
        )
        .bind(ts(self.now()))
        .bind(reason)
        .bind(account_id)
        .bind(keep.map(sha))
        .execute(&mut **tx)
        .await?;
        Ok(r.rows_affected())
    }

    /// "Mijn sessies": the account's open sessions.
    pub async fn my_sessions(&self, token: &str) -> Result<Vec<SessionSummary>> {
        let Some(info) = self.session(token).await? else {
            return Err(ServiceError::NotFound);
        };
        let rows = crate::sql::query(
            "SELECT id_hash, created_at, last_seen_at, device FROM auth_session WHERE account_id = $1 AND ended_at IS NULL \
             AND stage = 'active' ORDER BY last_seen_at DESC",
        )
        .bind(&info.account_id)
        .fetch_all(self.db())
        .await?;
        let me = sha(token);
        rows.iter()
            .map(|r| {
                Ok(SessionSummary {
                    created_at: t(r, "created_at")?,
                    last_seen_at: t(r, "last_seen_at")?,
                    device: os(r, "device")?,
                    current: s(r, "id_hash")? == me,
                })
            })
            .collect()
    }

    /// Ends all sessions of the account but this one.
    pub async fn end_other_sessions(&self, token: &str, source: Option<&str>) -> Result<u64> {
        let Some(info) = self.session(token).await? else {
            return Err(ServiceError::NotFound);
        };
        let mut tx = self.db().begin().await?;
        let n = self
            .end_sessions(&mut tx, &info.account_id, Some(token), "ended_by_user")
            .await?;
        let account = self.account_by_id(&mut tx, &info.account_id).await?;
        audit_account(
            &mut tx,
            &account_ctx(&account, source),
            self.now(),
            Some(&account),
            AuditAction::SessionEnd,
            AuditOutcome::Allowed,
            Some("others_ended_by_user"),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// "Wachtwoord opvragen": always the same answer and the same work; the
    /// lookup and the e-mail happen in a job, so the response time does not
    /// depend on whether the address is known. One source address may ask
    /// [`crate::ServiceSettings::reset_source_limit`] times per window
    /// (that answer says nothing about any account either).
    pub async fn request_password_reset(
        &self,
        email: &str,
        source: Option<&str>,
    ) -> Result<ResetRequest> {
        let now = self.now();
        let settings = self.settings();
        if let Some(addr) = source.map(crate::pacing::source_key) {
            let hits = self
                .count_hit(&format!("reset:{addr}"), settings.address_window)
                .await?;
            if hits > settings.reset_source_limit {
                let mut tx = self.db().begin().await?;
                audit_account(
                    &mut tx,
                    &anonymous(source),
                    now,
                    None,
                    AuditAction::PasswordResetRequested,
                    AuditOutcome::Denied,
                    Some("source_limit"),
                )
                .await?;
                tx.commit().await?;
                return Ok(ResetRequest::TooMany);
            }
        }
        let normalised = Email::parse(email)
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default();
        let mut tx = self.db().begin().await?;
        if !normalised.is_empty() {
            crate::jobs::enqueue(
                &mut tx,
                crate::jobs::PASSWORD_RESET_REQUEST,
                &normalised,
                now,
                now,
            )
            .await?;
        }
        audit_account(
            &mut tx,
            &anonymous(source),
            now,
            None,
            AuditAction::PasswordResetRequested,
            AuditOutcome::Allowed,
            None,
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(ResetRequest::Queued)
    }

    /// The job behind a reset request: if the address has an account, send
    /// a single-use link valid for an hour; at most one mail per account per
    /// [`crate::ServiceSettings::reset_mail_interval`]. An earlier link that
    /// has not expired stays valid (a flood of requests cannot keep the
    /// holder's link from working).
    pub(crate) async fn process_reset_request(&self, email: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some(account) = self.account_by_email(&mut tx, email).await? else {
            // Never invited: the e-mail says how to get in (the secretariat
            // registers the e-mail address and mobile number first). The
            // page answered the same as for anyone; one such e-mail per
            // address per interval.
            let recent = crate::sql::query(
                "SELECT 1 AS x FROM message WHERE recipient = $1 AND purpose = 'not_registered' \
                 AND created_at > $2 LIMIT 1",
            )
            .bind(email)
            .bind(ts(now - self.settings().reset_mail_interval))
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            // A cap for the whole installation, so rotating sources cannot
            // turn this into a mail cannon.
            let hour = crate::sql::query(
                "SELECT COUNT(*) AS n FROM message WHERE purpose = 'not_registered' AND created_at > $1",
            )
            .bind(ts(now - Duration::hours(1)))
            .fetch_one(&mut *tx)
            .await?;
            if !recent && i(&hour, "n")? < NOT_REGISTERED_PER_HOUR {
                let (subject, body) = crate::texts::not_registered(crate::texts::Voice {
                    lang: "nl",
                    sector: inzage_i18n::Sector::Care,
                });
                queue(
                    &mut tx,
                    now,
                    NewMessage {
                        channel: Channel::Email,
                        recipient: email,
                        subject: Some(&subject),
                        body: &body,
                        purpose: "not_registered",
                        account_id: None,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            self.wake_jobs();
            return Ok(());
        };
        let recent = crate::sql::query(
            "SELECT 1 AS x FROM account_token WHERE account_id = $1 AND purpose = 'reset' AND created_at > $2 LIMIT 1",
        )
        .bind(&account.id)
        .bind(ts(now - self.settings().reset_mail_interval))
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if recent {
            tx.rollback().await?;
            return Ok(());
        }
        let (link, _) = self.issue_token(&mut tx, &account.id, "reset").await?;
        let mail = crate::texts::reset(account.voice(), &link);
        mail_holder(&mut tx, now, &account, mail, "reset").await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(())
    }

    /// Hands one queued message to the transport; erases its body after.
    pub(crate) async fn deliver_message(&self, id: &str) -> Result<()> {
        let r = crate::sql::query(
            "SELECT m.id, m.channel, m.recipient, m.subject, m.body, m.status, m.created_at, m.list_unsubscribe, \
             a.language, COALESCE(o.display_name, o.name) AS org_name, o.logo_sha256, o.logo_content_type \
             FROM message m LEFT JOIN account a ON a.id = m.account_id \
             LEFT JOIN organisation o ON o.id = a.organisation_id WHERE m.id = $1",
        )
            .bind(id)
            .fetch_optional(self.db())
            .await?;
        let Some(r) = r else { return Ok(()) };
        if s(&r, "status")? != "queued" {
            return Ok(());
        }
        let channel = if s(&r, "channel")? == "sms" {
            Channel::Sms
        } else {
            Channel::Email
        };
        let msg = crate::messages::Outgoing {
            id: s(&r, "id")?,
            channel,
            recipient: s(&r, "recipient")?,
            subject: os(&r, "subject")?,
            body: s(&r, "body")?,
            created_at: t(&r, "created_at")?,
            logo: None,
            list_unsubscribe: os(&r, "list_unsubscribe")?,
        };
        // The holder's organisation's logo goes into the e-mail (issue 14).
        // A logo that cannot be read does not hold up the message.
        let logo = match (
            channel,
            os(&r, "logo_sha256")?,
            os(&r, "logo_content_type")?,
        ) {
            (Channel::Email, Some(hash), Some(content_type)) => match self.blobs().get(&hash) {
                Ok(bytes) => Some(crate::messages::MailLogo {
                    content_type,
                    bytes,
                    organisation: os(&r, "org_name")?.unwrap_or_default(),
                    lang: os(&r, "language")?.unwrap_or_else(|| "nl".into()),
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "logo for e-mail unreadable; sent without");
                    None
                }
            },
            _ => None,
        };
        let msg = crate::messages::Outgoing { logo, ..msg };
        let transport = self.transport().clone();
        match transport.deliver(&msg).await {
            Ok(()) => {
                crate::sql::query("UPDATE message SET status = 'sent', sent_at = $1, transport = $2, body = '', list_unsubscribe = NULL WHERE id = $3")
                    .bind(ts(self.now()))
                    .bind(transport.name(channel))
                    .bind(id)
                    .execute(self.db())
                    .await?;
                Ok(())
            }
            Err(e) => {
                crate::sql::query("UPDATE message SET last_error = $1 WHERE id = $2")
                    .bind(e.to_string())
                    .bind(id)
                    .execute(self.db())
                    .await?;
                Err(e)
            }
        }
    }

    /// Sets a password directly (operator CLI and the demo only).
    pub async fn set_password_for_demo(
        &self,
        ctx: &Ctx,
        account_id: &str,
        password: &str,
    ) -> Result<()> {
        if let Decision::Deny(reason) = inzage_core::policy::decide_operator(
            &ctx.principal,
            inzage_core::policy::OperatorAction::ProvisionAccount,
        ) {
            return Err(ServiceError::Denied(reason));
        }
        crate::passwords::check_new_password(password, None)?;
        let hash = self.hasher().hash(password).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let account = self.account_by_id(&mut tx, account_id).await?;
        crate::sql::query(
            "UPDATE account SET password_hash = $1, password_set_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(ts(now))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        audit_account(
            &mut tx,
            ctx,
            now,
            Some(&account),
            AuditAction::PasswordSet,
            AuditOutcome::Allowed,
            Some("operator"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Services {
    /// Starts authenticator-app enrolment: a new secret, kept pending until
    /// a code from the app confirms it. Returns (base32 secret, otpauth URL).
    pub async fn begin_totp_enrolment(&self, session_token: &str) -> Result<(String, String)> {
        self.totp_enrolment(session_token, false).await
    }

    /// The key shown before, again (a form refused for a wrong password
    /// keeps the QR code the holder scanned); a new one when there is none.
    /// Opening the page ([`Services::begin_totp_enrolment`]) always makes a
    /// new key, so a key seen earlier by someone else is never the one
    /// linked.
    pub async fn repeat_totp_enrolment(&self, session_token: &str) -> Result<(String, String)> {
        self.totp_enrolment(session_token, true).await
    }

    async fn totp_enrolment(&self, session_token: &str, repeat: bool) -> Result<(String, String)> {
        let Some(info) = self.session(session_token).await? else {
            return Err(ServiceError::NotFound);
        };
        if info.second_factor_pending && !info.may_enrol {
            return Err(ServiceError::NotFound);
        }
        let shown = if repeat {
            crate::sql::query("SELECT totp_pending_secret FROM account WHERE id = $1")
                .bind(&info.account_id)
                .fetch_one(self.db())
                .await
                .map(|r| os(&r, "totp_pending_secret"))??
        } else {
            None
        };
        let secret = match shown {
            Some(s) => s,
            None => {
                let mut raw = [0u8; 20];
                getrandom::getrandom(&mut raw)
                    .map_err(|e| ServiceError::Internal(format!("random: {e}")))?;
                let secret = totp_rs::Secret::Raw(raw.to_vec()).to_encoded().to_string();
                crate::sql::query("UPDATE account SET totp_pending_secret = $1 WHERE id = $2")
                    .bind(&secret)
                    .bind(&info.account_id)
                    .execute(self.db())
                    .await?;
                secret
            }
        };
        let url = format!(
            "otpauth://totp/Inzage:{}?secret={secret}&issuer=Inzage&algorithm=SHA1&digits=6&period=30",
            info.email.replace('@', "%40")
        );
        Ok((secret, url))
    }

    /// The account ids of the subjects, for the CLI and the demo.
    pub async fn account_id_for(&self, kind: AccountKind, subject: &str) -> Result<Option<String>> {
        let r = match kind {
            AccountKind::ContactPerson => {
                crate::sql::query("SELECT account_id AS id FROM contact_person WHERE id = $1")
                    .bind(subject)
                    .fetch_optional(self.db())
                    .await?
            }
            _ => {
                crate::sql::query("SELECT id FROM account WHERE kind = $1 AND subject_id = $2")
                    .bind(kind.code())
                    .bind(subject)
                    .fetch_optional(self.db())
                    .await?
            }
        };
        Ok(r.and_then(|r| os(&r, "id").ok().flatten()))
    }
}

/// Why a set-password attempt was refused, for the page.
pub fn password_error(e: &ServiceError) -> Option<&FieldError> {
    match e {
        ServiceError::Invalid(f) => Some(f),
        _ => None,
    }
}

/// Result of a password change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangePassword {
    Changed,
    /// The current password was wrong (counts toward the pause).
    WrongCurrent,
    Paused {
        until: DateTime<Utc>,
    },
}

impl Services {
    /// The fully signed-in session of a token, or `NotFound`.
    pub(crate) async fn active_session(&self, session_token: &str) -> Result<SessionInfo> {
        self.session(session_token)
            .await?
            .filter(|i| !i.second_factor_pending)
            .ok_or(ServiceError::NotFound)
    }

    async fn active_account(&self, session_token: &str) -> Result<AccountRow> {
        let info = self.active_session(session_token).await?;
        let mut tx = self.db().begin().await?;
        let a = self.account_by_id(&mut tx, &info.account_id).await?;
        tx.rollback().await?;
        Ok(a)
    }

    /// "Mijn account": change the password (the current one is required).
    /// Other sessions end and a notice is e-mailed.
    pub async fn change_password(
        &self,
        session_token: &str,
        current: &str,
        new: &str,
        source: Option<&str>,
    ) -> Result<ChangePassword> {
        let account = self.active_account(session_token).await?;
        crate::passwords::check_new_password(new, Some(&account.email))?;
        let ctx = account_ctx(&account, source);
        if current.chars().count() > crate::passwords::MAX_CHARS
            || !self
                .hasher()
                .verify(current, account.password_hash.as_deref())
                .await
        {
            return Ok(
                match self
                    .count_failure(&account, &ctx, "wrong_current_password")
                    .await?
                {
                    Some(until) => ChangePassword::Paused { until },
                    None => ChangePassword::WrongCurrent,
                },
            );
        }
        let hash = self.hasher().hash(new).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        crate::sql::query("UPDATE account SET password_hash = $1, password_set_at = $2, failed_attempts = 0 WHERE id = $3")
            .bind(&hash)
            .bind(ts(now))
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        self.end_sessions(
            &mut tx,
            &account.id,
            Some(session_token),
            "password_changed",
        )
        .await?;
        queue_password_changed(&mut tx, now, &account).await?;
        audit_account(
            &mut tx,
            &ctx,
            now,
            Some(&account),
            AuditAction::PasswordSet,
            AuditOutcome::Allowed,
            Some("changed"),
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(ChangePassword::Changed)
    }

    /// The language of the pages for this account (`nl` or `en`).
    pub async fn set_language(&self, session_token: &str, language: &str) -> Result<()> {
        let account = self.active_account(session_token).await?;
        if !matches!(language, "nl" | "en") {
            return Err(ServiceError::Invalid(FieldError::new(
                "language",
                "choose nl or en",
            )));
        }
        crate::sql::query("UPDATE account SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(&account.id)
            .execute(self.db())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_without_modulo_bias() {
        // A draw in the biased top range is drawn again, not folded.
        let mut draws = vec![u32::MAX, 4_294_000_000, 4_293_999_999].into_iter();
        let code = six_digits_from(|b| {
            *b = draws.next().expect("a draw").to_le_bytes();
            Ok(())
        })
        .expect("code");
        assert_eq!(code, "999999");
        assert_eq!(draws.next(), None, "exactly three draws");
        let mut zero = Some(7u32);
        assert_eq!(
            six_digits_from(|b| {
                *b = zero.take().unwrap_or(0).to_le_bytes();
                Ok(())
            })
            .expect("code"),
            "000007",
            "leading zeros are kept"
        );
        let many: std::collections::HashSet<String> =
            (0..200).map(|_| six_digits().expect("code")).collect();
        assert!(many
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|d| d.is_ascii_digit())));
        assert!(many.len() > 190, "the OS generator repeats rarely");
    }

    #[test]
    fn tokens_carry_256_bits_from_the_os_generator() {
        let a = random_token().expect("token");
        let b = random_token().expect("token");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        // Stored only as SHA-256.
        assert_eq!(sha(&a).len(), 64);
        assert_ne!(sha(&a), a);
    }
}
